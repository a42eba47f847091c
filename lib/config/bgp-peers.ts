// BGPPeer objects → peer models, and the problems MetalLB's webhook refuses a peer for, reported instead:
//   VRFNotSupported     vrf is set (Herald peers in the node's main routing table only);
//   PasswordConflict    password and passwordSecret are both set;
//   MultiHopWithIBGP    ebgpMultiHop on an iBGP session (peerASN = myASN, or dynamicASN internal);
//   InvalidTimers       holdTime neither 0 nor 3s-65535s, keepaliveTime above holdTime, connectTime not whole
//                       seconds in 1s-65535s;
//   BFDProfileNotFound  bfdProfile names no BFDProfile;
//   SecretNotFound      passwordSecret names no Secret in herald-system (or a Secret in another namespace, which
//                       Herald never reads);
//   InvalidSecret       the Secret is not of type kubernetes.io/basic-auth, or has no "password" key (MetalLB's rules);
//   DuplicatePeer       two peers with the same peerAddress on nodes both admit (both are reported, neither used);
//   InvalidSelector     a nodeSelector does not compile (it stays, matching nothing).
import type { BGPPeer, LabelSelector } from '../../crds/v1beta1/index.js';
import { canonicalAddress, tryParseAddress } from '../ip/index.js';
import { joinAnd } from './messages.js';
import { compileSelector } from './selector.js';
import type { BGPPeerModel, BGPProblem, NodeLabels, PasswordSecrets, PeerASN, PeerPassword } from './bgp-model.js';
import { compareText, compileSelectors, nameOf, problem, q, selectorProblem, v, type UnusableSelector } from './bgp-shared.js';
import { parseDurationMs } from './bgp-values.js';

export const DEFAULT_HOLD_MS = 90_000;
export const DEFAULT_CONNECT_MS = 120_000;
/** RFC 4271 §4.2: a hold time is 0 or at least 3 seconds, in two octets of seconds. */
const MIN_HOLD_MS = 3_000;
const MAX_SECONDS_MS = 65_535_000;

const peerProblem = (peer: BGPPeer, reason: BGPProblem['reason'], field: string, value: string, what: string): BGPProblem =>
  problem('BGPPeer', nameOf(peer), reason, field, value, what);

function isIBGP(spec: BGPPeer['spec']): boolean {
  return spec.dynamicASN === 'internal' || spec.peerASN === spec.myASN;
}

interface Timers { holdTimeMs: number; keepaliveTimeMs: number; connectTimeMs: number }

/** The timers, defaults applied; a timer that is not a duration is reported and left at its default. */
function timers(peer: BGPPeer, problems: BGPProblem[]): Timers {
  const read = (field: 'holdTime' | 'keepaliveTime' | 'connectTime'): { ms: number; text: string } | undefined => {
    const text = peer.spec[field];
    if (text === undefined) return undefined;
    const parsed = parseDurationMs(text);
    if (parsed.ok) return { ms: parsed.value, text };
    problems.push(peerProblem(peer, 'InvalidTimers', field, text, `${field} ${parsed.why}`));
    return undefined;
  };
  const hold = read('holdTime');
  const keepalive = read('keepaliveTime');
  const connect = read('connectTime');
  const holdMs = hold?.ms ?? DEFAULT_HOLD_MS;
  if (hold && hold.ms !== 0 && (hold.ms < MIN_HOLD_MS || hold.ms > MAX_SECONDS_MS)) {
    problems.push(peerProblem(peer, 'InvalidTimers', 'holdTime', hold.text, `holdTime "${v(hold.text)}" must be 0 or from 3s to 65535s (RFC 4271 §4.2)`));
  }
  if (keepalive && keepalive.ms > holdMs) {
    problems.push(peerProblem(peer, 'InvalidTimers', 'keepaliveTime', keepalive.text,
      `keepaliveTime "${v(keepalive.text)}" is longer than holdTime "${v(hold?.text ?? '90s')}": the session would expire between keepalives`));
  }
  if (connect && (connect.ms < 1000 || connect.ms > MAX_SECONDS_MS || connect.ms % 1000 !== 0)) {
    problems.push(peerProblem(peer, 'InvalidTimers', 'connectTime', connect.text, `connectTime "${v(connect.text)}" must be whole seconds from 1s to 65535s`));
  }
  return { holdTimeMs: holdMs, keepaliveTimeMs: keepalive?.ms ?? holdMs / 3, connectTimeMs: connect?.ms ?? DEFAULT_CONNECT_MS };
}

function password(spec: BGPPeer['spec']): PeerPassword {
  if (spec.passwordSecret?.name) return { kind: 'secret', name: spec.passwordSecret.name, namespace: spec.passwordSecret.namespace || undefined };
  return spec.password ? { kind: 'inline', password: spec.password } : { kind: 'none' };
}

/** The Secret type MetalLB requires of a passwordSecret, and the key holding the TCP MD5 key. */
export const PASSWORD_SECRET_TYPE = 'kubernetes.io/basic-auth';
export const PASSWORD_SECRET_KEY = 'password';

/** SecretNotFound or InvalidSecret for the Secret `passwordSecret` names, judged against the Secrets Herald reads. */
export function passwordSecretProblem(peer: BGPPeer, secrets: PasswordSecrets): BGPProblem | undefined {
  const ref = peer.spec.passwordSecret;
  if (!ref?.name) return undefined;
  const { namespace } = secrets;
  if (ref.namespace && ref.namespace !== namespace) {
    return peerProblem(peer, 'SecretNotFound', 'passwordSecret.namespace', ref.namespace,
      `passwordSecret ${q(`${ref.namespace}/${ref.name}`)} is in namespace ${q(ref.namespace)}: Herald reads a peer's Secret from ${q(namespace)} only; move the Secret there`);
  }
  const secret = secrets.secrets.find((s) => s.name === ref.name);
  if (!secret) {
    return peerProblem(peer, 'SecretNotFound', 'passwordSecret.name', ref.name, `passwordSecret ${q(ref.name)} names no Secret in ${q(namespace)}`);
  }
  if (secret.type !== PASSWORD_SECRET_TYPE) {
    return peerProblem(peer, 'InvalidSecret', 'passwordSecret.name', ref.name,
      `passwordSecret ${q(ref.name)} is a Secret of type ${q(secret.type ?? 'Opaque')}; it must be of type ${PASSWORD_SECRET_TYPE}`);
  }
  if (!secret.keys.includes(PASSWORD_SECRET_KEY)) {
    return peerProblem(peer, 'InvalidSecret', 'passwordSecret.name', ref.name, `passwordSecret ${q(ref.name)} has no "${PASSWORD_SECRET_KEY}" key`);
  }
  return undefined;
}

/**
 * The problems found on one peer alone (and with the BFDProfiles and, when given, the Secrets that exist), and its
 * model.
 */
export function peerFromResource(
  peer: BGPPeer, bfdProfiles: ReadonlySet<string>, secrets?: PasswordSecrets,
): { model?: BGPPeerModel; problems: BGPProblem[] } {
  const { spec } = peer;
  const name = nameOf(peer);
  const problems: BGPProblem[] = [];
  if (spec.vrf) problems.push(peerProblem(peer, 'VRFNotSupported', 'vrf', spec.vrf, `vrf ${q(spec.vrf)} is not supported: Herald peers from the node's main routing table; remove vrf`));
  if (spec.password && spec.passwordSecret?.name) {
    problems.push(peerProblem(peer, 'PasswordConflict', 'passwordSecret', spec.passwordSecret.name,
      `both password and passwordSecret ${q(spec.passwordSecret.name)} are set; keep one`));
  }
  if (spec.ebgpMultiHop && isIBGP(spec)) {
    const why = spec.dynamicASN === 'internal' ? 'dynamicASN is internal' : `peerASN ${spec.myASN} is myASN`;
    problems.push(peerProblem(peer, 'MultiHopWithIBGP', 'ebgpMultiHop', 'true', `ebgpMultiHop is set on an iBGP session (${why}); multi-hop applies to eBGP only`));
  }
  const times = timers(peer, problems);
  if (spec.bfdProfile && !bfdProfiles.has(spec.bfdProfile)) {
    problems.push(peerProblem(peer, 'BFDProfileNotFound', 'bfdProfile', spec.bfdProfile, `bfdProfile ${q(spec.bfdProfile)} names no BFDProfile in herald-system`));
  }
  const secretProblem = secrets && passwordSecretProblem(peer, secrets);
  if (secretProblem) problems.push(secretProblem);
  const unusable: UnusableSelector[] = [];
  const nodeSelectors = compileSelectors(unusable, 'nodeSelectors', spec.nodeSelectors);
  const selector = selectorProblem('BGPPeer', name, unusable);
  if (selector) problems.push(selector);
  const peerAddress = tryParseAddress(spec.peerAddress);
  // The schema refuses a peerAddress that is not an IP address; one that slipped in (an older CRD) is left out quietly.
  if (!peerAddress || problems.some((p) => p.reason !== 'InvalidSelector')) return { problems };
  const peerASN: PeerASN = spec.peerASN !== undefined ? { kind: 'fixed', asn: spec.peerASN } : { kind: 'dynamic', mode: spec.dynamicASN ?? 'external' };
  const model: BGPPeerModel = {
    name, myASN: spec.myASN, peerASN, peerAddress,
    sourceAddress: spec.sourceAddress ? tryParseAddress(spec.sourceAddress) : undefined,
    peerPort: spec.peerPort ?? 179, ...times, routerID: spec.routerID || undefined, nodeSelectors,
    password: password(spec), bfdProfile: spec.bfdProfile || undefined, gracefulRestart: spec.enableGracefulRestart ?? false,
    ebgpMultiHop: spec.ebgpMultiHop ?? false, dualStackAddressFamily: spec.dualStackAddressFamily ?? false,
  };
  return { model, problems };
}

/** Whether two peers' node sets meet: the same selectors (every node either admits, now or later), or a known node both admit. */
function nodesOverlap(a: BGPPeer, b: BGPPeer, nodes: readonly NodeLabels[], admits: (p: BGPPeer, labels: NodeLabels['labels']) => boolean): string | undefined {
  const same = (s: readonly LabelSelector[] | undefined) => JSON.stringify(s ?? []);
  if (same(a.spec.nodeSelectors) === same(b.spec.nodeSelectors)) return (a.spec.nodeSelectors ?? []).length === 0 ? 'every node' : 'the same nodeSelectors';
  const both = nodes.filter((n) => admits(a, n.labels) && admits(b, n.labels)).map((n) => n.name).sort();
  const [first] = both;
  if (first === undefined) return undefined;
  return `node ${q(first)}${both.length > 1 ? ` and ${both.length - 1} more` : ''}`;
}

/** DuplicatePeer on every peer that shares its peerAddress with another on overlapping nodes (vrf peers are refused already). */
export function duplicatePeerProblems(peers: readonly BGPPeer[], nodes: readonly NodeLabels[]): BGPProblem[] {
  const compiled = new Map(peers.map((p) => [p, (p.spec.nodeSelectors ?? []).map(compileSelector)]));
  const admits = (p: BGPPeer, labels: NodeLabels['labels']) => {
    const selectors = compiled.get(p) ?? [];
    return selectors.length === 0 || selectors.some((s) => s.ok && s.matches(labels));
  };
  const byAddress = new Map<string, BGPPeer[]>();
  for (const peer of peers) {
    if (peer.spec.vrf || !tryParseAddress(peer.spec.peerAddress)) continue;
    const key = canonicalAddress(peer.spec.peerAddress);
    byAddress.set(key, [...(byAddress.get(key) ?? []), peer]);
  }
  const problems: BGPProblem[] = [];
  for (const [address, group] of byAddress) {
    for (const peer of group) {
      const clashes = group.filter((o) => o !== peer).map((o) => ({ other: nameOf(o), where: nodesOverlap(peer, o, nodes, admits) }))
        .filter((c): c is { other: string; where: string } => c.where !== undefined).sort((x, y) => compareText(x.other, y.other));
      const [first] = clashes;
      if (!first) continue;
      const others = joinAnd(clashes.slice(0, 3).map((c) => `BGPPeer ${q(c.other)}`)) + (clashes.length > 3 ? ` and ${clashes.length - 3} more` : '');
      problems.push(peerProblem(peer, 'DuplicatePeer', 'peerAddress', peer.spec.peerAddress,
        `peerAddress ${address} is also the address of ${others}, on ${first.where}; a node opens one session per address, so none of them is used until they are told apart (different addresses or nodeSelectors that share no node)`));
    }
  }
  return problems;
}
