// Mutation testing of the pure core (`npm run mutation`; docs/development.md "Mutation testing"). Not part of CI or
// `npm test`: it is a measure of how much the unit tests would notice, not a gate.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from 'node:process';

/**
 * The pure folders that are mutated; only their own unit tests run against the mutants. lib/wire is the bounds-checked
 * byte reader and writer the frame codecs and the heartbeat share (skipped where it does not exist).
 */
const FOLDERS = [
  'controller/allocator',
  'controller/reconcile',
  'lib/ip',
  'lib/config',
  'speaker/election',
  'speaker/membership/core',
  'speaker/layer2/frames',
  'lib/wire',
].filter((folder) => existsSync(folder));

/**
 * `HERALD_MUTATE=lib/ip,speaker/election npm run mutation` mutates only those folders (all the unit tests above still
 * run: the allocator, for one, is mostly tested through controller/reconcile), with its own reports and incremental
 * file, since an incremental file holds only the mutants of the run that wrote it.
 */
const only = (env.HERALD_MUTATE ?? '').split(',').map((folder) => folder.trim().replace(/\/+$/, '')).filter(Boolean);
const unknown = only.filter((folder) => !FOLDERS.includes(folder));
if (unknown.length > 0) throw new Error(`HERALD_MUTATE: ${unknown.join(', ')} is not one of ${FOLDERS.join(', ')}`);
const mutated = only.length > 0 ? only : FOLDERS;
const reports = only.length > 0 ? `reports/mutation/${only.join('+').replaceAll('/', '-')}` : 'reports/mutation';

/** Test-only sources beside the code: builders and fixtures, not behaviour. */
const NOT_MUTATED = ['**/*.test.ts', '**/fixtures.ts', '**/*.fixture.ts', '**/test-helpers.ts'];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  mutate: [...mutated.map((folder) => `${folder}/**/*.ts`), ...NOT_MUTATED.map((glob) => `!${glob}`)],

  testRunner: 'jest',
  // Herald is ESM: jest runs with --experimental-vm-modules, as `npm test` does.
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: {
    configFile: 'jest.config.js',
    // Only the unit tests of the mutated folders: never integration, lab or real-backend suites.
    config: { roots: FOLDERS.map((folder) => `<rootDir>/${folder}`) },
    // Per mutant, only the test files that import the mutated file, and in them only the tests that reach the mutant.
    enableFindRelatedTests: true,
  },
  coverageAnalysis: 'perTest',
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.mutation.json',

  // Two cores, and someone else is usually using one of them.
  concurrency: 1,

  // Reruns test only the mutants whose code or covering tests changed since the last run.
  incremental: true,
  incrementalFile: `${reports}/stryker-incremental.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `${reports}/index.html` },
  jsonReporter: { fileName: `${reports}/mutation.json` },
  thresholds: { high: 90, low: 85, break: null },

  // The sandbox lives outside the tree so that `npm test` and `npm run lint` never see its copies of the sources.
  tempDirName: join(tmpdir(), 'herald-stryker'),
  ignorePatterns: ['/dist', '/build', '/reports', '/coverage', '/.lab', '/docs'],
};
