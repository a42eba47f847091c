// The BGP half of MetalLB's legacy ConfigMap: peers, bgp-communities (communities before 0.9) and bfd-profiles,
// written in kebab-case, → BGPPeer, Community and BFDProfile objects. Keys are renamed to the CRDs' camelCase
// (peer-asn → peerASN, node-selectors[].match-labels → matchLabels), then Herald's schema decides what carries over,
// as for the custom resources (crs.ts), so a key Herald lacks is named in a warning.
import { API_VERSION, HERALD_NAMESPACE } from '../../crds/v1beta1/index.js';
import { migrateResource } from './crs.js';
import { isObject, type JsonObject, type Migrated } from './types.js';

/** Renames that are not plain kebab-to-camel. */
const RENAMED: Readonly<Record<string, string>> = {
  'peer-asn': 'peerASN', 'my-asn': 'myASN', 'router-id': 'routerID', 'ebgp-multihop': 'ebgpMultiHop',
};

const camel = (key: string): string => RENAMED[key] ?? key.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The entry's keys in camelCase (values as they are). */
const camelKeys = (entry: JsonObject): JsonObject => Object.fromEntries(Object.entries(entry).map(([k, v]) => [camel(k), v]));

/** A legacy node selector: match-labels as they are (label keys are not renamed), match-expressions' keys camelCased. */
function nodeSelector(selector: unknown): unknown {
  if (!isObject(selector)) return selector;
  const renamed = camelKeys(selector);
  if (Array.isArray(renamed.matchExpressions)) renamed.matchExpressions = renamed.matchExpressions.map((e) => (isObject(e) ? camelKeys(e) : e));
  return renamed;
}

/** Legacy durations were seconds as a number before 0.9 ("hold-time: 120"), Go durations after ("120s"). */
const duration = (v: unknown): unknown => (typeof v === 'number' ? `${v}s` : v);

/** A name for a peer from its address (192.0.2.1 → peer-192-0-2-1), unique among `taken`. */
function peerName(address: unknown, taken: Set<string>): string {
  const base = `peer-${String(address ?? 'unknown').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

const asResource = (kind: string, name: string, spec: JsonObject): JsonObject =>
  ({ apiVersion: API_VERSION, kind, metadata: { name, namespace: HERALD_NAMESPACE }, spec });

export function migratePeers(peers: readonly JsonObject[], where: string): Migrated[] {
  const taken = new Set<string>();
  return peers.map((peer, i) => {
    const spec = camelKeys(peer);
    if (spec.holdTime !== undefined) spec.holdTime = duration(spec.holdTime);
    if (spec.keepaliveTime !== undefined) spec.keepaliveTime = duration(spec.keepaliveTime);
    if (Array.isArray(spec.nodeSelectors)) spec.nodeSelectors = spec.nodeSelectors.map(nodeSelector);
    const migrated = migrateResource(asResource('BGPPeer', peerName(peer['peer-address'], taken), spec));
    return { ...migrated, from: `${where} peers[${i}]` };
  });
}

/** bgp-communities is a map of alias → value; Herald keeps aliases in Community objects: one, named "communities". */
export function migrateCommunities(aliases: JsonObject, where: string): Migrated[] {
  const communities = Object.entries(aliases).map(([name, value]) => ({ name, value: String(value) }));
  if (communities.length === 0) return [];
  return [{ ...migrateResource(asResource('Community', 'communities', { communities })), from: `${where} bgp-communities` }];
}

export function migrateBfdProfiles(profiles: readonly JsonObject[], where: string): Migrated[] {
  return profiles.map((profile, i) => {
    const { name, ...spec } = camelKeys(profile);
    return { ...migrateResource(asResource('BFDProfile', String(name ?? ''), spec)), from: `${where} bfd-profiles[${i}]` };
  });
}
