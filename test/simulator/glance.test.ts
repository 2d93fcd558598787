/** The image service: GET/PATCH/POST with Glance's image_property_quota. */
import { startSimulator, type Simulator } from '../../gateway/simulator';
import { send } from './http';

const IMG = '70a599e0-31e7-49b7-b260-868f441e862b';
const PATCH_TYPE = { 'Content-Type': 'application/openstack-images-v2.1-json-patch' };

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ imagePropertyQuota: 4 });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const patch = (ops: unknown, headers: Record<string, string> = PATCH_TYPE) =>
  send(sim.imageUrl, `/v2/images/${IMG}`, { method: 'PATCH', headers, body: JSON.stringify(ops) });

test('GET shows properties as top-level members, before the core attributes', async () => {
  const r = await send(sim.imageUrl, `/v2/images/${IMG}`);
  expect(r.status).toBe(200);
  expect(r.header('Content-Type')).toBe('application/json');
  expect(r.header('x-openstack-request-id')).toMatch(/^req-/);
  expect(r.body.startsWith('{"kernel_id": "nokernel", "ramdisk_id": "nokernel", "name": "fakeimage7", ')).toBe(true);
  const image = JSON.parse(r.body) as Record<string, unknown>;
  expect(image).toMatchObject({ id: IMG, status: 'active', self: `/v2/images/${IMG}`, schema: '/v2/schemas/image' });
});

test('GET unknown image → 404', async () => {
  const r = await send(sim.imageUrl, '/v2/images/nope', { headers: { Accept: 'text/plain' } });
  expect(r.status).toBe(404);
  expect(r.body).toBe('404 Not Found\n\nNo image found with ID nope\n\n  ');
});

test('PATCH add/replace/remove', async () => {
  const r = await patch([
    { op: 'add', path: '/a', value: '1' },
    { op: 'replace', path: '/kernel_id', value: 'k' },
    { op: 'remove', path: '/ramdisk_id' },
  ]);
  expect(r.status).toBe(200);
  expect(JSON.parse(r.body)).toMatchObject({ kernel_id: 'k', a: '1' });
  expect(sim.state.images.get(IMG)?.properties.entries()).toEqual([['kernel_id', 'k'], ['a', '1']]);
});

test('PATCH up to the quota passes, one more is 413', async () => {
  const ok = await patch([{ op: 'add', path: '/a', value: '1' }, { op: 'add', path: '/b', value: '2' }]);
  expect(ok.status).toBe(200);
  const over = await patch([{ op: 'add', path: '/c', value: '3' }], { ...PATCH_TYPE, Accept: 'text/plain' });
  expect(over.status).toBe(413);
  expect(over.body).toBe(
    '413 Request Entity Too Large\n\nThe limit has been exceeded on the number of allowed image properties. ' +
      'Attempted: 5, Maximum: 4\n\n  ',
  );
  expect(sim.state.images.get(IMG)?.properties.size).toBe(4);
  // Changing existing values while at the quota is allowed.
  expect((await patch([{ op: 'replace', path: '/a', value: 'x' }])).status).toBe(200);
});

test('PATCH needs the json-patch media type', async () => {
  const r = await patch([], { 'Content-Type': 'application/json' });
  expect(r.status).toBe(415);
  expect(r.header('Accept-Patch')).toBe(
    'application/openstack-images-v2.0-json-patch, application/openstack-images-v2.1-json-patch',
  );
});

test('PATCH errors: missing property, read-only attribute', async () => {
  expect((await patch([{ op: 'replace', path: '/nope', value: 'x' }])).status).toBe(409);
  expect((await patch([{ op: 'remove', path: '/nope' }])).status).toBe(409);
  expect((await patch([{ op: 'replace', path: '/status', value: 'x' }])).status).toBe(403);
});

test('POST creates an image (quota applies) visible through the compute proxy', async () => {
  const created = await send(sim.imageUrl, '/v2/images', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"name": "new", "container_format": "bare", "disk_format": "raw", "p1": "v1"}',
  });
  expect(created.status).toBe(201);
  const image = JSON.parse(created.body) as { id: string; status: string; p1: string };
  expect(image).toMatchObject({ status: 'queued', p1: 'v1' });
  expect(created.header('Location')).toBe(`${sim.imageUrl}/v2/images/${image.id}`);
  const viaNova = await send(sim.computeUrl, `/v2.1/images/${image.id}/metadata`, { headers: { 'X-Auth-Token': 'a:b' } });
  expect(viaNova.body).toBe('{"metadata": {"p1": "v1"}}');

  const tooMany = await send(sim.imageUrl, '/v2/images', {
    method: 'POST',
    body: '{"name": "x", "a": "1", "b": "2", "c": "3", "d": "4", "e": "5"}',
  });
  expect(tooMany.status).toBe(413);
});

test('image metadata through Nova above Glance quota → 500 (Glance refuses the save)', async () => {
  await patch([{ op: 'add', path: '/a', value: '1' }, { op: 'add', path: '/b', value: '2' }]);
  const r = await send(sim.computeUrl, `/v2.1/images/${IMG}/metadata`, {
    method: 'POST',
    headers: { 'X-Auth-Token': 'a:b', 'Content-Type': 'application/json' },
    body: '{"metadata": {"c": "3"}}',
  });
  expect(r.status).toBe(500);
  expect(JSON.parse(r.body).computeFault.message).toContain("<class 'nova.exception.ImageQuotaExceeded'>");
});
