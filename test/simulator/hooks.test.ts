/** Test hooks: request log, seeding and reset; the CLI option parsing. */
import { startSimulator, DEFAULT_IMAGE_ID, DEFAULT_SERVER_ID, type Simulator } from '../../gateway/simulator';
import { optionsFromArgs } from '../../gateway/simulator/main';
import { send } from './http';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

test('defaults: loopback, ephemeral ports, 2.38, quota 128', () => {
  expect(sim.computeUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(sim.imageUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(sim.config.range.max.text).toBe('2.38');
  expect(sim.config.quotas.metadata_items).toBe(128);
  expect(sim.state.images.get(DEFAULT_IMAGE_ID)?.properties.entries()).toEqual([
    ['kernel_id', 'nokernel'], ['ramdisk_id', 'nokernel'],
  ]);
  expect(sim.state.servers.get(DEFAULT_SERVER_ID)?.imageId).toBe(DEFAULT_IMAGE_ID);
});

test('every compute request is recorded exactly as received', async () => {
  await send(sim.computeUrl, '/v2.1//images/%7Bx%7D/metadata?a=%20b', {
    method: 'POST',
    headers: { 'X-Auth-Token': 'u:p', 'X-OpenStack-Nova-API-Version': '2.38', 'Content-Type': 'application/json' },
    body: '{"metadata": {}}',
  });
  expect(sim.requests).toHaveLength(1);
  const [req] = sim.requests;
  expect(req.method).toBe('POST');
  expect(req.target).toBe('/v2.1//images/%7Bx%7D/metadata?a=%20b');
  expect(req.headers['x-openstack-nova-api-version']).toBe('2.38');
  expect(req.rawHeaders).toContain('X-OpenStack-Nova-API-Version');
  expect(req.body.toString()).toBe('{"metadata": {}}');
  expect(req.status).toBe(404);
  expect(sim.imageRequests).toHaveLength(0);
});

test('with recordRequests off (the demo upstream, npm run simulator) nothing is kept, and it still answers', async () => {
  const quiet = await startSimulator({ recordRequests: false });
  try {
    const computeAnswer = await send(quiet.computeUrl, '/v2.1/limits', { headers: { 'X-Auth-Token': 'admin:admin' } });
    const imageAnswer = await send(quiet.imageUrl, '/v2/images', { headers: { 'X-Auth-Token': 'admin:admin' } });
    expect([computeAnswer.status, imageAnswer.status]).toEqual([200, 200]);
    expect([quiet.requests.length, quiet.imageRequests.length]).toEqual([0, 0]);
  } finally {
    await quiet.close();
  }
});

test('reset restores the seed and clears the logs', async () => {
  sim.state.images.get(DEFAULT_IMAGE_ID)!.properties.set('x', 'y');
  sim.state.seed({ servers: [{ id: 'abc', imageId: DEFAULT_IMAGE_ID, name: 'extra' }] });
  await send(sim.computeUrl, '/');
  sim.reset();
  expect(sim.requests).toHaveLength(0);
  expect(sim.state.images.get(DEFAULT_IMAGE_ID)?.properties.has('x')).toBe(false);
  expect(sim.state.servers.has('abc')).toBe(false);
});

test('seed with replace', () => {
  sim.state.seed({ replace: true, images: [{ id: 'i1', properties: { a: 'b' } }], servers: [] });
  expect([...sim.state.images.keys()]).toEqual(['i1']);
  expect(sim.state.servers.size).toBe(0);
});

test('CLI options and environment', () => {
  expect(optionsFromArgs(['--port', '8774', '--max-version', '2.36', '--metadata-items', '3'], {})).toMatchObject({
    host: '127.0.0.1', port: 8774, imagePort: 0, maxVersion: '2.36', metadataItems: 3,
  });
  expect(optionsFromArgs([], { SIMULATOR_PORT: '1', SIMULATOR_IMAGE_PORT: '2', SIMULATOR_METADATA_ITEMS: '-1' })).toMatchObject({
    port: 1, imagePort: 2, metadataItems: -1,
  });
  expect(() => optionsFromArgs(['--port', 'x'], {})).toThrow('--port must be an integer');
});

test('metadata_items -1 is unlimited', async () => {
  const unlimited = await startSimulator({ metadataItems: -1 });
  try {
    const many = JSON.stringify({ metadata: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'v'])) });
    const r = await send(unlimited.computeUrl, `/v2.1/images/${DEFAULT_IMAGE_ID}/metadata`, {
      method: 'PUT',
      headers: { 'X-Auth-Token': 'a:b', 'Content-Type': 'application/json' },
      body: many,
    });
    expect(r.status).toBe(500); // Glance's own default quota (128) refuses the save
    const limits = await send(unlimited.computeUrl, '/v2.1/limits', { headers: { 'X-Auth-Token': 'a:b' } });
    expect(limits.body).toContain('"maxImageMeta": -1');
  } finally {
    await unlimited.close();
  }
});
