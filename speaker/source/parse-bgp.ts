// Pure: the file source's BGP parts. `bgpPeers` is a list of peers with MetalLB's BGPPeer field names; an IP's
// `bgp` says which peers get it and with what (MetalLB's BGPAdvertisement, for one IP):
//
//   bgpPeers:
//     - name: router              # advertisements name peers by it
//       myASN: 4200000000
//       peerASN: 4200000000       # or dynamicASN: internal | external
//       peerAddress: 192.0.2.1
//       peerPort: 179             # optional
//       sourceAddress: 192.0.2.11 # optional; the kernel chooses
//       holdTime: 90s             # seconds as a number, or a Go duration; keepaliveTime (holdTime/3), connectTime (5s)
//       routerID: 192.0.2.11      # optional; default: the node's IPv4 address
//       nodes: [n1, n2]           # optional; default: every node
//       passive: false            # optional: wait for the peer to connect
//       password: s3cret          # optional: TCP MD5 (RFC 2385), at most 80 bytes of UTF-8
//       bfdProfile: fast          # optional: a profile under `bfdProfiles` (parse-bfd.ts); BFD then guards the session
//       ebgpMultiHop: false       # optional: eBGP peer not directly connected (TTL 255 instead of 1)
//       gtsmHops: 1               # optional: GTSM (RFC 5082), TTL 255 and drop what comes from further (1-254)
//       enableGracefulRestart: false # optional: RFC 4724, the router keeps the routes while the speaker restarts
//   ips:
//     - ip: 203.0.113.10
//       modes: [bgp]
//       bgp: { peers: [router], localPref: 150, communities: ["64512:100", "large:4200000000:1:2"] }
import { parseCommunity, parseDurationMs, parseMd5Password } from '../../lib/config/bgp-values.js';
import type { LargeCommunity } from '../bgp/messages/index.js';
import type { PeerAsn } from '../bgp/session/index.js';
import { quoteName } from '../membership/core/names.js';
import { ipField, isDict, listAt, nonEmptyString, problem, show, stringList, unknownKeys, type Dict } from './parse-fields.js';
import { isInternal } from '../bgp/transport.js';
import { GTSM_HOPS_MAX } from '../native/session-ttl.js';
import type { BfdProfileSpec, BgpIpSpec, BgpPeerSpec } from './types.js';

const PEER_KEYS = ['name', 'myASN', 'peerASN', 'dynamicASN', 'peerAddress', 'peerPort', 'sourceAddress', 'holdTime', 'keepaliveTime', 'connectTime', 'routerID', 'nodes', 'passive',
  'password', 'bfdProfile', 'ebgpMultiHop', 'gtsmHops', 'enableGracefulRestart'];
const IP_BGP_KEYS = ['peers', 'localPref', 'communities'];

/** RFC 4271 §10's suggested Hold Time; MetalLB's default too. */
const DEFAULT_HOLD_TIME_SECONDS = 90;
/** Herald's first retry delay (session/config.ts DEFAULT_CONNECT_RETRY_MS). */
const DEFAULT_CONNECT_TIME_SECONDS = 5;
const UINT32_MAX = 0xffffffff;

/** The `bgpPeers` list; every node may peer when a peer lists none. */
export function parseBgpPeers(doc: Dict, nodeNames: readonly string[], problems: string[], bfdProfiles: ReadonlyMap<string, BfdProfileSpec> = new Map()): BgpPeerSpec[] {
  const peers = listAt(doc, 'bgpPeers', problems).map((raw, i) => parsePeer(raw, `bgpPeers[${i}]`, nodeNames, bfdProfiles, problems));
  const seen = new Set<string>();
  for (const peer of peers) {
    if (peer === null) continue;
    if (seen.has(peer.name)) problems.push(`bgpPeers: ${quoteName(peer.name)} is listed twice`);
    seen.add(peer.name);
  }
  return peers.filter((p): p is BgpPeerSpec => p !== null);
}

function parsePeer(raw: unknown, at: string, nodeNames: readonly string[], bfdProfiles: ReadonlyMap<string, BfdProfileSpec>, problems: string[]): BgpPeerSpec | null {
  if (!isDict(raw)) return problem(problems, `${at}: must be a mapping, got ${show(raw)}`);
  unknownKeys(raw, PEER_KEYS, at, problems);
  const before = problems.length;
  const name = nonEmptyString(raw.name, `${at}.name`, problems);
  const myAsn = asn(raw.myASN, `${at}.myASN`, problems);
  const peerAsn = peerAsnOf(raw, at, problems);
  const peerAddress = ipField(raw.peerAddress, `${at}.peerAddress`, problems);
  const peerPort = raw.peerPort === undefined ? 179 : integer(raw.peerPort, `${at}.peerPort`, 1, 65535, problems);
  const holdTimeSeconds = raw.holdTime === undefined ? DEFAULT_HOLD_TIME_SECONDS : seconds(raw.holdTime, `${at}.holdTime`, problems);
  const keepaliveTimeSeconds = raw.keepaliveTime === undefined ? Math.floor((holdTimeSeconds ?? 0) / 3) : seconds(raw.keepaliveTime, `${at}.keepaliveTime`, problems);
  const connectTimeSeconds = raw.connectTime === undefined ? DEFAULT_CONNECT_TIME_SECONDS : seconds(raw.connectTime, `${at}.connectTime`, problems);
  if (holdTimeSeconds !== null && holdTimeSeconds !== 0 && (holdTimeSeconds < 3 || holdTimeSeconds > 65535)) {
    problems.push(`${at}.holdTime: ${holdTimeSeconds} s is neither 0 nor 3-65535 s (RFC 4271 §4.2)`);
  }
  if (connectTimeSeconds !== null && connectTimeSeconds < 1) problems.push(`${at}.connectTime: must be at least 1 s, got ${connectTimeSeconds} s`);
  const spec: BgpPeerSpec = {
    name: name ?? '', myAsn: myAsn ?? 0, peerAsn: peerAsn ?? { kind: 'fixed', asn: 0 }, peerAddress: peerAddress ?? '', peerPort: peerPort ?? 179,
    holdTimeSeconds: holdTimeSeconds ?? 0, keepaliveTimeSeconds: keepaliveTimeSeconds ?? 0, connectTimeSeconds: connectTimeSeconds ?? 1,
    nodes: raw.nodes === undefined ? nodeNames : nodeList(raw.nodes, `${at}.nodes`, nodeNames, problems), passive: false,
  };
  if (raw.sourceAddress !== undefined) spec.sourceAddress = ipField(raw.sourceAddress, `${at}.sourceAddress`, problems) ?? '';
  if (raw.routerID !== undefined) {
    const id = ipField(raw.routerID, `${at}.routerID`, problems);
    if (id !== null && id.includes(':')) problems.push(`${at}.routerID: ${quoteName(id)} is not an IPv4 address (RFC 6286)`);
    spec.routerId = id ?? '';
  }
  const passive = flag(raw, 'passive', at, problems);
  if (passive !== undefined) spec.passive = passive;
  const gracefulRestart = flag(raw, 'enableGracefulRestart', at, problems);
  if (gracefulRestart !== undefined) spec.gracefulRestart = gracefulRestart;
  Object.assign(spec, transportOf(raw, at, spec, bfdProfiles, problems));
  return problems.length === before ? spec : null;
}

/** What the session's TCP connection and BFD need: the MD5 password, the TTL rules, the BFD profile. */
function transportOf(raw: Dict, at: string, spec: BgpPeerSpec, bfdProfiles: ReadonlyMap<string, BfdProfileSpec>, problems: string[]): Partial<BgpPeerSpec> {
  const out: Partial<BgpPeerSpec> = {};
  if (raw.password !== undefined) {
    // The password is never quoted back: it is a secret, and logs and status carry these problems.
    const parsed = typeof raw.password === 'string' ? parseMd5Password(raw.password) : { ok: false as const, why: `must be a string, got a ${typeof raw.password}` };
    if (parsed.ok) out.password = parsed.value;
    else problems.push(`${at}.password: ${parsed.why}`);
  }
  const ebgpMultiHop = flag(raw, 'ebgpMultiHop', at, problems);
  if (ebgpMultiHop !== undefined) out.ebgpMultiHop = ebgpMultiHop;
  if (raw.gtsmHops !== undefined) out.gtsmHops = integer(raw.gtsmHops, `${at}.gtsmHops`, 1, GTSM_HOPS_MAX, problems) ?? 1;
  if (out.ebgpMultiHop === true && isInternal(spec)) problems.push(`${at}.ebgpMultiHop: set on an iBGP session (peer AS = my AS); multi-hop applies to eBGP only`);
  if (out.ebgpMultiHop === true && out.gtsmHops !== undefined) problems.push(`${at}: give at most one of ebgpMultiHop and gtsmHops (gtsmHops ${out.gtsmHops} already says how far the peer may be)`);
  if (raw.bfdProfile !== undefined) {
    const name = nonEmptyString(raw.bfdProfile, `${at}.bfdProfile`, problems);
    const profile = name === null ? undefined : bfdProfiles.get(name);
    if (name !== null && profile === undefined) problems.push(`${at}.bfdProfile: ${quoteName(name)} is not a profile listed under "bfdProfiles"`);
    if (profile !== undefined) out.bfd = profile;
    if (profile !== undefined && (out.ebgpMultiHop === true || (out.gtsmHops ?? 1) > 1)) {
      problems.push(`${at}.bfdProfile: ${quoteName(profile.name)} on a multi-hop peer; Herald's BFD is single-hop (RFC 5881: TTL 255 both ways)`);
    }
  }
  return out;
}

/** An optional true/false field; undefined when absent or wrong (then a problem names the value). */
function flag(raw: Dict, key: string, at: string, problems: string[]): boolean | undefined {
  const value = raw[key];
  if (value === undefined || typeof value === 'boolean') return value;
  problems.push(`${at}.${key}: must be true or false, got ${show(value)}`);
  return undefined;
}

/** peerASN or dynamicASN, exactly one (MetalLB's rule). */
function peerAsnOf(raw: Dict, at: string, problems: string[]): PeerAsn | null {
  if ((raw.peerASN === undefined) === (raw.dynamicASN === undefined)) return problem(problems, `${at}: give exactly one of peerASN and dynamicASN`);
  if (raw.dynamicASN === undefined) {
    const value = asn(raw.peerASN, `${at}.peerASN`, problems);
    return value === null ? null : { kind: 'fixed', asn: value };
  }
  if (raw.dynamicASN === 'internal' || raw.dynamicASN === 'external') return { kind: 'dynamic', dynamic: raw.dynamicASN };
  return problem(problems, `${at}.dynamicASN: must be "internal" or "external", got ${show(raw.dynamicASN)}`);
}

function asn(value: unknown, at: string, problems: string[]): number | null {
  return integer(value, at, 1, UINT32_MAX, problems);
}

function integer(value: unknown, at: string, min: number, max: number, problems: string[]): number | null {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  return problem(problems, `${at}: must be an integer in ${min}-${max}, got ${show(value)}`);
}

/** Whole seconds: a number, or a Go duration as MetalLB writes them ("90s", "1m30s"). */
function seconds(value: unknown, at: string, problems: string[]): number | null {
  if (typeof value === 'number') return integer(value, at, 0, 65535, problems);
  if (typeof value !== 'string') return problem(problems, `${at}: must be seconds or a duration like "90s", got ${show(value)}`);
  const parsed = parseDurationMs(value);
  if (!parsed.ok) return problem(problems, `${at}: ${parsed.why}`);
  if (parsed.value % 1000 !== 0) return problem(problems, `${at}: ${quoteName(value)} is not whole seconds`);
  return integer(parsed.value / 1000, at, 0, 65535, problems);
}

function nodeList(value: unknown, at: string, nodeNames: readonly string[], problems: string[]): string[] {
  const names = stringList(value, at, problems) ?? [];
  for (const n of names) if (!nodeNames.includes(n)) problems.push(`${at}: ${quoteName(n)} is not a node listed under "nodes"`);
  return names;
}

/** An IP's `bgp` mapping; the peers it names must be listed under `bgpPeers`. */
export function parseIpBgp(raw: unknown, at: string, peerNames: ReadonlySet<string>, problems: string[]): BgpIpSpec | null {
  if (!isDict(raw)) return problem(problems, `${at}: must be a mapping, got ${show(raw)}`);
  unknownKeys(raw, IP_BGP_KEYS, at, problems);
  const spec: BgpIpSpec = {};
  if (raw.peers !== undefined) {
    const peers = stringList(raw.peers, `${at}.peers`, problems) ?? [];
    for (const p of peers) if (!peerNames.has(p)) problems.push(`${at}.peers: ${quoteName(p)} is not a peer listed under "bgpPeers"`);
    spec.peers = peers;
  }
  if (raw.localPref !== undefined) spec.localPref = integer(raw.localPref, `${at}.localPref`, 0, UINT32_MAX, problems) ?? 0;
  if (raw.communities !== undefined) Object.assign(spec, communities(raw.communities, `${at}.communities`, problems));
  return spec;
}

function communities(value: unknown, at: string, problems: string[]): { communities: number[]; largeCommunities: LargeCommunity[] } {
  const standard: number[] = [];
  const large: LargeCommunity[] = [];
  for (const text of stringList(value, at, problems) ?? []) {
    const parsed = parseCommunity(text);
    if (!parsed.ok) problems.push(`${at}: ${parsed.why}`);
    else if (parsed.value.kind === 'standard') standard.push(parsed.value.asn * 0x10000 + parsed.value.value);
    else large.push({ globalAdministrator: parsed.value.globalAdmin, localData1: parsed.value.localData1, localData2: parsed.value.localData2 });
  }
  return { communities: standard, largeCommunities: large };
}
