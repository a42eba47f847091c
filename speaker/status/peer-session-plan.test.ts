import type { PeerSession } from '../../crds/v1beta1/index.js';
import type { BgpPeerStatus } from '../bgp/mode-driver.js';
import { pruningNode, sessionEntry, someoneLapsed, withOwnEntry, withoutLapsed } from './peer-session-plan.js';

const entry = (node: string): PeerSession => ({ node, state: 'Established', since: 'T' });
const status = (fsm: BgpPeerStatus['fsm'], lastDown: BgpPeerStatus['lastDown'] = null): BgpPeerStatus =>
  ({ name: 'tor', peer: '192.0.2.254', fsm, advertised: 0, negotiated: null, lastDown, establishedCount: 0, bfd: null, updatesSent: 0 });

describe('sessionEntry', () => {
  it('keeps since while the state holds, and restarts it when the state changes', () => {
    const first = sessionEntry('n1', status('Established'), undefined, 'T1');
    expect(first).toEqual({ node: 'n1', state: 'Established', since: 'T1' });
    expect(sessionEntry('n1', status('Established'), first, 'T2').since).toBe('T1');
    expect(sessionEntry('n1', status('Active'), first, 'T2').since).toBe('T2');
  });

  it('says why the session last went down, with its NOTIFICATION, bounded to the schema\'s length', () => {
    const entry = sessionEntry('n1', status('Idle', { reason: 'holdTimerExpired', detail: 'no message for 9 s', notification: 'Hold Timer Expired (4/0)' }), undefined, 'T');
    expect(entry).toMatchObject({ lastError: 'holdTimerExpired: no message for 9 s', lastNotification: 'Hold Timer Expired (4/0)' });
    const long = sessionEntry('n1', status('Idle', { reason: 'x', detail: 'y'.repeat(1000), notification: null }), undefined, 'T');
    expect(long.lastError).toHaveLength(256);
    expect(long.lastNotification).toBeUndefined();
  });
});

describe('withOwnEntry', () => {
  const e = (node: string, state: PeerSession['state'] = 'Established'): PeerSession => ({ node, state, since: 'T' });

  it('sets only this node\'s entry, in node order, whatever order the list came in', () => {
    expect(withOwnEntry([e('n3'), e('n1')], 'n2', e('n2'))).toEqual([e('n1'), e('n2'), e('n3')]);
    expect(withOwnEntry([e('n2', 'Active'), e('n1')], 'n2', e('n2'))).toEqual([e('n1'), e('n2')]);
    expect(withOwnEntry(undefined, 'n1', e('n1'))).toEqual([e('n1')]);
  });

  it('removes this node\'s entry and no other', () => {
    expect(withOwnEntry([e('n1'), e('n2')], 'n1', null)).toEqual([e('n2')]);
  });

  it('says "no change" (null) when the entry is already there, or already absent', () => {
    expect(withOwnEntry([e('n1'), e('n2')], 'n1', e('n1'))).toBeNull();
    expect(withOwnEntry([e('n2')], 'n1', null)).toBeNull();
    expect(withOwnEntry(undefined, 'n1', null)).toBeNull();
  });
});

describe('the entries of speakers that are gone', () => {
  it('are removed by one live speaker, the first by name, whatever order the nodes come in', () => {
    expect(pruningNode(['n3', 'n1', 'n2'])).toBe('n1');
    expect(pruningNode(['n2', 'n3'])).toBe('n2'); // n1 lapsed: n2 takes over
    expect(pruningNode([])).toBeUndefined();
  });

  it('a prune is due for the first live set known, and whenever a node left it, not when one joins', () => {
    expect(someoneLapsed(null, new Set(['n1']))).toBe(true);
    expect(someoneLapsed(new Set(['n1', 'n2']), new Set(['n1']))).toBe(true);
    expect(someoneLapsed(new Set(['n1']), new Set(['n1', 'n2']))).toBe(false);
    expect(someoneLapsed(new Set(['n1', 'n2']), new Set(['n2', 'n1']))).toBe(false);
  });

  it('only the entries of nodes that are not live go; null when every entry is live (no write)', () => {
    const live = new Set(['n1', 'n3']);
    expect(withoutLapsed([entry('n1'), entry('n2'), entry('n3')], live)).toEqual([entry('n1'), entry('n3')]);
    expect(withoutLapsed([entry('n1'), entry('n3')], live)).toBeNull();
    expect(withoutLapsed(undefined, live)).toBeNull();
    expect(withoutLapsed([entry('n2')], live)).toEqual([]);
  });
});
