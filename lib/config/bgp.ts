// bgpConfigFromResources: BGPPeer, BGPAdvertisement, BFDProfile and Community objects (with the IPAddressPools and
// nodes they refer to) → the model BGP code reads, plus every problem found. The cross-object rules MetalLB's
// webhook enforces are problems here, reported as Ready=False conditions (bgp-conditions.ts), never a refused
// write. One bad object never stops the others: it is left out of the model (bgp-model.ts says what stays).
//
// BFDProfile:  EchoModeNotSupported  echoMode is true (Herald's BFD sends no echo packets).
// Community:   InvalidCommunity      an alias's value is out of range ("65536:1"; the schema checks the shape);
//              DuplicateCommunity    an alias name is defined twice (in two Community objects): neither is used.
// BGPPeer and BGPAdvertisement: bgp-peers.ts and bgp-advertisements.ts list theirs.
import type { BFDProfile, BGPAdvertisement, BGPPeer, Community, IPAddressPool } from '../../crds/v1beta1/index.js';
import { BFD_DEFAULTS } from '../../crds/v1beta1/index.js';
import type { BFDProfileModel, BGPConfig, BGPObjectKind, BGPProblem, NodeLabels, PasswordSecrets } from './bgp-model.js';
import { advertisementModel, aggregationProblem, localPrefProblems, type AliasLookup } from './bgp-advertisements.js';
import { duplicatePeerProblems, peerFromResource } from './bgp-peers.js';
import { byName, compareText, nameOf, problem, q } from './bgp-shared.js';
import { parseCommunity, type CommunityValue } from './bgp-values.js';

export interface BGPResources {
  peers: readonly BGPPeer[];
  advertisements: readonly BGPAdvertisement[];
  bfdProfiles: readonly BFDProfile[];
  communities: readonly Community[];
  /** What advertisements announce (aggregation, localPref rules). */
  pools: readonly IPAddressPool[];
  /** Nodes with their labels, for DuplicatePeer; without them two peers only clash with the same nodeSelectors. */
  nodes?: readonly NodeLabels[];
  /** The Secrets a passwordSecret may name (SecretNotFound, InvalidSecret); without them passwordSecret is not checked. */
  secrets?: PasswordSecrets;
}

export function bfdProfileFromResource(profile: BFDProfile): { model?: BFDProfileModel; problem?: BGPProblem } {
  const spec = profile.spec ?? {};
  const name = nameOf(profile);
  if (spec.echoMode) {
    return { problem: problem('BFDProfile', name, 'EchoModeNotSupported', 'echoMode', 'true',
      'echoMode is not supported: Herald\'s BFD sends control packets only (RFC 5880 asynchronous mode); set echoMode false or remove it') };
  }
  return { model: {
    name,
    receiveIntervalMs: spec.receiveInterval ?? BFD_DEFAULTS.receiveInterval,
    transmitIntervalMs: spec.transmitInterval ?? BFD_DEFAULTS.transmitInterval,
    detectMultiplier: spec.detectMultiplier ?? BFD_DEFAULTS.detectMultiplier,
    echoIntervalMs: spec.echoInterval ?? BFD_DEFAULTS.echoInterval,
    passiveMode: spec.passiveMode ?? BFD_DEFAULTS.passiveMode,
    minimumTtl: spec.minimumTtl ?? BFD_DEFAULTS.minimumTtl,
  } };
}

/** Every alias, resolved or with why it cannot be used, and the Community objects' problems. */
export function communityAliases(objects: readonly Community[]): { aliases: AliasLookup; problems: BGPProblem[] } {
  const definedBy = new Map<string, string[]>();
  for (const c of objects) for (const a of c.spec?.communities ?? []) definedBy.set(a.name, [...(definedBy.get(a.name) ?? []), nameOf(c)]);
  const aliases = new Map<string, CommunityValue | { unusable: string }>();
  const problems: BGPProblem[] = [];
  for (const c of [...objects].sort((a, b) => compareText(nameOf(a), nameOf(b)))) {
    const name = nameOf(c);
    (c.spec?.communities ?? []).forEach((alias, i) => {
      const owners = definedBy.get(alias.name) ?? [];
      const parsed = parseCommunity(alias.value);
      if (owners.length > 1) {
        const others = owners.filter((o) => o !== name);
        problems.push(problem('Community', name, 'DuplicateCommunity', `communities[${i}].name`, alias.name,
          `alias ${q(alias.name)} is also defined in Community ${others.map(q).join(', ') || q(name)}; neither is used until it is defined once`));
        aliases.set(alias.name, { unusable: `it is defined in ${owners.length} Community objects` });
      } else if (!parsed.ok) {
        problems.push(problem('Community', name, 'InvalidCommunity', `communities[${i}].value`, alias.value, `alias ${q(alias.name)}: ${parsed.why}`));
        aliases.set(alias.name, { unusable: `its value in Community ${q(name)} is invalid` });
      } else {
        aliases.set(alias.name, parsed.value);
      }
    });
  }
  return { aliases, problems };
}

const KIND_ORDER: Readonly<Record<BGPObjectKind, number>> = { BGPPeer: 0, BGPAdvertisement: 1, BFDProfile: 2, Community: 3 };
const problemOrder = (a: BGPProblem, b: BGPProblem): number =>
  KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || compareText(a.name, b.name) || compareText(a.field, b.field);

export function bgpConfigFromResources(resources: BGPResources): BGPConfig {
  const problems: BGPProblem[] = [];
  const bfdProfiles: BFDProfileModel[] = [];
  for (const profile of resources.bfdProfiles) {
    const one = bfdProfileFromResource(profile);
    if (one.model) bfdProfiles.push(one.model);
    if (one.problem) problems.push(one.problem);
  }
  const profileNames = new Set(resources.bfdProfiles.map(nameOf));
  const { aliases, problems: communityProblems } = communityAliases(resources.communities);
  problems.push(...communityProblems);

  const duplicates = duplicatePeerProblems(resources.peers, resources.nodes ?? []);
  problems.push(...duplicates);
  const duplicated = new Set(duplicates.map((p) => p.name));
  const peers = resources.peers.flatMap((peer) => {
    const one = peerFromResource(peer, profileNames, resources.secrets);
    problems.push(...one.problems);
    return one.model && !duplicated.has(one.model.name) ? [one.model] : [];
  });

  const ads = [...resources.advertisements].sort((a, b) => compareText(nameOf(a), nameOf(b)))
    .map((ad) => ({ ad, ...advertisementModel(ad, aliases) }));
  for (const one of ads) {
    const aggregation = aggregationProblem(one.ad, one.model, resources.pools);
    if (aggregation) one.problems.push(aggregation);
  }
  // Only advertisements that would be used can conflict with another.
  const clean = ads.filter((a) => a.problems.every((p) => p.reason === 'InvalidSelector'));
  const prefConflicts = localPrefProblems(clean, resources.pools);
  problems.push(...ads.flatMap((a) => a.problems), ...prefConflicts);
  const unusable = new Set(problems.filter((p) => p.kind === 'BGPAdvertisement' && p.reason !== 'InvalidSelector').map((p) => p.name));

  const communities = new Map([...aliases].flatMap(([name, value]): [string, CommunityValue][] => ('unusable' in value ? [] : [[name, value]])));
  return {
    peers: peers.sort(byName),
    advertisements: clean.map((a) => a.model).filter((m) => !unusable.has(m.name)),
    bfdProfiles: bfdProfiles.sort(byName),
    communities,
    problems: problems.sort(problemOrder),
  };
}
