/**
 * Requests in flight across a reload finish on the rule set they started with (the request
 * context captures it), and reloading under steady traffic fails no request.
 */
import http, { type ServerResponse } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { startTestUpstream, novaLikeJson, type TestUpstream } from '../support/recordingUpstream';
import { getAt, ruleFile, send, startOpsGateway, tempRulesDir, waitFor, type OpsGateway } from './helpers';

const LIMITS = '{"limits": {"rate": [], "absolute": {"maxImageMeta": 128, "maxServerMeta": 128}}}';
const SERVER_ACTION = '/v2.1/servers/9168b536-cd40-4630-b43f-b259807c6e87/action';
const META = '/v2.1/images/70a599e0-31e7-49b7-b260-868f441e862b/metadata';

const TRIM_IMAGE_META = ruleFile('2.39', [{ id: 'trim-image-meta', path: '/limits', actions: '[{ remove: { pointers: [/limits/absolute/maxImageMeta] } }]' }]);
const TRIM_SERVER_META = ruleFile('2.39', [{ id: 'trim-server-meta', path: '/limits', actions: '[{ remove: { pointers: [/limits/absolute/maxServerMeta] } }]' }]);

describe('an answer in flight across a reload is rewritten by the rules it started with', () => {
  let upstream: TestUpstream;
  let gw: OpsGateway;
  const held: ServerResponse[] = [];
  const dir = tempRulesDir({ 'a.yaml': TRIM_IMAGE_META });
  beforeAll(async () => {
    const answer = novaLikeJson(200, LIMITS);
    upstream = await startTestUpstream((req, res, body) => {
      if (req.headers['x-hold'] === 'yes') held.push(Object.assign(res, { release: () => answer(req, res, body) }));
      else answer(req, res, body);
    });
    gw = await startOpsGateway({ upstream: upstream.url, rulesDir: dir });
  });
  afterAll(async () => {
    await gw.close(1000);
    await upstream.close();
  });

  test('limits: the first request keeps maxServerMeta, the one after the reload keeps maxImageMeta', async () => {
    const get = () => send(gw.proxyUrl + '/v2.1/limits', { headers: { 'OpenStack-API-Version': 'compute 2.39', 'X-Hold': 'yes' } });
    const before = get();
    await waitFor(() => held.length === 1, 'the first request to reach the upstream');
    writeFileSync(path.join(dir, 'a.yaml'), TRIM_SERVER_META);
    expect(await gw.reloadRules('test')).toMatchObject({ ok: true, changed: true });
    const after = get();
    await waitFor(() => held.length === 2, 'the second request to reach the upstream');
    for (const res of held) (res as ServerResponse & { release(): void }).release();

    expect(JSON.parse((await before).body).limits.absolute).toEqual({ maxServerMeta: 128 });
    expect(JSON.parse((await after).body).limits.absolute).toEqual({ maxImageMeta: 128 });
    const lines = gw.logs.filter((l) => l.msg === 'request');
    expect(lines.map((l) => l.rules)).toEqual([['trim-image-meta'], ['trim-server-meta']]);
  });
});

describe('a request whose rules are matched before its body arrives keeps them across a reload', () => {
  const REFUSE_CREATE_IMAGE = ruleFile('2.39', [
    { id: 'no-create-image', methods: ['POST'], path: '/servers/{server_id}/action', serverActions: ['createImage'], actions: '[{ respond: { status: 404 } }]' },
  ]);
  const NOTHING_ON_ACTIONS = ruleFile('2.39', [{ id: 'trim-image-meta', path: '/limits', actions: '[{ remove: { pointers: [/limits/absolute/maxImageMeta] } }]' }]);
  let upstream: TestUpstream;
  let gw: OpsGateway;
  const dir = tempRulesDir({ 'a.yaml': REFUSE_CREATE_IMAGE });
  beforeAll(async () => {
    upstream = await startTestUpstream(novaLikeJson(202, ''));
    gw = await startOpsGateway({ upstream: upstream.url, rulesDir: dir });
  });
  afterAll(async () => {
    await gw.close(1000);
    await upstream.close();
  });

  test('the rule set is captured when the request starts, not when its body is complete', async () => {
    const body = JSON.stringify({ createImage: { name: 'snap' } });
    const socket = net.connect(Number(new URL(gw.proxyUrl).port), '127.0.0.1');
    try {
      let received = '';
      socket.on('data', (c: Buffer) => (received += c.toString('latin1')));
      socket.write(
        [`POST ${SERVER_ACTION} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', 'Content-Type: application/json',
          'OpenStack-API-Version: compute 2.39', `Content-Length: ${body.length}`, 'Expect: 100-continue', '', ''].join('\r\n'),
      );
      // Node writes "100 Continue" and runs the request handler in the same tick: once the
      // client reads it, the request has its context (and rule set) and is waiting for the body.
      await waitFor(() => received.includes('100 Continue'), '100 Continue');
      writeFileSync(path.join(dir, 'a.yaml'), NOTHING_ON_ACTIONS);
      expect(await gw.reloadRules('test')).toMatchObject({ ok: true, changed: true });
      socket.write(body);
      await waitFor(() => /\r\n\r\n\{"itemNotFound"/.test(received), 'the final answer');
      expect(received).toMatch(/HTTP\/1\.1 404 Not Found\r\n/);
      expect(upstream.received).toHaveLength(0);
    } finally {
      socket.destroy();
    }

    // A request that starts now is on the new set: forwarded.
    const now = await send(gw.proxyUrl + SERVER_ACTION, {
      method: 'POST', body, headers: { 'Content-Type': 'application/json', 'OpenStack-API-Version': 'compute 2.39' },
    });
    expect(now.status).toBe(202);
    expect(upstream.received).toHaveLength(1);
  });
});

describe('reloading repeatedly under steady traffic', () => {
  const GONE = ruleFile('2.39', [{ id: 'meta-gone', path: '/images/{image_id}/metadata', actions: '[{ respond: { status: 404 } }]' }]);
  const KEPT = TRIM_IMAGE_META;
  const GONE_BODY = '{"itemNotFound": {"code": 404, "message": "The resource could not be found."}}';
  let upstream: TestUpstream;
  let gw: OpsGateway;
  const dir = tempRulesDir({ 'a.yaml': GONE });
  beforeAll(async () => {
    upstream = await startTestUpstream(novaLikeJson(200, LIMITS));
    gw = await startOpsGateway({ upstream: upstream.url, rulesDir: dir, watch: { debounceMs: 20, maxWaitMs: 100 }, logLevel: 'warn' });
  });
  afterAll(async () => {
    await gw.close(1000);
    await upstream.close();
  });

  test('fails no request over 2 s of reloads (watched and SIGHUP-style), every answer from one set or the other', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const stopAt = Date.now() + 2000;
    const failures: string[] = [];
    const outcomes = { gone: 0, proxied: 0, limits: 0 };
    const client = async () => {
      for (let i = 0; Date.now() < stopAt; i++) {
        try {
          if (i % 2) {
            const r = await getAt(gw.proxyUrl, META, '2.39', agent);
            if (r.status === 404 && r.body === GONE_BODY) outcomes.gone++;
            else if (r.status === 200 && r.body === LIMITS) outcomes.proxied++;
            else failures.push(`metadata: ${r.status} ${r.body}`);
          } else {
            const r = await getAt(gw.proxyUrl, '/v2.1/limits', '2.39', agent);
            const absolute = r.status === 200 ? JSON.parse(r.body).limits.absolute : undefined;
            if (absolute && absolute.maxServerMeta === 128) outcomes.limits++;
            else failures.push(`limits: ${r.status} ${r.body}`);
          }
        } catch (err) {
          failures.push(`error: ${(err as Error).message}`);
        }
      }
    };
    let reloads = 0;
    const reloader = async () => {
      for (let i = 0; Date.now() < stopAt; i++) {
        writeFileSync(path.join(dir, 'a.yaml'), i % 2 ? GONE : KEPT);
        if (i % 3 === 0) {
          const r = await gw.reloadRules('SIGHUP');
          if (!r.ok) failures.push(`reload: ${r.errors.join('; ')}`);
        }
        reloads++;
        await new Promise((r) => setTimeout(r, 15));
      }
    };
    try {
      await Promise.all([client(), client(), client(), client(), reloader()]);
    } finally {
      agent.destroy();
    }
    expect(failures).toEqual([]);
    expect(reloads).toBeGreaterThan(20);
    expect(outcomes.gone).toBeGreaterThan(0);
    expect(outcomes.proxied).toBeGreaterThan(0);
    expect(outcomes.limits).toBeGreaterThan(0);
  });
});
