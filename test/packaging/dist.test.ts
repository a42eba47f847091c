// What `npm run build` puts in dist/ (and so in the image) is exactly what the two binaries run: every file tsc
// emits is reached from dist/controller/main.js, the speaker is one bundle (dist/speaker/speaker.mjs, from
// scripts/bundle-speaker.ts) of speaker/ and lib/ only, and the packages the two import are exactly package.json's
// runtime dependencies (nothing only a test or the emulator uses, nothing missing). The bundle leaves client-node's
// generated models and API classes out; a change that lets them back in (~70 MiB of RSS) fails here, as does a
// character outside ASCII in the bundle (a µ in a regular expression once doubled its source's memory), and so does
// a bundle that makes Node load its own copy of undici (~2 MiB in the speaker; scripts/bundle-node.ts says why).
import { execFileSync, spawnSync } from 'node:child_process';
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

/** What esbuild's metafile says the bundle holds: its inputs, and the packages Herald's own files import. */
interface BundleInputs {
  inputs: Record<string, { imports: { path: string; original?: string }[] }>;
}

/**
 * Where the bundle's text leaves ASCII, with some context: one such character makes V8 hold the whole source
 * (~2 MB) as two-byte text, twice the memory, for as long as the speaker runs.
 */
function nonAscii(text: string): string[] {
  return [...text.matchAll(/[\u0080-\uffff]/g)].slice(0, 5).map((m) => JSON.stringify(text.slice(Math.max(0, m.index - 40), m.index + 10)));
}

/**
 * Node's own modules a bundle has loaded once its imports are done (`--help` runs after every static import): a
 * preload lists them at exit.
 */
function nodeModulesLoaded(bundle: string): string[] {
  const preload = 'data:text/javascript,process.on("exit",()=>process.stderr.write("LOADED "+JSON.stringify(process.moduleLoadList)+"\\n"))';
  const { stderr } = spawnSync(process.execPath, ['--import', preload, bundle, '--help'], { encoding: 'utf8' });
  const line = /^LOADED (.*)$/m.exec(stderr)?.[1];
  if (line === undefined) throw new Error(`${bundle} --help printed no module list:\n${stderr}`);
  return JSON.parse(line) as string[];
}

function bundledSpeaker(out: string): { heraldFiles: string[]; packages: Set<string>; clientNodeFiles: string[]; nonAscii: string[] } {
  const metafilePath = join(out, 'speaker.meta.json');
  execFileSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts/bundle-speaker.ts'),
    '--outfile', join(out, 'speaker', 'speaker.mjs'), '--metafile', metafilePath], { cwd: repoRoot, stdio: 'inherit' });
  const { inputs } = JSON.parse(readFileSync(metafilePath, 'utf8')) as BundleInputs;
  const heraldFiles = Object.keys(inputs).filter((f) => !f.includes('node_modules/') && !f.includes(':'));
  const packages = new Set<string>();
  for (const file of heraldFiles) {
    for (const specifier of (inputs[file]?.imports ?? []).map((i) => i.original ?? '')) {
      const pkg = specifier.startsWith('.') ? undefined : packageOf(specifier);
      if (pkg) packages.add(pkg);
    }
  }
  const clientNodeFiles = Object.keys(inputs).filter((f) => f.includes('@kubernetes/client-node/dist/')).map((f) => f.replace(/.*@kubernetes\/client-node\/dist\//, ''));
  return { heraldFiles, packages, clientNodeFiles, nonAscii: nonAscii(readFileSync(join(out, 'speaker', 'speaker.mjs'), 'utf8')) };
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
    const { files, packages } = closure([join(out, 'controller/main.js')]);
    const unreached = emitted(out).filter((f) => !files.has(f)).map((f) => relative(out, f));
    expect(unreached).toEqual([]);
    const speaker = bundledSpeaker(out);
    expect(speaker.heraldFiles.filter((f) => !/^(speaker|lib|crds\/v1beta1)\//.test(f) || /\.test\.ts$/.test(f))).toEqual([]);
    // Of client-node's generated layer, only the HTTP plumbing, the configuration and ApiException: no model, no API.
    expect(speaker.clientNodeFiles.filter((f) => f.startsWith('gen/') && !/^gen\/(http\/|auth\/|apis\/exception|configuration|servers|middleware|rxjsStub)/.test(f))).toEqual([]);
    expect(speaker.nonAscii).toEqual([]);
    // Node's undici comes with node:http's namespace (its lazy WebSocket getter); client-node brings its own.
    expect(nodeModulesLoaded(join(out, 'speaker', 'speaker.mjs')).filter((m) => m.includes('undici'))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect([...packages, ...speaker.packages].filter((p, i, all) => all.indexOf(p) === i).sort()).toEqual(Object.keys(manifest.dependencies).sort());
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 180_000);
