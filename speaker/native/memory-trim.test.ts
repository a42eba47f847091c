// The trimmer calls malloc_trim through the addon on its interval, stops when told, and does nothing with an addon
// built before trimMemory existed; the real addon's trimMemory answers (glibc) without throwing.
import { jest } from '@jest/globals';
import { loadAddon } from './addon.js';
import { MallocTrimmer } from './memory-trim.js';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('calls trimMemory once per interval until stopped', () => {
  let calls = 0;
  const trimmer = new MallocTrimmer({ trimMemory: () => { calls++; return true; } }, 2000);
  trimmer.start();
  trimmer.start(); // a second start adds no second timer
  jest.advanceTimersByTime(6000);
  expect(calls).toBe(3);
  trimmer.stop();
  jest.advanceTimersByTime(6000);
  expect(calls).toBe(3);
});

test('an addon without trimMemory (built before it) is left alone', () => {
  const trimmer = new MallocTrimmer({}, 2000);
  expect(trimmer.available).toBe(false);
  trimmer.start();
  expect(jest.getTimerCount()).toBe(0);
});

test('the real addon trims: a boolean, on Linux with glibc', () => {
  const released = loadAddon().trimMemory();
  expect(typeof released).toBe('boolean');
});
