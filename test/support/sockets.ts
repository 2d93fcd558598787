import net from 'node:net';

/**
 * Raw-socket exchanges for hostile clients: bytes sent exactly as given, possibly in parts with
 * pauses between them (slow bodies), and every way an exchange can end reported, not thrown:
 * a parsed answer, a connection cut before a full answer, or a client-side timeout.
 */

export interface Answer {
  readonly kind: 'answer';
  readonly status: number;
  readonly headerLines: readonly [string, string][];
  readonly body: Buffer;
  readonly elapsedMs: number;
  header(name: string): string | undefined;
  headers(name: string): string[];
}

export interface Cut {
  readonly kind: 'cut';
  /** What arrived before the connection ended (Latin-1). */
  readonly received: string;
  readonly elapsedMs: number;
}

export interface TimedOut {
  readonly kind: 'timeout';
  readonly received: string;
  readonly elapsedMs: number;
}

export type Exchange = Answer | Cut | TimedOut;

/** A part of a request: bytes to write, or a pause before the next write. */
export type Part = string | Buffer | { readonly pauseMs: number };

export interface ExchangeOptions {
  /** Give up client-side after this long (default 10 s). */
  readonly timeoutMs?: number;
  /** The request is HEAD: the answer has no body whatever its Content-Length. */
  readonly head?: boolean;
  /** Destroy the socket after the last part is written (client abort). */
  readonly abortAfterSend?: boolean;
}

export function exchange(baseUrl: string, parts: Part | readonly Part[], options: ExchangeOptions = {}): Promise<Exchange> {
  const { hostname, port } = new URL(baseUrl);
  const list = Array.isArray(parts) ? (parts as readonly Part[]) : [parts as Part];
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let done = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (result: Exchange) => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      socket.destroy();
      resolve(result);
    };
    const elapsed = () => Date.now() - started;
    const received = () => Buffer.concat(chunks).toString('latin1');
    timers.push(setTimeout(() => finish({ kind: 'timeout', received: received(), elapsedMs: elapsed() }), options.timeoutMs ?? 10_000));
    socket.on('data', (c) => {
      chunks.push(c);
      const parsed = parseAnswer(Buffer.concat(chunks), false, options.head ?? false, elapsed());
      if (parsed) finish(parsed);
    });
    socket.on('end', () => {
      const parsed = parseAnswer(Buffer.concat(chunks), true, options.head ?? false, elapsed());
      finish(parsed ?? { kind: 'cut', received: received(), elapsedMs: elapsed() });
    });
    socket.on('close', () => {
      const parsed = parseAnswer(Buffer.concat(chunks), true, options.head ?? false, elapsed());
      finish(parsed ?? { kind: 'cut', received: received(), elapsedMs: elapsed() });
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      let delay = 0;
      for (const part of list) {
        if (typeof part === 'object' && !Buffer.isBuffer(part)) {
          delay += part.pauseMs;
          continue;
        }
        const bytes = typeof part === 'string' ? Buffer.from(part, 'latin1') : part;
        if (delay === 0) socket.write(bytes);
        else timers.push(setTimeout(() => !socket.destroyed && socket.write(bytes), delay));
      }
      if (options.abortAfterSend) timers.push(setTimeout(() => finish({ kind: 'cut', received: received(), elapsedMs: elapsed() }), delay + 20));
    });
  });
}

/** A request head with Host and Connection: close, then the given header lines (Latin-1), then an optional body. */
export function request(method: string, target: string, headerLines: readonly (readonly [string, string])[] = [], body?: string | Buffer): Buffer {
  const head = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headerLines.map(([k, v]) => `${k}: ${v}`)];
  const bodyBytes = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  if (bodyBytes !== undefined && !headerLines.some(([k]) => /^(content-length|transfer-encoding)$/i.test(k))) {
    head.push(`Content-Length: ${bodyBytes.length}`);
  }
  return Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n', 'latin1'), bodyBytes ?? Buffer.alloc(0)]);
}

/** Chunked transfer coding of the given pieces, with the final zero chunk. */
export function chunked(...pieces: (string | Buffer)[]): Buffer {
  const out: Buffer[] = [];
  for (const p of pieces) {
    const b = typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
    if (b.length === 0) continue;
    out.push(Buffer.from(b.length.toString(16) + '\r\n'), b, Buffer.from('\r\n'));
  }
  out.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(out);
}

function parseAnswer(buf: Buffer, ended: boolean, head: boolean, elapsedMs: number): Answer | undefined {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const lines = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!m) return undefined;
  const headerLines = lines.slice(1).map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i), l.slice(i + 1).trim()] as [string, string];
  });
  const all = (n: string) => headerLines.filter(([k]) => k.toLowerCase() === n.toLowerCase()).map(([, v]) => v);
  const status = Number(m[1]);
  const rest = buf.subarray(headEnd + 4);
  let body: Buffer | undefined;
  const length = all('content-length')[0];
  if (head || status === 204 || status === 304 || status < 200) body = Buffer.alloc(0);
  else if (all('transfer-encoding')[0]?.toLowerCase() === 'chunked') body = dechunk(rest);
  else if (length !== undefined) body = rest.length >= Number(length) ? rest.subarray(0, Number(length)) : undefined;
  else if (ended) body = rest;
  if (!body) return undefined;
  return { kind: 'answer', status, headerLines, body, elapsedMs, header: (n) => all(n)[0], headers: all };
}

function dechunk(buf: Buffer): Buffer | undefined {
  const out: Buffer[] = [];
  let i = 0;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', i);
    if (lineEnd < 0) return undefined;
    const size = parseInt(buf.subarray(i, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return undefined;
    if (size === 0) return Buffer.concat(out);
    const start = lineEnd + 2;
    if (buf.length < start + size + 2) return undefined;
    out.push(buf.subarray(start, start + size));
    i = start + size + 2;
  }
}

/** Runs tasks with at most `width` in flight, keeping result order. */
export async function pooled<T, R>(items: readonly T[], width: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

export function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (cond()) return resolve();
      if (Date.now() > end) return reject(new Error('condition not met in time'));
      setTimeout(tick, 10);
    };
    tick();
  });
}
