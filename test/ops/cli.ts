import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { waitFor, type LogLine } from './helpers';
import { GATEWAY_NODE_FLAGS } from '../../gateway/nodeFlags';

const ROOT = path.resolve(__dirname, '../..');

let built: string | undefined;

/**
 * The gateway as `npm run build` emits it (CommonJS, es2022), transpiled file by file into a
 * temporary directory: the project uses isolatedModules, so each file compiles on its own,
 * and the shared dist/ is left alone. Modules resolve from the project's node_modules (NODE_PATH).
 */
export function buildGateway(): string {
  if (built) return built;
  const out = mkdtempSync(path.join(tmpdir(), 'mvgw-cli-'));
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const child = path.join(rel, e.name);
      if (e.isDirectory()) walk(child);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const { outputText } = ts.transpileModule(readFileSync(path.join(ROOT, child), 'utf8'), {
          fileName: child,
          compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        });
        mkdirSync(path.join(out, rel), { recursive: true });
        writeFileSync(path.join(out, child.replace(/\.ts$/, '.js')), outputText);
      }
    }
  };
  walk('gateway');
  built = out;
  return out;
}

/** Removes the transpiled tree (call once the spawned processes have exited). */
export function removeBuild(): void {
  if (built) rmSync(built, { recursive: true, force: true });
  built = undefined;
}

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  proxyUrl: string;
  adminUrl: string;
  /** Kills the process (SIGKILL) if it is still running. */
  kill(): void;
}

/** `node <GATEWAY_NODE_FLAGS> cli.js serve ...` (as npm start and the image run it) on ephemeral loopback ports; resolves once it logged "gateway listening". */
export async function spawnServe(args: string[], nodeFlags: readonly string[] = GATEWAY_NODE_FLAGS): Promise<ServeProcess> {
  const cli = path.join(buildGateway(), 'gateway', 'cli.js');
  const child = spawn(process.execPath, [...nodeFlags, cli, 'serve', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', ...args], {
    env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(ROOT, 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let pending = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => {
    pending += c.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        stderr += `(stdout) ${line}\n`;
      }
    }
  });
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const proc: ServeProcess = {
    child, logs, exited, stderr: () => stderr, proxyUrl: '', adminUrl: '',
    kill() {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    },
  };
  let gone = false;
  void exited.then(() => (gone = true));
  try {
    const listening = await waitFor(() => {
      if (gone) throw new Error(`exited before listening: ${stderr}`);
      return logs.find((l) => l.msg === 'gateway listening');
    }, 'the gateway to listen', 15_000);
    proc.proxyUrl = listening.proxyUrl as string;
    proc.adminUrl = listening.adminUrl as string;
  } catch (err) {
    proc.kill();
    throw err;
  }
  return proc;
}
