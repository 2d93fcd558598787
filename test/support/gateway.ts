import { mkdtempSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveConfig, type GatewayConfig } from '../../gateway/config';
import { startGateway, type RunningGateway } from '../../gateway/server';
import { createLogger } from '../../gateway/observe/logger';

export const SHIPPED_RULES = path.resolve(__dirname, '../../rules');

export interface TestGatewayOptions {
  readonly upstream: string;
  readonly rulesDir?: string;
  readonly flags?: Record<string, string>;
}

/** A gateway on ephemeral loopback ports, quiet, without process metrics. */
export async function startTestGateway(options: TestGatewayOptions): Promise<RunningGateway & { config: GatewayConfig }> {
  const config = resolveConfig(
    {
      upstream: options.upstream,
      listen: '127.0.0.1:0',
      'admin-listen': '127.0.0.1:0',
      rules: options.rulesDir ?? SHIPPED_RULES,
      'upstream-max-version': '2.38',
      'log-level': 'silent',
      'watch-rules': 'false',
      ...options.flags,
    },
    {},
  );
  const gateway = await startGateway(config, { logger: createLogger('silent'), collectProcessMetrics: false });
  await gateway.ready;
  return Object.assign(gateway, { config });
}

/** A fresh temporary rules directory holding the given files (name → YAML text). */
export function rulesDir(files: Record<string, string>, copyShipped = false): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mvgw-rules-'));
  if (copyShipped) cpSync(SHIPPED_RULES, dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}
