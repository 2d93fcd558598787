/**
 * Issue "Hardening", part 3: hostile request bodies.
 *  - A body the gateway must read (createImage at 2.39: the withhold rule needs it) over the cap
 *    (--body-limit, default 114688) → 413 overLimit, Nova-shaped; at exactly the cap it is read.
 *  - Where a rule needs the body, Nova's earlier checks: malformed JSON (or bytes that are not
 *    UTF-8) → 400 "Malformed request body"; a non-JSON Content-Type → 415; text/plain or no type = JSON.
 *  - Everywhere else bodies go through byte for byte, invalid JSON and binary included, chunked or not.
 *  - Slow bodies: on a rule route the wait is bounded by Node's requestTimeout (the gateway sets
 *    300 s; lowered here to observe it) → Node's 408; headers trickling in → 408 (headersTimeout);
 *    on a pass-through route the upstream timeout applies → 504.
 */
import http from 'node:http';
import { startTestGateway } from '../support/gateway';
import { startTestUpstream, type TestUpstream } from '../support/recordingUpstream';
import type { RunningGateway } from '../../gateway/server';
import { chunked, exchange, request, waitFor, type Exchange } from '../support/sockets';
import { MARKER } from './support/corpusRun';

const SERVER = '9168b536-cd40-4630-b43f-b259807c6e87';
const NEW_IMAGE = 'd6a5b1f4-0000-4c5e-9e4b-5d0b7f9a1c11';
const ACTION = `/v2.1/servers/${SERVER}/action`;
const IMAGE_METADATA = '/v2.1/images/70a599e0-31e7-49b7-b260-868f441e862b/metadata';
const LIMIT = 114_688;
const at = (v: string): [string, string] => ['OpenStack-API-Version', `compute ${v}`];
const json: [string, string] = ['Content-Type', 'application/json'];

const fault = (status: number, name: string, message: string) => `{"${name}": {"code": ${status}, "message": "${message}"}}`;

function expectFault(a: Exchange, status: number, name: string, message: string, version?: string): void {
  expect(a.kind).toBe('answer');
  if (a.kind !== 'answer') return;
  expect(`${a.status} ${a.body.toString()}`).toBe(`${status} ${fault(status, name, message)}`);
  expect(a.header('Content-Type')).toBe('application/json; charset=UTF-8');
  expect(a.header('OpenStack-API-Version')).toBe(version === undefined ? undefined : `compute ${version}`);
  expect(a.header('X-OpenStack-Nova-API-Version')).toBe(version);
}

function expectStatus(a: Exchange, status: number): void {
  expect(a.kind === 'answer' ? `${a.status} ${a.body.toString().slice(0, 200)}` : `${a.kind} ${a.received.slice(0, 200)}`).toMatch(new RegExp(`^${status} `));
}

describe('request bodies', () => {
  let upstream: TestUpstream;
  let glance: TestUpstream;
  let gw: RunningGateway;
  beforeAll(async () => {
    glance = await startTestUpstream((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
    upstream = await startTestUpstream((req, res) => {
      if (req.method === 'POST' && req.url!.endsWith('/action')) {
        res.writeHead(202, { Location: `http://glance.invalid/images/${NEW_IMAGE}`, 'Content-Length': 0 });
        return void res.end();
      }
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(MARKER) });
      res.end(MARKER);
    });
    gw = await startTestGateway({ upstream: upstream.url, flags: { 'image-service': glance.url } });
  });
  afterAll(async () => {
    await gw.close(1000);
    await upstream.close();
    await glance.close();
  });
  beforeEach(() => {
    upstream.received.splice(0);
    glance.received.splice(0);
  });
  afterEach(async () => {
    const a = await exchange(gw.proxyUrl, request('GET', '/v2.1/limits', [at('2.38')]));
    expectStatus(a, 200);
    expect((await fetch(`${gw.adminUrl}/healthz`)).status).toBe(200);
  });

  describe('over the cap where the gateway must read the body', () => {
    const oversized = JSON.stringify({ createImage: { name: 'snap', metadata: { a: 'x'.repeat(LIMIT) } } });

    test('createImage at 2.39 with Content-Length over 114688 bytes → 413 overLimit, nothing forwarded', async () => {
      const a = await exchange(gw.proxyUrl, request('POST', ACTION, [at('2.39'), json], oversized));
      expectFault(a, 413, 'overLimit', 'Request is too large.', '2.39');
      expect(a.kind === 'answer' && a.header('Connection')).toBe('close');
      expect(upstream.received).toHaveLength(0);
    });

    test('the same body chunked (no Content-Length) → 413 as well', async () => {
      const body = Buffer.from(oversized);
      const a = await exchange(gw.proxyUrl, request('POST', ACTION, [at('latest'), json, ['Transfer-Encoding', 'chunked']], chunked(body.subarray(0, 60_000), body.subarray(60_000))));
      expectFault(a, 413, 'overLimit', 'Request is too large.', '2.39');
      expect(upstream.received).toHaveLength(0);
    });

    test('a client that declares a huge length and sends just past the cap gets the 413 without sending the rest', async () => {
      const head = request('POST', ACTION, [at('2.39'), json, ['Content-Length', '50000000']]);
      const a = await exchange(gw.proxyUrl, [head, '{"createImage": {"name": "', Buffer.alloc(LIMIT, 0x61)]);
      expectFault(a, 413, 'overLimit', 'Request is too large.', '2.39');
    });

    test('a body of exactly 114688 bytes is read and forwarded byte for byte', async () => {
      const prefix = '{"createImage": {"name": "snap", "metadata": {"a": "';
      const suffix = '"}}}';
      const body = prefix + 'y'.repeat(LIMIT - prefix.length - suffix.length) + suffix;
      expect(Buffer.byteLength(body)).toBe(LIMIT);
      const a = await exchange(gw.proxyUrl, request('POST', ACTION, [at('2.39'), json], body));
      // Metadata values over 255 characters fail Nova's schema: not withheld, the upstream validates.
      expectStatus(a, 202);
      expect(upstream.received[0].body.toString()).toBe(body);
    });

    test('below 2.39 no rule reads the body: the same oversized body streams to the upstream', async () => {
      const a = await exchange(gw.proxyUrl, request('POST', ACTION, [at('2.38'), json], oversized));
      expectStatus(a, 202);
      expect(upstream.received[0].body.toString()).toBe(oversized);
    });

    test('--body-limit lowers the cap', async () => {
      const small = await startTestGateway({ upstream: upstream.url, flags: { 'body-limit': '64' } });
      try {
        const body = JSON.stringify({ createImage: { name: 'snap', metadata: { a: 'b'.repeat(60) } } });
        const a = await exchange(small.proxyUrl, request('POST', ACTION, [at('2.39'), json], body));
        expectFault(a, 413, 'overLimit', 'Request is too large.', '2.39');
      } finally {
        await small.close(1000);
      }
    });
  });

  describe('malformed bodies where a rule needs them: Nova\'s 400 with version headers', () => {
    test.each([
      ['truncated JSON', '{"createImage": {"name": "snap"'],
      ['not JSON at all', '{bad'],
      ['an empty object (no action)', '{}'],
      ['two actions', '{"createImage": {"name": "a"}, "createBackup": {"name": "b"}}'],
      ['a JSON array', '[{"createImage": {"name": "snap"}}]'],
      ['a bare string', '"createImage"'],
      ['a UTF-8 byte order mark first', '\ufeff{"createImage": {"name": "snap"}}'],
    ])('createImage at 2.39 with %s', async (_name, body) => {
      const a = await exchange(gw.proxyUrl, request('POST', ACTION, [at('2.39'), json], body));
      expectFault(a, 400, 'badRequest', 'Malformed request body', '2.39');
      expect(upstream.received).toHaveLength(0);
    });

    test('bytes that are not UTF-8 are a malformed body (Nova decodes strictly), never re-encoded and forwarded', async () => {
      const body = Buffer.concat([Buffer.from('{"createImage": {"name": "snap'), Buffer.from([0xff, 0xfe]), Buffer.from('", "metadata": {"a": "1"}}}')]);
      const a = await exchange(gw.proxyUrl, request('POST', ACTION, [at('2.39'), json], body));
      expectFault(a, 400, 'badRequest', 'Malformed request body', '2.39');
      expect(upstream.received).toHaveLength(0);
    });

    test('POST image metadata at 2.39 with malformed JSON: 400 before the version gate (reference §10 row 17)', async () => {
      const a = await exchange(gw.proxyUrl, request('POST', IMAGE_METADATA, [at('2.39'), json], '{bad'));
      expectFault(a, 400, 'badRequest', 'Malformed request body', '2.39');
    });

    test('PUT one key at 2.39 with malformed JSON and no Content-Type: still decoded, 400', async () => {
      const a = await exchange(gw.proxyUrl, request('PUT', `${IMAGE_METADATA}/kernel_id`, [at('2.39')], '{"meta": '));
      expectFault(a, 400, 'badRequest', 'Malformed request body', '2.39');
    });

    test('POST image metadata at 2.39 with a chunked malformed body: Nova does not decode without a length, so 404', async () => {
      const a = await exchange(gw.proxyUrl, request('POST', IMAGE_METADATA, [at('2.39'), json, ['Transfer-Encoding', 'chunked']], chunked('{bad')));
      expectFault(a, 404, 'itemNotFound', 'The resource could not be found.', '2.39');
    });
  });

  describe('content types on a rule route at 2.39, as Nova treats them', () => {
    const body = '{"createImage": {"name": "snap", "metadata": {"a": "1"}}}';
    const withheld = '{"createImage": {"name": "snap"}}';

    test.each([
      ['application/json', 'application/json'],
      ['no Content-Type', undefined],
      ['text/plain (= no type)', 'text/plain'],
      ['empty Content-Type', ''],
      ['JSON with a charset, upper case', 'APPLICATION/JSON; charset=UTF-8'],
      ['the compute media type', 'application/vnd.openstack.compute+json'],
    ])('%s: read as JSON, metadata withheld and written to the image service', async (_name, type) => {
      const headers: [string, string][] = [at('2.39')];
      if (type !== undefined) headers.push(['Content-Type', type]);
      const a = await exchange(gw.proxyUrl, request('POST', ACTION, headers, body));
      expectStatus(a, 202);
      expect(upstream.received[0].body.toString()).toBe(withheld);
      await waitFor(() => glance.received.length === 1);
      expect(glance.received[0].method).toBe('PATCH');
      expect(JSON.parse(glance.received[0].body.toString())).toEqual([{ op: 'add', path: '/a', value: '1' }]);
    });

    test.each([['text/xml'], ['application/xml'], ['application/x-www-form-urlencoded'], ['multipart/form-data; boundary=x']])(
      '%s → 415 badMediaType with version headers, nothing forwarded',
      async (type) => {
        const a = await exchange(gw.proxyUrl, request('POST', ACTION, [at('2.39'), ['Content-Type', type]], '<createImage name="snap"/>'));
        expectFault(a, 415, 'badMediaType', 'Unsupported Content-Type', '2.39');
        expect(upstream.received).toHaveLength(0);
      },
    );

    test('text/xml on image metadata at 2.39 → 415 before the version gate (reference §10 row 18)', async () => {
      const a = await exchange(gw.proxyUrl, request('POST', IMAGE_METADATA, [at('2.39'), ['Content-Type', 'text/xml']], '<metadata/>'));
      expectFault(a, 415, 'badMediaType', 'Unsupported Content-Type', '2.39');
    });

    test('text/plain with valid JSON on image metadata at 2.39 → the version gate\'s 404', async () => {
      const a = await exchange(gw.proxyUrl, request('POST', IMAGE_METADATA, [at('2.39'), ['Content-Type', 'text/plain']], '{"metadata": {}}'));
      expectFault(a, 404, 'itemNotFound', 'The resource could not be found.', '2.39');
    });

    test('text/xml below 2.39: no rule, forwarded untouched for the upstream to refuse', async () => {
      const xml = '<createImage name="snap"/>';
      const a = await exchange(gw.proxyUrl, request('POST', ACTION, [at('2.38'), ['Content-Type', 'text/xml']], xml));
      expectStatus(a, 202);
      expect(upstream.received[0].body.toString()).toBe(xml);
      expect(upstream.received[0].headers['content-type']).toBe('text/xml');
    });
  });

  describe('bodies elsewhere go through byte for byte', () => {
    const binary = Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x22, 0x0d, 0x0a, 0xc0, 0xae, 0x7d]);
    test.each([
      ['invalid JSON to POST /servers at 2.39', 'POST', '/v2.1/servers', '2.39', Buffer.from('{"server": {"name": "x",,}')],
      ['binary bytes to POST /servers at 2.39', 'POST', '/v2.1/servers', '2.39', binary],
      ['invalid JSON to a server action at 2.38 (no rule)', 'POST', ACTION, '2.38', Buffer.from('{bad')],
      ['invalid JSON to PUT /servers/{id} at 2.39', 'PUT', `/v2.1/servers/${SERVER}`, '2.39', Buffer.from('not json')],
      ['invalid JSON to image metadata on legacy /v2', 'POST', IMAGE_METADATA.replace('/v2.1', '/v2'), '2.39', Buffer.from('{bad')],
      ['odd but valid JSON to another action at 2.39', 'POST', ACTION, '2.39', Buffer.from('{ "os-start" :null }  \n')],
      ['escaped Unicode in createImage without metadata at 2.39', 'POST', ACTION, '2.39', Buffer.from('{"createImage":{"name":"sn\\u00e4p \u00e9"}}')],
      ['createImage with invalid metadata at 2.39 (left for the upstream to validate)', 'POST', ACTION, '2.39', Buffer.from('{"createImage": {"name": "s", "metadata": {"a/b": "c"}}}')],
    ])('%s', async (_name, method, target, version, body) => {
      const a = await exchange(gw.proxyUrl, request(method, target, [at(version), json], body));
      expect(a.kind).toBe('answer');
      expect(upstream.received).toHaveLength(1);
      expect(upstream.received[0].body.equals(body)).toBe(true);
      expect(upstream.received[0].headers['content-length']).toBe(String(body.length));
    });

    test('a chunked body to a pass-through route arrives whole and unchanged', async () => {
      const parts = ['{"server": ', '{"name": "x", ', Buffer.from([0xff, 0x00]), '"imageRef": "abc"}}'];
      const a = await exchange(gw.proxyUrl, request('POST', '/v2.1/servers', [at('2.39'), json, ['Transfer-Encoding', 'chunked']], chunked(...parts)));
      expectStatus(a, 200);
      const expected = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
      expect(upstream.received[0].body.equals(expected)).toBe(true);
    });

    test('a chunked createImage at 2.39 is read, its metadata withheld, and forwarded with a Content-Length', async () => {
      const a = await exchange(
        gw.proxyUrl,
        request('POST', ACTION, [at('2.39'), json, ['Transfer-Encoding', 'chunked']], chunked('{"createImage": {"name": "snap", ', '"metadata": {"k": "v"}}}')),
      );
      expectStatus(a, 202);
      const got = upstream.received[0];
      expect(got.body.toString()).toBe('{"createImage": {"name": "snap"}}');
      expect(got.headers['content-length']).toBe(String(got.body.length));
      expect(got.headers['transfer-encoding']).toBeUndefined();
      await waitFor(() => glance.received.length === 1);
    });

    test('a client that sends half a pass-through body and leaves: the upstream request is abandoned, the gateway carries on', async () => {
      const head = request('POST', '/v2.1/servers', [at('2.39'), json, ['Content-Length', '100']]);
      const a = await exchange(gw.proxyUrl, [head, '{"server": '], { abortAfterSend: true });
      expect(a.kind).toBe('cut');
      expect(upstream.received).toHaveLength(0);
    });
  });
});

describe('slow bodies', () => {
  let upstream: TestUpstream;
  beforeAll(async () => {
    upstream = await startTestUpstream((_req, res) => {
      res.writeHead(202, { 'Content-Length': 0 });
      res.end();
    });
  });
  afterAll(() => upstream.close());

  describe('with Node\'s requestTimeout lowered from the gateway\'s 300 s to 1 s', () => {
    let gw: RunningGateway;
    let options: http.ServerOptions | undefined;
    beforeAll(async () => {
      const original = http.createServer.bind(http) as (o: http.ServerOptions, l?: http.RequestListener) => http.Server;
      const spy = jest.spyOn(http, 'createServer').mockImplementation(((o: http.ServerOptions | http.RequestListener, l?: http.RequestListener) => {
        if (typeof o === 'function' || o.requestTimeout === undefined) return typeof o === 'function' ? original({}, o) : original(o, l);
        options = o;
        return original({ ...o, requestTimeout: 1000, connectionsCheckingInterval: 100 }, l);
      }) as typeof http.createServer);
      try {
        gw = await startTestGateway({ upstream: upstream.url });
      } finally {
        spy.mockRestore();
      }
    });
    afterAll(() => gw.close(1000));

    test('the gateway itself sets requestTimeout 300 s (Node 20: headersTimeout defaults to 60 s)', () => {
      expect(options?.requestTimeout).toBe(300_000);
    });

    test('createImage at 2.39: half the body, then silence → Node\'s 408 at the request timeout, nothing forwarded', async () => {
      const body = '{"createImage": {"name": "snap", "metadata": {"a": "1"}}}';
      const head = request('POST', ACTION, [at('2.39'), json, ['Content-Length', String(body.length)]]);
      const a = await exchange(gw.proxyUrl, [head, body.slice(0, 20)], { timeoutMs: 8000 });
      expect(a.kind === 'answer' ? `${a.status} ${a.body.length}` : a.kind).toBe('408 0');
      expect(upstream.received).toHaveLength(0);
      const ok = await exchange(gw.proxyUrl, request('GET', '/v2.1/limits'));
      expectStatus(ok, 202);
    });

    test('a request head trickling in and stopping → Node\'s 408 (headersTimeout)', async () => {
      const a = await exchange(gw.proxyUrl, ['POST /v2.1/servers HTTP/1.1\r\nHost: 127.0.0.1\r\nOpenStack-API-'], { timeoutMs: 8000 });
      expect(a.kind === 'answer' ? a.status : a.kind).toBe(408);
    });
  });

  test('pass-through route: half the body, then silence → 504 after --upstream-timeout', async () => {
    const gw = await startTestGateway({ upstream: upstream.url, flags: { 'upstream-timeout': '0.5' } });
    try {
      const head = request('POST', '/v2.1/servers', [at('2.39'), json, ['Content-Length', '100']]);
      const a = await exchange(gw.proxyUrl, [head, '{"server": {"name": '], { timeoutMs: 8000 });
      expectFault(a, 504, 'computeFault', 'The gateway has timed out.', '2.39');
      const ok = await exchange(gw.proxyUrl, request('GET', '/v2.1/limits'));
      expectStatus(ok, 202);
    } finally {
      await gw.close(1000);
    }
  });
});
