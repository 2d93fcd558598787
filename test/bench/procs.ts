import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The benchmark's child processes: each server in its own process, started and stopped by
 * pid only. Every child is recorded here so that an error, SIGINT or SIGTERM of the runner
 * still stops all of them.
 */

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  readonly adminUrl?: string;
  /** The child's monotonic clock in microseconds (node children only). */
  mark(): Promise<number>;
  /** A question to a node child (see children.ts), answered over IPC. */
  ask<T>(type: string): Promise<T>;
  stop(): Promise<void>;
}

const live = new Map<number, ChildProcess>();
const tempDirs: string[] = [];

function exited(proc: ChildProcess, ms: number): Promise<boolean> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

async function stopProcess(proc: ChildProcess, graceful: () => void, graceMs: number): Promise<void> {
  if (proc.pid === undefined) return;
  if (!(await exited(proc, 0))) {
    try {
      graceful();
    } catch {
      /* already gone */
    }
    if (!(await exited(proc, graceMs))) {
      try {
        process.kill(proc.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await exited(proc, 2000);
    }
  }
  live.delete(proc.pid);
}

/** Records a short-lived child (a load generator run) so that SIGINT/SIGTERM of the runner stops it too. */
export function trackChild(proc: ChildProcess): void {
  if (proc.pid === undefined) return;
  live.set(proc.pid, proc);
  proc.once('exit', () => live.delete(proc.pid!));
}

const CHILD_SCRIPT = path.join(__dirname, 'children.js');

/** Forks a node child (children.ts, or another script speaking its IPC) and waits for its 'ready' message. */
export function startNodeChild(name: string, args: string[], execArgv: string[] = [], script = CHILD_SCRIPT): Promise<Child> {
  const proc = fork(script, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (proc.pid !== undefined) live.set(proc.pid, proc);
  let askId = 0;
  const answers = new Map<number, (answer: unknown) => void>();
  proc.on('message', (m: { type: string; id?: number }) => {
    if (m.type === 'answer' && m.id !== undefined) answers.get(m.id)?.(m);
  });
  const ask = <T>(type: string) =>
    new Promise<T>((res) => {
      const id = ++askId;
      answers.set(id, (answer) => (answers.delete(id), res(answer as T)));
      proc.send({ type, id });
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${name}: not ready within 30 s`)), 30_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      void stopProcess(proc, () => process.kill(proc.pid!, 'SIGKILL'), 1000);
      reject(err);
    };
    proc.once('exit', (code, signal) => fail(new Error(`${name}: exited before ready (code ${code}, signal ${signal})`)));
    proc.once('error', fail);
    proc.on('message', (m: { type: string; url?: string; adminUrl?: string }) => {
      if (m.type !== 'ready' || !m.url) return;
      clearTimeout(timer);
      proc.removeAllListeners('exit');
      resolve({
        name,
        pid: proc.pid!,
        url: m.url,
        adminUrl: m.adminUrl,
        mark: () => ask<{ us: number }>('mark').then((a) => a.us),
        ask,
        // Graceful first (profiles are written at exit), by pid after the grace period.
        stop: () => stopProcess(proc, () => (proc.connected ? proc.send({ type: 'stop' }) : process.kill(proc.pid!, 'SIGTERM')), 15_000),
      });
    });
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function waitForPort(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => (c.destroy(), resolve()));
      c.once('error', () => {
        c.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** The nginx binary: $BENCH_NGINX, else nginx on PATH or in /usr/sbin; undefined when absent or BENCH_NGINX=off. */
export function findNginx(): string | undefined {
  const forced = process.env.BENCH_NGINX;
  if (forced === 'off' || forced === '0') return undefined;
  if (forced) return existsSync(forced) ? forced : undefined;
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin'];
  for (const d of dirs) {
    const p = path.join(d, 'nginx');
    if (d && existsSync(p)) return p;
  }
  return undefined;
}

/**
 * nginx as a reverse proxy: one process serving (master_process off = exactly one worker and
 * nothing to orphan), proxy_pass to an upstream block with keepalive, no access log.
 * keepalive_requests is raised on both sides so that, like the Node proxies, no connection is
 * recycled during a round.
 */
export async function startNginx(binary: string, upstreamUrl: string, connections: number): Promise<Child> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mvgw-bench-nginx-'));
  tempDirs.push(dir);
  const port = await freePort();
  const upstream = new URL(upstreamUrl);
  const conf = `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  upstream nova {
    server ${upstream.hostname}:${upstream.port};
    keepalive ${Math.max(connections, 64)};
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://nova;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
  writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const proc = spawn(binary, ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (proc.pid !== undefined) live.set(proc.pid, proc);
  const early = exited(proc, 10_000).then((gone) => gone);
  try {
    await Promise.race([
      waitForPort(port, 10_000),
      early.then((gone) => {
        if (gone) throw new Error(`nginx exited at start: ${readLog(dir)}`);
      }),
    ]);
  } catch (err) {
    await stopProcess(proc, () => process.kill(proc.pid!, 'SIGKILL'), 1000);
    throw err;
  }
  return {
    name: 'nginx',
    pid: proc.pid!,
    url: `http://127.0.0.1:${port}`,
    mark: () => Promise.resolve(Number(process.hrtime.bigint() / 1000n)),
    ask: (type) => Promise.reject(new Error(`nginx cannot answer '${type}'`)),
    stop: () => stopProcess(proc, () => process.kill(proc.pid!, 'SIGTERM'), 5000),
  };
}

function readLog(dir: string): string {
  try {
    return readFileSync(path.join(dir, 'error.log'), 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '(no error log)';
  }
}

export function trackTempDir(dir: string): void {
  tempDirs.push(dir);
}

/** Synchronous last resort: SIGKILL by pid whatever is still running, remove temp dirs. */
export function killAllNow(): void {
  for (const [pid] of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  live.clear();
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Stops every child on SIGINT/SIGTERM (exit 130/143) and at exit, whatever happened. */
export function installCleanup(): void {
  process.once('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      process.stderr.write(`\n${sig}: stopping child processes\n`);
      killAllNow();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

/** /proc/<pid>/status fields in kB (VmRSS, VmHWM). */
export function procStatusKb(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** CPU time (user + system, all threads) a process has used, in µs; NaN when unreadable. */
export function procCpuUs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of proc(5), counted from "state" (field 3).
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

/** Binds every thread of a process to a CPU list (`taskset -a -c -p`); throws when taskset fails. */
export function pinToCpus(pid: number, cpus: string): void {
  const r = spawnSync('taskset', ['-a', '-c', '-p', cpus, String(pid)], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`taskset -a -c -p ${cpus} ${pid}: ${r.error?.message ?? r.stderr.trim()}`);
}
