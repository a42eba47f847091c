import type { PeerSession } from '../../crds/v1beta1/index.js';
import type { BgpPeerStatus } from '../bgp/mode-driver.js';
import { sessionEntry, withOwnEntry } from './peer-session-plan.js';

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
