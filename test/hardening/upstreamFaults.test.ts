/**
 * Issue "Hardening", part 4: an upstream that misbehaves. A raw TCP upstream picks its fault from
 * the forwarded query (?mode=...), so one gateway sees all of them, on a pass-through route
 * (/v2.1/servers/detail, streamed) and on a route whose answer a rule rewrites (/v2.1/limits at
 * 2.39: buffered, JSON expected). Each fault gives a Nova-shaped 502/504, an unchanged
 * pass-through, or — only once the answer's head has gone to the client — a cut connection.
 * The gateway stays healthy throughout.
 */
import net from 'node:net';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { startTestGateway } from '../support/gateway';
import { startTestUpstream } from '../support/recordingUpstream';
import type { RunningGateway } from '../../gateway/server';
import { exchange, request, type Exchange } from '../support/sockets';

const LIMITS = '{"limits": {"rate": [], "absolute": {"maxImageMeta": 128, "maxServerMeta": 128, "maxTotalCores": 20}}}';
const REWRITTEN = '{"limits": {"rate": [], "absolute": {"maxServerMeta": 128, "maxTotalCores": 20}}}';
const BAD_GATEWAY = '{"computeFault": {"code": 502, "message": "Bad gateway."}}';
const TIMED_OUT = '{"computeFault": {"code": 504, "message": "The gateway has timed out."}}';

/** A 200 head; a Content-Type among `lines` replaces the JSON default. */
const head = (lines: string[]) => {
  const type = lines.some((l) => l.startsWith('Content-Type:')) ? [] : ['Content-Type: application/json'];
  return ['HTTP/1.1 200 OK', ...type, 'Connection: close', ...lines].join('\r\n') + '\r\n\r\n';
};

/** Faults by name: what the upstream does once it has read a request head. */
const FAULTS: Record<string, (s: net.Socket) => void> = {
  ok: (s) => s.end(head([`Content-Length: ${LIMITS.length}`]) + LIMITS),
  garbage: (s) => s.end('\x00\x01\x02 not http at all\r\n\r\n'),
  'http/0.9': (s) => s.end('hello'),
  'bad status line': (s) => s.end('HTTP/1.1 2xx Fine\r\nContent-Length: 0\r\n\r\n'),
  'reset before headers': (s) => s.resetAndDestroy(),
  'close before headers': (s) => s.end(),
  'never answers': () => undefined,
  'both Content-Length and chunked': (s) => s.end(head(['Transfer-Encoding: chunked', 'Content-Length: 3']) + '3\r\nabc\r\n0\r\n\r\n'),
  'reset after headers': (s) => {
    s.write(head(['Content-Length: 200']) + '{"limits": ');
    setTimeout(() => s.resetAndDestroy(), 30);
  },
  'close after headers (short body)': (s) => {
    s.write(head(['Content-Length: 200']) + '{"limits": ');
    setTimeout(() => s.end(), 30);
  },
  'stall after headers': (s) => s.write(head(['Content-Length: 200']) + '{"limits": '),
  'truncated chunked body': (s) => {
    s.write(head(['Transfer-Encoding: chunked']) + '40\r\n{"limits": ');
    setTimeout(() => s.end(), 30);
  },
  'invalid chunk size': (s) => {
    s.write(head(['Transfer-Encoding: chunked']) + 'zz\r\nabc\r\n');
    setTimeout(() => s.end(), 30);
  },
};

/** Answers that are complete HTTP but not what a rule expects: passed through unchanged. */
const ODD_BODIES: Record<string, { lines: string[]; body: Buffer }> = {
  'not JSON': { lines: ['Content-Type: text/html'], body: Buffer.from('<html>upstream says hi</html>') },
  'JSON cut short, complete per Content-Length': { lines: [], body: Buffer.from('{"limits": {"rate": [], "absol') },
  'empty body': { lines: [], body: Buffer.alloc(0) },
  'read to close (no length)': { lines: [], body: Buffer.from('{"limits": "read to close') },
  'corrupt gzip': { lines: ['Content-Encoding: gzip'], body: gzipSync(LIMITS).subarray(0, 25) },
  'gzip bomb (20 MB of zeros, over the rewrite limit)': { lines: ['Content-Encoding: gzip'], body: gzipSync(Buffer.alloc(20 * 1024 * 1024)) },
  'unknown coding': { lines: ['Content-Encoding: compress'], body: Buffer.from('\x1f\x9d\x90junk') },
  'two codings': { lines: ['Content-Encoding: gzip, br'], body: brotliCompressSync(gzipSync(LIMITS)) },
};

/** Compressed JSON a rule can decode: rewritten at 2.39 (decoded, re-sent plain), untouched below. */
const COMPRESSED: Record<string, { coding: string; body: Buffer }> = {
  gzip: { coding: 'gzip', body: gzipSync(LIMITS) },
  'x-gzip': { coding: 'x-gzip', body: gzipSync(LIMITS) },
  'deflate (zlib)': { coding: 'deflate', body: deflateSync(LIMITS) },
  'deflate (raw)': { coding: 'deflate', body: deflateRawSync(LIMITS) },
  br: { coding: 'br', body: brotliCompressSync(LIMITS) },
  'GZIP in capitals': { coding: 'GZIP', body: gzipSync(LIMITS) },
};

function rawUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    let buf = '';
    const onData = (c: Buffer) => {
      buf += c.toString('latin1');
      if (!buf.includes('\r\n\r\n')) return;
      s.off('data', onData);
      const target = buf.slice(0, buf.indexOf('\r\n')).split(' ')[1];
      const mode = decodeURIComponent(new URL(target, 'http://x').searchParams.get('mode') ?? 'ok');
      const odd = ODD_BODIES[mode];
      const comp = COMPRESSED[mode];
      if (odd) {
        const length = mode === 'read to close (no length)' ? [] : [`Content-Length: ${odd.body.length}`];
        s.end(Buffer.concat([Buffer.from(head([...odd.lines, ...length]), 'latin1'), odd.body]));
      } else if (comp) {
        s.end(Buffer.concat([Buffer.from(head([`Content-Encoding: ${comp.coding}`, `Content-Length: ${comp.body.length}`]), 'latin1'), comp.body]));
      } else (FAULTS[mode] ?? FAULTS.ok)(s);
    };
    s.on('data', onData);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => {
          for (const s of sockets) s.destroy();
          return new Promise((r) => server.close(() => r()));
        },
      });
    });
  });
}

const at = (v: string): [string, string] => ['OpenStack-API-Version', `compute ${v}`];
const show = (a: Exchange) => (a.kind === 'answer' ? `${a.status} ${a.body.toString('latin1').slice(0, 100)}` : `${a.kind} ${JSON.stringify(a.received.slice(0, 80))}`);

function expectFault(a: Exchange, body: string, version: string): void {
  expect(show(a)).toBe(`${body === BAD_GATEWAY ? 502 : 504} ${body}`);
  if (a.kind !== 'answer') return;
  expect(a.header('Content-Type')).toBe('application/json; charset=UTF-8');
  expect(a.header('OpenStack-API-Version')).toBe(`compute ${version}`);
}

describe('upstream faults', () => {
  let upstream: Awaited<ReturnType<typeof rawUpstream>>;
  let gw: RunningGateway;
  beforeAll(async () => {
    upstream = await rawUpstream();
    gw = await startTestGateway({ upstream: upstream.url, flags: { 'upstream-timeout': '0.5' } });
  });
  afterAll(async () => {
    await gw.close(1000);
    await upstream.close();
  });
  afterEach(async () => {
    const ok = await exchange(gw.proxyUrl, request('GET', '/v2.1/limits?mode=ok', [at('2.39')]));
    expect(show(ok)).toBe(`200 ${REWRITTEN}`);
    expect((await fetch(`${gw.adminUrl}/healthz`)).status).toBe(200);
  });

  const send = (path: string, mode: string, version: string) =>
    exchange(gw.proxyUrl, request('GET', `${path}?mode=${encodeURIComponent(mode)}`, [at(version)]), { timeoutMs: 8000 });

  describe.each([
    ['pass-through /v2.1/servers/detail at 2.39', '/v2.1/servers/detail', '2.39'],
    ['pass-through /v2.1/limits at 2.38', '/v2.1/limits', '2.38'],
    ['rewritten /v2.1/limits at 2.39', '/v2.1/limits', '2.39'],
  ])('%s', (_name, path, version) => {
    const buffered = path === '/v2.1/limits' && version === '2.39';

    test.each([
      ['garbage'], ['http/0.9'], ['bad status line'], ['reset before headers'], ['close before headers'], ['both Content-Length and chunked'],
    ])('%s → 502', async (mode) => {
      expectFault(await send(path, mode, version), BAD_GATEWAY, version);
    });

    test('never answers → 504 after --upstream-timeout', async () => {
      expectFault(await send(path, 'never answers', version), TIMED_OUT, version);
    });

    test.each([['reset after headers'], ['close after headers (short body)'], ['truncated chunked body'], ['invalid chunk size']])(
      '%s → ' + (buffered ? '502 (nothing was sent yet)' : 'the connection is cut (the head was already sent)'),
      async (mode) => {
        const a = await send(path, mode, version);
        if (buffered) expectFault(a, BAD_GATEWAY, version);
        else expect(a.kind === 'cut' || (a.kind === 'answer' && a.status === 502)).toBe(true);
      },
    );

    test('stall after headers → ' + (buffered ? '504' : 'cut at the upstream timeout'), async () => {
      const a = await send(path, 'stall after headers', version);
      if (buffered) expectFault(a, TIMED_OUT, version);
      else {
        expect(a.kind).toBe('cut');
        expect(a.kind === 'cut' && a.received.startsWith('HTTP/1.1 200 OK')).toBe(true);
      }
    });

    test.each(Object.keys(ODD_BODIES).map((k) => [k]))('%s → passed through unchanged', async (mode) => {
      const a = await send(path, mode, version);
      expect(a.kind).toBe('answer');
      if (a.kind !== 'answer') return;
      expect(a.status).toBe(200);
      expect(a.body.equals(ODD_BODIES[mode].body)).toBe(true);
      const coding = ODD_BODIES[mode].lines.find((l) => l.startsWith('Content-Encoding'));
      expect(a.header('Content-Encoding')).toBe(coding?.split(': ')[1]);
    });

    test.each(Object.keys(COMPRESSED).map((k) => [k]))('%s body → ' + (buffered ? 'decoded and rewritten' : 'passed through compressed'), async (mode) => {
      const a = await send(path, mode, version);
      expect(a.kind).toBe('answer');
      if (a.kind !== 'answer') return;
      if (buffered) {
        expect(a.body.toString()).toBe(REWRITTEN);
        expect(a.header('Content-Encoding')).toBeUndefined();
        expect(a.header('Content-Length')).toBe(String(REWRITTEN.length));
      } else {
        expect(a.body.equals(COMPRESSED[mode].body)).toBe(true);
        expect(a.header('Content-Encoding')).toBe(COMPRESSED[mode].coding);
      }
    });
  });

  test('a burst of every fault at once leaves the gateway serving', async () => {
    const modes = [...Object.keys(FAULTS), ...Object.keys(ODD_BODIES), ...Object.keys(COMPRESSED)];
    const all = await Promise.all(
      modes.flatMap((m) => [send('/v2.1/limits', m, '2.39'), send('/v2.1/servers/detail', m, '2.38')]),
    );
    expect(all.filter((a) => a.kind === 'timeout')).toEqual([]);
    const metrics = await (await fetch(`${gw.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/gateway_upstream_errors_total\{kind="timeout"\} [1-9]/);
    expect(metrics).toMatch(/gateway_upstream_errors_total\{kind="reset"\} [1-9]/);
  });
});

describe('an upstream that refuses connections', () => {
  test('→ 502 with version headers; the gateway keeps serving and /healthz stays 200', async () => {
    const dead = await startTestUpstream(() => undefined);
    const url = dead.url;
    await dead.close();
    const gw = await startTestGateway({ upstream: url });
    try {
      for (const v of ['2.39', '2.38', '2.1']) {
        expectFault(await exchange(gw.proxyUrl, request('GET', '/v2.1/limits', [at(v)])), BAD_GATEWAY, v);
      }
      const blocked = await exchange(gw.proxyUrl, request('GET', '/v2.1/images/x/metadata', [at('2.39')]));
      expect(show(blocked)).toMatch(/^404 /);
      expect((await fetch(`${gw.adminUrl}/healthz`)).status).toBe(200);
      const metrics = await (await fetch(`${gw.adminUrl}/metrics`)).text();
      expect(metrics).toContain('gateway_upstream_errors_total{kind="refused"} 3');
    } finally {
      await gw.close(1000);
    }
  });
});
