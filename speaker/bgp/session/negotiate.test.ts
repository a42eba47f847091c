// The OPEN we send and what two OPENs agree on (negotiate.ts), and collision resolution (collision.ts).
import { OPEN_MESSAGE_ERROR, type Capability, type OpenMessage } from '../messages/index.js';
import { connectionToKeep } from './collision.js';
import { sessionConfig } from './config.js';
import { buildOpen, negotiate } from './negotiate.js';

const OURS = sessionConfig({ localAsn: 64512, routerId: '10.0.0.1', peerAsn: { kind: 'fixed', asn: 64513 }, peerAddress: '10.0.0.2', holdTimeSeconds: 90, keepaliveTimeSeconds: 30 });
const peerOpen = (changes: Partial<OpenMessage> = {}): OpenMessage => ({ ...buildOpen({ ...OURS, localAsn: 64513, routerId: '10.0.0.2' }, false), ...changes });

describe('buildOpen (RFC 4271 §4.2, RFC 5492, RFC 6793)', () => {
  test('a 4-octet AS goes as AS_TRANS in My AS and in full in the capability', () => {
    const open = buildOpen({ ...OURS, localAsn: 4_200_000_001 }, false);
    expect(open.myAutonomousSystem).toBe(23456);
    expect(open.capabilities).toContainEqual({ kind: 'fourOctetAs', asn: 4_200_000_001 });
  });

  test('one Multiprotocol capability per family, and Route Refresh', () => {
    expect(buildOpen(OURS, false).capabilities.slice(0, 3)).toEqual([
      { kind: 'multiprotocol', afi: 1, safi: 1 }, { kind: 'multiprotocol', afi: 2, safi: 1 }, { kind: 'routeRefresh' },
    ]);
  });
});

describe('negotiate', () => {
  test.each([
    ['fixed AS matches', { kind: 'fixed', asn: 64513 }, 64513, 'ok'],
    ['fixed AS differs: Bad Peer AS', { kind: 'fixed', asn: 64514 }, 64513, OPEN_MESSAGE_ERROR.BAD_PEER_AS],
    ['dynamic internal, same AS', { kind: 'dynamic', dynamic: 'internal' }, 64512, 'ok'],
    ['dynamic internal, other AS', { kind: 'dynamic', dynamic: 'internal' }, 64513, OPEN_MESSAGE_ERROR.BAD_PEER_AS],
    ['dynamic external, other AS', { kind: 'dynamic', dynamic: 'external' }, 64513, 'ok'],
    ['dynamic external, same AS', { kind: 'dynamic', dynamic: 'external' }, 64512, OPEN_MESSAGE_ERROR.BAD_PEER_AS],
  ] as const)('RFC 4271 §6.2 peer AS: %s', (_name, peerAsn, asn, expected) => {
    const result = negotiate({ ...OURS, peerAsn }, peerOpen({ myAutonomousSystem: asn, capabilities: [{ kind: 'fourOctetAs', asn }] }));
    if (expected === 'ok') expect('ok' in result).toBe(true);
    else expect(result).toMatchObject({ refuse: { code: 2, subcode: expected } });
  });

  test('the 4-octet AS capability wins over My AS (RFC 6793 §4.1)', () => {
    const result = negotiate({ ...OURS, peerAsn: { kind: 'fixed', asn: 4_200_000_002 } }, peerOpen({ myAutonomousSystem: 23456, capabilities: [{ kind: 'fourOctetAs', asn: 4_200_000_002 }] }));
    expect(result).toMatchObject({ ok: { peerAsn: 4_200_000_002, fourOctetAs: true } });
  });

  test('a peer without capabilities: IPv4 unicast only, 2-octet AS, no route refresh, no graceful restart', () => {
    expect(negotiate(OURS, peerOpen({ capabilities: [] }))).toMatchObject({ ok: { families: [4], fourOctetAs: false, routeRefresh: false, gracefulRestart: { ours: false, peer: null } } });
  });

  test('families are those both offer', () => {
    expect(negotiate(OURS, peerOpen({ capabilities: [{ kind: 'multiprotocol', afi: 2, safi: 1 }] }))).toMatchObject({ ok: { families: [6] } });
  });

  test('no family in common: Unsupported Capability (RFC 5492 §5)', () => {
    expect(negotiate({ ...OURS, families: [6] }, peerOpen({ capabilities: [] }))).toMatchObject({ refuse: { subcode: OPEN_MESSAGE_ERROR.UNSUPPORTED_CAPABILITY } });
  });

  test.each([
    [90, 90, 30, 90_000, 30_000],
    [90, 9, 30, 9_000, 3_000],
    [10, 90, 2, 10_000, 2_000],
    [90, 0, 30, 0, 0],
  ])('hold ours %i s, peer %i s, keepalive %i s → hold %i ms, keepalive %i ms', (ours, theirs, keepalive, hold, every) => {
    const result = negotiate({ ...OURS, holdTimeSeconds: ours, keepaliveTimeSeconds: keepalive }, peerOpen({ holdTime: theirs }));
    expect(result).toMatchObject({ ok: { holdTimeMs: hold, keepaliveMs: every } });
  });

  test('an internal peer with our identifier: Bad BGP Identifier (RFC 6286 §2.2)', () => {
    const result = negotiate({ ...OURS, peerAsn: { kind: 'fixed', asn: 64512 } }, peerOpen({ bgpIdentifier: '10.0.0.1', capabilities: [{ kind: 'fourOctetAs', asn: 64512 }] }));
    expect(result).toMatchObject({ refuse: { subcode: OPEN_MESSAGE_ERROR.BAD_BGP_IDENTIFIER } });
  });

  test('the peer\'s graceful restart capability is kept', () => {
    const gr: Capability = { kind: 'gracefulRestart', restartState: true, notification: false, restartTimeSeconds: 60, families: [{ afi: 1, safi: 1, forwardingState: true }] };
    expect(negotiate(OURS, peerOpen({ capabilities: [gr] }))).toMatchObject({ ok: { gracefulRestart: { peer: { restartState: true, restartTimeSeconds: 60, families: [4] } } } });
  });
});

describe('RFC 4271 §6.8 connectionToKeep', () => {
  test.each([
    ['10.0.0.2', '10.0.0.1', 'outgoing'],
    ['10.0.0.1', '10.0.0.2', 'incoming'],
    ['9.0.0.0', '10.0.0.0', 'incoming'],
    ['255.0.0.0', '1.0.0.0', 'outgoing'],
  ] as const)('ours %s, peer %s: keep %s', (ours, theirs, keep) => {
    expect(connectionToKeep(ours, theirs)).toBe(keep);
    expect(connectionToKeep(theirs, ours)).not.toBe(keep); // the peer keeps the same connection, seen from its side
  });
});
