// The speaker as users run it: speaker/main.ts and everything it imports, in one ES module,
// dist/speaker/speaker.mjs (`npm run build` writes it after tsc). Why a bundle and not tsc's tree: the index of
// @kubernetes/client-node imports its whole generated layer (2 742 model files, every API class, exec/attach/cp
// with ws and tar), ~70 MiB of RSS before the speaker does anything, and the speaker calls almost none of it.
// The bundle takes client-node's own modules one by one instead (see clientNodeNarrowing below) and leaves the
// rest out. docs/layer2.md, "Memory", has the figures.
//
//   node --import tsx scripts/bundle-speaker.ts [--entry FILE] [--outfile FILE] [--metafile FILE]
import { realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Metafile, Plugin } from 'esbuild';
import { bundleNodeProgram } from './bundle-node.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Where `npm run build` writes the bundle; under dist/ so loadAddon() finds build/Release/ by walking up. */
export const SPEAKER_BUNDLE = join(REPO_ROOT, 'dist', 'speaker', 'speaker.mjs');
const SPEAKER_ENTRY = join(REPO_ROOT, 'speaker', 'main.ts');
/** Real path: esbuild names importers by theirs, and node_modules may be a symlink. */
const CLIENT_NODE_DIST = realpathSync(join(REPO_ROOT, 'node_modules', '@kubernetes', 'client-node', 'dist'));
const NAMESPACE = 'herald-client-node';

/**
 * What the speaker's code takes from `@kubernetes/client-node` (values only; types cost nothing), each from the
 * client-node module that defines it rather than from its index. A value the speaker starts to import that is not
 * listed here fails the build ("No matching export"), so the list cannot silently fall behind the code.
 */
const SPEAKER_IMPORTS = `
export { KubeConfig } from './config.js';
export { Watch } from './watch.js';
export { ListWatch } from './cache.js';
export { HttpMethod, RequestContext } from './gen/http/http.js';
export { IsomorphicFetchHttpLibrary } from './gen/http/isomorphic-fetch.js';
export { ApiException } from './gen/apis/exception.js';
export { PatchStrategy } from './patch.js';
`;

/**
 * Two client-node modules the speaker reaches import an index that drags in every generated model; each gets the
 * narrow module it needs instead. Both substitutes export only the names their importer takes, so if a newer
 * client-node imports more from them the build fails instead of shipping a gap.
 */
const NARROWED: Record<string, { importer: string; contents: string }> = {
  // config.js takes createConfiguration and ServerConfiguration from gen/index.js (which re-exports models/all.js
  // and every API); they are defined in gen/configuration.js and gen/servers.js, which import no model.
  './gen/index.js': {
    importer: 'config.js',
    contents: "export { createConfiguration } from './gen/configuration.js'; export { ServerConfiguration } from './gen/servers.js';",
  },
  // cache.js (ListWatch) calls only ObjectSerializer.serialize(selector, 'string') for its label and field
  // selectors. The generated serializer returns a value of a primitive type ('string' is one) unchanged, and
  // undefined as undefined; this does exactly that and refuses any other type rather than guess.
  './serializer.js': {
    importer: 'cache.js',
    contents: `export const ObjectSerializer = { serialize(data, type) {
  if (type !== 'string') throw new Error(\`herald's client-node substitute serializes strings only, not "\${type}"\`);
  return data;
} };`,
  },
};

/** Resolves the speaker's `@kubernetes/client-node` to SPEAKER_IMPORTS and narrows NARROWED inside client-node. */
export function clientNodeNarrowing(): Plugin {
  return {
    name: 'herald-client-node-narrowing',
    setup(b) {
      b.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: 'speaker-imports', namespace: NAMESPACE }));
      b.onResolve({ filter: /^\.\/(gen\/index|serializer)\.js$/ }, (args) => {
        const narrowed = NARROWED[args.path];
        if (narrowed === undefined || args.importer !== join(CLIENT_NODE_DIST, narrowed.importer)) return undefined;
        return { path: args.path, namespace: NAMESPACE };
      });
      b.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        contents: args.path === 'speaker-imports' ? SPEAKER_IMPORTS : NARROWED[args.path]?.contents,
        resolveDir: CLIENT_NODE_DIST,
        loader: 'js',
      }));
    },
  };
}

/**
 * Bundles `entry` (speaker/main.ts unless told otherwise: the memory bench bundles an idle process that imports
 * what the speaker imports) into `outfile`; returns esbuild's metafile (which input files went in).
 */
export async function bundle(entry = SPEAKER_ENTRY, outfile = SPEAKER_BUNDLE): Promise<Metafile> {
  return bundleNodeProgram({ entry, outfile, plugins: [clientNodeNarrowing()] });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { entry: { type: 'string' }, outfile: { type: 'string' }, metafile: { type: 'string' } } });
  const metafile = await bundle(values.entry === undefined ? SPEAKER_ENTRY : resolve(values.entry), values.outfile === undefined ? SPEAKER_BUNDLE : resolve(values.outfile));
  if (values.metafile !== undefined) writeFileSync(values.metafile, JSON.stringify(metafile));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
