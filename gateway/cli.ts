#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, OPTIONS, helpText, resolveConfig, type GatewayConfig } from './config';
import { createLogger } from './observe/logger';
import { startGateway, StartupError } from './server';
import { checkCommand, explainCommand, changelogCommand } from './rules/commands';
import { startSimulator } from './simulator';
import { missingNodeFlags } from './nodeFlags';

const USAGE = `Usage: microversion-gateway [serve] [options]
       microversion-gateway check [DIR] [--upstream-max-version X.Y]
       microversion-gateway explain METHOD PATH [--version X.Y] [--body JSON] [--rules DIR] [--prefix P] [--upstream-max-version X.Y]
       microversion-gateway changelog [DIR]

serve (the default) runs the gateway. Every option can also be set in the environment;
flags win over the environment, which wins over the defaults.

Options of serve:
${helpText()}
`;

async function main(argv: string[]): Promise<number> {
  const [first] = argv;
  const command = first && !first.startsWith('-') ? first : 'serve';
  const rest = command === first ? argv.slice(1) : argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'check':
      return check(rest);
    case 'explain':
      return explain(rest);
    case 'changelog':
      return changelog(rest);
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`microversion-gateway: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

function parse(args: string[], extra: Record<string, { type: 'string' | 'boolean' }> = {}) {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' }, ...extra };
  for (const o of OPTIONS) options[o.flag] = { type: 'string' };
  return parseArgs({ args, options, allowPositionals: true, strict: true });
}

async function serve(args: string[]): Promise<number> {
  const parsed = parse(args);
  if (parsed.values.help) return process.stdout.write(USAGE), 0;
  if (parsed.positionals.length) throw new ConfigError(`serve takes no positional arguments (got "${parsed.positionals[0]}")`);
  let config = resolveConfig(parsed.values as Record<string, string | undefined>, process.env);
  const logger = createLogger(config.logLevel);
  const missing = missingNodeFlags();
  if (missing.length) {
    logger.warn({ missing }, `node was started without ${missing.join(' ')}: the process runs more garbage collections under load (README, "Performance"); start it as node ${missing.join(' ')} ${process.argv[1]}`);
  }
  let stopDemo: (() => Promise<void>) | undefined;
  if (!config.upstream) {
    const demo = await startDemoUpstream(config);
    config = demo.config;
    stopDemo = demo.stop;
    logger.warn({ upstream: config.upstream!.origin, imageService: config.imageService?.origin },
      'no upstream configured (--upstream / GATEWAY_UPSTREAM): fronting the bundled legacy simulator as a DEMO upstream');
  }
  const gateway = await startGateway(config, { logger });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting for in-flight requests');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, deadlineMs: config.shutdownTimeoutMs }, 'shutting down: finishing in-flight requests');
    try {
      await gateway.close();
      await stopDemo?.();
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'error while shutting down');
      process.exit(1);
    }
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGHUP', () => void gateway.reloadRules('SIGHUP'));
  return new Promise<number>(() => undefined);
}

async function startDemoUpstream(config: GatewayConfig): Promise<{ config: GatewayConfig; stop: () => Promise<void> }> {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, imagePort: 0, recordRequests: false });
  return {
    config: {
      ...config,
      upstream: new URL(sim.computeUrl),
      imageService: config.imageService ?? new URL(sim.imageUrl),
    },
    stop: () => sim.close(),
  };
}

async function check(args: string[]): Promise<number> {
  const parsed = parse(args);
  const dir = parsed.positionals[0] ?? (parsed.values.rules as string | undefined) ?? process.env.GATEWAY_RULES ?? './rules';
  return checkCommand({ dir, upstreamMaxVersion: parsed.values['upstream-max-version'] as string | undefined, out: process.stdout });
}

async function explain(args: string[]): Promise<number> {
  const parsed = parse(args, { version: { type: 'string' }, body: { type: 'string' } });
  const [method, path] = parsed.positionals;
  if (!method || !path) throw new ConfigError('explain needs METHOD and PATH, e.g. explain GET /v2.1/limits --version 2.39');
  const v = parsed.values as Record<string, string | undefined>;
  return explainCommand({
    dir: v.rules ?? process.env.GATEWAY_RULES ?? './rules',
    method, path, version: v.version, body: v.body,
    prefix: v.prefix ?? process.env.GATEWAY_PREFIX,
    upstreamMaxVersion: v['upstream-max-version'] ?? process.env.GATEWAY_UPSTREAM_MAX_VERSION,
    out: process.stdout,
  });
}

async function changelog(args: string[]): Promise<number> {
  const parsed = parse(args);
  const dir = parsed.positionals[0] ?? (parsed.values.rules as string | undefined) ?? process.env.GATEWAY_RULES ?? './rules';
  return changelogCommand({ dir, out: process.stdout });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    const known = err instanceof ConfigError || err instanceof StartupError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`microversion-gateway: ${known ? err.message : err.stack}\n`);
    process.exit(2);
  },
);
