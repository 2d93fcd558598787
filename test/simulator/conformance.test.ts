/**
 * The reference's §10 conformance rows that a Newton-era Nova (max 2.38) serves, checked
 * byte for byte against the simulator over real sockets.
 */
import { startSimulator, type Simulator } from '../../gateway/simulator';
import {
  ADMIN, at, expectedVersionHeaders, FAULT_TYPE, JSON_CT, NF, send, versionHeaderLines, type RawResponse,
} from './http';

const IMG = '70a599e0-31e7-49b7-b260-868f441e862b';
const MISSING = 'c0ffee00-0000-4000-8000-000000000000';
const META = `/v2.1/images/${IMG}/metadata`;

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ metadataItems: 3 });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const get = (path: string, headers: Record<string, string> = ADMIN) => send(sim.computeUrl, path, { headers });
const post = (path: string, body: string, headers: Record<string, string> = ADMIN, method = 'POST') =>
  send(sim.computeUrl, path, { method, headers: { ...headers, ...JSON_CT }, body });

function expectJson(r: RawResponse, status: number, body: string, version?: string): void {
  expect({ status: r.status, body: r.body }).toEqual({ status, body });
  expect(r.header('Content-Type')).toBe(status >= 400 ? FAULT_TYPE : 'application/json');
  expect(r.header('Content-Length')).toBe(String(Buffer.byteLength(body)));
  expect(versionHeaderLines(r)).toEqual(version ? expectedVersionHeaders(version) : []);
  expect(r.header('x-compute-request-id')).toMatch(/^req-[0-9a-f-]{36}$/);
  expect(r.header('x-openstack-request-id')).toBe(r.header('x-compute-request-id'));
}

const fault = (code: number, name: string, message: string) =>
  `{"${name}": {"code": ${code}, "message": ${JSON.stringify(message)}}}`;

describe.each(['2.1', '2.35', '2.36', '2.38'])('image metadata at %s (rows 1-18)', (v) => {
  const h = at(v);

  test('#1 index', async () => {
    expectJson(await get(META, h), 200, '{"metadata": {"kernel_id": "nokernel", "ramdisk_id": "nokernel"}}', v);
  });
  test('#2 missing image', async () => {
    expectJson(await get(`/v2.1/images/${MISSING}/metadata`, h), 404, fault(404, 'itemNotFound', 'Image not found.'), v);
  });
  test('#3 show key', async () => {
    expectJson(await get(`${META}/kernel_id`, h), 200, '{"meta": {"kernel_id": "nokernel"}}', v);
  });
  test('#4 missing key', async () => {
    expectJson(await get(`${META}/nope`, h), 404, NF, v);
  });
  test('#5 create merges', async () => {
    const r = await post(META, '{"metadata": {"Label": "x", "kernel_id": "False"}}', h);
    expectJson(r, 200, '{"metadata": {"kernel_id": "False", "ramdisk_id": "nokernel", "Label": "x"}}', v);
    expect(sim.state.images.get(IMG)?.properties.entries()).toEqual([
      ['kernel_id', 'False'], ['ramdisk_id', 'nokernel'], ['Label', 'x'],
    ]);
  });
  test('#6 update_all replaces', async () => {
    expectJson(await post(META, '{"metadata": {"a": "b"}}', h, 'PUT'), 200, '{"metadata": {"a": "b"}}', v);
    expect(sim.state.images.get(IMG)?.properties.entries()).toEqual([['a', 'b']]);
  });
  test('#7 update item', async () => {
    expectJson(await post(`${META}/Label`, '{"meta": {"Label": "y"}}', h, 'PUT'), 200, '{"meta": {"Label": "y"}}', v);
  });
  test('#8 body and URI mismatch', async () => {
    const r = await post(`${META}/Label`, '{"meta": {"other": "y"}}', h, 'PUT');
    expectJson(r, 400, fault(400, 'badRequest', 'Request body and URI mismatch'), v);
  });
  test('#9 two keys in meta', async () => {
    const r = await post(`${META}/Label`, '{"meta": {"Label": "y", "b": "c"}}', h, 'PUT');
    const msg = "Invalid input for field/attribute meta. Value: {'Label': 'y', 'b': 'c'}. {'Label': 'y', 'b': 'c'} has too many properties";
    expectJson(r, 400, fault(400, 'badRequest', msg), v);
  });
  test('#10 delete key', async () => {
    const r = await send(sim.computeUrl, `${META}/kernel_id`, { method: 'DELETE', headers: h });
    expect(r.status).toBe(204);
    expect(r.body).toBe('');
    expect(r.header('Content-Type')).toBe('application/json');
    expect(versionHeaderLines(r)).toEqual(expectedVersionHeaders(v));
    expect(sim.state.images.get(IMG)?.properties.keys()).toEqual(['ramdisk_id']);
  });
  test('#11 delete missing key', async () => {
    const r = await send(sim.computeUrl, `${META}/nope`, { method: 'DELETE', headers: h });
    expectJson(r, 404, fault(404, 'itemNotFound', 'Invalid metadata key'), v);
  });
  test('#12 invalid key', async () => {
    const msg =
      "Invalid input for field/attribute metadata. Value: {'bad/key': 'x'}. 'bad/key' does not match any of the regexes: '^[a-zA-Z0-9-_:. ]{1,255}$'";
    expectJson(await post(META, '{"metadata": {"bad/key": "x"}}', h), 400, fault(400, 'badRequest', msg), v);
  });
  test('#13 value too long / not a string', async () => {
    const long = 'x'.repeat(256);
    const r1 = await post(META, `{"metadata": {"a": "${long}"}}`, h);
    expectJson(r1, 400, fault(400, 'badRequest', `Invalid input for field/attribute a. Value: ${long}. '${long}' is too long`), v);
    const r2 = await post(META, '{"metadata": {"a": 1}}', h);
    expectJson(r2, 400, fault(400, 'badRequest', "Invalid input for field/attribute a. Value: 1. 1 is not of type 'string'"), v);
  });
  test('#14 missing, empty or extra body', async () => {
    expectJson(await post(META, '{}', h), 400, fault(400, 'badRequest', "'metadata' is a required property"), v);
    const empty = await send(sim.computeUrl, META, { method: 'POST', headers: { ...h, ...JSON_CT } });
    expectJson(empty, 400, fault(400, 'badRequest', "None is not of type 'object'"), v);
    const extra = await post(META, '{"metadata": {}, "x": 1}', h);
    expectJson(extra, 400, fault(400, 'badRequest', "Additional properties are not allowed ('x' was unexpected)"), v);
  });
  test('#15 merged count over quota', async () => {
    const r = await post(META, '{"metadata": {"a": "1", "b": "2"}}', h);
    expectJson(r, 403, fault(403, 'forbidden', 'Image metadata limit exceeded'), v);
    expect(sim.state.images.get(IMG)?.properties.size).toBe(2);
  });
  test('#16 update_all with L / L+1 keys', async () => {
    const three = '{"metadata": {"a": "1", "b": "2", "c": "3"}}';
    expectJson(await post(META, three, h, 'PUT'), 200, three, v);
    const four = '{"metadata": {"a": "1", "b": "2", "c": "3", "d": "4"}}';
    expectJson(await post(META, four, h, 'PUT'), 403, fault(403, 'forbidden', 'Image metadata limit exceeded'), v);
  });
  test('#17 malformed JSON', async () => {
    expectJson(await post(META, '{bad', h), 400, fault(400, 'badRequest', 'Malformed request body'), v);
  });
  test('#18 unsupported Content-Type', async () => {
    const r = await send(sim.computeUrl, META, { method: 'POST', headers: { ...h, 'Content-Type': 'text/xml' }, body: '<a/>' });
    expectJson(r, 415, fault(415, 'badMediaType', 'Unsupported Content-Type'), v);
  });
});

describe('#19 unrouted method', () => {
  test('plain WebOb 404 without version headers', async () => {
    const r = await send(sim.computeUrl, META, { method: 'PATCH', headers: at('2.38') });
    expect(r.status).toBe(404);
    expect(r.header('Content-Type')).toBe('text/plain; charset=UTF-8');
    expect(r.body).toBe('404 Not Found\n\nThe resource could not be found.\n\n  ');
    expect(versionHeaderLines(r)).toEqual([]);
  });
  test('JSON and HTML variants follow Accept', async () => {
    const j = await send(sim.computeUrl, META, { method: 'PATCH', headers: { ...ADMIN, Accept: 'application/json' } });
    expect(j.body).toBe(
      '{"message": "The resource could not be found.<br /><br />\\n\\n", "code": "404 Not Found", "title": "Not Found"}',
    );
    const html = await send(sim.computeUrl, META, { method: 'PATCH', headers: { ...ADMIN, Accept: '*/*' } });
    expect(html.header('Content-Type')).toBe('text/html; charset=UTF-8');
    expect(html.body).toContain('<title>404 Not Found</title>');
  });
});

describe('#20 image proxy', () => {
  test.each(['2.1', '2.35'])('served at %s', async (v) => {
    const list = await get('/v2.1/images', at(v));
    expect(list.status).toBe(200);
    const ids = (JSON.parse(list.body) as { images: Array<{ id: string }> }).images.map((i) => i.id);
    expect(ids).toContain(IMG);
    expect((await get('/v2.1/images/detail', at(v))).status).toBe(200);
    const show = await get(`/v2.1/images/${IMG}`, at(v));
    expect(show.status).toBe(200);
    const base = sim.computeUrl;
    expect(show.body).toBe(
      `{"image": {"id": "${IMG}", "name": "fakeimage7", "minRam": 0, "minDisk": 0, ` +
        '"metadata": {"kernel_id": "nokernel", "ramdisk_id": "nokernel"}, "created": "2011-01-01T01:02:03Z", ' +
        '"updated": "2011-01-01T01:02:03Z", "status": "ACTIVE", "progress": 100, "OS-EXT-IMG-SIZE:size": 74185822, ' +
        `"links": [{"rel": "self", "href": "${base}/v2.1/images/${IMG}"}, {"rel": "bookmark", "href": "${base}/images/${IMG}"}, ` +
        `{"rel": "alternate", "type": "application/vnd.openstack.image", "href": "${sim.imageUrl}/images/${IMG}"}]}}`,
    );
    const del = await send(sim.computeUrl, `/v2.1/images/${IMG}`, { method: 'DELETE', headers: at(v) });
    expect(del.status).toBe(204);
    expect(sim.state.images.has(IMG)).toBe(false);
  });
  test.each(['2.36', '2.38'])('404 at %s', async (v) => {
    for (const path of ['/v2.1/images', '/v2.1/images/detail', `/v2.1/images/${IMG}`]) {
      expectJson(await get(path, at(v)), 404, NF, v);
    }
    expectJson(await send(sim.computeUrl, `/v2.1/images/${IMG}`, { method: 'DELETE', headers: at(v) }), 404, NF, v);
    expect(sim.state.images.has(IMG)).toBe(true);
  });
});

describe('#21 limits', () => {
  const full =
    '"maxTotalInstances": 10, "maxTotalCores": 20, "maxTotalRAMSize": 51200, "maxServerMeta": 3, "maxImageMeta": 3, ' +
    '"maxPersonality": 5, "maxPersonalitySize": 10240, "maxTotalKeypairs": 100, "maxServerGroups": 10, ' +
    '"maxServerGroupMembers": 10';
  test.each(['2.1', '2.35'])('19 keys at %s', async (v) => {
    const body =
      `{"limits": {"rate": [], "absolute": {${full}, "maxTotalFloatingIps": -1, "maxSecurityGroups": -1, ` +
      '"maxSecurityGroupRules": -1, "totalRAMUsed": 0, "totalCoresUsed": 0, "totalInstancesUsed": 0, ' +
      '"totalFloatingIpsUsed": 0, "totalSecurityGroupsUsed": 0, "totalServerGroupsUsed": 0}}}';
    const r = await get('/v2.1/limits', at(v));
    expectJson(r, 200, body, v);
    expect(Object.keys((JSON.parse(r.body) as { limits: { absolute: object } }).limits.absolute)).toHaveLength(19);
  });
  test.each(['2.36', '2.38'])('14 keys at %s', async (v) => {
    const body =
      `{"limits": {"rate": [], "absolute": {${full}, "totalRAMUsed": 0, "totalCoresUsed": 0, ` +
      '"totalInstancesUsed": 0, "totalServerGroupsUsed": 0}}}';
    const r = await get('/v2.1/limits', at(v));
    expectJson(r, 200, body, v);
    expect(Object.keys((JSON.parse(r.body) as { limits: { absolute: object } }).limits.absolute)).toHaveLength(14);
  });
});

describe('version negotiation (rows 29-39)', () => {
  test('#29 no header → 2.1', async () => {
    expectJson(await get(`${META}/kernel_id`), 200, '{"meta": {"kernel_id": "nokernel"}}', '2.1');
  });
  test('#30 latest → the maximum 2.38', async () => {
    expectJson(await get(`${META}/kernel_id`, at('latest')), 200, '{"meta": {"kernel_id": "nokernel"}}', '2.38');
    const legacy = await get(`${META}/kernel_id`, { ...ADMIN, 'X-OpenStack-Nova-API-Version': 'latest' });
    expect(versionHeaderLines(legacy)).toEqual(expectedVersionHeaders('2.38'));
  });
  test.each([
    [{ 'OpenStack-API-Version': 'compute Latest' }, 'Latest'],
    [{ 'OpenStack-API-Version': 'compute 2.1.3' }, '2.1.3'],
    [{ 'OpenStack-API-Version': 'compute 2.01' }, '2.01'],
    [{ 'X-OpenStack-Nova-API-Version': 'abc' }, 'abc'],
    [{ 'X-OpenStack-Nova-API-Version': '' }, ''],
  ])('#31 malformed %j → 400 without version headers', async (hdr, text) => {
    const r = await get(META, { ...ADMIN, ...hdr });
    const msg = `API Version String ${text} is of invalid format. Must be of format MajorNum.MinorNum.`;
    expectJson(r, 400, fault(400, 'badRequest', msg));
  });
  test.each(['2.39', '2.0', '3.0', '1.1'])('#32 %s out of range → 406 echoing it', async (v) => {
    const msg = `Version ${v} is not supported by the API. Minimum is 2.1 and maximum is 2.38.`;
    expectJson(await get(META, at(v)), 406, fault(406, 'computeFault', msg), v);
  });
  test('#33 standard header wins over legacy', async () => {
    const r = await get(`${META}/kernel_id`, { ...at('2.36'), 'X-OpenStack-Nova-API-Version': '2.38' });
    expect(versionHeaderLines(r)).toEqual(expectedVersionHeaders('2.36'));
    const over = await get(META, { ...at('2.39'), 'X-OpenStack-Nova-API-Version': '2.38' });
    expect(over.status).toBe(406);
  });
  test('#34 non-compute standard entry → legacy header', async () => {
    const r = await get(META, { ...ADMIN, 'OpenStack-API-Version': 'volume 3.0', 'X-OpenStack-Nova-API-Version': '2.38' });
    expectJson(r, 200, '{"metadata": {"kernel_id": "nokernel", "ramdisk_id": "nokernel"}}', '2.38');
  });
  test('#35 last compute entry wins', async () => {
    const r = await get(META, { ...ADMIN, 'OpenStack-API-Version': 'compute 2.38, compute 2.36' });
    expect(versionHeaderLines(r)).toEqual(expectedVersionHeaders('2.36'));
  });
  test('#36 /v2 ignores and never reports microversions', async () => {
    const r = await get(`/v2/images/${IMG}/metadata`, { ...ADMIN, 'OpenStack-API-Version': 'compute 9.9.9' });
    expectJson(r, 200, '{"metadata": {"kernel_id": "nokernel", "ramdisk_id": "nokernel"}}');
    expect(r.all('Vary')).toEqual([]);
    const images = await get('/v2/images', { ...ADMIN, 'X-OpenStack-Nova-API-Version': '2.38' });
    expect(images.status).toBe(200);
  });
  test('#37 GET / ignores version headers', async () => {
    const r = await send(sim.computeUrl, '/', { headers: { 'OpenStack-API-Version': 'compute abc' } });
    const b = sim.computeUrl;
    expect(r.status).toBe(200);
    expect(r.body).toBe(
      '{"versions": [{"id": "v2.0", "status": "SUPPORTED", "version": "", "min_version": "", "updated": "2011-01-21T11:33:21Z", ' +
        `"links": [{"rel": "self", "href": "${b}/v2/"}]}, {"id": "v2.1", "status": "CURRENT", "version": "2.38", ` +
        `"min_version": "2.1", "updated": "2013-07-23T11:33:21Z", "links": [{"rel": "self", "href": "${b}/v2.1/"}]}]}`,
    );
    expect(versionHeaderLines(r)).toEqual([]);
    expect(r.header('x-compute-request-id')).toBeUndefined();
  });
  const v21doc = (b: string) =>
    `{"version": {"id": "v2.1", "status": "CURRENT", "version": "2.38", "min_version": "2.1", "updated": "2013-07-23T11:33:21Z", ` +
    `"links": [{"rel": "self", "href": "${b}/v2.1/"}, {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}], ` +
    '"media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}]}}';
  test.each(['/v2.1', '/v2.1/'])('#38 GET %s is microversioned, needs no token', async (path) => {
    expectJson(await send(sim.computeUrl, path, { headers: { 'OpenStack-API-Version': 'compute 2.38' } }), 200, v21doc(sim.computeUrl), '2.38');
    const bad = await send(sim.computeUrl, path, { headers: { 'OpenStack-API-Version': 'compute 9.9' } });
    expectJson(bad, 406, fault(406, 'computeFault', 'Version 9.9 is not supported by the API. Minimum is 2.1 and maximum is 2.38.'), '9.9');
  });
  test.each(['/v2', '/v2/'])('#39 GET %s', async (path) => {
    const b = sim.computeUrl;
    const r = await send(sim.computeUrl, path, { headers: { 'OpenStack-API-Version': 'compute 9.9' } });
    expectJson(
      r,
      200,
      '{"version": {"id": "v2.0", "status": "SUPPORTED", "version": "", "min_version": "", "updated": "2011-01-21T11:33:21Z", ' +
        `"links": [{"rel": "self", "href": "${b}/v2/"}, {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}], ` +
        '"media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2"}]}}',
    );
  });
  test('#40 unversioned path → 300 choices', async () => {
    const b = sim.computeUrl;
    const r = await send(sim.computeUrl, '/servers');
    expect(r.status).toBe(300);
    expect(r.header('Content-Type')).toBe('application/json');
    expect(r.body).toBe(
      `{"choices": [{"id": "v2.0", "status": "SUPPORTED", "links": [{"rel": "self", "href": "${b}/v2/servers"}], ` +
        '"media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2"}]}, ' +
        `{"id": "v2.1", "status": "CURRENT", "links": [{"rel": "self", "href": "${b}/v2.1/servers"}], ` +
        '"media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}]}]}',
    );
  });
});

describe('URL grammar', () => {
  test('repeated slashes are merged, a .json suffix is accepted', async () => {
    const r = await get(`/v2.1//images///${IMG}/metadata/kernel_id.json`);
    expectJson(r, 200, '{"meta": {"kernel_id": "nokernel"}}', '2.1');
  });
  test('project id in the path must match the token', async () => {
    const ok = await get(`/v2.1/c0ffee/images/${IMG}/metadata`, { 'X-Auth-Token': 'u:c0ffee' });
    expect(ok.status).toBe(200);
    const bad = await get(`/v2.1/deadbeef/images/${IMG}/metadata`, { 'X-Auth-Token': 'u:c0ffee' });
    const msg = "Malformed request URL: URL's project_id 'deadbeef' doesn't match Context's project_id 'c0ffee'";
    expectJson(bad, 400, fault(400, 'badRequest', msg), '2.1');
  });
  test('no token: noauth2 answers 204 with a fake token', async () => {
    const r = await send(sim.computeUrl, '/v2.1/servers');
    expect(r.status).toBe(204);
    expect(r.header('X-Auth-Token')).toBe('admin:admin');
    expect(r.header('X-Server-Management-Url')).toBe(`${sim.computeUrl}/v2.1/servers/admin`);
  });
  test('over-range version on any routed request → 406 before the gate', async () => {
    expect((await get('/v2.1/limits', at('2.39'))).status).toBe(406);
  });
});
