// The network lab's tests (`npm run test:lab`): root only, one at a time, since they share the lab's
// namespaces. Files are named *.lab.test.ts and are kept out of the ordinary `npm test`.
import base from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  testMatch: ['<rootDir>/**/*.lab.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 120000,
  maxWorkers: 1,
  // No control-plane pool: the lab's real-API suites start their control plane inside the lab's router namespace.
  globalSetup: undefined,
  globalTeardown: undefined,
};
