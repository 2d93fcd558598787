import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { GATEWAY_NODE_FLAGS } from '../../gateway/nodeFlags';

export const CLI = path.resolve(__dirname, '../../dist/gateway/cli.js');

export interface SpawnedGateway {
  readonly child: ChildProcess;
  readonly proxyUrl: string;
  readonly adminUrl: string;
  /** Log lines (parsed JSON) printed so far. */
  readonly logs: Record<string, unknown>[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * The built gateway (`npm run compile` first) as its own process on ephemeral loopback ports,
 * so its memory and signals can be observed apart from the test's. Its log level must let
 * the info line "gateway listening" through: that line gives the ports.
 */
export async function spawnGateway(args: string[], env: NodeJS.ProcessEnv = {}): Promise<SpawnedGateway> {
  const child = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, CLI, 'serve', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  child.stderr!.on('data', (d) => stderr.push(String(d)));
  const listening = new Promise<{ proxyUrl: string; adminUrl: string }>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'gateway listening') resolve({ proxyUrl: String(entry.proxyUrl), adminUrl: String(entry.adminUrl) });
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`gateway exited (${code}) before listening: ${stderr.join('')}`)));
    setTimeout(() => reject(new Error(`gateway did not log "gateway listening" within 15 s (log level must be info or lower): ${stderr.join('')}`)), 15_000).unref();
  }).catch((err) => {
    child.kill('SIGKILL');
    throw err;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const { proxyUrl, adminUrl } = await listening;
  return {
    child, proxyUrl, adminUrl, logs,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A /proc/<pid>/status field in kB (VmRSS, VmHWM...). */
export function procStatusKb(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} for ${pid}`);
  return Number(m[1]);
}
