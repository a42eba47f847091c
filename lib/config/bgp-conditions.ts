// The Ready condition every BGP object gets, decided from the problems bgpConfigFromResources found: False with the
// reason of its most important problem (REASON_ORDER) and a message naming every one, or True (Valid). Pure; the
// controller writes them (controller/reconcile/bgp-status.ts) the way it writes L2Advertisement's.
import type { BGPConfig, BGPObjectKind, BGPProblem, BGPProblemReason } from './bgp-model.js';
import { boundedMessage } from './messages.js';
import { nameOf, q } from './bgp-shared.js';
import { bgpConfigFromResources, type BGPResources } from './bgp.js';

export type BGPReadyReason = BGPProblemReason | 'Valid';

export interface BGPReadiness {
  kind: BGPObjectKind;
  name: string;
  status: 'True' | 'False';
  reason: BGPReadyReason;
  message: string;
}

/** The first of an object's problems in this order gives the condition its reason: what stops it from being used
 *  at all (an unsupported feature, contradictory fields) before what depends on other objects. */
export const REASON_ORDER: readonly BGPProblemReason[] = [
  'VRFNotSupported', 'EchoModeNotSupported', 'PasswordConflict', 'MultiHopWithIBGP', 'InvalidTimers',
  'InvalidCommunity', 'UnknownCommunity', 'InvalidAggregationLength', 'DuplicateCommunity', 'BFDProfileNotFound',
  'SecretNotFound', 'InvalidSecret', 'DuplicatePeer', 'LocalPrefConflict', 'InvalidSelector',
];


/** One object's problems in the order its condition names them (REASON_ORDER; the first gives the reason). */
export function inConditionOrder(problems: readonly BGPProblem[]): BGPProblem[] {
  return [...problems].sort((a, b) => REASON_ORDER.indexOf(a.reason) - REASON_ORDER.indexOf(b.reason));
}

/** An object to decide for: its kind and name. */
export interface BGPObjectRef { kind: BGPObjectKind; name: string }

export function bgpReadiness(objects: readonly BGPObjectRef[], config: Pick<BGPConfig, 'problems'>): BGPReadiness[] {
  const byObject = new Map<string, BGPProblem[]>();
  for (const p of config.problems) {
    const key = `${p.kind}/${p.name}`;
    byObject.set(key, [...(byObject.get(key) ?? []), p]);
  }
  return objects.map(({ kind, name }) => {
    const problems = inConditionOrder(byObject.get(`${kind}/${name}`) ?? []);
    const [first] = problems;
    if (!first) return { kind, name, status: 'True', reason: 'Valid', message: `${kind} ${q(name)} is valid` };
    return { kind, name, status: 'False', reason: first.reason, message: boundedMessage(problems.map((p) => p.message).join('; also ')) };
  });
}

/** Every BGP object of `resources` with its Ready condition. */
export function bgpReadinessFromResources(resources: BGPResources): BGPReadiness[] {
  const refs = (kind: BGPObjectKind, objects: readonly { metadata: { name?: string } }[]): BGPObjectRef[] =>
    objects.map((o) => ({ kind, name: nameOf(o) }));
  return bgpReadiness([
    ...refs('BGPPeer', resources.peers), ...refs('BGPAdvertisement', resources.advertisements),
    ...refs('BFDProfile', resources.bfdProfiles), ...refs('Community', resources.communities),
  ], bgpConfigFromResources(resources));
}
