// ESLint flat config. The pure core (STYLE.md §3) is an allowlist: its files may import values only from other
// pure files and from PURE_LIBRARIES (types from anywhere), and may not read the clock, randomness, the console
// or the process. PURE_CORE lists it: a folder ending in "/" (every file below it) or one file, wherever it lives.
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export const PURE_CORE = [
  'lib/ip/',
  'lib/config/',
  'lib/wire/',
  'controller/allocator/',
  'controller/reconcile/',
  'controller/core-api.ts',
  'crds/v1beta1/',
  'speaker/election/',
  'speaker/layer2/frames/',
  'speaker/layer2/decide/',
  'speaker/bgp/messages/',
  'speaker/bgp/session/',
  'speaker/bgp/plan.ts',
  'speaker/bgp/transport.ts',
  'speaker/membership/core/',
  'speaker/bfd/protocol/',
  'speaker/native/codec/',
  'speaker/native/session-ttl.ts',
  'speaker/loop/state.ts',
  'speaker/loop/modes.ts',
  'speaker/loop/plan-cache.ts',
  'speaker/loop/self-address.ts',
  'speaker/loop/retry.ts',
  'speaker/source/parse.ts',
  'speaker/source/parse-fields.ts',
  'speaker/source/parse-bgp.ts',
  'speaker/source/parse-bfd.ts',
  'speaker/source/types.ts',
  // The Kubernetes source's pure part; its informers, Leases and writers beside them are I/O.
  'speaker/source/kubernetes/views.ts',
  'speaker/source/kubernetes/trim.ts',
  'speaker/source/kubernetes/cluster-index.ts',
  'speaker/source/kubernetes/eligibility.ts',
  'speaker/source/kubernetes/desired.ts',
  'speaker/source/kubernetes/bgp-desired.ts',
  'speaker/source/kubernetes/presence.ts',
  'speaker/status/l2-status-plan.ts',
  'speaker/status/service-status-plan.ts',
  'speaker/status/bgp-status-plan.ts',
  'speaker/status/announce-condition.ts',
  'lib/kube/leaderelection/decide.ts',
  'lib/annotations.ts',
  'lib/service-key.ts',
  'lib/service-class.ts',
  'lib/heartbeat-secret.ts',
  'lib/presence.ts',
  'lib/pool-figures.ts',
  // kubectl herald's model and printing; the commands (cli/commands/) list the objects and write the text.
  'cli/status/',
  'cli/output.ts',
];

/** Libraries that only compute: no sockets, files, clock or global state. */
const PURE_LIBRARIES = ['ipaddr.js', 'yaml', '@sinclair/typebox'];

const repoRoot = dirname(fileURLToPath(import.meta.url));
const isPure = (repoPath) => PURE_CORE.some((p) => (p.endsWith('/') ? repoPath.startsWith(p) : repoPath === p));
const pureFiles = PURE_CORE.map((p) => (p.endsWith('/') ? `${p}**/*.ts` : p));

/** The rule behind the allowlist: a value import in a pure file must name a pure file or a pure library. */
const pureImports = {
  meta: { type: 'problem', schema: [], messages: {
    impure: 'pure core: "{{source}}" is not pure (PURE_CORE / PURE_LIBRARIES in eslint.config.js); inject I/O through a driver (STYLE.md §3)',
  } },
  create(context) {
    const check = (node) => {
      if (node.importKind === 'type' || node.exportKind === 'type' || !node.source) return;
      if (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type')) return;
      const source = String(node.source.value);
      const allowed = source.startsWith('.')
        ? isPure(relative(repoRoot, resolve(dirname(context.filename), source)).replace(/\.js$/, '.ts'))
        : PURE_LIBRARIES.includes(source);
      if (!allowed) context.report({ node: node.source, messageId: 'impure', data: { source } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: (node) => {
      context.report({ node, messageId: 'impure', data: { source: 'import()' } });
    } };
  },
};

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
    // lib/ is what both binaries share: it may not reach into either of them.
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/controller/**', '**/speaker/**'], message: 'lib/ holds what both binaries share: move the shared part here, or this file to its binary' }] }],
    },
  },
  {
    files: pureFiles,
    ignores: ['**/*.test.ts', '**/fixtures.ts', '**/test-helpers.ts'],
    plugins: { herald: { rules: { 'pure-imports': pureImports } } },
    rules: {
      'herald/pure-imports': 'error',
      'no-restricted-globals': ['error', ...['performance', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask',
        'console', 'process', 'fetch', 'crypto'].map((name) => ({ name, message: 'pure core: time, I/O and randomness come in as arguments (STYLE.md §3)' }))],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'pure core: randomness comes in as an argument' },
        { object: 'Date', property: 'now', message: 'pure core: the time comes in as a nowMs argument' }],
      // Date may convert a time it is given (formatting, parsing); reading the clock is `new Date()` without one.
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'pure core: the time comes in as a nowMs argument' }],
    },
  },
);
