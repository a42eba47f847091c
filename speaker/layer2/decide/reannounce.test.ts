import type { LinkInfo } from './interfaces.js';
import { carrierRegained, reannouncements, type ReannounceCause } from './reannounce.js';

const held = [
  { ip: '192.0.2.100', ifname: 'eth0' },
  { ip: '192.0.2.101', ifname: 'eth1' },
  { ip: '2001:db8:1::100', ifname: 'eth0' },
];
const peer: ReannounceCause = { kind: 'peerHadUsDead', peer: 'n2' };
const eth1: ReannounceCause = { kind: 'carrierRegained', ifname: 'eth1' };

describe('reannouncements', () => {
  it.each<[string, ReannounceCause[], { ip: string; ifname: string }[], string[]]>([
    ['nothing without a cause', [], [], []],
    ['every held IP when a peer had this node dead', [peer], [], ['192.0.2.100', '192.0.2.101', '2001:db8:1::100']],
    ['only the IPs on an interface whose carrier came back', [eth1], [], ['192.0.2.101']],
    ['not what was announced in the same batch (its burst is fresh)', [peer], [held[0]!], ['192.0.2.101', '2001:db8:1::100']],
    ['every held IP once, with both causes', [eth1, peer], [], ['192.0.2.100', '192.0.2.101', '2001:db8:1::100']],
    ['nothing for a carrier on an interface holding nothing', [{ kind: 'carrierRegained', ifname: 'eth9' }], [], []],
  ])('%s', (_name, causes, justAnnounced, ips) => {
    expect(reannouncements(held, causes, justAnnounced).map((a) => a.ip)).toEqual(ips);
  });
});

describe('carrierRegained', () => {
  const link = (extra: Partial<LinkInfo>): LinkInfo => ({
    name: 'eth0', index: 2, mac: '02:00:00:00:00:11', up: true, hasMaster: false, noArp: false, addresses: [], carrierUps: 1, ...extra,
  });
  it.each<[string, Partial<LinkInfo>, Partial<LinkInfo>, string[]]>([
    ['a link seen down, now up', { up: false }, {}, ['eth0']],
    ['a flap between two polls (up both times, the carrier count went up)', {}, { carrierUps: 2 }, ['eth0']],
    ['no flap', {}, {}, []],
    ['a link still down', { up: false }, { up: false, carrierUps: 2 }, []],
    ['a kernel without the counter', { carrierUps: undefined }, { carrierUps: undefined }, []],
    ['a link re-created under the same name (the announcer redoes those itself)', { up: false }, { index: 7 }, []],
  ])('%s', (_name, before, after, names) => {
    expect(carrierRegained([link(before)], [link(after)])).toEqual(names);
  });
  it('ignores a link that was not there before', () => {
    expect(carrierRegained([], [link({})])).toEqual([]);
  });
});
