/**
 * Runs the simulator: node dist/gateway/simulator/main.js [--host H] [--port N]
 * [--image-port N] [--max-version X.Y] [--metadata-items N] [--image-property-quota N] [--log]
 * (or SIMULATOR_HOST, SIMULATOR_PORT, SIMULATOR_IMAGE_PORT, SIMULATOR_MAX_VERSION,
 * SIMULATOR_METADATA_ITEMS, SIMULATOR_IMAGE_PROPERTY_QUOTA, SIMULATOR_LOG=1).
 */
import { parseArgs } from 'node:util';
import { startSimulator, type StartSimulatorOptions } from './index';

function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw new Error(`${name} must be an integer, got "${value}"`);
  return Number(value);
}

export function optionsFromArgs(argv: readonly string[], env: NodeJS.ProcessEnv): StartSimulatorOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'image-port': { type: 'string' },
      'max-version': { type: 'string' },
      'metadata-items': { type: 'string' },
      'image-property-quota': { type: 'string' },
      log: { type: 'boolean' },
    },
    strict: true,
  });
  return {
    host: values.host ?? env.SIMULATOR_HOST ?? '127.0.0.1',
    port: intOption(values.port ?? env.SIMULATOR_PORT, '--port') ?? 0,
    imagePort: intOption(values['image-port'] ?? env.SIMULATOR_IMAGE_PORT, '--image-port') ?? 0,
    maxVersion: values['max-version'] ?? env.SIMULATOR_MAX_VERSION ?? undefined,
    metadataItems: intOption(values['metadata-items'] ?? env.SIMULATOR_METADATA_ITEMS, '--metadata-items'),
    imagePropertyQuota: intOption(
      values['image-property-quota'] ?? env.SIMULATOR_IMAGE_PROPERTY_QUOTA,
      '--image-property-quota',
    ),
    log: values.log ?? env.SIMULATOR_LOG === '1',
  };
}

async function main(): Promise<void> {
  const sim = await startSimulator({ ...optionsFromArgs(process.argv.slice(2), process.env), recordRequests: false });
  process.stdout.write(
    `simulator: compute ${sim.computeUrl} (max microversion ${sim.config.range.max.text}), image ${sim.imageUrl}\n`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void sim.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`simulator: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
