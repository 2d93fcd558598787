/**
 * Preloaded into a spawned gateway (NODE_OPTIONS=--require dist/test/support/heapProbe.js).
 * SIGUSR2: one full collection, then a JSON line with the old generation's size; SIGWINCH: a
 * JSON line with the old generation's size and the full collections since the last SIGUSR2.
 * test/ops/promotion.test.ts reads them.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { watchGcCounts } from './gcCounts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const counts = watchGcCounts();
let majorAtMark = 0;

const oldSpaceUsed = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')?.space_used_size ?? 0;
const report = (mark: string) =>
  process.stdout.write(`${JSON.stringify({ probe: 'heap', mark, oldSpaceUsed: oldSpaceUsed(), fullCollections: counts.major - majorAtMark })}\n`);

process.on('SIGUSR2', () => {
  gc();
  setTimeout(() => {
    majorAtMark = counts.major; // its own entry has arrived by now
    report('after-full-collection');
  }, 100);
});
process.on('SIGWINCH', () => report('after-load'));
