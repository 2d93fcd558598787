import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly target: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly body: Buffer;
}

export interface TestUpstream {
  readonly url: string;
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/** A plain HTTP server on loopback that records every request it received, exactly. */
export async function startTestUpstream(handler: Handler, onSocket?: (s: Socket) => void): Promise<TestUpstream> {
  const received: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ method: req.method!, target: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, body });
      handler(req, res, body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    onSocket?.(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** Answers like Nova's controllers: JSON, echoing the version it was sent. */
export function novaLikeJson(status: number, body: string, extra: Record<string, string> = {}): Handler {
  return (req, res) => {
    const version = req.headers['x-openstack-nova-api-version'];
    const headers: [string, string][] = [['Content-Type', 'application/json'], ['Content-Length', String(Buffer.byteLength(body))]];
    if (typeof version === 'string') {
      headers.push(['OpenStack-API-Version', `compute ${version}`], ['X-OpenStack-Nova-API-Version', version]);
      headers.push(['Vary', 'OpenStack-API-Version'], ['Vary', 'X-OpenStack-Nova-API-Version']);
    }
    for (const [k, v] of Object.entries(extra)) headers.push([k, v]);
    res.writeHead(status, headers.flat());
    res.end(body);
  };
}
