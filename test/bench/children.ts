import pino from 'pino';
/**
 * Entry point of the benchmark's child processes, one server per process:
 *
 *   node children.js upstream
 *   node children.js express-hpm  <target>
 *   node children.js http-proxy   <target>
 *   node children.js gateway      <target> <rulesDir>
 *
 * Each child listens on an ephemeral loopback port and reports it over IPC as
 * { type: 'ready', url, adminUrl? }. It exits on { type: 'stop' }, SIGTERM, SIGINT or when
 * its parent goes away (IPC disconnect), always through process.exit so that --cpu-prof
 * writes its profile. { type: 'mark', id } is answered with the child's monotonic clock in
 * microseconds (the clock of .cpuprofile timestamps), to cut a profile to the load window.
 */
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import httpProxy from 'http-proxy';
import { createUpstreamServer } from './upstream';
import { watchGcCounts } from '../support/gcCounts';
import { resolveConfig } from '../../gateway/config';
import { startGateway } from '../../gateway/server';
import { createLogger } from '../../gateway/observe/logger';

type ChildMessage = { type: 'stop' } | { type: 'mark' | 'gc-counts' | 'full-gc'; id: number };

function urlOf(server: http.Server): string {
  const a = server.address() as AddressInfo;
  return `http://127.0.0.1:${a.port}`;
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(urlOf(server)));
  });
}

/** What a user would write by hand: Express 5 + http-proxy-middleware defaults, keep-alive agent. */
async function expressHpm(target: string): Promise<{ url: string }> {
  const app = express();
  app.use(createProxyMiddleware({ target, agent: new http.Agent({ keepAlive: true }) }));
  return { url: await listen(http.createServer(app)) };
}

/** The least a Node proxy can do: node:http + http-proxy, keep-alive agent. */
async function bareHttpProxy(target: string): Promise<{ url: string }> {
  const proxy = httpProxy.createProxyServer({ target, agent: new http.Agent({ keepAlive: true }) });
  proxy.on('error', (_err, _req, res) => {
    const r = res as http.ServerResponse;
    if (!r.headersSent && typeof r.writeHead === 'function') r.writeHead(502);
    r.end();
  });
  return { url: await listen(http.createServer((req, res) => proxy.web(req, res))) };
}

/** Diagnostics for the profile: which layer costs what. */
async function nodeHttpHpm(target: string, eject: boolean): Promise<{ url: string }> {
  const proxy = createProxyMiddleware({ target, agent: new http.Agent({ keepAlive: true }), ...(eject ? { ejectPlugins: true } : {}) });
  return { url: await listen(http.createServer((req, res) => void proxy(req, res, () => res.writeHead(502).end()))) };
}

async function expressHttpProxy(target: string): Promise<{ url: string }> {
  const proxy = httpProxy.createProxyServer({ target, agent: new http.Agent({ keepAlive: true }) });
  proxy.on('error', (_err, _req, res) => void (res as http.ServerResponse).destroy());
  const app = express();
  app.use((req, res) => proxy.web(req, res));
  return { url: await listen(http.createServer(app)) };
}

/** Express's per-request prototype swap alone (application.js: Object.setPrototypeOf(req/res, app.request/response)). */
async function setPrototypeHttpProxy(target: string): Promise<{ url: string }> {
  const proxy = httpProxy.createProxyServer({ target, agent: new http.Agent({ keepAlive: true }) });
  proxy.on('error', (_err, _req, res) => void (res as http.ServerResponse).destroy());
  const reqProto = Object.create(http.IncomingMessage.prototype) as object;
  const resProto = Object.create(http.ServerResponse.prototype) as object;
  return {
    url: await listen(
      http.createServer((req, res) => {
        Object.setPrototypeOf(req, reqProto);
        Object.setPrototypeOf(res, resProto);
        proxy.web(req, res);
      }),
    ),
  };
}

type GatewayModules = {
  resolveConfig: typeof resolveConfig;
  startGateway: typeof startGateway;
  createLogger: typeof createLogger;
};

/**
 * The gateway's modules: this checkout's, or those of another compiled build when
 * BENCH_GATEWAY_DIST names its dist/gateway directory (to measure a candidate change).
 */
function gatewayModules(): GatewayModules {
  const dir = process.env.BENCH_GATEWAY_DIST;
  if (!dir) return { resolveConfig, startGateway, createLogger };
  const load = (name: string) => require(path.resolve(dir, name)) as Record<string, unknown>;
  return {
    resolveConfig: load('config.js').resolveConfig as typeof resolveConfig,
    startGateway: load('server.js').startGateway as typeof startGateway,
    createLogger: load('observe/logger.js').createLogger as typeof createLogger,
  };
}

/** The gateway's log level in the bench (default info: one access line per request, as deployed). */
const GATEWAY_LOG_LEVEL = process.env.BENCH_GATEWAY_LOG_LEVEL ?? 'info';

async function gateway(target: string, rulesDir: string): Promise<{ url: string; adminUrl: string }> {
  const { resolveConfig, startGateway, createLogger } = gatewayModules();
  const config = resolveConfig(
    {
      upstream: target,
      listen: '127.0.0.1:0',
      'admin-listen': '127.0.0.1:0',
      rules: rulesDir,
      'upstream-max-version': '2.38',
      'log-level': GATEWAY_LOG_LEVEL,
      'watch-rules': 'false',
    },
    {},
  );
  // As deployed: access lines at info, buffered like stdout, written where nobody reads them.
  const sink = pino.destination({ dest: '/dev/null', minLength: 4096, sync: false });
  const gw = await startGateway(config, { logger: createLogger(GATEWAY_LOG_LEVEL, sink), collectProcessMetrics: false });
  await gw.ready;
  return { url: gw.proxyUrl, adminUrl: gw.adminUrl };
}

/** Garbage collections by kind since start, when BENCH_GC_COUNTS=1 (gcstate.ts asks for them). */
const gcCounts = process.env.BENCH_GC_COUNTS === '1' ? watchGcCounts() : { minor: 0, major: 0 };

async function main(): Promise<void> {
  const [role, target, rulesDir] = process.argv.slice(2);
  const exit = () => process.exit(0);
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
  process.on('disconnect', exit);
  process.on('message', (m: ChildMessage) => {
    if (m.type === 'stop') return exit();
    const answer = (fields: object) => process.send?.({ type: 'answer', id: m.id, ...fields });
    if (m.type === 'mark') answer({ us: Number(process.hrtime.bigint() / 1000n) });
    else if (m.type === 'gc-counts') answer({ ...gcCounts });
    else if (m.type === 'full-gc') answer({ done: typeof global.gc === 'function' && (global.gc(), true) });
  });

  let started: { url: string; adminUrl?: string };
  switch (role) {
    case 'upstream':
      started = { url: await listen(createUpstreamServer()) };
      break;
    case 'express-hpm':
      started = await expressHpm(target);
      break;
    case 'http-proxy':
      started = await bareHttpProxy(target);
      break;
    case 'node-http-hpm':
      started = await nodeHttpHpm(target, false);
      break;
    case 'node-http-hpm-ejected':
      started = await nodeHttpHpm(target, true);
      break;
    case 'setprototype-http-proxy':
      started = await setPrototypeHttpProxy(target);
      break;
    case 'express-http-proxy':
      started = await expressHttpProxy(target);
      break;
    case 'gateway':
      started = await gateway(target, rulesDir);
      break;
    default:
      throw new Error(`unknown role ${role}`);
  }
  process.send?.({ type: 'ready', pid: process.pid, ...started });
}

main().catch((err: Error) => {
  process.stderr.write(`bench child failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
