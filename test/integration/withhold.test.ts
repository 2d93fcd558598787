/**
 * withhold at 2.39: createImage/createBackup metadata is kept from the legacy upstream's
 * compute quota and written to the Image service, whose own quota decides, as Nova does.
 */
import { startSimulator, type Simulator } from '../../gateway/simulator';
import type { RunningGateway } from '../../gateway/server';
import { startTestGateway } from '../support/gateway';
import { SERVER_ID } from '../conformance/cases';
import { send, type Side } from '../conformance/runner';

const AT_239 = { 'OpenStack-API-Version': 'compute 2.39' };
const metadata = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`]));

async function harness(imagePropertyQuota: number, imageService?: string) {
  const sim = await startSimulator({ metadataItems: 3, imagePropertyQuota });
  const gw = await startTestGateway({ upstream: sim.computeUrl, flags: imageService === undefined ? { 'image-service': sim.imageUrl } : imageService ? { 'image-service': imageService } : {} });
  const side: Side = { name: 'gateway', baseUrl: gw.proxyUrl, max: '2.39', token: 'admin:admin', reset: async () => sim.reset() };
  return { sim, gw, side };
}

async function scrape(gw: RunningGateway): Promise<string> {
  return (await fetch(`${gw.adminUrl}/metrics`)).text();
}

const action = (body: unknown) => ({ method: 'POST', path: `/v2.1/servers/${SERVER_ID}/action`, body: JSON.stringify(body) });

describe('the Image service accepts the properties', () => {
  let sim: Simulator;
  let gw: RunningGateway;
  let side: Side;
  beforeAll(async () => ({ sim, gw, side } = await harness(128)));
  afterAll(async () => {
    await gw.close(1000);
    await sim.close();
  });
  beforeEach(() => sim.reset());

  test('createImage derives the Image service from Location when none is configured', async () => {
    const { sim: s2, gw: g2, side: side2 } = await harness(128, '');
    try {
      const res = await send(side2, action({ createImage: { name: 'snap', metadata: metadata(5) } }), AT_239);
      expect(res.status).toBe(202);
      const id = res.headers.find(([n]) => n === 'location')![1].split('/').pop()!;
      expect(s2.state.images.get(id)?.properties.get('k4')).toBe('v4');
      expect(s2.imageRequests.map((r) => `${r.method} ${r.target}`)).toEqual([`PATCH /v2/images/${id}`]);
      expect(await scrape(g2)).toContain('gateway_withhold_outcomes_total{rule="image-create-metadata-to-glance",outcome="written"} 1');
    } finally {
      await g2.close(1000);
      await s2.close();
    }
  });

  test('the JSON patch carries the caller token and adds each property', async () => {
    const res = await send(side, action({ createImage: { name: 'snap', metadata: { a: 'x', 'b c': 'y' } } }), AT_239);
    expect(res.status).toBe(202);
    const patch = sim.imageRequests[0];
    expect(patch.headers['x-auth-token']).toBe('admin:admin');
    expect(patch.headers['content-type']).toBe('application/openstack-images-v2.1-json-patch');
    expect(JSON.parse(patch.body.toString())).toEqual([{ op: 'add', path: '/a', value: 'x' }, { op: 'add', path: '/b c', value: 'y' }]);
  });

  test('createBackup with rotation 0 names no image: 202 as the upstream answered, counted', async () => {
    const res = await send(side, action({ createBackup: { name: 'b', backup_type: 'daily', rotation: 0, metadata: metadata(4) } }), AT_239);
    expect(res.status).toBe(202);
    expect(res.headers.find(([n]) => n === 'location')).toBeUndefined();
    expect(await scrape(gw)).toContain('outcome="no-image-id"} 1');
  });

  test('metadata that fails Nova\'s schema is forwarded untouched: the upstream answers its 400', async () => {
    const res = await send(side, action({ createImage: { name: 'snap', metadata: { 'a/b': 'c' } } }), AT_239);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString()).badRequest.message).toContain("'a/b' does not match any of the regexes");
    expect(JSON.parse(sim.requests[0].body.toString()).createImage.metadata).toEqual({ 'a/b': 'c' });
  });

  test('a malformed body where withhold needs it: Nova\'s 400, nothing forwarded', async () => {
    const res = await send(side, { method: 'POST', path: `/v2.1/servers/${SERVER_ID}/action`, body: '{"createImage": ' }, AT_239);
    expect(res.status).toBe(400);
    expect(res.body.toString()).toBe('{"badRequest": {"code": 400, "message": "Malformed request body"}}');
    expect(res.headers.find(([n]) => n === 'openstack-api-version')![1]).toBe('compute 2.39');
    expect(sim.requests).toHaveLength(0);
  });

  test('the upstream refusing the action (missing server): its answer, nothing written', async () => {
    const res = await send(side, { ...action({ createImage: { name: 'snap', metadata: metadata(5) } }), path: '/v2.1/servers/00000000-0000-4000-8000-000000000000/action' }, AT_239);
    expect(res.status).toBe(404);
    expect(sim.imageRequests).toHaveLength(0);
  });
});

describe('the Image service refuses or cannot be reached: Nova\'s 500, no image left', () => {
  test('over the Image service property quota', async () => {
    const { sim, gw, side } = await harness(8);
    try {
      const before = sim.state.images.size;
      const res = await send(side, action({ createImage: { name: 'snap', metadata: metadata(4) } }), AT_239);
      expect(res.status).toBe(500);
      expect(res.body.toString()).toBe(
        '{"computeFault": {"code": 500, "message": "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.\\n<class \'glanceclient.exc.HTTPOverLimit\'>"}}',
      );
      expect(res.headers.find(([n]) => n === 'openstack-api-version')![1]).toBe('compute 2.39');
      expect(sim.state.images.size).toBe(before);
      expect(sim.imageRequests.map((r) => r.method)).toEqual(['PATCH', 'DELETE']);
      expect(await scrape(gw)).toContain('outcome="refused"} 1');
    } finally {
      await gw.close(1000);
      await sim.close();
    }
  });

  test('unreachable Image service', async () => {
    const { sim, gw, side } = await harness(128, 'http://127.0.0.1:9');
    try {
      const res = await send(side, action({ createImage: { name: 'snap', metadata: metadata(4) } }), AT_239);
      expect(res.status).toBe(500);
      expect(JSON.parse(res.body.toString()).computeFault.message).toContain("<class 'glanceclient.exc.CommunicationError'>");
      expect(await scrape(gw)).toContain('outcome="unreachable"} 1');
    } finally {
      await gw.close(1000);
      await sim.close();
    }
  });
});
