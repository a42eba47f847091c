// krew's own programs, for checking the manifest the way krew does: its validator
// (sigs.k8s.io/krew/cmd/validate-krew-manifest, what krew-index's CI runs on every manifest) and krew itself (which
// installs a plugin from the manifest and a local archive). Both are Go; they are built once per machine with
// `go install` from the Go module proxy into the cache folder beside the Kubernetes binaries (test/cluster/versions.ts).
// v0.4.4: the newest release the module proxy serves here (it answers v0.4.5 with "not available").
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findGo, GoMissingError } from '../../test/cluster/build.js';

export const KREW_VERSION = 'v0.4.4';
const PROGRAMS = { 'validate-krew-manifest': 'sigs.k8s.io/krew/cmd/validate-krew-manifest', krew: 'sigs.k8s.io/krew/cmd/krew' } as const;
export type KrewProgram = keyof typeof PROGRAMS;

/** ~/.cache/herald/krew-v0.4.4 (XDG_CACHE_HOME respected). */
export function krewToolsDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'herald', `krew-${KREW_VERSION}`);
}

/** The program's path, built first when the cache folder has none. */
export async function krewTool(name: KrewProgram): Promise<string> {
  const path = join(krewToolsDir(), name);
  if (existsSync(path)) return path;
  const go = findGo();
  if (go === undefined) throw new GoMissingError();
  mkdirSync(krewToolsDir(), { recursive: true });
  try {
    await promisify(execFile)(go, ['install', `${PROGRAMS[name]}@${KREW_VERSION}`], {
      env: { ...process.env, GOBIN: krewToolsDir(), CGO_ENABLED: '0' }, maxBuffer: 16 << 20,
    });
  } catch (err) {
    throw new Error(`could not build ${PROGRAMS[name]}@${KREW_VERSION} with ${go}: ${(err as { stderr?: string }).stderr ?? String(err)}`, { cause: err });
  }
  return path;
}
