// Herald is ESM (client-node 1.x+ ships only ESM), so jest runs with --experimental-vm-modules
// and ts-jest's ESM preset. Imports in sources end in ".js" as NodeNext requires; the mapper
// points them back at the ".ts" files.
/** @type {import('jest').Config} */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }],
  },
  testMatch: ['<rootDir>/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '\\.lab\\.test\\.ts$'],
  testTimeout: 30000,
  // The real-backend pass (HERALD_API_BACKEND=real) starts its control planes ahead of the tests from a pool
  // (test/cluster/pool.ts); on the emulator these do nothing.
  globalSetup: '<rootDir>/test/cluster/pool-jest-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/pool-jest-teardown.ts',
};
