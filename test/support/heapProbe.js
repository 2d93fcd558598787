/**
 * Preloaded into a spawned gateway (NODE_OPTIONS=--require). SIGUSR2: one full collection, then
 * a JSON line with the old generation's size; SIGWINCH: a JSON line with the old generation's
 * size and the full collections since the last SIGUSR2. test/ops/promotion.test.ts reads them.
 */
'use strict';
const v8 = require('node:v8');
const vm = require('node:vm');
const { PerformanceObserver, constants } = require('node:perf_hooks');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
let fullCollections = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.detail && e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) fullCollections++;
}).observe({ entryTypes: ['gc'] });

const oldSpaceUsed = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_used_size;
const report = (mark) => process.stdout.write(`${JSON.stringify({ probe: 'heap', mark, oldSpaceUsed: oldSpaceUsed(), fullCollections })}\n`);

process.on('SIGUSR2', () => {
  gc();
  setTimeout(() => {
    fullCollections = 0;
    report('after-full-collection');
  }, 100);
});
process.on('SIGWINCH', () => report('after-load'));
