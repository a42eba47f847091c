import { snapshot } from '../../source/fixtures.js';
import type { LinkInfo } from './interfaces.js';
import { planAnnouncements, type PlanInput } from './plan.js';

const link = (name: string, address: string): LinkInfo => ({
  name, index: 2, mac: '02:00:00:00:00:01', up: true, hasMaster: false, noArp: false, addresses: [{ address, prefixLength: 24 }],
});
const links = [link('eth0', '192.0.2.11'), link('eth1', '198.51.100.11')];
const desired = snapshot(['n1', 'n2'], [
  { ip: '192.0.2.100' },
  { ip: '198.51.100.100', interfaces: ['eth0'] },
  { ip: '203.0.113.100', nodes: ['n2'] },
]);
const base: PlanInput = {
  self: 'n1', desired, quorum: true, links,
  owners: new Map([['192.0.2.100', 'n1'], ['198.51.100.100', 'n1'], ['203.0.113.100', 'n2']]),
};

describe('planAnnouncements', () => {
  it.each<[string, Partial<PlanInput>, [string, string, string[]][]]>([
    ['subnet match, the IP\'s own list, and another node\'s IP', {}, [
      ['192.0.2.100', 'announce', ['eth0']],
      ['198.51.100.100', 'announce', ['eth0']],
      ['203.0.113.100', 'notEligible', []],
    ]],
    ['the speaker\'s default list applies where the IP has none', { defaultInterfaces: ['eth1'] }, [
      ['192.0.2.100', 'announce', ['eth1']],
      ['198.51.100.100', 'announce', ['eth0']],
      ['203.0.113.100', 'notEligible', []],
    ]],
    ['an IP with no owner', { owners: new Map() }, [
      ['192.0.2.100', 'noOwner', []],
      ['198.51.100.100', 'noOwner', []],
      ['203.0.113.100', 'notEligible', []],
    ]],
    ['no quorum', { quorum: false }, [
      ['192.0.2.100', 'noQuorum', []],
      ['198.51.100.100', 'noQuorum', []],
      ['203.0.113.100', 'notEligible', []],
    ]],
  ])('%s', (_name, over, expected) => {
    const plan = planAnnouncements({ ...base, ...over });
    expect(plan.ips.map((p) => [p.ip, p.decision, p.interfaces])).toEqual(expected);
    expect(plan.announcements).toEqual(expected.flatMap(([ip, , ifs]) => ifs.map((ifname) => ({ ip, ifname }))));
  });
});
