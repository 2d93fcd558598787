/**
 * Graceful shutdown: stop accepting, let in-flight requests finish up to a deadline, close
 * keep-alive connections, exit 0 on SIGTERM/SIGINT. In-process through close(), and for
 * real by spawning the CLI and signalling it.
 */
import http, { type ServerResponse } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { startTestUpstream, novaLikeJson, type TestUpstream } from '../support/recordingUpstream';
import { readyz, ruleFile, send, startOpsGateway, tempRulesDir, waitFor, type OpsGateway, type SimpleResponse } from './helpers';
import { removeBuild, spawnServe, type ServeProcess } from './cli';

const BODY = '{"servers": []}';

/** An upstream that holds requests marked `X-Hold: yes` until released. */
async function holdingUpstream() {
  const held: Array<() => void> = [];
  const answer = novaLikeJson(200, BODY);
  const upstream = await startTestUpstream((req, res: ServerResponse, body) => {
    if (req.headers['x-hold'] === 'yes') held.push(() => answer(req, res, body));
    else answer(req, res, body);
  });
  return { upstream, held, releaseAll: () => held.splice(0).forEach((r) => r()) };
}

function connectRefused(url: string): Promise<boolean> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect(Number(port), '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

const HOLD = { 'X-Hold': 'yes', 'OpenStack-API-Version': 'compute 2.20' };

describe('close(): in-process', () => {
  let up: Awaited<ReturnType<typeof holdingUpstream>>;
  beforeAll(async () => {
    up = await holdingUpstream();
  });
  afterAll(async () => {
    up.releaseAll();
    await up.upstream.close();
  });

  test('in-flight requests finish, new connections are refused, keep-alive connections are closed', async () => {
    const gw = await startOpsGateway({ upstream: up.upstream.url, rulesDir: tempRulesDir() });
    const agent = new http.Agent({ keepAlive: true });
    try {
      // An idle keep-alive connection, left open by a finished request.
      const idle = net.connect(Number(new URL(gw.proxyUrl).port), '127.0.0.1');
      const idleClosed = new Promise<void>((r) => idle.once('close', () => r()));
      let idleAnswer = '';
      idle.on('data', (c: Buffer) => (idleAnswer += c.toString()));
      idle.write('GET /v2.1/servers HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await waitFor(() => idleAnswer.endsWith(BODY), 'the idle connection\'s first answer');

      const inFlight: Promise<SimpleResponse>[] = [
        send(gw.proxyUrl + '/v2.1/servers', { headers: HOLD, agent }),
        send(gw.proxyUrl + '/v2.1/servers/detail', { headers: HOLD, agent }),
      ];
      await waitFor(() => up.held.length === 2, 'both requests to reach the upstream');

      let closed = false;
      const closing = gw.close(10_000).then(() => (closed = true));
      await idleClosed; // closed at once
      expect(await connectRefused(gw.proxyUrl)).toBe(true);
      const ready = await readyz(gw); // the admin port stays up while draining
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('shutting down');
      expect(closed).toBe(false);

      up.releaseAll();
      const answers = await Promise.all(inFlight);
      for (const a of answers) {
        expect(a.status).toBe(200);
        expect(a.body).toBe(BODY);
        expect(a.headers.connection).toBe('close'); // the client will not reuse the connection
      }
      await closing;
      expect(await connectRefused(gw.adminUrl)).toBe(true);
      expect(gw.logs.map((l) => l.msg)).toEqual(expect.arrayContaining([
        'draining: no new connections, finishing in-flight requests',
        'drained: every in-flight request finished',
      ]));
      expect(gw.logs.find((l) => l.msg.startsWith('draining'))).toMatchObject({ inFlight: 2 });
      // Closing twice is harmless.
      await gw.close();
    } finally {
      agent.destroy();
      up.releaseAll();
      await gw.close(100);
    }
  });

  test('at the deadline, requests still in flight are cut and close() resolves', async () => {
    const gw = await startOpsGateway({ upstream: up.upstream.url, rulesDir: tempRulesDir() });
    try {
      const stuck = send(gw.proxyUrl + '/v2.1/servers', { headers: HOLD }).then(
        () => 'answered',
        (err: NodeJS.ErrnoException) => err.code ?? err.message,
      );
      await waitFor(() => up.held.length === 1, 'the request to reach the upstream');
      const started = Date.now();
      await gw.close(300);
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(250);
      expect(took).toBeLessThan(3000);
      expect(await stuck).toMatch(/ECONNRESET|socket hang up/);
      expect(gw.logs.find((l) => l.msg.startsWith('drained'))).toMatchObject({ level: 'warn', abandoned: 1 });
    } finally {
      up.releaseAll();
      await gw.close(100);
    }
  });
});

describe('the CLI process: signals', () => {
  let up: Awaited<ReturnType<typeof holdingUpstream>>;
  beforeAll(async () => {
    up = await holdingUpstream();
  });
  afterAll(async () => {
    up.releaseAll();
    await up.upstream.close();
    removeBuild();
  });

  const serve = (dir: string) => spawnServe(['--upstream', up.upstream.url, '--rules', dir, '--upstream-max-version', '2.38',
    '--watch-rules', 'false', '--shutdown-timeout', '20']);

  test('started as npm start and the image start it: no warning about node flags; started bare: one warning naming them', async () => {
    const bare = await spawnServe(['--upstream', up.upstream.url, '--rules', tempRulesDir(), '--upstream-max-version', '2.38', '--watch-rules', 'false'], []);
    const flagged = await serve(tempRulesDir());
    try {
      const flagWarnings = (p: ServeProcess) => p.logs.filter((l) => l.level === 'warn' && Array.isArray(l.missing));
      expect(flagWarnings(flagged)).toEqual([]);
      expect(flagWarnings(bare)).toEqual([expect.objectContaining({ missing: ['--min-semi-space-size=16', '--initial-old-space-size=64', '--no-concurrent-array-buffer-sweeping'] })]);
      expect(flagWarnings(bare)[0].msg).toContain('node --min-semi-space-size=16 --initial-old-space-size=64 --no-concurrent-array-buffer-sweeping ');
    } finally {
      bare.kill();
      flagged.kill();
    }
  }, 30_000);

  test('SIGTERM with a slow request in flight: the request completes, the process exits 0', async () => {
    let proc: ServeProcess | undefined;
    try {
      proc = await serve(tempRulesDir());
      const slow = send(proc.proxyUrl + '/v2.1/servers', { headers: HOLD });
      await waitFor(() => up.held.length === 1, 'the slow request to reach the upstream');
      process.kill(proc.child.pid!, 'SIGTERM');
      const p = proc;
      await waitFor(() => p.logs.find((l) => l.msg.startsWith('draining')), 'the draining log line');
      expect(await connectRefused(proc.proxyUrl)).toBe(true);
      expect(proc.child.exitCode).toBeNull(); // still finishing the request
      up.releaseAll();
      const res = await slow;
      expect(res.status).toBe(200);
      expect(res.body).toBe(BODY);
      expect(await proc.exited).toEqual({ code: 0, signal: null });
      const msgs = proc.logs.map((l) => l.msg);
      expect(msgs).toEqual(expect.arrayContaining([
        'shutting down: finishing in-flight requests', 'drained: every in-flight request finished', 'stopped',
      ]));
      expect(proc.logs.find((l) => l.msg === 'shutting down: finishing in-flight requests')).toMatchObject({ signal: 'SIGTERM' });
      expect(proc.logs.find((l) => l.msg === 'request')).toMatchObject({ status: 200, route: '/v2.1/servers', completed: true });
    } finally {
      up.releaseAll();
      proc?.kill();
    }
  }, 30_000);

  test('SIGHUP reloads the rules; SIGINT stops an idle gateway with exit 0', async () => {
    let proc: ServeProcess | undefined;
    const dir = tempRulesDir({ 'a.yaml': ruleFile('2.39', [{ id: 'meta-gone', path: '/images/{image_id}/metadata', actions: '[{ respond: { status: 404 } }]' }]) });
    try {
      proc = await serve(dir);
      const p = proc;
      const before = (await send(proc.adminUrl + '/readyz')).body;
      writeFileSync(path.join(dir, 'a.yaml'), ruleFile('2.39', [{ id: 'cells-gone', path: '/os-cells', actions: '[{ respond: { status: 404 } }]' }]));
      process.kill(proc.child.pid!, 'SIGHUP');
      const line = await waitFor(() => p.logs.find((l) => l.msg === 'rules reloaded'), 'the reload log line');
      expect(line).toMatchObject({ reason: 'SIGHUP', changed: true, rules: 1 });
      const after = JSON.parse((await send(proc.adminUrl + '/readyz')).body) as { ruleSetHash: string };
      expect(after.ruleSetHash).toBe(line.hash);
      expect(after.ruleSetHash).not.toBe(JSON.parse(before).ruleSetHash);

      process.kill(proc.child.pid!, 'SIGINT');
      expect(await proc.exited).toEqual({ code: 0, signal: null });
    } finally {
      proc?.kill();
    }
  }, 30_000);
});
