import net from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly statusText: string;
  /** Header lines in order, names as sent. */
  readonly headerLines: [string, string][];
  readonly body: Buffer;
  header(name: string): string | undefined;
  headers(name: string): string[];
}

/**
 * Sends bytes exactly as given over a fresh TCP connection and parses the answer
 * (Content-Length, chunked, or read to close). No client-side normalisation of the target.
 */
export function rawRequest(baseUrl: string, request: string | Buffer, timeoutMs = 10_000): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('raw request timed out'));
    }, timeoutMs);
    socket.on('data', (c) => {
      chunks.push(c);
      const parsed = tryParse(Buffer.concat(chunks), false);
      if (parsed) finish(parsed);
    });
    socket.on('end', () => {
      const parsed = tryParse(Buffer.concat(chunks), true);
      if (parsed) finish(parsed);
      else fail(new Error(`connection closed before a full answer: ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 200))}`));
    });
    socket.on('error', fail);
    socket.write(request);
    function finish(r: RawResponse) {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    }
    function fail(e: Error) {
      clearTimeout(timer);
      reject(e);
    }
  });
}

/** Builds a request with the exact target; adds Host and Connection: close. */
export function rawGet(target: string, headers: Record<string, string> = {}, method = 'GET', body?: string): string {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return lines.join('\r\n') + '\r\n\r\n' + (body ?? '');
}

function tryParse(buf: Buffer, ended: boolean): RawResponse | undefined {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(head[0]);
  if (!m) throw new Error(`bad status line ${head[0]}`);
  const headerLines = head.slice(1).map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i), l.slice(i + 1).trim()] as [string, string];
  });
  const get = (n: string) => headerLines.filter(([k]) => k.toLowerCase() === n.toLowerCase()).map(([, v]) => v);
  const rest = buf.subarray(headEnd + 4);
  const status = Number(m[1]);
  let body: Buffer | undefined;
  const length = get('content-length')[0];
  if (status === 204 || status === 304 || status < 200) body = Buffer.alloc(0);
  else if (length !== undefined) body = rest.length >= Number(length) ? rest.subarray(0, Number(length)) : undefined;
  else if (get('transfer-encoding')[0]?.toLowerCase() === 'chunked') body = dechunk(rest);
  else if (ended) body = rest;
  if (!body) return undefined;
  return { status, statusText: m[2], headerLines, body, header: (n) => get(n)[0], headers: get };
}

function dechunk(buf: Buffer): Buffer | undefined {
  const out: Buffer[] = [];
  let i = 0;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', i);
    if (lineEnd < 0) return undefined;
    const size = parseInt(buf.subarray(i, lineEnd).toString('latin1'), 16);
    if (size === 0) return Buffer.concat(out);
    const start = lineEnd + 2;
    if (buf.length < start + size + 2) return undefined;
    out.push(buf.subarray(start, start + size));
    i = start + size + 2;
  }
}
