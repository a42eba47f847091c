// ESLint flat config. The pure core (STYLE.md §3) may not import I/O: no sockets, files, timers,
// Kubernetes client, logger or metrics registry. Those folders are listed in PURE_CORE below.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export const PURE_CORE = [
  'lib/ip/**',
  'lib/config/**',
  'controller/allocator/**',
  'controller/reconcile/**',
  'speaker/election/**',
  'speaker/layer2/frames/**',
  'speaker/layer2/decide/**',
  'speaker/membership/core/**',
];

const ioModules = [
  'node:net', 'node:dgram', 'node:fs', 'node:fs/promises', 'node:http', 'node:https', 'node:child_process',
  'node:timers', 'node:timers/promises', 'node:os', 'net', 'dgram', 'fs', 'http', 'https', 'child_process',
  '@kubernetes/client-node', 'pino', 'prom-client',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'build/**', 'coverage/**', '**/*.js', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: PURE_CORE.map((g) => `${g.replace(/\*\*$/, '')}**/*.ts`),
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ioModules.map((name) => ({ name, allowTypeImports: true, message: 'pure core: inject I/O through a driver (STYLE.md §3)' })),
      }],
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'pure core: timers belong to the driver' },
        { name: 'setInterval', message: 'pure core: timers belong to the driver' },
        { name: 'process', message: 'pure core: no process access' }],
    },
  },
);
