// What the membership step tests share: node a with peers b and c, beats from them, and runs of events.
import { step, type MembershipAction, type MembershipEvent } from './step.js';
import { initialState, type MembershipState } from './state.js';
import type { Heartbeat } from './message.js';

export const WALL = 1_700_000_000_000;
export const INC_B = 0xbbn;

export function start(peers = ['b', 'c']): MembershipState {
  return initialState({ self: 'a', incarnation: 0xaan }, peers, 0);
}

export function beat(from: string, sequence: number, extra: Partial<Heartbeat> = {}): Heartbeat {
  return { version: 2, uptimeMs: 0, timesDeclaredDead: 0, type: 'beat', from, to: 'a', incarnation: from === 'b' ? INC_B : 0xccn, sequence, sendTimeMs: WALL, nextWithinMs: 50, ...extra };
}

export const received = (message: Heartbeat, wallMs = WALL): MembershipEvent => ({ kind: 'received', message, wallMs });

/** Runs events in order; returns the last state and every action. */
export function run(s0: MembershipState, events: [MembershipEvent, number][]): { state: MembershipState; actions: MembershipAction[] } {
  let state = s0;
  const actions: MembershipAction[] = [];
  for (const [e, t] of events) {
    const r = step(state, e, t);
    state = r.state;
    actions.push(...r.actions);
  }
  return { state, actions };
}

export const sends = (actions: MembershipAction[]) => actions.flatMap((a) => (a.kind === 'send' ? [a.message] : []));
export const changes = (actions: MembershipAction[]) => actions.flatMap((a) => (a.kind === 'aliveChanged' ? [[...a.alive].sort()] : []));
export const drops = (actions: MembershipAction[]) => actions.flatMap((a) => (a.kind === 'dropped' ? [a.reason] : []));

/** a, b and c all heard at time 10. */
export function settled(): MembershipState {
  return run(start(), [[{ kind: 'tick' }, 0], [received(beat('b', 1)), 10], [received(beat('c', 1)), 10]]).state;
}
