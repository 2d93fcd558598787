/**
 * The claim: a client talking to the gateway (in front of a real Nova treated as a legacy
 * 2.38 upstream) cannot tell it from the same Nova answering natively at that version
 * (at 2.39 for "latest"): same status, same JSON body (ids, timestamps, request ids and
 * URL hosts aside), same version headers.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RunningGateway } from '../../gateway/server';
import { startTestGateway } from '../support/gateway';
import {
  CASES, HEADER_CASES, IMAGE_ID, SERVER_ID, headerCaseHeaders, versionAsks, type ConformanceCase, type VersionAsk,
} from '../conformance/cases';
import { caseTitle, comparable, differences, headersFor, resolveAsk, send, type Observed, type Side } from '../conformance/runner';

const run = promisify(execFile);
const NOVA_URL = process.env.NOVA_URL ?? 'http://127.0.0.1:18774';
const GLANCE_URL = process.env.GLANCE_URL ?? 'http://127.0.0.1:19292';
const TOKEN = 'admin:admin';

async function reset(): Promise<void> {
  await run('bash', ['test/e2e/nova/reset.sh'], { timeout: 60_000 });
}

const native: Side = { name: 'nova', baseUrl: NOVA_URL, max: '2.93', token: TOKEN, reset, latestAs: '2.39' };
let gw: RunningGateway;
let gateway: Side;

beforeAll(async () => {
  gw = await startTestGateway({ upstream: NOVA_URL, flags: { 'upstream-max-version': '2.38', 'image-service': GLANCE_URL } });
  gateway = { name: 'gateway', baseUrl: gw.proxyUrl, max: '2.39', token: TOKEN, reset };
});

afterAll(async () => {
  await gw?.close(1000);
  await reset();
});

/** Discovery documents report each side's own maximum: that one field is compared apart. */
const DISCOVERY = new Set(['r37-root', 'r38-v21-document']);

async function both(c: Pick<ConformanceCase, 'method' | 'path' | 'body' | 'headers'>, mutates: boolean, nativeHeaders: Record<string, string>, gatewayHeaders: Record<string, string>) {
  if (mutates) await reset();
  const n = await send(native, c, nativeHeaders);
  if (mutates) await reset();
  const g = await send(gateway, c, gatewayHeaders);
  return { n, g };
}

function withoutDiscoveryVersion(o: ReturnType<typeof comparable>): unknown {
  const body = structuredClone(o.body) as { version?: { version?: unknown }; versions?: { id: string; version?: unknown }[] };
  if (body?.version) delete body.version.version;
  for (const v of body?.versions ?? []) if (v.id === 'v2.1') delete v.version;
  return { ...o, body };
}

const table = CASES.flatMap((c) => versionAsks().map((ask) => ({ c, ask })));

describe('§10 cases: real Nova natively vs the gateway in front of it', () => {
  test.each(table.map((t) => [caseTitle(t.c, t.ask), t] as const))('%s', async (_t, { c, ask }) => {
    const nativeAt = resolveAsk(native, ask)!;
    const gatewayAt = resolveAsk(gateway, ask)!;
    const { n, g } = await both(c, c.mutates ?? false, headersFor(native, ask), headersFor(gateway, ask));
    expect({ side: 'nova', problems: differences(n, c.expect(nativeAt)) }).toEqual({ side: 'nova', problems: [] });
    expect({ side: 'gateway', problems: differences(g, c.expect(gatewayAt)) }).toEqual({ side: 'gateway', problems: [] });
    if (DISCOVERY.has(c.id)) {
      expect(withoutDiscoveryVersion(comparable(g))).toEqual(withoutDiscoveryVersion(comparable(n)));
    } else {
      expect(comparable(g)).toEqual(comparable(n));
    }
  });
});

describe('version negotiation (rows 29–35): each side against Nova\'s rules, and compared where the range does not show', () => {
  const nativeHeaders = (h: Record<string, string>) =>
    Object.fromEntries(Object.entries(h).map(([k, v]) => [k, v.replace(/\blatest\b/, '2.39')]));
  test.each(HEADER_CASES.map((c) => [`row ${c.row} ${c.id}`, c] as const))('%s', async (_t, c) => {
    const path = { method: 'GET', path: `/v2.1/images/${IMAGE_ID}/metadata` };
    const g = await send(gateway, path, headerCaseHeaders(c, gateway.max));
    expect(differences(g, c.expect(gateway.max))).toEqual([]);
    const n = await send(native, path, headerCaseHeaders(c, native.max));
    expect(differences(n, c.expect(native.max))).toEqual([]);
    if (c.row === 32) return; // the 406 message names each side's own maximum
    const compared = await send(native, path, nativeHeaders(headerCaseHeaders(c, gateway.max)));
    expect(comparable(g)).toEqual(comparable(compared));
  });
});

describe('createImage/createBackup over the compute quota at 2.39: 202, and the new image carries every property', () => {
  const metadata = { m0: 'a', m1: 'b', m2: 'c', m3: 'd' };
  test.each([
    ['createImage', { createImage: { name: 'snap', metadata } }],
    ['createBackup', { createBackup: { name: 'Backup 1', backup_type: 'daily', rotation: 1, metadata } }],
  ])('%s', async (_name, body) => {
    const request = { method: 'POST', path: `/v2.1/servers/${SERVER_ID}/action`, body: JSON.stringify(body) };
    const at239 = { 'OpenStack-API-Version': 'compute 2.39' };
    for (const side of [native, gateway]) {
      await reset();
      const res = await send(side, request, at239);
      expect({ side: side.name, status: res.status }).toEqual({ side: side.name, status: 202 });
      const imageId = location(res).split('/').pop()!;
      const image = await glanceImage(imageId);
      expect({ side: side.name, image }).toMatchObject({ side: side.name, image: metadata });
    }
  });

  test('over the Image service property quota: Nova\'s 500 on both sides, no snapshot left', async () => {
    const tooMany = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`p${i}`, 'v']));
    const request = { method: 'POST', path: `/v2.1/servers/${SERVER_ID}/action`, body: JSON.stringify({ createImage: { name: 'snap', metadata: tooMany } }) };
    const { n, g } = await both(request, true, { 'OpenStack-API-Version': 'compute 2.39' }, { 'OpenStack-API-Version': 'compute 2.39' });
    expect(n.status).toBe(500);
    expect(comparable(g)).toEqual(comparable(n));
    expect(await snapshotCount()).toBe(0);
  });
});

function location(o: Observed): string {
  const l = o.headers.find(([n]) => n === 'location');
  if (!l) throw new Error('no Location');
  return l[1];
}

async function glanceImage(id: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${GLANCE_URL}/v2/images/${id}`, { headers: { 'X-Auth-Token': TOKEN } });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

async function snapshotCount(): Promise<number> {
  const res = await fetch(`${GLANCE_URL}/v2/images`, { headers: { 'X-Auth-Token': TOKEN } });
  const { images } = (await res.json()) as { images: { id: string }[] };
  return images.filter((i) => i.id !== IMAGE_ID).length;
}

export type { VersionAsk };
