// Preloaded into a benchmark's controller child (`node --expose-gc --require test/bench/heap-probe.cjs ...`): on
// SIGUSR2 it collects all garbage and prints one JSON log line with the heap still in use, so a figure is the live
// heap and not whatever garbage V8 had not collected yet. It changes none of the heap limits the child runs with.
'use strict';

process.on('SIGUSR2', () => {
  global.gc();
  global.gc();
  const { heapUsed, rss } = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), msg: 'heap probe', heapUsed, rss })}\n`);
});
