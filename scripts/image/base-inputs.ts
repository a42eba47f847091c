// What the locally made base image (scripts/image/base.ts) is built from, and the tag that names exactly those
// inputs: the same inputs give the same tag, so a machine that has the tag has the base, and any changed input (the
// Debian mirror's release, the pinned Node, the npm it bundles, this code) gives a new tag and a rebuild.
// Pure: text in, values out; base.ts reads the files and the mirror.
import { createHash } from 'node:crypto';

/** The Debian release the base is made of; node:24-slim was bookworm when the Dockerfile was written. */
export const DEBIAN_SUITE = 'bookworm';
export const DEFAULT_DEBIAN_MIRROR = 'http://deb.debian.org/debian';
export const BASE_REPOSITORY = 'localhost/herald-base';

export interface BaseInputs {
  suite: string;
  mirror: string;
  /** sha256 of the mirror's dists/<suite>/InRelease: a new point release or security fix changes it. */
  releaseSha256: string;
  nodeVersion: string;
  /** sha256 of the node binary that goes into /usr/local/bin. */
  nodeSha256: string;
  npmVersion: string;
  /** The npm tarball's integrity as the registry gives it. */
  npmIntegrity: string;
  /** sha256 over the sources of scripts/image/ that shape the base. */
  recipeSha256: string;
}

/** localhost/herald-base:bookworm-node24.21.0-<12 hex digits of the inputs' hash>. */
export function baseTag(inputs: BaseInputs): string {
  const digest = createHash('sha256').update(JSON.stringify(inputs, Object.keys(inputs).sort())).digest('hex');
  return `${BASE_REPOSITORY}:${inputs.suite}-node${inputs.nodeVersion}-${digest.slice(0, 12)}`;
}

interface AptSource {
  uris: string[];
  suites: string[];
  components: string[];
}

/** Both formats apt reads: one-line `deb URI SUITE COMPONENT...` and deb822 stanzas (`URIs:`, `Suites:`, ...). */
export function parseAptSources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) sources.push({ uris: [m[1]], suites: [m[2]], components: (m[3] ?? '').split(/\s+/).filter(Boolean) });
  }
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name: string): string[] => {
      const m = new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(stanza);
      return (m?.[1] ?? '').split(/\s+/).filter(Boolean);
    };
    if (!field('Types').includes('deb')) continue;
    sources.push({ uris: field('URIs'), suites: field('Suites'), components: field('Components') });
  }
  return sources;
}

/**
 * The mirror this machine's apt takes `suite`'s main component from (the plain suite, not -security or -updates),
 * so the base comes from the same place as the machine's own packages; the Debian default when apt names none.
 */
export function aptMirror(sourcesTexts: readonly string[], suite = DEBIAN_SUITE): string {
  for (const source of sourcesTexts.flatMap(parseAptSources)) {
    const uri = source.uris[0];
    if (uri !== undefined && source.suites.includes(suite) && source.components.includes('main')) return uri.replace(/\/+$/, '');
  }
  return DEFAULT_DEBIAN_MIRROR;
}

/**
 * The npm a Node release bundles, from that release's CHANGELOG (the node-<platform>-<arch> package ships it): the
 * first "upgrade npm to X" at or below the release's own heading. Newest releases come first, so a release that did
 * not upgrade npm carries the one an older release brought in.
 */
export function bundledNpmVersion(changelog: string, nodeVersion: string): string {
  const heading = changelog.search(new RegExp(`^## .*Version ${nodeVersion.replace(/\./g, '\\.')}\\b`, 'm'));
  if (heading < 0) throw new Error(`Node's CHANGELOG has no "## ... Version ${nodeVersion}" heading`);
  const m = /upgrade npm to (\d+\.\d+\.\d+)/.exec(changelog.slice(heading));
  if (m?.[1] === undefined) throw new Error(`Node's CHANGELOG names no "upgrade npm to X.Y.Z" at or below Version ${nodeVersion}`);
  return m[1];
}
