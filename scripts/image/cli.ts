// The image from the command line (root; podman, runc, debootstrap):
//   node --import tsx scripts/image/cli.ts base                 make the local base (or say it is there)
//   node --import tsx scripts/image/cli.ts reproduce            make it again and compare the layers' digests
//   node --import tsx scripts/image/cli.ts build [--tag T] [--base IMAGE]
//                                                               build the Dockerfile (from the local base by default)
import { parseArgs } from 'node:util';
import { checkReproducible, ensureBaseImage } from './base.js';
import { buildImage, DEFAULT_IMAGE_TAG } from './build.js';
import { imageToolsMissing } from './podman.js';

const MiB = 1024 * 1024;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { tag: { type: 'string', default: DEFAULT_IMAGE_TAG }, base: { type: 'string' } },
  });
  const missing = imageToolsMissing();
  if (missing !== undefined) throw new Error(missing);
  const command = positionals[0];
  if (command === 'base') {
    const base = await ensureBaseImage();
    console.log(`${base.tag} ${base.built ? 'built' : 'already there'} in ${base.seconds.toFixed(1)} s`);
  } else if (command === 'build') {
    const r = await buildImage({ tag: values.tag, baseImage: values.base });
    console.log(`base ${r.baseImage} (${(r.baseSizeBytes / MiB).toFixed(1)} MiB) ${r.baseBuilt ? 'built' : 'already there'} in ${r.baseSeconds.toFixed(1)} s`);
    console.log(`image ${r.tag} (${(r.sizeBytes / MiB).toFixed(1)} MiB) built in ${r.buildSeconds.toFixed(1)} s`);
  } else if (command === 'reproduce') {
    const r = await checkReproducible();
    const same = JSON.stringify(r.first) === JSON.stringify(r.second);
    console.log(`${r.tag}: first ${r.first.join(',')}, again ${r.second.join(',')}: ${same ? 'the same' : 'DIFFERENT'}`);
    if (!same) process.exitCode = 1;
  } else {
    throw new Error(`unknown command "${command ?? ''}": use "base", "build" or "reproduce"`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
