/**
 * The V8 flags the gateway runs with: `npm start` and the Docker image pass them, the benchmark
 * starts the gateway with them, and `serve` says at start-up when they are missing
 * (NODE_OPTIONS cannot carry them).
 *
 * --min-semi-space-size=16 keeps V8's young generation at its working size; after a quiet spell
 * V8 shrinks it to 1 MB and a burst then promotes the objects of the requests in flight. (The
 * lasting third-slower state first measured after that shrink was most likely the in-flight Set
 * that gateway/http/roster.ts replaced; without the Set the flag still saves ~10 %: four 4 s
 * rounds 17 s apart, 109/86/82/88 µs per request with it, 115/104/90/97 without.)
 *
 * --initial-old-space-size=64 keeps the old generation's limit at 64 MB or more. Without it V8
 * sets the limit to the live size (~15 MB) plus 24 MB after each full collection, starts marking
 * again whenever less than about a young generation's worth is left, and the gateway ran
 * clusters of back-to-back full collections under load (gcstate.js: 5-13 per 4 s round after a
 * forced one; none with the flag). It commits no memory by itself.
 *
 * --no-concurrent-array-buffer-sweeping frees the socket buffers a young collection found dead
 * during that collection instead of on a background thread later: streamed answers pass
 * through as 64 KB buffers, V8 collects them once 32 MB have accumulated, and with the frees
 * deferred the peak RSS of 20 × 50 MB answers rose by 30.4-34 MB; with the flag 26-28 MB.
 * No CPU cost per request measured (gcstate.js A/B, within the noise).
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--min-semi-space-size=16', '--initial-old-space-size=64', '--no-concurrent-array-buffer-sweeping'];

export function missingNodeFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return GATEWAY_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
}
