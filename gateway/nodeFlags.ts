/**
 * The V8 flags the gateway runs with: `npm start` and the Docker image pass them, the benchmark
 * starts the gateway with them, and `serve` says at start-up when they are missing
 * (NODE_OPTIONS cannot carry them).
 *
 * --min-semi-space-size=16 keeps V8's young generation at its working size. After a quiet spell
 * (17 s did it in the measurements, 12 s did not) V8 shrinks it to 1 MB; a burst then promotes the objects of requests in flight, and
 * the process stays about a third slower per request for as long as the load lasts (measured on
 * a pinned core: 105 → 140 µs per pass-through request). The cost is ~20 MB of resident memory.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--min-semi-space-size=16'];

export function missingNodeFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return GATEWAY_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
}
