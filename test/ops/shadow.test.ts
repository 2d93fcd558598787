/**
 * Shadow mode: a rule marked `shadow: true`, or every rule under --shadow, is evaluated and
 * counted as "would have", never enforced: the request is forwarded as without the rule.
 */
import { startTestUpstream, novaLikeJson, type TestUpstream } from '../support/recordingUpstream';
import { family, ruleFile, sampleKey, scrape, send, startOpsGateway, tempRulesDir, waitFor, type OpsGateway } from './helpers';

const LIMITS = '{"limits": {"rate": [], "absolute": {"maxImageMeta": 128, "maxServerMeta": 128}}}';
const META = '/v2.1/images/70a599e0-31e7-49b7-b260-868f441e862b/metadata';
const SERVER = '/v2.1/servers/9168b536-cd40-4630-b43f-b259807c6e87/action';
const AT_239 = { 'OpenStack-API-Version': 'compute 2.39' };

const hits = async (gw: OpsGateway) => family((await scrape(gw)).samples, 'gateway_rule_hits_total');
const hit = (rule: string, action: string, mode: string) => sampleKey('gateway_rule_hits_total', { rule, action, mode });

describe('a shadow rule', () => {
  let upstream: TestUpstream;
  let gw: OpsGateway;
  beforeAll(async () => {
    upstream = await startTestUpstream(novaLikeJson(200, LIMITS));
    const rules = ruleFile('2.39', [
      { id: 'meta-gone', shadow: true, methods: ['GET', 'PUT'], path: '/images/{image_id}/metadata', actions: '[{ respond: { status: 404 } }]' },
      { id: 'limits-trim', path: '/limits', actions: '[{ remove: { pointers: [/limits/absolute/maxImageMeta] } }]' },
      { id: 'no-create-image', shadow: true, methods: ['POST'], path: '/servers/{server_id}/action', serverActions: ['createImage'], actions: '[{ respond: { status: 404 } }]' },
    ]);
    gw = await startOpsGateway({ upstream: upstream.url, rulesDir: tempRulesDir({ 'a.yaml': rules }) });
  });
  afterAll(async () => {
    await gw.close(1000);
    await upstream.close();
  });
  beforeEach(() => upstream.received.splice(0));

  test('a shadow 404 rule: the request is forwarded, and counted with mode="shadow"', async () => {
    const res = await send(gw.proxyUrl + META, { headers: AT_239 });
    expect(res.status).toBe(200);
    expect(res.body).toBe(LIMITS);
    expect(upstream.received.map((r) => `${r.method} ${r.target}`)).toEqual([`GET ${META}`]);
    await waitFor(async () => (await hits(gw))[hit('meta-gone', 'respond', 'shadow')] === 1, 'the shadow hit');
    expect((await hits(gw))[hit('meta-gone', 'respond', 'enforced')]).toBeUndefined();
    const line = await waitFor(() => gw.logs.find((l) => l.msg === 'request'), 'the access line');
    expect(line).toMatchObject({ rules: [], shadowRules: ['meta-gone'], answeredBy: 'upstream', status: 200 });
  });

  test('an enforced rule beside it still acts', async () => {
    const res = await send(gw.proxyUrl + '/v2.1/limits', { headers: AT_239 });
    expect(JSON.parse(res.body).limits.absolute).toEqual({ maxServerMeta: 128 });
    await waitFor(async () => (await hits(gw))[hit('limits-trim', 'remove', 'enforced')] === 1, 'the enforced hit');
  });

  test("a shadow rule never makes the gateway answer, not even Nova's pre-gate 415/400", async () => {
    const put = await send(gw.proxyUrl + META, { method: 'PUT', headers: { ...AT_239, 'Content-Type': 'text/plain' }, body: 'x' });
    expect(put.status).toBe(200);
    const bad = await send(gw.proxyUrl + SERVER, { method: 'POST', headers: { ...AT_239, 'Content-Type': 'application/json' }, body: '{"createImage": ' });
    expect(bad.status).toBe(200);
    expect(upstream.received.map((r) => [r.method, r.body.toString()])).toEqual([['PUT', 'x'], ['POST', '{"createImage": ']]);
    const create = await send(gw.proxyUrl + SERVER, { method: 'POST', headers: { ...AT_239, 'Content-Type': 'application/json' }, body: '{"createImage": {"name": "s"}}' });
    expect(create.status).toBe(200);
    expect(upstream.received).toHaveLength(3);
    await waitFor(async () => (await hits(gw))[hit('no-create-image', 'respond', 'shadow')] === 1, 'the shadow hit on createImage');
  });
});

describe('--shadow: the whole set is a dry run', () => {
  let upstream: TestUpstream;
  let gw: OpsGateway;
  beforeAll(async () => {
    upstream = await startTestUpstream(novaLikeJson(200, LIMITS));
    const rules = ruleFile('2.39', [
      { id: 'meta-gone', path: '/images/{image_id}/metadata', actions: '[{ respond: { status: 404 } }]' },
      { id: 'limits-trim', path: '/limits', actions: '[{ remove: { pointers: [/limits/absolute/maxImageMeta] } }]' },
    ]);
    gw = await startOpsGateway({ upstream: upstream.url, rulesDir: tempRulesDir({ 'a.yaml': rules }), flags: { shadow: 'true' } });
  });
  afterAll(async () => {
    await gw.close(1000);
    await upstream.close();
  });

  test('nothing is enforced, everything is counted as shadow', async () => {
    const meta = await send(gw.proxyUrl + META, { headers: AT_239 });
    expect(meta.status).toBe(200);
    const limits = await send(gw.proxyUrl + '/v2.1/limits', { headers: AT_239 });
    expect(limits.body).toBe(LIMITS);
    expect(upstream.received).toHaveLength(2);
    await waitFor(async () => Object.keys(await hits(gw)).length === 2, 'both hits');
    expect(await hits(gw)).toEqual({ [hit('meta-gone', 'respond', 'shadow')]: 1, [hit('limits-trim', 'remove', 'shadow')]: 1 });
    const { samples } = await scrape(gw);
    expect(family(samples, 'gateway_rules_loaded')).toEqual({
      [sampleKey('gateway_rules_loaded', { state: 'enforced' })]: 0,
      [sampleKey('gateway_rules_loaded', { state: 'shadow' })]: 2,
      [sampleKey('gateway_rules_loaded', { state: 'disabled' })]: 0,
    });
    expect(gw.logs.find((l) => l.msg === 'gateway listening')).toMatchObject({ shadow: true });
  });
});
