// The pure-core boundary in eslint.config.js is an allowlist: these feed ESLint code as if it sat in a pure file
// and check that every way of reaching I/O, the clock or randomness is refused, and that pure code passes.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: repoRoot });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

test.each([
  ['an I/O module', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;", 'herald/pure-imports'],
  ['a library not on the allowlist', "import pino from 'pino';\nexport const p = pino;", 'herald/pure-imports'],
  ['an in-repo I/O module', "import { createLogger } from '../log.js';\nexport const l = createLogger;", 'herald/pure-imports'],
  ['an in-repo driver re-exported', "export { startController } from '../../controller/driver/app.js';", 'herald/pure-imports'],
  ['the clock', 'export const t = Date.now();', 'no-restricted-properties'],
  ['the clock through new Date()', 'export const t = new Date();', 'no-restricted-syntax'],
  ['performance', 'export const t = performance.now();', 'no-restricted-globals'],
  ['a timer', 'setTimeout(() => undefined, 1);', 'no-restricted-globals'],
  ['randomness', 'export const r = Math.random();', 'no-restricted-properties'],
  ['the console', "console.log('x');", 'no-restricted-globals'],
  ['the process', 'export const e = process.env;', 'no-restricted-globals'],
])('a pure file may not use %s', async (_what, code, rule) => {
  const found = await problems('lib/ip/probe.ts', code);
  expect(found.some((p) => p.startsWith(`${rule}:`))).toBe(true);
});

test('the boundary covers pure files outside the pure folders too', async () => {
  expect(await problems('speaker/loop/retry.ts', 'export const t = Date.now();')).not.toEqual([]);
  expect(await problems('lib/kube/leaderelection/decide.ts', "import { request } from 'node:https';\nexport const r = request;")).not.toEqual([]);
});

test('pure code passes: other pure files, allowed libraries, type imports from anywhere, Date as a converter', async () => {
  const code = [
    "import ipaddr from 'ipaddr.js';",
    "import { formatAddress } from './index.js';",
    "import type { Logger } from '../log.js';",
    "import type { V1Service } from '@kubernetes/client-node';",
    'export const f = (s: V1Service, l: Logger | undefined, ms: number): string =>',
    '  `${String(ipaddr.isValid(s.spec?.clusterIP ?? ""))}${formatAddress.name}${String(l)}${new Date(ms).toISOString()}`;',
  ].join('\n');
  expect(await problems('lib/ip/probe.ts', code)).toEqual([]);
});

test('files outside the pure core may do I/O', async () => {
  expect(await problems('controller/driver/probe.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;")).toEqual([]);
});

test('lib/ imports nothing from either binary', async () => {
  const found = await problems('lib/metrics/probe.ts', "import type { ReconcileResult } from '../../controller/core-api.js';\nexport type R = ReconcileResult;");
  expect(found.some((p) => p.startsWith('no-restricted-imports:'))).toBe(true);
  expect(await problems('lib/metrics/probe.ts', "import { createLogger } from '../log.js';\nexport const l = createLogger;")).toEqual([]);
});
