// BGPAdvertisement objects → advertisement models, and the problems MetalLB's webhook refuses one for, reported
// instead:
//   InvalidAggregationLength  aggregationLength (IPv4) or aggregationLengthV6 is shorter than the widest CIDR block
//                             of an entry of a pool it announces: the prefix would cover addresses outside the pool;
//   LocalPrefConflict         it and another advertisement announce the same prefix (a pool both select, the same
//                             aggregation length for that family, peers in common) with different localPref values;
//                             both are reported;
//   InvalidCommunity          a community written as one ("65536:1", "large:1:2") is out of range or malformed;
//   UnknownCommunity          a community that is not written as one names no usable Community alias;
//   InvalidSelector           a selector does not compile (it stays, matching nothing).
import type { BGPAdvertisement, IPAddressPool } from '../../crds/v1beta1/index.js';
import { familyName, parseAddressEntry, type Family } from '../ip/index.js';
import type { BGPAdvertisementModel, BGPProblem } from './bgp-model.js';
import { compareText, compileSelectors, nameOf, problem, q, selectorProblem, v, type UnusableSelector } from './bgp-shared.js';
import { formatCommunity, looksLikeCommunity, parseCommunity, widestBlockPrefix, type CommunityValue } from './bgp-values.js';

/** What an alias name resolves to: a value, or why it cannot be used (the Community object reports it). */
export type AliasLookup = ReadonlyMap<string, CommunityValue | { unusable: string }>;

const adProblem = (ad: BGPAdvertisement, reason: BGPProblem['reason'], field: string, value: string, what: string): BGPProblem =>
  problem('BGPAdvertisement', nameOf(ad), reason, field, value, what);

function communities(ad: BGPAdvertisement, aliases: AliasLookup, problems: BGPProblem[]): CommunityValue[] {
  const values: CommunityValue[] = [];
  (ad.spec?.communities ?? []).forEach((text, i) => {
    const field = `communities[${i}]`;
    const alias = aliases.get(text);
    if (alias && 'unusable' in alias) {
      problems.push(adProblem(ad, 'UnknownCommunity', field, text, `${field}: Community alias ${q(text)} cannot be used: ${alias.unusable}`));
    } else if (alias) {
      values.push(alias);
    } else if (looksLikeCommunity(text)) {
      const parsed = parseCommunity(text);
      if (parsed.ok) values.push(parsed.value);
      else problems.push(adProblem(ad, 'InvalidCommunity', field, text, `${field}: ${parsed.why}`));
    } else {
      problems.push(adProblem(ad, 'UnknownCommunity', field, text,
        `${field}: ${q(text)} is neither a community ("65000:100", "large:1:2:3") nor the name of a Community alias`));
    }
  });
  const seen = new Set<string>();
  return values.filter((c) => !seen.has(formatCommunity(c)) && seen.add(formatCommunity(c)));
}

/** One advertisement read on its own (and against the Community aliases): its model and its problems. */
export function advertisementModel(ad: BGPAdvertisement, aliases: AliasLookup): { model: BGPAdvertisementModel; problems: BGPProblem[] } {
  const spec = ad.spec ?? {};
  const name = nameOf(ad);
  const problems: BGPProblem[] = [];
  const unusable: UnusableSelector[] = [];
  const model: BGPAdvertisementModel = {
    name,
    aggregationLength: spec.aggregationLength ?? 32,
    aggregationLengthV6: spec.aggregationLengthV6 ?? 128,
    localPref: spec.localPref,
    communities: communities(ad, aliases, problems),
    poolNames: [...new Set(spec.ipAddressPools ?? [])],
    poolSelectors: compileSelectors(unusable, 'ipAddressPoolSelectors', spec.ipAddressPoolSelectors),
    nodeSelectors: compileSelectors(unusable, 'nodeSelectors', spec.nodeSelectors),
    peers: [...new Set(spec.peers ?? [])].sort(),
    serviceSelectors: compileSelectors(unusable, 'serviceSelectors', spec.serviceSelectors),
  };
  const selector = selectorProblem('BGPAdvertisement', name, unusable);
  if (selector) problems.push(selector);
  return { model, problems };
}

/** The pools an advertisement announces: those it names or selects, every pool when it does neither. */
export function selectedPools(model: BGPAdvertisementModel, pools: readonly IPAddressPool[]): IPAddressPool[] {
  const everyPool = model.poolNames.length === 0 && model.poolSelectors.length === 0;
  return pools.filter((p) => everyPool || model.poolNames.includes(nameOf(p))
    || model.poolSelectors.some((s) => s.ok && s.matches(p.metadata.labels ?? {})));
}

const aggregationOf = (model: BGPAdvertisementModel, family: Family): number => (family === 4 ? model.aggregationLength : model.aggregationLengthV6);
const aggregationField = (family: Family): string => (family === 4 ? 'aggregationLength' : 'aggregationLengthV6');

/** InvalidAggregationLength: the first entry, in any pool the advertisement announces, wider than its aggregation. */
export function aggregationProblem(ad: BGPAdvertisement, model: BGPAdvertisementModel, pools: readonly IPAddressPool[]): BGPProblem | undefined {
  for (const pool of selectedPools(model, pools)) {
    for (const entry of pool.spec.addresses) {
      const parsed = parseAddressEntry(entry);
      if (!parsed.ok) continue; // the pool reports its own bad entry
      const length = aggregationOf(model, parsed.interval.family);
      const widest = widestBlockPrefix(parsed.interval);
      if (length >= widest) continue;
      const field = aggregationField(parsed.interval.family);
      return adProblem(ad, 'InvalidAggregationLength', field, String(length),
        `${field} ${length} is shorter than /${widest}, the widest ${familyName(parsed.interval.family)} block of entry "${v(entry)}" of IPAddressPool ${q(nameOf(pool))}: `
        + `a /${length} would announce addresses outside the pool; use ${widest} or longer`);
    }
  }
  return undefined;
}

function familiesOf(pool: IPAddressPool): Set<Family> {
  return new Set(pool.spec.addresses.map(parseAddressEntry).flatMap((p) => (p.ok ? [p.interval.family] : [])));
}

const peersMeet = (a: BGPAdvertisementModel, b: BGPAdvertisementModel): boolean =>
  a.peers.length === 0 || b.peers.length === 0 || a.peers.some((p) => b.peers.includes(p));

/** Where `a` and `b` announce the same prefix: a pool both select with a family both aggregate alike. */
function sharedPrefix(a: BGPAdvertisementModel, b: BGPAdvertisementModel, pools: readonly IPAddressPool[]): { pool: string; family: Family } | undefined {
  if (!peersMeet(a, b)) return undefined;
  const ofB = new Set(selectedPools(b, pools));
  for (const pool of selectedPools(a, pools)) {
    if (!ofB.has(pool)) continue;
    const family = [...familiesOf(pool)].find((f) => aggregationOf(a, f) === aggregationOf(b, f));
    if (family !== undefined) return { pool: nameOf(pool), family };
  }
  return undefined;
}

/** LocalPrefConflict on each advertisement whose localPref another one contradicts for a prefix both announce. */
export function localPrefProblems(ads: readonly { ad: BGPAdvertisement; model: BGPAdvertisementModel }[], pools: readonly IPAddressPool[]): BGPProblem[] {
  const sorted = [...pools].sort((x, y) => compareText(nameOf(x), nameOf(y)));
  const withPref = ads.filter((a) => a.model.localPref !== undefined);
  const problems: BGPProblem[] = [];
  for (const one of withPref) {
    for (const other of withPref) {
      // An advertisement never contradicts itself (nor any other with its localPref).
      if (other.model.localPref === one.model.localPref) continue;
      const shared = sharedPrefix(one.model, other.model, sorted);
      if (!shared) continue;
      const length = aggregationOf(one.model, shared.family);
      problems.push(adProblem(one.ad, 'LocalPrefConflict', 'localPref', String(one.model.localPref),
        `localPref ${one.model.localPref} contradicts localPref ${other.model.localPref} of BGPAdvertisement ${q(other.model.name)}: both announce the ${familyName(shared.family)} `
        + `addresses of IPAddressPool ${q(shared.pool)} as /${length} prefixes to the same peers; give them one localPref, or different pools, aggregation lengths or peers`));
      break;
    }
  }
  return problems;
}
