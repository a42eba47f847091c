// MetalLB's configuration before CRDs (0.12 and older): one ConfigMap, `config` in metallb-system, whose `config` key
// holds YAML with address-pools (each with its protocol, layer2 or bgp, and for bgp its bgp-advertisements), peers,
// bgp-communities and bfd-profiles. Releases before 0.9 spelt some keys otherwise (cidr for addresses,
// advertisements for bgp-advertisements, communities for bgp-communities, a top-level protocol); both are read.
// The deprecated AddressPool CR (metallb.io v1alpha1/v1beta1) is the same pool in camelCase and goes the same way.
import { parse } from 'yaml';
import { API_VERSION, HERALD_NAMESPACE } from '../../crds/v1beta1/index.js';
import { isObject, type JsonObject, type Migrated } from './types.js';

/** A legacy pool, whichever spelling it came in. */
export interface LegacyPool {
  name: string;
  protocol: string | undefined;
  addresses: string[];
  autoAssign: boolean | undefined;
  avoidBuggyIPs: boolean | undefined;
  /** undefined: MetalLB's default, one advertisement of every IP as a /32 (/128) with no attributes. */
  advertisements: JsonObject[] | undefined;
  /** Keys of the entry this reading does not know, for a warning. */
  unknown: string[];
}

const herald = (kind: string, name: string, spec: JsonObject): JsonObject =>
  ({ apiVersion: API_VERSION, kind, metadata: { name, namespace: HERALD_NAMESPACE }, spec });

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
/** MetalLB read its ConfigMap with a YAML 1.1 reader, for which yes/no/on/off are booleans too. */
const YAML11_BOOLEANS: Readonly<Record<string, boolean>> = { yes: true, on: true, true: true, no: false, off: false, false: false };
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : typeof v === 'string' ? YAML11_BOOLEANS[v.toLowerCase()] : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

/** Keys of `entry` not in `known`. */
const unknownKeys = (entry: JsonObject, known: readonly string[]): string[] => Object.keys(entry).filter((k) => !known.includes(k));

/** One BGP advertisement of a legacy pool, kebab-case or camelCase, as a Herald BGPAdvertisement spec for `pool`. */
function advertisementSpec(pool: string, ad: JsonObject): { spec: JsonObject; unknown: string[] } {
  const spec: JsonObject = { ipAddressPools: [pool] };
  const pick = (kebab: string, camel: string) => ad[kebab] ?? ad[camel];
  const length = int(pick('aggregation-length', 'aggregationLength'));
  const lengthV6 = int(pick('aggregation-length-v6', 'aggregationLengthV6'));
  const localPref = int(pick('localpref', 'localPref'));
  const communities = strings(ad.communities);
  if (length !== undefined) spec.aggregationLength = length;
  if (lengthV6 !== undefined) spec.aggregationLengthV6 = lengthV6;
  if (localPref !== undefined) spec.localPref = localPref;
  if (communities.length > 0) spec.communities = communities;
  const known = ['aggregation-length', 'aggregationLength', 'aggregation-length-v6', 'aggregationLengthV6', 'localpref', 'localPref', 'communities'];
  return { spec, unknown: unknownKeys(ad, known) };
}

/** The Herald objects one legacy pool stands for: the pool, and its L2Advertisement or BGPAdvertisements. */
export function migratePool(pool: LegacyPool, from: string): Migrated[] {
  const warnings = pool.unknown.map((k) => `${k} is not carried over: MetalLB's legacy pools have no such key that Herald knows`);
  const spec: JsonObject = { addresses: pool.addresses };
  if (pool.autoAssign !== undefined) spec.autoAssign = pool.autoAssign;
  if (pool.avoidBuggyIPs !== undefined) spec.avoidBuggyIPs = pool.avoidBuggyIPs;
  const objects: Migrated[] = [{ object: herald('IPAddressPool', pool.name, spec), from, warnings }];
  if (pool.protocol === 'layer2') {
    objects.push({ object: herald('L2Advertisement', pool.name, { ipAddressPools: [pool.name] }), from: `${from} (protocol: layer2)`, warnings: [] });
  } else if (pool.protocol === 'bgp') {
    const ads = pool.advertisements && pool.advertisements.length > 0 ? pool.advertisements : [{}];
    ads.forEach((ad, i) => {
      const { spec: adSpec, unknown } = advertisementSpec(pool.name, ad);
      const name = ads.length === 1 ? pool.name : `${pool.name}-${i + 1}`;
      objects.push({ object: herald('BGPAdvertisement', name, adSpec), from: `${from} (protocol: bgp, advertisement ${i + 1})`,
        warnings: unknown.map((k) => `${k} is not carried over: not a key of MetalLB's BGP advertisements that Herald knows`) });
    });
  } else {
    warnings.push(`protocol ${JSON.stringify(pool.protocol ?? null)} is neither layer2 nor bgp: the pool is migrated without an advertisement, so Herald assigns its IPs but announces none; add an L2Advertisement or BGPAdvertisement`);
  }
  return objects;
}

/** A legacy pool from a ConfigMap entry (kebab-case), with the top-level protocol of pre-0.9 configs as fallback. */
export function configMapPool(entry: JsonObject, defaultProtocol: string | undefined): LegacyPool {
  const known = ['name', 'protocol', 'addresses', 'cidr', 'auto-assign', 'avoid-buggy-ips', 'bgp-advertisements', 'advertisements'];
  const ads = entry['bgp-advertisements'] ?? entry.advertisements;
  return {
    name: String(entry.name ?? ''),
    protocol: typeof entry.protocol === 'string' ? entry.protocol : defaultProtocol,
    addresses: strings(entry.addresses ?? entry.cidr),
    autoAssign: bool(entry['auto-assign']),
    avoidBuggyIPs: bool(entry['avoid-buggy-ips']),
    advertisements: Array.isArray(ads) ? ads.filter(isObject) : undefined,
    unknown: unknownKeys(entry, known),
  };
}

/** The deprecated AddressPool custom resource's spec (camelCase). */
export function addressPoolResource(name: string, spec: JsonObject): LegacyPool {
  const known = ['protocol', 'addresses', 'autoAssign', 'avoidBuggyIPs', 'bgpAdvertisements'];
  return {
    name,
    protocol: typeof spec.protocol === 'string' ? spec.protocol : undefined,
    addresses: strings(spec.addresses),
    autoAssign: bool(spec.autoAssign),
    avoidBuggyIPs: bool(spec.avoidBuggyIPs),
    advertisements: Array.isArray(spec.bgpAdvertisements) ? spec.bgpAdvertisements.filter(isObject) : undefined,
    unknown: unknownKeys(spec, known).map((k) => `spec.${k}`),
  };
}

/** The text of a ConfigMap's `config` key, parsed; a parse error names the ConfigMap. */
export function parseLegacyConfig(text: string, where: string): JsonObject {
  let value: unknown;
  try {
    value = parse(text);
  } catch (err) {
    throw new Error(`${where}: its config key is not YAML: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (value === null || value === undefined) return {};
  if (!isObject(value)) throw new Error(`${where}: its config key holds a ${Array.isArray(value) ? 'list' : typeof value}, not MetalLB's configuration`);
  return value;
}
