/**
 * Structured JSON logs: one access line per request (request id, method, path template,
 * versions, rule ids, status, durations), startup lines, a configurable level.
 */
import http, { type ServerResponse } from 'node:http';
import { resourceTemplate } from '../../gateway/observe/accessLog';
import { startTestUpstream, novaLikeJson, type TestUpstream } from '../support/recordingUpstream';
import { rawGet, rawRequest } from '../support/rawHttp';
import { ruleFile, sampleKey, scrape, send, startOpsGateway, tempRulesDir, waitFor, type LogLine, type OpsGateway } from './helpers';

const LIMITS = '{"limits": {"rate": [], "absolute": {"maxImageMeta": 128, "maxServerMeta": 128}}}';
const IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b';
const PROJECT = '6f70656e737461636b20342065766572';
const SERVER = '9168b536-cd40-4630-b43f-b259807c6e87';
const RULES = ruleFile('2.39', [
  { id: 'meta-gone', path: '/images/{image_id}/metadata', actions: '[{ respond: { status: 404 } }]' },
  { id: 'limits-trim', path: '/limits', actions: '[{ remove: { pointers: [/limits/absolute/maxImageMeta] } }]' },
]);

describe('the access line', () => {
  let upstream: TestUpstream;
  let gw: OpsGateway;
  const held: ServerResponse[] = [];
  beforeAll(async () => {
    const answer = novaLikeJson(200, LIMITS, { 'x-openstack-request-id': 'req-from-upstream' });
    upstream = await startTestUpstream((req, res, body) => {
      if (req.headers['x-hold'] === 'yes') held.push(res);
      else answer(req, res, body);
    });
    gw = await startOpsGateway({ upstream: upstream.url, rulesDir: tempRulesDir({ 'a.yaml': RULES }) });
  });
  afterAll(async () => {
    for (const r of held) r.destroy();
    await gw.close(1000);
    await upstream.close();
  });

  /** The access line of the next request: sends it, then waits for its line. */
  async function lineOf(run: () => Promise<unknown>): Promise<LogLine> {
    const before = gw.logs.filter((l) => l.msg === 'request').length;
    await run();
    return waitFor(() => gw.logs.filter((l) => l.msg === 'request')[before], 'the access line');
  }

  test('a forwarded request with a rule that rewrote the answer', async () => {
    const line = await lineOf(() => send(`${gw.proxyUrl}/v2.1/${PROJECT}/limits`, { headers: { 'OpenStack-API-Version': 'compute 2.39' } }));
    expect(line).toEqual({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: 'microversion-gateway',
      msg: 'request',
      requestId: 'req-from-upstream',
      method: 'GET',
      route: '/v2.1/{project_id}/limits',
      negotiatedVersion: '2.39',
      forwardedVersion: '2.38',
      rules: ['limits-trim'],
      status: 200,
      answeredBy: 'upstream',
      completed: true,
      upstreamMs: expect.any(Number),
      totalMs: expect.any(Number),
    });
    expect(line.upstreamMs as number).toBeGreaterThanOrEqual(0);
    expect(line.totalMs as number).toBeGreaterThanOrEqual(line.upstreamMs as number);
  });

  test('an answer made by the gateway: its own request id, no upstream time, the rule template', async () => {
    let requestId: string | undefined;
    const line = await lineOf(async () => {
      const res = await send(`${gw.proxyUrl}/v2.1/images/${IMAGE}/metadata`, { headers: { 'OpenStack-API-Version': 'compute 2.39' } });
      requestId = res.headers['x-openstack-request-id'] as string;
    });
    expect(requestId).toMatch(/^req-[0-9a-f-]{36}$/);
    expect(line).toMatchObject({
      requestId, method: 'GET', route: '/v2.1/images/{image_id}/metadata', negotiatedVersion: '2.39', forwardedVersion: '2.38',
      rules: ['meta-gone'], status: 404, answeredBy: 'gateway', completed: true,
    });
    expect(line).not.toHaveProperty('upstreamMs');
    expect(JSON.stringify(line)).not.toContain(IMAGE);
  });

  test('no raw ids, names or keys in the route, whatever the path', async () => {
    const line = await lineOf(() => send(`${gw.proxyUrl}/v2.1/${PROJECT}/servers/${SERVER}/metadata/secret-key.json`));
    expect(line).toMatchObject({ route: '/v2.1/{project_id}/servers/{id}/metadata/{id}', status: 200, rules: [] });
    expect(line).not.toHaveProperty('negotiatedVersion', '2.39');
    expect(JSON.stringify(line)).not.toMatch(/secret-key|9168b536|6f70656e/);
    const v2 = await lineOf(() => send(`${gw.proxyUrl}/v2/servers/detail`));
    expect(v2).toMatchObject({ route: '/v2/servers/detail', status: 200 });
    expect(v2).not.toHaveProperty('negotiatedVersion');
  });

  test('a refused target and a refused version are logged too', async () => {
    const refused = await lineOf(() => rawRequest(gw.proxyUrl, rawGet(`/v2.1/servers%2F${SERVER}`)));
    expect(refused).toMatchObject({ method: 'GET', status: 400, answeredBy: 'gateway', rules: [] });
    expect(refused).not.toHaveProperty('route');
    const badVersion = await lineOf(() => send(`${gw.proxyUrl}/v2.1/limits`, { headers: { 'OpenStack-API-Version': 'compute 2.1.3' } }));
    expect(badVersion).toMatchObject({ route: '/v2.1/limits', status: 400, answeredBy: 'gateway' });
  });

  test('a client that leaves before the answer: completed false, no status, counted as status_class "none"', async () => {
    const req = http.get(`${gw.proxyUrl}/v2.1/servers`, { headers: { 'X-Hold': 'yes', 'OpenStack-API-Version': 'compute 2.7' } });
    req.on('error', () => undefined);
    await waitFor(() => held.length === 1, 'the request to reach the upstream');
    const before = gw.logs.filter((l) => l.msg === 'request').length;
    req.destroy();
    const line = await waitFor(() => gw.logs.filter((l) => l.msg === 'request')[before], 'the access line');
    expect(line).toMatchObject({ route: '/v2.1/servers', negotiatedVersion: '2.7', completed: false, answeredBy: 'upstream' });
    expect(line).not.toHaveProperty('status');
    const { samples } = await scrape(gw);
    expect(samples.get(sampleKey('gateway_requests_total', { method: 'GET', status_class: 'none', version: '2.7', answered_by: 'upstream' }))).toBe(1);
  });
});

describe('startup lines and the log level', () => {
  let upstream: TestUpstream;
  beforeAll(async () => {
    upstream = await startTestUpstream(novaLikeJson(200, LIMITS));
  });
  afterAll(async () => {
    await upstream.close();
  });

  test('at info: the listening line with the addresses, rule count and hash', async () => {
    const gw = await startOpsGateway({ upstream: upstream.url, rulesDir: tempRulesDir({ 'a.yaml': RULES }) });
    try {
      expect(gw.logs.find((l) => l.msg === 'gateway listening')).toMatchObject({
        level: 'info', proxyUrl: gw.proxyUrl, adminUrl: gw.adminUrl, upstream: upstream.url, rules: 2,
        ruleSetHash: gw.state.ruleSet.hash, shadow: false, watchRules: false,
      });
      expect(gw.logs.find((l) => l.msg === 'advertised microversion range')).toMatchObject({ upstreamMax: '2.38', advertisedMax: '2.39' });
    } finally {
      await gw.close(1000);
    }
  });

  test('at warn: no info lines, no access lines; warnings still come', async () => {
    const gw = await startOpsGateway({ upstream: upstream.url, rulesDir: tempRulesDir({ 'a.yaml': RULES }), logLevel: 'warn' });
    try {
      await send(`${gw.proxyUrl}/v2.1/limits`);
      await gw.close(1000);
      expect(gw.logs.filter((l) => l.level === 'info' || l.level === 'debug')).toEqual([]);
    } finally {
      await gw.close(1000);
    }
  });
});

describe('resourceTemplate', () => {
  test.each([
    ['/servers', '/servers'],
    ['/servers/detail', '/servers/detail'],
    [`/servers/${SERVER}`, '/servers/{id}'],
    [`/servers/${SERVER}/action`, '/servers/{id}/action'],
    [`/servers/${SERVER}/metadata/anything`, '/servers/{id}/metadata/{id}'],
    ['/flavors/m1.small/os-extra_specs/hw:cpu', '/flavors/{id}/os-extra_specs/{id}'],
    ['/os-hypervisors/statistics', '/os-hypervisors/statistics'],
    ['/os-keypairs/my-key', '/os-keypairs/{id}'],
    ['/limits.json', '/limits'],
    ['/os-quota-sets/abc/defaults', '/os-quota-sets/{id}/defaults'],
    ['/<script>/x', '/{?}/{id}'],
    ['', ''],
  ])('%s → %s', (path, template) => {
    expect(resourceTemplate(path)).toBe(template);
  });
});
