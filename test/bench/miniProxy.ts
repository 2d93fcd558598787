/**
 * A bench child with nothing loaded but node:http and http-proxy (children.ts loads Express, the
 * gateway and the rest in every child): `gcstate.js mini-http-proxy`. BENCH_MINI_REQUIRE lists
 * modules to load without using them (comma-separated, e.g. "express"), to see what loading
 * them alone changes. Speaks the children.ts IPC: ready, gc-counts, full-gc, stop.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import httpProxy from 'http-proxy';
import { watchGcCounts } from '../support/gcCounts';

const loaded: unknown[] = (process.env.BENCH_MINI_REQUIRE ?? '').split(',').filter(Boolean).map((m) => require(m) as unknown);

const gcCounts = watchGcCounts();

const target = process.argv[2];
const proxy = httpProxy.createProxyServer({ target, agent: new http.Agent({ keepAlive: true }) });
proxy.on('error', (_err, _req, res) => void (res as http.ServerResponse).destroy());
const server = http.createServer((req, res) => proxy.web(req, res));

process.on('disconnect', () => process.exit(0));
process.on('message', (m: { type: string; id?: number }) => {
  if (m.type === 'stop') process.exit(0);
  const answer = (fields: object) => process.send?.({ type: 'answer', id: m.id, ...fields });
  if (m.type === 'gc-counts') answer({ ...gcCounts });
  else if (m.type === 'full-gc') answer({ done: typeof global.gc === 'function' && (global.gc(), true) });
  else if (m.type === 'mark') answer({ us: Number(process.hrtime.bigint() / 1000n) });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}`, loaded: loaded.length });
});
