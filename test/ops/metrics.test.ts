/**
 * The exact samples a /metrics scrape returns after known traffic: every gateway metric,
 * incremented where it should be, with bounded label values.
 */
import { rawGet, rawRequest } from '../support/rawHttp';
import { startTestUpstream, novaLikeJson, type TestUpstream } from '../support/recordingUpstream';
import { family, ruleFile, sampleKey, scrape, send, startOpsGateway, tempRulesDir, waitFor, type OpsGateway } from './helpers';

const LIMITS = '{"limits": {"rate": [], "absolute": {"maxImageMeta": 128, "maxServerMeta": 128}}}';
const IMAGE_ID = '0c6ea3c4-3f0e-4c4b-9a39-5a5d7c1a2b3c';
const SERVER = '/v2.1/servers/9168b536-cd40-4630-b43f-b259807c6e87/action';
const META = '/v2.1/images/70a599e0-31e7-49b7-b260-868f441e862b/metadata';

const RULES = ruleFile('2.39', [
  { id: 'meta-gone', path: '/images/{image_id}/metadata', actions: '[{ respond: { status: 404 } }]' },
  { id: 'limits-trim', path: '/limits', actions: '[{ remove: { pointers: [/limits/absolute/maxImageMeta] } }]' },
  { id: 'flavor-trim', path: '/flavors/{flavor_id}', actions: '[{ remove: { pointers: [/flavor/extra] } }]' },
  { id: 'hypervisors-gone', shadow: true, path: '/os-hypervisors', actions: '[{ respond: { status: 404 } }]' },
  {
    id: 'image-meta-quota', methods: ['POST'], path: '/servers/{server_id}/action', serverActions: ['createImage'],
    actions: '[{ precheck: { count: "/{action}/metadata", limit: { value: 1 }, status: 403, message: Image metadata limit exceeded } }]',
  },
  {
    id: 'backup-meta-to-glance', methods: ['POST'], path: '/servers/{server_id}/action', serverActions: ['createBackup'],
    actions: '[{ withhold: { member: "/{action}/metadata", writeTo: image-properties } }]',
  },
]);

describe('a scrape after known traffic', () => {
  let upstream: TestUpstream;
  let gw: OpsGateway;
  beforeAll(async () => {
    const limits = novaLikeJson(200, LIMITS);
    upstream = await startTestUpstream((req, res, body) => {
      const target = req.url!;
      if (target === '/v2.1/servers/boom') return void req.socket.destroy();
      if (target.startsWith('/v2.1/flavors/')) {
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '9' });
        return void res.end('not json!');
      }
      if (req.method === 'POST' && target.endsWith('/action')) {
        res.writeHead(202, { Location: `${upstreamUrl}/v2.1/images/${IMAGE_ID}`, 'Content-Length': '0' });
        return void res.end();
      }
      if (req.method === 'PATCH' && target === `/v2/images/${IMAGE_ID}`) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '2' });
        return void res.end('{}');
      }
      limits(req, res, body);
    });
    const upstreamUrl = upstream.url;
    gw = await startOpsGateway({ upstream: upstream.url, rulesDir: tempRulesDir({ '2.39.yaml': RULES }), flags: { 'image-service': upstream.url }, logLevel: 'silent' });
  });
  afterAll(async () => {
    await gw.close(1000);
    await upstream.close();
  });

  test('every sample, after one request of each kind', async () => {
    const at = (v: string, extra: Record<string, string> = {}) => ({ headers: { 'OpenStack-API-Version': `compute ${v}`, ...extra } });
    const json = { 'Content-Type': 'application/json' };
    const statuses = [
      (await send(gw.proxyUrl + '/v2.1/limits', at('2.39'))).status, // forwarded at 2.38, maxImageMeta removed
      (await send(gw.proxyUrl + META, at('2.39'))).status, // 404 by the gateway
      (await send(gw.proxyUrl + META, at('2.38'))).status, // forwarded
      (await send(gw.proxyUrl + '/v2.1/flavors/1', at('2.39'))).status, // not JSON: passes through
      (await send(gw.proxyUrl + '/v2.1/os-hypervisors', at('2.39'))).status, // shadow 404: forwarded
      (await send(gw.proxyUrl + '/v2.1/servers/boom', at('2.5'))).status, // upstream resets: 502 by the gateway
      (await send(gw.proxyUrl + SERVER, { method: 'POST', ...at('2.39', json), body: JSON.stringify({ createImage: { name: 's', metadata: { a: '1', b: '2' } } }) })).status,
      (await send(gw.proxyUrl + SERVER, { method: 'POST', ...at('2.39', json), body: JSON.stringify({ createBackup: { name: 'b', backup_type: 'daily', rotation: 1, metadata: { a: '1' } } }) })).status,
      (await send(gw.proxyUrl + '/v2.1/limits', at('2.1.3'))).status, // malformed version: 400
      (await send(gw.proxyUrl + '/v2/servers')).status, // legacy /v2: no microversion
      (await rawRequest(gw.proxyUrl, rawGet('/v2.1/servers%2Fdetail'))).status, // refused before routing
    ];
    expect(statuses).toEqual([200, 404, 200, 200, 200, 502, 403, 202, 400, 200, 400]);
    await waitFor(async () => {
      const { samples } = await scrape(gw);
      return Object.values(family(samples, 'gateway_requests_total')).reduce((a, b) => a + b, 0) === statuses.length;
    }, 'every request to be counted');

    const { samples, text, contentType } = await scrape(gw);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const req = (method: string, status_class: string, version: string, answered_by: string) =>
      sampleKey('gateway_requests_total', { method, status_class, version, answered_by });
    expect(family(samples, 'gateway_requests_total')).toEqual({
      [req('GET', '2xx', '2.39', 'upstream')]: 3,
      [req('GET', '4xx', '2.39', 'gateway')]: 1,
      [req('GET', '2xx', '2.38', 'upstream')]: 1,
      [req('GET', '5xx', '2.5', 'gateway')]: 1,
      [req('POST', '4xx', '2.39', 'gateway')]: 1,
      [req('POST', '2xx', '2.39', 'upstream')]: 1,
      [req('GET', '4xx', 'none', 'gateway')]: 2,
      [req('GET', '2xx', 'none', 'upstream')]: 1,
    });
    const fwd = (v: string) => sampleKey('gateway_forwarded_requests_total', { forwarded_version: v });
    expect(family(samples, 'gateway_forwarded_requests_total')).toEqual({ [fwd('2.38')]: 5, [fwd('2.5')]: 1, [fwd('none')]: 1 });

    const hit = (rule: string, action: string, mode: string) => sampleKey('gateway_rule_hits_total', { rule, action, mode });
    expect(family(samples, 'gateway_rule_hits_total')).toEqual({
      [hit('limits-trim', 'remove', 'enforced')]: 1,
      [hit('meta-gone', 'respond', 'enforced')]: 1,
      [hit('flavor-trim', 'remove', 'enforced')]: 1,
      [hit('hypervisors-gone', 'respond', 'shadow')]: 1,
      [hit('image-meta-quota', 'precheck', 'enforced')]: 1,
      [hit('backup-meta-to-glance', 'withhold', 'enforced')]: 1,
    });
    expect(family(samples, 'gateway_rewrite_passthrough_total')).toEqual({ [sampleKey('gateway_rewrite_passthrough_total', { reason: 'not-json' })]: 1 });
    expect(family(samples, 'gateway_precheck_rejections_total')).toEqual({ [sampleKey('gateway_precheck_rejections_total', { rule: 'image-meta-quota' })]: 1 });
    expect(family(samples, 'gateway_withhold_outcomes_total')).toEqual({
      [sampleKey('gateway_withhold_outcomes_total', { rule: 'backup-meta-to-glance', outcome: 'written' })]: 1,
    });
    expect(family(samples, 'gateway_upstream_errors_total')).toEqual({ [sampleKey('gateway_upstream_errors_total', { kind: 'reset' })]: 1 });
    expect(family(samples, 'gateway_refused_targets_total')).toEqual({ [sampleKey('gateway_refused_targets_total', { reason: 'encoded-delimiter' })]: 1 });
    expect(samples.get(sampleKey('gateway_upstream_duration_seconds_count', { status_class: '2xx' }))).toBe(6);
    expect(samples.get(sampleKey('gateway_upstream_duration_seconds_bucket', { status_class: '2xx', le: '+Inf' }))).toBe(6);

    expect(family(samples, 'gateway_rules_loaded')).toEqual({
      [sampleKey('gateway_rules_loaded', { state: 'enforced' })]: 5,
      [sampleKey('gateway_rules_loaded', { state: 'shadow' })]: 1,
      [sampleKey('gateway_rules_loaded', { state: 'disabled' })]: 0,
    });
    expect(family(samples, 'gateway_rule_reloads_total')).toEqual({
      [sampleKey('gateway_rule_reloads_total', { result: 'success' })]: 0,
      [sampleKey('gateway_rule_reloads_total', { result: 'failure' })]: 0,
    });
    expect(family(samples, 'gateway_rule_set_info')).toEqual({ [sampleKey('gateway_rule_set_info', { hash: gw.state.ruleSet.hash })]: 1 });
    expect(family(samples, 'gateway_microversion_info')).toEqual({
      [sampleKey('gateway_microversion_info', { upstream_max: '2.38', advertised_max: '2.39' })]: 1,
    });

    // The exposition itself, line for line, for a few samples.
    const lines = text.split('\n');
    expect(lines).toEqual(expect.arrayContaining([
      '# TYPE gateway_rule_hits_total counter',
      'gateway_rule_hits_total{rule="hypervisors-gone",action="respond",mode="shadow"} 1',
      'gateway_rule_hits_total{rule="meta-gone",action="respond",mode="enforced"} 1',
      'gateway_requests_total{method="GET",status_class="4xx",version="2.39",answered_by="gateway"} 1',
      'gateway_upstream_errors_total{kind="reset"} 1',
      '# TYPE gateway_upstream_duration_seconds histogram',
      'gateway_upstream_duration_seconds_bucket{le="+Inf",status_class="2xx"} 6',
    ]));

    // Conventions: counters end in _total, no raw path or id in any label value.
    for (const l of lines.filter((x) => x.startsWith('# TYPE '))) {
      const [, , name, type] = l.split(' ');
      expect(name).toMatch(/^gateway_[a-z_]+$/);
      if (type === 'counter') expect(name).toMatch(/_total$/);
    }
    for (const key of samples.keys()) {
      expect(key).not.toMatch(/70a599e0|9168b536|0c6ea3c4|\/v2/);
    }
  });
});

describe('the other pass-through reasons and upstream error kinds', () => {
  let upstream: TestUpstream;
  let gw: OpsGateway;
  const BIG = JSON.stringify({ limits: { rate: [], absolute: { maxImageMeta: 128, pad: 'x'.repeat(200) } } });
  beforeAll(async () => {
    upstream = await startTestUpstream((req, res) => {
      if (req.url === '/v2.1/limits') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(BIG.length) });
        return void res.end(BIG);
      }
      if (req.url === '/v2.1/os-simple-tenant-usage') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': '8' });
        return void res.end('not gzip');
      }
      // /v2.1/servers: never answers (the gateway times out)
    });
    const rules = ruleFile('2.39', [
      { id: 'limits-trim', path: '/limits', actions: '[{ remove: { pointers: [/limits/absolute/maxImageMeta] } }]' },
      { id: 'usage-trim', path: '/os-simple-tenant-usage', actions: '[{ remove: { pointers: [/tenant_usages] } }]' },
    ]);
    gw = await startOpsGateway({
      upstream: upstream.url, rulesDir: tempRulesDir({ 'a.yaml': rules }), logLevel: 'silent',
      flags: { 'rewrite-limit': '100', 'upstream-timeout': '0.2' },
    });
  });
  afterAll(async () => {
    await gw.close(1000);
    await upstream.close();
  });

  test('over-cap, decode-failure, timeout', async () => {
    const at = { headers: { 'OpenStack-API-Version': 'compute 2.39' } };
    const big = await send(gw.proxyUrl + '/v2.1/limits', at);
    expect(big.body).toBe(BIG); // too large to rewrite: passed through whole
    const gz = await send(gw.proxyUrl + '/v2.1/os-simple-tenant-usage', at);
    expect(gz.status).toBe(200);
    expect((await send(gw.proxyUrl + '/v2.1/servers', at)).status).toBe(504);
    await waitFor(async () => Object.keys(family((await scrape(gw)).samples, 'gateway_upstream_errors_total')).length === 1, 'the timeout');
    const { samples } = await scrape(gw);
    const reason = (r: string) => sampleKey('gateway_rewrite_passthrough_total', { reason: r });
    expect(family(samples, 'gateway_rewrite_passthrough_total')).toEqual({ [reason('over-cap')]: 1, [reason('decode-failure')]: 1 });
    expect(family(samples, 'gateway_upstream_errors_total')).toEqual({ [sampleKey('gateway_upstream_errors_total', { kind: 'timeout' })]: 1 });
    await waitFor(async () => (await scrape(gw)).samples.get(sampleKey('gateway_requests_total', { method: 'GET', status_class: '5xx', version: '2.39', answered_by: 'gateway' })) === 1, 'the 504 counted as answered by the gateway');
  });

  test('an upstream that refuses connections: kind "refused", 502 by the gateway', async () => {
    const closed = await startTestUpstream(() => undefined);
    const url = closed.url;
    await closed.close();
    const lonely = await startOpsGateway({ upstream: url, rulesDir: tempRulesDir(), logLevel: 'silent' });
    try {
      expect((await send(lonely.proxyUrl + '/v2.1/servers')).status).toBe(502);
      const { samples } = await scrape(lonely);
      expect(family(samples, 'gateway_upstream_errors_total')).toEqual({ [sampleKey('gateway_upstream_errors_total', { kind: 'refused' })]: 1 });
    } finally {
      await lonely.close(1000);
    }
  });
});
