// migrate-from-metallb's decision, pure: MetalLB's objects (custom resources of metallb.io, the legacy ConfigMap,
// the deprecated AddressPool) → Herald's, each with what did not carry over; anything else is skipped with a note.
import { CARRIED_KINDS, migrateResource, STATE_KINDS } from './crs.js';
import { migrateBfdProfiles, migrateCommunities, migratePeers } from './legacy-bgp.js';
import { addressPoolResource, configMapPool, migratePool, parseLegacyConfig } from './legacy.js';
import { isObject, metadataOf, type JsonObject, type Migrated, type Migration } from './types.js';

export const METALLB_GROUP = 'metallb.io';

const LEGACY_KEYS = ['address-pools', 'peers', 'bgp-communities', 'communities', 'bfd-profiles', 'protocol'];

const list = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.filter(isObject) : []);

/** The objects of MetalLB's legacy configuration text (a ConfigMap's config key), and notes about what is left. */
export function migrateLegacyConfig(text: string, where: string): Migration {
  const config = parseLegacyConfig(text, where);
  const defaultProtocol = typeof config.protocol === 'string' ? config.protocol : undefined;
  const pools = list(config['address-pools']).flatMap((entry, i) =>
    migratePool(configMapPool(entry, defaultProtocol), `${where} address-pools[${i}] (${String(entry.name ?? '')})`));
  const aliases = isObject(config['bgp-communities']) ? config['bgp-communities'] : isObject(config.communities) ? config.communities : {};
  const objects = [
    ...pools, ...migratePeers(list(config.peers), where), ...migrateCommunities(aliases, where), ...migrateBfdProfiles(list(config['bfd-profiles']), where),
  ];
  const notes = Object.keys(config).filter((k) => !LEGACY_KEYS.includes(k)).map((k) => `${where}: key ${k} is not carried over: not part of MetalLB's configuration that Herald knows`);
  return { objects, notes };
}

function migrateOne(source: JsonObject): Migration {
  const apiVersion = typeof source.apiVersion === 'string' ? source.apiVersion : '';
  const kind = typeof source.kind === 'string' ? source.kind : '';
  const meta = metadataOf(source);
  const where = `${kind} ${meta.namespace ?? ''}/${meta.name}`;
  if (apiVersion === 'v1' && kind === 'ConfigMap') {
    const data = isObject(source.data) ? source.data : {};
    if (typeof data.config !== 'string') return { objects: [], notes: [`${where}: skipped, no config key (not MetalLB's legacy configuration)`] };
    return migrateLegacyConfig(data.config, `ConfigMap ${meta.namespace ?? ''}/${meta.name}`);
  }
  if (apiVersion.startsWith(`${METALLB_GROUP}/`)) {
    if ((CARRIED_KINDS as readonly string[]).includes(kind)) return { objects: [migrateResource(source)], notes: [] };
    if (kind === 'AddressPool') return { objects: migratePool(addressPoolResource(meta.name, isObject(source.spec) ? source.spec : {}), `${apiVersion} ${where}`), notes: [] };
    if ((STATE_KINDS as readonly string[]).includes(kind)) return { objects: [], notes: [`${where}: skipped, state MetalLB writes (Herald's controller and speakers write their own)`] };
    return { objects: [], notes: [`${where}: skipped, a MetalLB kind Herald has no counterpart for (${apiVersion})`] };
  }
  return { objects: [], notes: [`${where}: skipped, not a MetalLB object (${apiVersion || 'no apiVersion'})`] };
}

const KIND_ORDER = ['IPAddressPool', 'Community', 'BFDProfile', 'BGPPeer', 'L2Advertisement', 'BGPAdvertisement'];

const sortKey = (m: Migrated): [number, string] => {
  const kind = String(m.object.kind);
  return [KIND_ORDER.indexOf(kind), metadataOf(m.object).name];
};

/** Every Herald object MetalLB's `sources` stand for, pools first (what advertisements refer to), then by name. */
export function migrate(sources: readonly JsonObject[]): Migration {
  const all = sources.map(migrateOne);
  const objects: Migrated[] = all.flatMap((m) => m.objects).sort((a, b) => {
    const [ka, na] = sortKey(a);
    const [kb, nb] = sortKey(b);
    return ka - kb || (na < nb ? -1 : na > nb ? 1 : 0);
  });
  return { objects, notes: all.flatMap((m) => m.notes) };
}
