/**
 * The shipped precheck, enabled: below 2.39 the gateway refuses over-quota image metadata
 * itself with Nova's 403, reading the limit from the caller's upstream GET /limits.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../gateway/simulator';
import type { RunningGateway } from '../../gateway/server';
import { rulesDir, SHIPPED_RULES, startTestGateway } from '../support/gateway';
import { SERVER_ID } from '../conformance/cases';
import { send, type Side } from '../conformance/runner';

const shipped = readFileSync(path.join(SHIPPED_RULES, '2.39-image-metadata.yaml'), 'utf8');
const enabled = shipped.replace(/(- id: image-create-metadata-quota-precheck\n\s+)enabled: false/, '$1enabled: true');

let sim: Simulator;
let gw: RunningGateway;
let side: Side;
beforeAll(async () => {
  expect(enabled).not.toBe(shipped);
  // metadata_items -1: an upstream that never checks, as with unified limits
  sim = await startSimulator({ metadataItems: -1, quotas: {} });
  gw = await startTestGateway({ upstream: sim.computeUrl, rulesDir: rulesDir({ '2.39-image-metadata.yaml': enabled }), flags: { 'image-service': sim.imageUrl } });
  side = { name: 'gateway', baseUrl: gw.proxyUrl, max: '2.39', token: 'admin:admin', reset: async () => sim.reset() };
});
afterAll(async () => {
  await gw.close(1000);
  await sim.close();
});
beforeEach(() => sim.reset());

const createImage = (n: number) => ({
  method: 'POST', path: `/v2.1/servers/${SERVER_ID}/action`,
  body: JSON.stringify({ createImage: { name: 'snap', metadata: Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v'])) } }),
});

test('unlimited upstream quota (-1): never refused', async () => {
  const res = await send(side, createImage(50), { 'OpenStack-API-Version': 'compute 2.38' });
  expect(res.status).toBe(202);
});

describe('with a limit in the upstream /limits', () => {
  let limited: Simulator;
  let lgw: RunningGateway;
  let lside: Side;
  beforeAll(async () => {
    limited = await startSimulator({ metadataItems: 3 });
    lgw = await startTestGateway({ upstream: limited.computeUrl, rulesDir: rulesDir({ '2.39-image-metadata.yaml': enabled }), flags: { 'image-service': limited.imageUrl } });
    lside = { name: 'gateway', baseUrl: lgw.proxyUrl, max: '2.39', token: 'admin:admin', reset: async () => limited.reset() };
  });
  afterAll(async () => {
    await lgw.close(1000);
    await limited.close();
  });
  beforeEach(() => limited.reset());

  test('count over the limit at 2.38: the gateway answers Nova\'s 403 and the action is not forwarded', async () => {
    const res = await send(lside, createImage(4), { 'OpenStack-API-Version': 'compute 2.38' });
    expect(res.status).toBe(403);
    expect(res.body.toString()).toBe('{"forbidden": {"code": 403, "message": "Image metadata limit exceeded"}}');
    expect(res.headers.find(([n]) => n === 'openstack-api-version')![1]).toBe('compute 2.38');
    expect(limited.requests.map((r) => `${r.method} ${r.target}`)).toEqual(['GET /v2.1/limits']);
    expect(limited.requests[0].headers['x-auth-token']).toBe('admin:admin');
  });

  test('count equal to the limit passes; the limits answer is cached per caller', async () => {
    await send(lside, createImage(4), { 'OpenStack-API-Version': 'compute 2.38' });
    const res = await send(lside, createImage(3), { 'OpenStack-API-Version': 'compute 2.38' });
    expect(res.status).toBe(202);
    expect(limited.requests.filter((r) => r.target.endsWith('/limits'))).toHaveLength(0);
  });

  test('on /v2 too, as Nova checks there', async () => {
    const res = await send(lside, { ...createImage(4), path: `/v2/servers/${SERVER_ID}/action` }, {});
    expect(res.status).toBe(403);
    expect(res.headers.find(([n]) => n === 'openstack-api-version')).toBeUndefined();
  });

  test('from 2.39 the check is skipped (withhold applies instead)', async () => {
    const res = await send(lside, createImage(4), { 'OpenStack-API-Version': 'compute 2.39' });
    expect(res.status).toBe(202);
  });
});
