// What the receive path decides about a decoded but not yet authenticated message, before it spends a MAC
// on it (udp-membership.ts runs: sender address → decode → admission → budget → MAC → step). Every refusal
// here is one step() would make anyway after the MAC, so checking first changes no outcome, only the
// cost: a replayed, misaddressed or stale message is dropped without crypto.
//
// A message that passes is one of two kinds:
// - continuation: the sender's current incarnation, a sequence above the last accepted one. Genuine beats
//   are all of this kind, and only someone who reads the mesh's traffic can forge one (the incarnation
//   is 64 random bits), so these are always verified.
// - newIncarnation: the first message heard from the peer, or one claiming it restarted. A genuine peer
//   sends these only when it boots; anyone can make them up. These draw on a per-source budget
//   (budget.ts) before the MAC, so a flood of them costs a bounded amount of crypto.
import type { Heartbeat } from './message.js';
import type { MembershipState, StateDropReason } from './state.js';

export type Admission =
  | { verify: 'continuation' | 'newIncarnation' }
  | { drop: StateDropReason; detail: string };

/** Replay and freshness rules against what is known of the peer; undefined when the message may be applied. */
export function refusal(s: MembershipState, m: Heartbeat, wallMs: number): [StateDropReason, string] | undefined {
  const p = s.peers.get(m.from);
  if (p === undefined) return ['unknownPeer', `"${m.from.slice(0, 40)}" is not a configured peer`];
  if (p.incarnation === m.incarnation) {
    return m.sequence > p.lastSequence ? undefined : ['replay', `sequence ${m.sequence} <= ${p.lastSequence}`];
  }
  if (p.retired.includes(m.incarnation)) return ['replay', `incarnation ${m.incarnation} is retired`];
  // A new incarnation (a restart) or the first message heard: only a recent one can be genuine.
  const skew = Math.abs(m.sendTimeMs - wallMs);
  if (skew > s.config.maxClockSkewMs) return ['stale', `sent ${m.sendTimeMs}, now ${wallMs}: ${skew} ms apart > ${s.config.maxClockSkewMs}`];
  return undefined;
}

/** Addressing rules: is this message for this node, from another one? */
export function misaddressed(s: MembershipState, m: Heartbeat): [StateDropReason, string] | undefined {
  if (m.to !== s.config.self) return ['notForUs', `addressed to "${m.to.slice(0, 40)}"`];
  if (m.from === s.config.self) return ['fromSelf', 'a message in our own name'];
  return undefined;
}

/** Whether a message is worth a MAC, and which kind it is. Pure; the state is not changed. */
export function admission(s: MembershipState, m: Heartbeat, wallMs: number): Admission {
  if (s.leaving) return { drop: 'leaving', detail: 'this node is leaving' };
  const refused = misaddressed(s, m) ?? refusal(s, m, wallMs);
  if (refused) return { drop: refused[0], detail: refused[1] };
  return { verify: s.peers.get(m.from)?.incarnation === m.incarnation ? 'continuation' : 'newIncarnation' };
}
