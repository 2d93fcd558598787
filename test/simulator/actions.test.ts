/** createImage / createBackup / os-resetState and GET /servers (reference §5, rows 22-28). */
import { startSimulator, type Simulator } from '../../gateway/simulator';
import { ADMIN, at, expectedVersionHeaders, FAULT_TYPE, JSON_CT, send, versionHeaderLines } from './http';

const SERVER = '9168b536-cd40-4630-b43f-b259807c6e87';
const ACTION = `/v2.1/servers/${SERVER}/action`;
const OVER_QUOTA = '{"forbidden": {"code": 403, "message": "Image metadata limit exceeded"}}';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ metadataItems: 3 });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const act = (body: string, headers: Record<string, string> = ADMIN, path = ACTION) =>
  send(sim.computeUrl, path, { method: 'POST', headers: { ...headers, ...JSON_CT }, body });

const meta = (n: number) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`])));
const createImage = (n?: number) =>
  `{"createImage": {"name": "snap"${n === undefined ? '' : `, "metadata": ${meta(n)}`}}}`;
const createBackup = (rotation: number | string, n?: number) =>
  `{"createBackup": {"name": "Backup 1", "backup_type": "daily", "rotation": ${JSON.stringify(rotation)}` +
  `${n === undefined ? '' : `, "metadata": ${meta(n)}`}}}`;

function newImageIds(): string[] {
  return [...sim.state.images.values()].filter((i) => i.properties.has('instance_uuid')).map((i) => i.id);
}

describe.each(['2.1', '2.36', '2.38'])('createImage at %s', (v) => {
  test('#22 quota+1 metadata items → 403, nothing created', async () => {
    const r = await act(createImage(4), at(v));
    expect(r.status).toBe(403);
    expect(r.body).toBe(OVER_QUOTA);
    expect(r.header('Content-Type')).toBe(FAULT_TYPE);
    expect(versionHeaderLines(r)).toEqual(expectedVersionHeaders(v));
    expect(newImageIds()).toEqual([]);
  });
  test.each([3, 0, undefined])('#23 %s items → 202, empty body, Location on the image service', async (n) => {
    const r = await act(createImage(n), at(v));
    expect(r.status).toBe(202);
    expect(r.body).toBe('');
    expect(r.header('Content-Length')).toBe('0');
    expect(r.header('Content-Type')).toBe('text/html; charset=UTF-8');
    const [id] = newImageIds();
    expect(r.header('Location')).toBe(`${sim.imageUrl}/images/${id}`);
    expect(versionHeaderLines(r)).toEqual(expectedVersionHeaders(v));
    const image = sim.state.images.get(id);
    expect(image?.name).toBe('snap');
    expect(image?.status).toBe('queued');
    const props = Object.fromEntries(image?.properties.entries() ?? []);
    expect(props).toMatchObject({ kernel_id: 'nokernel', ramdisk_id: 'nokernel', instance_uuid: SERVER, image_type: 'snapshot' });
    for (let i = 0; i < (n ?? 0); i++) expect(props[`k${i}`]).toBe(`v${i}`);
  });
});

describe.each(['2.1', '2.38'])('createBackup at %s', (v) => {
  test('#24 quota+1 → 403', async () => {
    const r = await act(createBackup(1, 4), at(v));
    expect([r.status, r.body]).toEqual([403, OVER_QUOTA]);
  });
  test('#25 rotation 1 → 202 + Location on the compute API', async () => {
    const r = await act(createBackup(1, 3), at(v));
    expect([r.status, r.body]).toEqual([202, '']);
    const [id] = newImageIds();
    expect(r.header('Location')).toBe(`${sim.computeUrl}/v2.1/images/${id}`);
    expect(sim.state.images.get(id)?.properties.get('backup_type')).toBe('daily');
  });
  test('#26 rotation 0 → 202 without Location', async () => {
    const r = await act(createBackup('0'), at(v));
    expect([r.status, r.body, r.header('Location')]).toEqual([202, '', undefined]);
  });
});

describe('legacy /v2 still checks the quota', () => {
  test('403 over quota, 202 with a /v2 Location otherwise', async () => {
    const path = `/v2/servers/${SERVER}/action`;
    expect((await act(createImage(4), ADMIN, path)).status).toBe(403);
    expect((await act(createBackup(2, 4), ADMIN, path)).status).toBe(403);
    const r = await act(createBackup(2, 1), ADMIN, path);
    expect(r.status).toBe(202);
    expect(r.header('Location')).toMatch(new RegExp(`^${sim.computeUrl}/v2/images/`));
    expect(versionHeaderLines(r)).toEqual([]);
  });
  test('legacy validation drops unknown keys but not bad metadata keys', async () => {
    const extra = await act('{"createImage": {"name": " padded ", "foo": 1}}', ADMIN, `/v2/servers/${SERVER}/action`);
    expect(extra.status).toBe(400); // createImage's 2.0 schema still uses the strict name format
    const backup = await act(
      '{"createBackup": {"name": " padded ", "backup_type": "daily", "rotation": 0, "foo": 1}}',
      ADMIN,
      `/v2/servers/${SERVER}/action`,
    );
    expect(backup.status).toBe(202);
    const bad = await act('{"createImage": {"name": "n", "metadata": {"a/b": "c"}}}', ADMIN, `/v2/servers/${SERVER}/action`);
    expect(bad.body).toBe(
      `{"badRequest": {"code": 400, "message": "Invalid input for field/attribute metadata. Value: {'a/b': 'c'}. Additional properties are not allowed ('a/b' was unexpected)"}}`,
    );
  });
});

describe('errors', () => {
  test('server lookup (404) comes before the quota check', async () => {
    const r = await act(createImage(4), ADMIN, '/v2.1/servers/nope/action');
    expect(r.body).toBe('{"itemNotFound": {"code": 404, "message": "Instance nope could not be found."}}');
  });
  test('#27 invalid metadata key → 400', async () => {
    const r = await act('{"createImage": {"name": "n", "metadata": {"a/b": "c"}}}');
    expect(r.body).toBe(
      `{"badRequest": {"code": 400, "message": "Invalid input for field/attribute metadata. Value: {'a/b': 'c'}. 'a/b' does not match any of the regexes: '^[a-zA-Z0-9-_:. ]{1,255}$'"}}`,
    );
  });
  test('#28 unknown action', async () => {
    const r = await act('{"fooAction": {}}');
    expect(r.body).toBe('{"badRequest": {"code": 400, "message": "There is no such action: fooAction"}}');
    expect(versionHeaderLines(r)).toEqual(expectedVersionHeaders('2.1'));
  });
  test.each([
    ['{"createImage": {"name": "a"}, "x": {}}', 400, 'Malformed request body'],
    ['{}', 400, 'Malformed request body'],
    ['', 400, 'Malformed request body'],
    ['[1]', 404, 'The resource could not be found.'],
  ])('action body %s', async (body, status, message) => {
    const r = await act(body);
    expect(r.status).toBe(status);
    expect(JSON.parse(r.body)).toEqual({ [status === 400 ? 'badRequest' : 'itemNotFound']: { code: status, message } });
  });
  test.each([
    ['{"createImage": {}}', "Invalid input for field/attribute createImage. Value: {}. 'name' is a required property"],
    ['{"createImage": {"name": ""}}', "Invalid input for field/attribute name. Value: . '' is too short"],
    ['{"createImage": {"name": " x"}}', "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace."],
    ['{"createBackup": {"name": "b", "backup_type": "daily", "rotation": -1}}', 'Invalid input for field/attribute rotation. Value: -1. -1 is less than the minimum of 0'],
    ['{"createBackup": {"name": "b", "backup_type": "daily", "rotation": 1.0}}', "Invalid input for field/attribute rotation. Value: 1.0. 1.0 is not of type 'integer', 'string'"],
    ['{"createBackup": {"name": "b", "backup_type": "daily", "rotation": "x"}}', "Invalid input for field/attribute rotation. Value: x. 'x' does not match '^[0-9]*$'"],
    ['{"createBackup": {"name": "b", "backup_type": "daily"}}', "Invalid input for field/attribute createBackup. Value: {'name': 'b', 'backup_type': 'daily'}. 'rotation' is a required property"],
  ])('validation %s', async (body, message) => {
    const r = await act(body);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ badRequest: { code: 400, message } });
  });
});

describe('task state', () => {
  test('a second snapshot is refused with 409 until os-resetState', async () => {
    expect((await act(createImage())).status).toBe(202);
    const again = await act(createImage());
    expect(again.status).toBe(409);
    expect(again.body).toBe(
      `{"conflictingRequest": {"code": 409, "message": "Cannot 'createImage' instance ${SERVER} while it is in task_state image_snapshot_pending"}}`,
    );
    const backup = await act(createBackup(1));
    expect(JSON.parse(backup.body).conflictingRequest.message).toBe(
      `Cannot 'createBackup' instance ${SERVER} while it is in task_state image_snapshot_pending`,
    );
    const denied = await act('{"os-resetState": {"state": "active"}}', { 'X-Auth-Token': 'demo:demo' });
    expect(denied.status).toBe(403);
    const reset = await act('{"os-resetState": {"state": "active"}}');
    expect([reset.status, reset.body, reset.header('Content-Type')]).toEqual([202, '', 'application/json']);
    expect((await act(createImage())).status).toBe(202);
  });
  test('error vm_state → 409 on vm_state', async () => {
    await act('{"os-resetState": {"state": "error"}}');
    const r = await act(createImage());
    expect(JSON.parse(r.body).conflictingRequest.message).toBe(
      `Cannot 'createImage' instance ${SERVER} while it is in vm_state error`,
    );
  });
});

describe('GET /servers', () => {
  test('lists the seeded servers with links', async () => {
    const r = await send(sim.computeUrl, '/v2.1/servers', { headers: ADMIN });
    const body = JSON.parse(r.body) as { servers: Array<{ id: string; name: string; links: unknown[] }> };
    expect(body.servers.map((s) => s.id)).toEqual([SERVER, 'f5dc173b-6804-445a-a6d8-c705dad5b5eb']);
    expect(body.servers[0].links).toEqual([
      { rel: 'self', href: `${sim.computeUrl}/v2.1/servers/${SERVER}` },
      { rel: 'bookmark', href: `${sim.computeUrl}/servers/${SERVER}` },
    ]);
  });
  test('invalid status filter: empty below 2.38, 400 at 2.38', async () => {
    const low = await send(sim.computeUrl, '/v2.1/servers?status=bogus', { headers: at('2.37') });
    expect(low.body).toBe('{"servers": []}');
    const high = await send(sim.computeUrl, '/v2.1/servers?status=bogus', { headers: at('2.38') });
    expect(high.body).toBe('{"badRequest": {"code": 400, "message": "Invalid status value"}}');
  });
});

describe('newer maximum versions', () => {
  test('≥2.39 skips the quota, ≥2.45 answers with image_id', async () => {
    const newer = await startSimulator({ metadataItems: 3, maxVersion: '2.45' });
    try {
      const path = `/v2.1/servers/${SERVER}/action`;
      const r39 = await send(newer.computeUrl, path, { method: 'POST', headers: { ...at('2.39'), ...JSON_CT }, body: createImage(4) });
      expect(r39.status).toBe(202);
      expect(r39.header('Location')).toBeDefined();
      newer.state.servers.get(SERVER)!.taskState = null;
      const r45 = await send(newer.computeUrl, path, { method: 'POST', headers: { ...at('2.45'), ...JSON_CT }, body: createImage(4) });
      expect(r45.status).toBe(202);
      expect(r45.header('Location')).toBeUndefined();
      expect(r45.body).toMatch(/^\{"image_id": "[0-9a-f-]{36}"\}$/);
      const md = await send(newer.computeUrl, '/v2.1/images/70a599e0-31e7-49b7-b260-868f441e862b/metadata', { headers: at('2.39') });
      expect(md.body).toBe('{"itemNotFound": {"code": 404, "message": "The resource could not be found."}}');
      const limits = await send(newer.computeUrl, '/v2.1/limits', { headers: at('2.39') });
      expect(limits.body).not.toContain('maxImageMeta');
    } finally {
      await newer.close();
    }
  });
});
