import request from 'supertest';
import { gzipSync } from 'node:zlib';
import { startTestGateway, rulesDir } from '../support/gateway';
import { startTestUpstream, novaLikeJson, type TestUpstream } from '../support/recordingUpstream';
import { rawGet, rawRequest } from '../support/rawHttp';
import { waitFor } from '../support/sockets';
import type { RunningGateway } from '../../gateway/server';

const LIMITS = '{"limits": {"rate": [], "absolute": {"maxImageMeta": 128, "maxServerMeta": 128, "maxTotalCores": 20}}}';
const EMPTY_RULES = rulesDir({});

describe('forwarding with no rules: the gateway is transparent but negotiates versions itself', () => {
  let upstream: TestUpstream;
  let gw: RunningGateway;
  beforeAll(async () => {
    upstream = await startTestUpstream(novaLikeJson(200, LIMITS, { 'x-openstack-request-id': 'req-upstream-1', 'X-Custom': 'kept' }));
    gw = await startTestGateway({ upstream: upstream.url, rulesDir: EMPTY_RULES });
  });
  afterAll(async () => {
    await gw.close(1000);
    await upstream.close();
  });
  beforeEach(() => upstream.received.splice(0));

  test('an answer passes through byte for byte, version headers echo the negotiated version', async () => {
    const res = await rawRequest(gw.proxyUrl, rawGet('/v2.1/limits', { 'OpenStack-API-Version': 'compute 2.38' }));
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(LIMITS);
    expect(res.header('OpenStack-API-Version')).toBe('compute 2.38');
    expect(res.header('X-OpenStack-Nova-API-Version')).toBe('2.38');
    expect(res.headers('Vary')).toEqual(['OpenStack-API-Version', 'X-OpenStack-Nova-API-Version']);
    expect(res.header('x-openstack-request-id')).toBe('req-upstream-1');
    expect(res.header('X-Custom')).toBe('kept');
    expect(res.headerLines.map(([n]) => n)).toContain('OpenStack-API-Version');
  });

  test('the upstream is asked the negotiated version in both header forms', async () => {
    await request(gw.proxyUrl).get('/v2.1/limits').set('X-OpenStack-Nova-API-Version', '2.5, 2.7').expect(200);
    const got = upstream.received[0].headers;
    expect(got['openstack-api-version']).toBe('compute 2.7');
    expect(got['x-openstack-nova-api-version']).toBe('2.7');
  });

  test('no version header → 2.1 both ways', async () => {
    const res = await request(gw.proxyUrl).get('/v2.1/limits').expect(200);
    expect(res.headers['openstack-api-version']).toBe('compute 2.1');
    expect(upstream.received[0].headers['x-openstack-nova-api-version']).toBe('2.1');
  });

  test('latest → the advertised maximum', async () => {
    const res = await request(gw.proxyUrl).get('/v2.1/limits').set('OpenStack-API-Version', 'compute latest').expect(200);
    expect(res.headers['openstack-api-version']).toBe('compute 2.38');
  });

  test('malformed version: 400 from the gateway, no version headers, nothing forwarded', async () => {
    const res = await rawRequest(gw.proxyUrl, rawGet('/v2.1/limits', { 'OpenStack-API-Version': 'compute 2.1.3' }));
    expect(res.status).toBe(400);
    expect(res.body.toString()).toBe(
      '{"badRequest": {"code": 400, "message": "API Version String 2.1.3 is of invalid format. Must be of format MajorNum.MinorNum."}}',
    );
    expect(res.header('Content-Type')).toBe('application/json; charset=UTF-8');
    expect(res.header('OpenStack-API-Version')).toBeUndefined();
    expect(res.header('Vary')).toBeUndefined();
    expect(res.header('x-openstack-request-id')).toMatch(/^req-[0-9a-f-]{36}$/);
    expect(res.header('x-compute-request-id')).toBe(res.header('x-openstack-request-id'));
    expect(upstream.received).toHaveLength(0);
  });

  test('out of range: 406 with the gateway range, echoing the requested version', async () => {
    const res = await rawRequest(gw.proxyUrl, rawGet('/v2.1/limits', { 'X-OpenStack-Nova-API-Version': '2.39' }));
    expect(res.status).toBe(406);
    expect(res.body.toString()).toBe(
      '{"computeFault": {"code": 406, "message": "Version 2.39 is not supported by the API. Minimum is 2.1 and maximum is 2.38."}}',
    );
    expect(res.header('OpenStack-API-Version')).toBe('compute 2.39');
    expect(res.header('X-OpenStack-Nova-API-Version')).toBe('2.39');
    expect(res.headers('Vary')).toEqual(['OpenStack-API-Version', 'X-OpenStack-Nova-API-Version']);
    expect(upstream.received).toHaveLength(0);
  });

  test('/v2 strips version headers both ways, even invalid ones', async () => {
    const res = await rawRequest(gw.proxyUrl, rawGet('/v2/limits', { 'OpenStack-API-Version': 'compute abc', 'X-OpenStack-Nova-API-Version': '9.9' }));
    expect(res.status).toBe(200);
    expect(upstream.received[0].headers['openstack-api-version']).toBeUndefined();
    expect(upstream.received[0].headers['x-openstack-nova-api-version']).toBeUndefined();
    expect(res.header('OpenStack-API-Version')).toBeUndefined();
    expect(res.header('X-OpenStack-Nova-API-Version')).toBeUndefined();
  });

  test('the root document ignores version headers entirely', async () => {
    const res = await rawRequest(gw.proxyUrl, rawGet('/', { 'OpenStack-API-Version': 'compute Latest' }));
    expect(res.status).toBe(200);
    expect(upstream.received[0].headers['openstack-api-version']).toBe('compute Latest');
  });

  test('X-Forwarded-* added, hop-by-hop fields dropped, others kept', async () => {
    await rawRequest(gw.proxyUrl, rawGet('/v2.1/limits', { 'Keep-Alive': 'timeout=5', 'X-Drop-Me': '1', Connection: 'X-Drop-Me', 'X-Auth-Token': 'u:p', TE: 'trailers' }));
    const h = upstream.received[0].headers;
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe('127.0.0.1');
    expect(h['keep-alive']).toBeUndefined();
    expect(h['x-drop-me']).toBeUndefined();
    expect(h.te).toBeUndefined();
    expect(h['x-auth-token']).toBe('u:p');
  });

  test('request bodies stream through untouched', async () => {
    const body = '{"server": {"name": "x", "imageRef": "abc"}}';
    await request(gw.proxyUrl).post('/v2.1/servers').set('Content-Type', 'application/json').send(body).expect(200);
    expect(upstream.received[0].body.toString()).toBe(body);
    expect(upstream.received[0].method).toBe('POST');
  });
});

describe('path spellings: refused with 400 or forwarded in canonical form', () => {
  let upstream: TestUpstream;
  let gw: RunningGateway;
  beforeAll(async () => {
    upstream = await startTestUpstream(novaLikeJson(200, '{}'));
    gw = await startTestGateway({ upstream: upstream.url, rulesDir: EMPTY_RULES });
  });
  afterAll(async () => {
    await gw.close(1000);
    await upstream.close();
  });
  beforeEach(() => upstream.received.splice(0));

  test.each([
    ['/v2.1/servers', '/v2.1/servers'],
    ['/v2.1//servers', '/v2.1/servers'],
    ['//v2.1///servers//detail', '/v2.1/servers/detail'],
    ['/v2.1/./servers', '/v2.1/servers'],
    ['/v2.1/flavors/../servers', '/v2.1/servers'],
    ['/v2.1/flavors/%2e%2e/servers', '/v2.1/servers'],
    ['/v2.1/flavors/%2E%2E/servers', '/v2.1/servers'],
    ['/v2.1/flavors/.%2e/servers', '/v2.1/servers'],
    ['/v2.1/%73ervers', '/v2.1/servers'],
    ['/v2.1/SERVERS', '/v2.1/SERVERS'],
    ['/v2.1/servers/', '/v2.1/servers/'],
    ['/v2.1/servers?all_tenants=1&name=%2F', '/v2.1/servers?all_tenants=1&name=%2F'],
    ['/v2.1/servers/abc%20def', '/v2.1/servers/abc%20def'],
    ['/v2.1/servers/abc%2adef', '/v2.1/servers/abc%2Adef'],
    ['/v2.1/servers/%c3%a9', '/v2.1/servers/%C3%A9'],
    ['/v2.1/c0ffee/servers', '/v2.1/c0ffee/servers'],
    ['/v2.1/servers.json', '/v2.1/servers.json'],
    ['/v2.1/servers/http:/x', '/v2.1/servers/http:/x'],
    ['/v2.1/servers/a//http://x', '/v2.1/servers/a/http:/x'],
    ['http://127.0.0.1/v2.1/servers', '/v2.1/servers'],
    ['/v2.1/servers/~x', '/v2.1/servers/~x'],
  ])('%s is forwarded as %s', async (target, forwarded) => {
    const res = await rawRequest(gw.proxyUrl, rawGet(target));
    expect(res.status).toBe(200);
    expect(upstream.received.map((r) => r.target)).toEqual([forwarded]);
  });

  test.each([
    ['/v2.1/servers%2Fdetail', 'percent-encoded / \\\\ ; ? or # in path'],
    ['/v2.1/servers%2fdetail', 'percent-encoded / \\\\ ; ? or # in path'],
    ['/v2.1/servers%5Cdetail', 'percent-encoded / \\\\ ; ? or # in path'],
    ['/v2.1/servers%3Bx', 'percent-encoded / \\\\ ; ? or # in path'],
    ['/v2.1/servers%23x', 'percent-encoded / \\\\ ; ? or # in path'],
    ['/v2.1/servers%3Fx', 'percent-encoded / \\\\ ; ? or # in path'],
    ['/v2.1/servers;jsessionid=1', 'path parameter (;) in path'],
    ['/v2.1/servers\\detail', 'backslash in path'],
    ['/v2.1/servers%00', 'percent-encoded control character in path'],
    ['/v2.1/servers/%C0%AE%C0%AE/x', 'percent-encoded bytes are not UTF-8'],
    ['/v2.1/servers/%zz', 'malformed percent-escape in path'],
    ['/v2.1/servers#x', 'fragment (#) in request target'],
    ['http://other.example/v2.1/servers', 'absolute-form request target naming another host'],
    ['/v2.1/servers/{x}', 'character not allowed unencoded in a path'],
    ['/v2.1/servers/"x"', 'character not allowed unencoded in a path'],
  ])('%s is refused', async (target, why) => {
    const res = await rawRequest(gw.proxyUrl, rawGet(target));
    expect(res.status).toBe(400);
    expect(res.body.toString()).toBe(`{"badRequest": {"code": 400, "message": "Malformed request URL: ${why}."}}`);
    expect(upstream.received).toHaveLength(0);
  });
});

describe('upstream faults', () => {
  test('unreachable upstream → 502 computeFault with version headers', async () => {
    const dead = await startTestUpstream(() => undefined);
    const url = dead.url;
    await dead.close();
    const gw = await startTestGateway({ upstream: url, rulesDir: EMPTY_RULES });
    try {
      const res = await rawRequest(gw.proxyUrl, rawGet('/v2.1/limits', { 'X-OpenStack-Nova-API-Version': '2.10' }));
      expect(res.status).toBe(502);
      expect(res.body.toString()).toBe('{"computeFault": {"code": 502, "message": "Bad gateway."}}');
      expect(res.header('OpenStack-API-Version')).toBe('compute 2.10');
      const metrics = await (await fetch(`${gw.adminUrl}/metrics`)).text();
      expect(metrics).toContain('gateway_upstream_errors_total{kind="refused"} 1');
    } finally {
      await gw.close(1000);
    }
  });

  test('slow upstream → 504 computeFault after the configured timeout', async () => {
    const slow = await startTestUpstream(() => undefined);
    const gw = await startTestGateway({ upstream: slow.url, rulesDir: EMPTY_RULES, flags: { 'upstream-timeout': '0.3' } });
    try {
      const res = await rawRequest(gw.proxyUrl, rawGet('/v2.1/limits'));
      expect(res.status).toBe(504);
      expect(res.body.toString()).toBe('{"computeFault": {"code": 504, "message": "The gateway has timed out."}}');
      expect(res.header('OpenStack-API-Version')).toBe('compute 2.1');
    } finally {
      await gw.close(1000);
      await slow.close();
    }
  });

  test('a client that disconnects aborts its upstream request', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((r) => (upstreamClosed = r));
    const hanging = await startTestUpstream((req, res) => {
      res.on('close', () => upstreamClosed());
    });
    const gw = await startTestGateway({ upstream: hanging.url, rulesDir: EMPTY_RULES });
    try {
      const ac = new AbortController();
      const pending = fetch(`${gw.proxyUrl}/v2.1/servers`, { signal: ac.signal }).catch(() => 'aborted');
      await waitFor(() => hanging.received.length === 1);
      ac.abort();
      expect(await pending).toBe('aborted');
      await closed;
    } finally {
      await gw.close(1000);
      await hanging.close();
    }
  });
});

describe('rewritten answers', () => {
  const REMOVE_RULE = `
microversion: "2.39"
title: test
description: test
rules:
  - id: drop-max-image-meta
    description: test
    match: { methods: [GET], path: /limits, versions: ">=2.39" }
    actions:
      - remove: { pointers: [/limits/absolute/maxImageMeta] }
`;
  let gw: RunningGateway;
  let upstream: TestUpstream;
  let mode: 'gzip' | 'text' | 'deflate' | 'br-broken' = 'gzip';
  beforeAll(async () => {
    upstream = await startTestUpstream((req, res) => {
      const v = String(req.headers['x-openstack-nova-api-version']);
      const common = ['OpenStack-API-Version', `compute ${v}`, 'X-OpenStack-Nova-API-Version', v];
      if (mode === 'gzip') {
        const z = gzipSync(LIMITS);
        res.writeHead(200, ['Content-Type', 'application/json', 'Content-Encoding', 'gzip', 'Content-Length', String(z.length), ...common]);
        res.end(z);
      } else if (mode === 'br-broken') {
        res.writeHead(200, ['Content-Type', 'application/json', 'Content-Encoding', 'br', 'Content-Length', '5', ...common]);
        res.end('xxxxx');
      } else {
        res.writeHead(200, ['Content-Type', 'text/html', ...common]);
        res.end('<html>not json</html>');
      }
    });
    gw = await startTestGateway({ upstream: upstream.url, rulesDir: rulesDir({ '2.39.yaml': REMOVE_RULE }) });
  });
  afterAll(async () => {
    await gw.close(1000);
    await upstream.close();
  });

  test('remove on a gzip upstream body: decoded, edited, correct Content-Length', async () => {
    mode = 'gzip';
    const res = await rawRequest(gw.proxyUrl, rawGet('/v2.1/limits', { 'OpenStack-API-Version': 'compute 2.39', 'Accept-Encoding': 'gzip' }));
    expect(res.status).toBe(200);
    const expected = '{"limits": {"rate": [], "absolute": {"maxServerMeta": 128, "maxTotalCores": 20}}}';
    expect(res.body.toString()).toBe(expected);
    expect(res.header('Content-Length')).toBe(String(expected.length));
    expect(res.header('Content-Encoding')).toBeUndefined();
    expect(res.header('OpenStack-API-Version')).toBe('compute 2.39');
    expect(upstream.received.at(-1)!.headers['x-openstack-nova-api-version']).toBe('2.38');
  });

  test('below the rule range the gzip body passes through untouched', async () => {
    mode = 'gzip';
    const res = await rawRequest(gw.proxyUrl, rawGet('/v2.1/limits', { 'OpenStack-API-Version': 'compute 2.38' }));
    expect(res.header('Content-Encoding')).toBe('gzip');
    expect(res.body).toEqual(gzipSync(LIMITS));
  });

  test('a non-JSON body passes through unchanged and is counted', async () => {
    mode = 'text';
    const res = await rawRequest(gw.proxyUrl, rawGet('/v2.1/limits', { 'OpenStack-API-Version': 'compute 2.39' }));
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('<html>not json</html>');
    const metrics = await (await fetch(`${gw.adminUrl}/metrics`)).text();
    expect(metrics).toContain('gateway_rewrite_passthrough_total{reason="not-json"} 1');
  });

  test('an undecodable body passes through unchanged and is counted', async () => {
    mode = 'br-broken';
    const res = await rawRequest(gw.proxyUrl, rawGet('/v2.1/limits', { 'OpenStack-API-Version': 'compute 2.39' }));
    expect(res.body.toString()).toBe('xxxxx');
    expect(res.header('Content-Encoding')).toBe('br');
    const metrics = await (await fetch(`${gw.adminUrl}/metrics`)).text();
    expect(metrics).toContain('gateway_rewrite_passthrough_total{reason="decode-failure"} 1');
  });
});
