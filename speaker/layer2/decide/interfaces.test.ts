import { chooseInterfaces, interfaceEligibility, type LinkInfo } from './interfaces.js';

function link(name: string, over: Partial<LinkInfo> = {}): LinkInfo {
  return { name, index: 2, mac: '02:00:00:00:00:01', up: true, hasMaster: false, noArp: false, addresses: [], ...over };
}

describe('interfaceEligibility', () => {
  it.each<[string, LinkInfo, boolean, string]>([
    ['a plain NIC', link('eth0'), false, 'eligible'],
    ['a link that is down', link('eth0', { up: false }), false, 'down'],
    ['a bond or bridge slave', link('eth1', { hasMaster: true }), false, 'enslaved'],
    ['a NOARP link', link('wg0', { noArp: true }), false, 'noArp'],
    ['a link without a MAC', link('tun0', { mac: '' }), false, 'noMac'],
    ['loopback', link('lo', { mac: '00:00:00:00:00:00' }), false, 'noMac'],
    ['lo with a MAC (odd, but named so)', link('lo'), false, 'containerPlumbing'],
    ['a pod veth', link('veth1234'), false, 'containerPlumbing'],
    ['calico', link('cali0a1b'), false, 'containerPlumbing'],
    ['a CNI bridge', link('cni0'), false, 'containerPlumbing'],
    ['docker', link('docker0'), false, 'containerPlumbing'],
    ['flannel', link('flannel.1'), false, 'containerPlumbing'],
    ['kube-ipvs', link('kube-ipvs0'), false, 'containerPlumbing'],
    ['a veth listed explicitly', link('veth1234'), true, 'eligible'],
    ['a down link listed explicitly', link('eth0', { up: false }), true, 'down'],
  ])('%s', (_name, l, explicit, expected) => expect(interfaceEligibility(l, explicit)).toBe(expected));
});

describe('chooseInterfaces', () => {
  const eth0 = link('eth0', { addresses: [{ address: '192.0.2.11', prefixLength: 24 }, { address: '2001:db8:1::11', prefixLength: 64 }] });
  const eth1 = link('eth1', { index: 3, addresses: [{ address: '198.51.100.11', prefixLength: 24 }, { address: 'fe80::1', prefixLength: 64 }] });
  const eth2 = link('eth2', { index: 4, addresses: [{ address: '203.0.113.5', prefixLength: 32 }] });
  const bond0 = link('bond0', { index: 5, addresses: [{ address: '192.0.2.12', prefixLength: 24 }] });
  const slave = link('eth3', { index: 6, hasMaster: true, addresses: [{ address: '198.51.100.99', prefixLength: 24 }] });
  const veth = link('veth9', { index: 7, addresses: [{ address: '203.0.113.1', prefixLength: 24 }] });
  const all = [eth0, eth1, eth2, bond0, slave, veth];

  it.each<[string, string, LinkInfo[], string[] | undefined, string[]]>([
    ['the explicit list wins over a subnet match', '192.0.2.100', all, ['eth1'], ['eth1']],
    ['explicit names that are not eligible are dropped', '192.0.2.100', all, ['eth3', 'eth1', 'nope'], ['eth1']],
    ['an explicit list of only unusable links gives none', '192.0.2.100', all, ['eth3'], []],
    ['an explicit veth is allowed', '192.0.2.100', all, ['veth9'], ['veth9']],
    ['an empty explicit list means no list', '198.51.100.7', all, [], ['eth1']],
    ['every link whose subnet holds the IPv4', '192.0.2.100', all, undefined, ['bond0', 'eth0']],
    ['the subnet of an IPv6', '2001:db8:1::100', all, undefined, ['eth0']],
    ['an enslaved link with the subnet is skipped; fall back to all eligible', '198.51.100.200', [eth0, slave], undefined, ['eth0']],
    ['a /32 host address is no subnet: all eligible', '203.0.113.5', all, undefined, ['bond0', 'eth0', 'eth1', 'eth2']],
    ['a veth holding the subnet is skipped', '203.0.113.7', [eth0, veth], undefined, ['eth0']],
    ['a link-local prefix holds no global IPv6', '2001:db8:2::1', [eth1, eth2], undefined, ['eth1', 'eth2']],
    ['no eligible link at all', '192.0.2.100', [slave, veth], undefined, []],
  ])('%s', (_name, ip, links, explicit, expected) => expect(chooseInterfaces(ip, links, explicit)).toEqual(expected));
});
