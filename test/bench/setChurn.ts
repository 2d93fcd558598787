/**
 * Why the gateway does not keep its in-flight answers in a Set (gateway/http/roster.ts), shown
 * without HTTP: 50 "requests" in flight at a time, each a small object graph registered while it
 * lives, in a Set, in a Roster, or nowhere. Halfway through, one full collection is forced. Each
 * variant runs in its own node with --trace-gc-nvp; printed: kilobytes promoted to the old
 * generation by young collections, before and after the forced full collection.
 *
 *   node dist/test/bench/setChurn.js
 */
import { spawnSync } from 'node:child_process';
import { Roster } from '../../gateway/http/roster';

const VARIANTS = ['none', 'set', 'roster'] as const;
type Variant = (typeof VARIANTS)[number];
const PHASE_MS = 1500;

function churn(variant: Variant): void {
  const set = new Set<object>();
  const roster = new Roster<object>();
  const register = (o: object): (() => void) => {
    if (variant === 'set') {
      set.add(o);
      return () => set.delete(o);
    }
    if (variant === 'roster') return roster.join(o);
    return () => undefined;
  };
  const request = (): void => {
    const graph = { payload: Array.from({ length: 100 }, (_, k) => ({ k })) };
    const leave = register(graph);
    setImmediate(() => {
      leave();
      request();
    });
  };
  for (let i = 0; i < 50; i++) request();
  setTimeout(() => {
    process.stdout.write(`forced-full-gc-at ${Math.round(performance.now())}\n`);
    (global as unknown as { gc: () => void }).gc();
  }, PHASE_MS);
  setTimeout(() => process.exit(0), 2 * PHASE_MS);
}

/** Promoted kilobytes of young collections before and after the forced full collection. */
function measure(variant: Variant): { before: number; after: number } {
  const run = spawnSync(process.execPath, ['--expose-gc', '--min-semi-space-size=16', '--trace-gc-nvp', __filename, variant], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`${variant}: exit ${run.status}: ${run.stderr}`);
  const forcedAt = Number(/forced-full-gc-at (\d+)/.exec(run.stdout)?.[1]);
  let before = 0;
  let after = 0;
  for (const line of run.stdout.split('\n')) {
    const m = /\s(\d+) ms: .* gc=s .* promoted=(\d+)/.exec(line);
    if (!m) continue;
    if (Number(m[1]) < forcedAt) before += Number(m[2]);
    else after += Number(m[2]);
  }
  return { before: Math.round(before / 1024), after: Math.round(after / 1024) };
}

if (process.argv[2]) {
  churn(process.argv[2] as Variant);
} else {
  process.stdout.write(`| registry | KB promoted in ${PHASE_MS} ms before the forced full collection | in ${PHASE_MS} ms after |\n| --- | --- | --- |\n`);
  for (const v of VARIANTS) {
    const r = measure(v);
    process.stdout.write(`| ${v} | ${r.before} | ${r.after} |\n`);
  }
}
