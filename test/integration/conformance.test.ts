/**
 * Reference §10 through the gateway to the bundled simulator, and against the simulator
 * alone: both must answer as Nova does (the same cases run against a real Nova in e2e).
 */
import { startSimulator, type Simulator } from '../../gateway/simulator';
import type { RunningGateway } from '../../gateway/server';
import { startTestGateway, SHIPPED_RULES } from '../support/gateway';
import { loadRuleSet } from '../../gateway/rules/load';
import { decide } from '../../gateway/rules/decide';
import type { RuleSet } from '../../gateway/rules/types';
import { CASES, HEADER_CASES, IMAGE_ID, QUOTA, SERVER_ID, headerCaseHeaders, versionAsks } from '../conformance/cases';
import { caseTitle, differences, headersFor, resolveAsk, send, type Side } from '../conformance/runner';

let sim: Simulator;
let gw: RunningGateway;
let shippedRules: RuleSet;
const sides: Side[] = [];

beforeAll(async () => {
  const loaded = await loadRuleSet(SHIPPED_RULES);
  if (!loaded.ok) throw new Error('shipped rules invalid');
  shippedRules = loaded.ruleSet;
  sim = await startSimulator({ metadataItems: QUOTA, imagePropertyQuota: 128 });
  gw = await startTestGateway({ upstream: sim.computeUrl, flags: { 'image-service': sim.imageUrl } });
  const reset = async () => sim.reset();
  sides.push({ name: 'simulator', baseUrl: sim.computeUrl, max: '2.38', token: 'admin:admin', reset });
  sides.push({ name: 'gateway', baseUrl: gw.proxyUrl, max: '2.39', token: 'admin:admin', reset });
});

afterAll(async () => {
  await gw?.close(1000);
  await sim?.close();
});

const table = CASES.flatMap((c) => versionAsks().flatMap((ask) => ['simulator', 'gateway'].map((side) => ({ c, ask, side }))));

test.each(table.map((t) => [`${t.side}: ${caseTitle(t.c, t.ask)}`, t] as const))('%s', async (_title, { c, ask, side: name }) => {
  const side = sides.find((s) => s.name === name)!;
  const at = resolveAsk(side, ask);
  if (!at) return; // above the side's maximum: not served natively (the 406 is covered by the header cases)
  if (c.mutates) await side.reset();
  const observed = await send(side, c, headersFor(side, ask));
  expect(differences(observed, c.expect(at))).toEqual([]);
});

const headerTable = HEADER_CASES.flatMap((c) => ['simulator', 'gateway'].map((side) => ({ c, side })));

test.each(headerTable.map((t) => [`${t.side}: §10 row ${t.c.row} ${t.c.id}`, t] as const))('%s', async (_title, { c, side: name }) => {
  const side = sides.find((s) => s.name === name)!;
  const observed = await send(side, { method: 'GET', path: `/v2.1/images/${IMAGE_ID}/metadata` }, headerCaseHeaders(c, side.max));
  expect(differences(observed, c.expect(side.max))).toEqual([]);
});

describe('createImage/createBackup over the compute quota at 2.39: 202 and every property on the new image', () => {
  test.each(['createImage', 'createBackup'])('%s', async (action) => {
    sim.reset();
    const metadata = { a: '1', b: '2', c: '3', d: '4', e: '5' };
    const body = action === 'createImage' ? { createImage: { name: 'snap', metadata } } : { createBackup: { name: 'b', backup_type: 'daily', rotation: 1, metadata } };
    const res = await send(sides[1], { method: 'POST', path: `/v2.1/servers/${SERVER_ID}/action`, body: JSON.stringify(body) }, { 'OpenStack-API-Version': 'compute 2.39' });
    expect(res.status).toBe(202);
    const location = res.headers.find(([n]) => n === 'location')![1];
    const imageId = location.split('/').pop()!;
    const image = await (await fetch(`${sim.imageUrl}/v2/images/${imageId}`, { headers: { 'X-Auth-Token': 'admin:admin' } })).json();
    expect(image).toMatchObject(metadata);
    const forwarded = sim.requests.find((r) => r.method === 'POST' && r.target.endsWith('/action'))!;
    expect(JSON.parse(forwarded.body.toString())[action].metadata).toBeUndefined();
    expect(forwarded.headers['x-openstack-nova-api-version']).toBe('2.38');
  });
});

/** Below 2.39 the gateway changes nothing but the version headers it negotiated: the upstream's bytes. */
const CONNECTION_LEVEL = new Set(['date', 'connection', 'keep-alive', 'x-openstack-request-id', 'x-compute-request-id']);

// The discovery documents are the exception: they advertise the gateway's maximum (tested above).
const passThrough = CASES.filter((c) => !c.mutates && c.id !== 'r37-root' && c.id !== 'r38-v21-document').flatMap((c) =>
  versionAsks()
    .filter((ask) => ask.form === 'none' || (ask.value !== 'latest' && Number(ask.value.split('.')[1]) <= 38))
    .map((ask) => ({ c, ask })),
);

test.each(passThrough.map((t) => [caseTitle(t.c, t.ask), t] as const))('byte for byte through the gateway: %s', async (_t, { c, ask }) => {
  const [simulator, gateway] = sides;
  const direct = await send(simulator, c, headersFor(simulator, ask));
  const proxied = await send(gateway, c, headersFor(gateway, ask));
  // Nova writes links from the Host header, which a transparent proxy passes on: the only expected difference.
  const sameHost = (text: string) => text.split(new URL(gateway.baseUrl).host).join(new URL(simulator.baseUrl).host);
  expect(proxied.status).toBe(direct.status);
  expect(sameHost(proxied.body.toString('latin1'))).toBe(direct.body.toString('latin1'));
  const kept = (lines: [string, string][]) => lines.filter(([n]) => !CONNECTION_LEVEL.has(n)).map(([n, v]) => [n, sameHost(v)]);
  expect(kept(proxied.headers)).toEqual(kept(direct.headers));
});

/**
 * `explain` and `check` describe what the gateway does with a dry run (gateway/rules/decide.ts);
 * the gateway itself runs the pipeline. They must agree: who answers, and with which status.
 * (Row 17 is left out: the dry run takes the body already parsed.)
 */
const dryRun = CASES.filter((c) => c.id !== 'r17-metadata-malformed-body').flatMap((c) => versionAsks().map((ask) => ({ c, ask })));

test.each(dryRun.map((t) => [caseTitle(t.c, t.ask), t] as const))('the dry run agrees with the gateway: %s', async (_t, { c, ask }) => {
  const gateway = sides[1];
  const headers = { ...c.headers, ...headersFor(gateway, ask) };
  const decision = decide(shippedRules, { method: c.method, target: c.path, headers, body: parsedBody(c.body) });
  if (c.mutates) sim.reset();
  sim.requests.splice(0);
  const observed = await send(gateway, c, headersFor(gateway, ask));
  const forwarded = sim.requests.length > 0;
  expect({ forwarded, status: forwarded ? 'upstream' : observed.status }).toEqual({
    forwarded: decision.outcome.kind === 'forward',
    status: decision.outcome.kind === 'forward' ? 'upstream' : decision.outcome.status,
  });
});

function parsedBody(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
