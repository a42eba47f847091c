// The migrated objects as YAML a person reads before applying: a header saying what the file is, and above each
// object where it came from, what did not carry over and any problem validate found.
import { stringify } from 'yaml';
import { metadataOf, type Migrated } from './types.js';

export const HEADER = [
  'Herald objects written by `kubectl herald migrate-from-metallb` from MetalLB\'s configuration.',
  'Services need no edit: Herald honours the metallb.universe.tf/ and metallb.io/ annotations (address-pool,',
  'loadBalancerIPs, allow-shared-ip) and keeps the IPs MetalLB wrote in their status.',
];

const comment = (lines: readonly string[]): string => lines.map((l) => `# ${l}\n`).join('');

/** One object with its comments: its source, then `WARNING:` lines, then `PROBLEM:` lines. */
export function renderObject(m: Migrated, problems: readonly string[] = []): string {
  const lines = [`from ${m.from}`, ...m.warnings.map((w) => `WARNING: ${w}`), ...problems.map((p) => `PROBLEM: ${p}`)];
  // YAML 1.1 quoting: kubectl's YAML reader takes 65535:65281 unquoted for a base-60 number and yes/no for booleans.
  return comment(lines) + stringify(m.object, { lineWidth: 0, version: '1.1' });
}

/** Every object in one stream of YAML documents. */
export function renderAll(objects: readonly Migrated[], problemsOf: (m: Migrated) => string[]): string {
  return comment(HEADER) + objects.map((m) => `---\n${renderObject(m, problemsOf(m))}`).join('');
}

/** The file name an object gets with -o DIR: ipaddresspool-first.yaml. */
export function fileNameOf(m: Migrated): string {
  return `${String(m.object.kind).toLowerCase()}-${metadataOf(m.object).name}.yaml`;
}
