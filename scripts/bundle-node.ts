// One ES module for Node 24 from a TypeScript entry and everything it imports: how Herald ships the programs a
// user runs without node_modules (the speaker's dist/speaker/speaker.mjs, the plugin's dist/cli/kubectl-herald.mjs).
// The options are the ones the speaker's bundle settled on (scripts/bundle-speaker.ts says why it is a bundle).
import { chmodSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { build, type Metafile, type Plugin } from 'esbuild';

/** pino, prom-client and undici are CommonJS: their require() of Node's modules needs a real require. */
const REQUIRE_SHIM = 'import { createRequire as heraldCreateRequire } from "node:module"; const require = heraldCreateRequire(import.meta.url);';

const BUILTIN = new Set(builtinModules);
const NAMESPACE = 'herald-builtin';
/** Names `export const NAME` may not take. */
const RESERVED = new Set(['default', 'delete', 'new', 'function', 'class', 'import', 'export', 'return', 'void', 'in', 'typeof']);

/**
 * Node's modules as the bundle's ES imports of them see them, without Node's ES wrapper. That wrapper reads every
 * export of the module to make its namespace, getters included, and `node:http`'s lazy `WebSocket`, `CloseEvent`
 * and `MessageEvent` getters load Node's own copy of undici: its 760 KB of source and its compiled llhttp
 * WebAssembly, ~14 MiB of RSS (~6.6 MiB private) in a bare process, for names Herald never uses. The substitute
 * takes the module from `process.getBuiltinModule()` (what require() returns) and exports its plain values by name
 * (read when the bundle is built, by the same Node it targets); a getter is not exported, so an import of one fails
 * the build ("No matching export") instead of loading what it guards. CommonJS code in the bundle require()s Node's
 * modules as before (REQUIRE_SHIM).
 */
function builtinsWithoutNamespace(): Plugin {
  return {
    name: 'herald-builtins-without-namespace',
    setup(b) {
      b.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
        const name = args.path.replace(/^node:/, '');
        if (args.kind !== 'import-statement' || !BUILTIN.has(name) || name === 'module') return undefined;
        return { path: name, namespace: NAMESPACE };
      });
      b.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        const module = process.getBuiltinModule(`node:${args.path}`) as Record<string, unknown>;
        const names = Object.getOwnPropertyNames(module).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && !RESERVED.has(n)
          && 'value' in (Object.getOwnPropertyDescriptor(module, n) ?? {}));
        const contents = [`const m = process.getBuiltinModule(${JSON.stringify(`node:${args.path}`)});`, 'export default m;',
          ...names.map((n) => `export const ${n} = m.${n};`)].join('\n');
        return { contents, loader: 'js' };
      });
    },
  };
}

export interface NodeBundle {
  entry: string;
  outfile: string;
  plugins?: Plugin[];
  /** Written with `#!/usr/bin/env node` first and made executable: a program to run by its name (kubectl-herald). */
  executable?: boolean;
  /** Identifiers replaced by JSON values at build time (esbuild's define), e.g. the version a lone file reports. */
  define?: Record<string, string>;
  /**
   * The folder the bundle's few path strings (the module keys of the CommonJS packages it wraps) are relative to;
   * esbuild's own default is the working directory. A release artifact sets the folder node_modules really lives
   * in, so a git worktree whose node_modules is a symlink to another checkout's builds the same bytes as that one.
   */
  workingDir?: string;
}

export async function bundleNodeProgram(o: NodeBundle): Promise<Metafile> {
  const result = await build({
    entryPoints: [o.entry],
    outfile: o.outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    banner: { js: `${o.executable ? '#!/usr/bin/env node\n' : ''}${REQUIRE_SHIM}` },
    plugins: [builtinsWithoutNamespace(), ...(o.plugins ?? [])],
    define: o.define ?? {},
    ...(o.workingDir === undefined ? {} : { absWorkingDir: o.workingDir }),
    // V8 keeps a module's source text in memory while the process lives: without comments and indentation it is
    // ~2.1 instead of ~3.2 MB, and in ASCII (esbuild escapes other characters in strings; test/packaging/dist.test.ts
    // fails on any left) V8 holds it one byte a character instead of two: ~4.5 MiB less private memory (docs/layer2.md,
    // "Memory"). Names stay, so stack traces and logs read as before, on long lines. The packages' licence
    // comments (one names a Jimmy W\u00e4rting) go to <outfile>.LEGAL.txt beside it, in the image too.
    minifyWhitespace: true,
    charset: 'ascii',
    legalComments: 'external',
    metafile: true,
    logLevel: 'warning',
  });
  if (o.executable) chmodSync(o.outfile, 0o755);
  return result.metafile;
}
