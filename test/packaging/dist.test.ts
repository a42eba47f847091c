// What `npm run build` puts in dist/ (and so in the image) is exactly what the two binaries run: every emitted
// file is reached from dist/controller/main.js or dist/speaker/main.js, and the packages they import are exactly
// package.json's runtime dependencies (nothing only a test or the emulator uses, nothing missing).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');
const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

/** Emitted files with code in them (a module of types only compiles to an empty `export {};`, costing nothing). */
function emitted(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js')).map((f) => join(dir, f))
    .filter((f) => readFileSync(f, 'utf8').replace(/export \{\};|\/\/.*$/gm, '').trim() !== '');
}

/** The package an import names ('@scope/pkg/sub' → '@scope/pkg'), or undefined for Node's own modules. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function closure(entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [...entries];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = m[1] ?? m[2] ?? m[3] ?? '';
      if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier));
      else {
        const pkg = packageOf(specifier);
        if (pkg) packages.add(pkg);
      }
    }
  }
  return { files, packages };
}

test('dist/ holds only what the binaries run, and they import exactly the runtime dependencies', () => {
  const out = mkdtempSync(join(tmpdir(), 'herald-dist-test-'));
  try {
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(repoRoot, 'tsconfig.build.json'),
      '--outDir', out, '--sourceMap', 'false'], { stdio: 'inherit' });
    const { files, packages } = closure([join(out, 'controller/main.js'), join(out, 'speaker/main.js')]);
    const unreached = emitted(out).filter((f) => !files.has(f)).map((f) => relative(out, f));
    expect(unreached).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect([...packages].sort()).toEqual(Object.keys(manifest.dependencies).sort());
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 180_000);
