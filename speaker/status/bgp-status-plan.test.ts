import { createHash } from 'node:crypto';
import type { BgpPeerPlan, BgpPlan } from '../bgp/plan.js';
import type { BgpPeerSpec, IpSpec } from '../source/types.js';
import { bgpStatusesFor } from './bgp-status-plan.js';
import { statusObjectName } from './service-status-plan.js';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
const peer = (name: string, prefixes: string[], ips = prefixes.map((p) => p.slice(0, p.indexOf('/')))): BgpPeerPlan => ({
  peer: { name } as BgpPeerSpec, routerId: '192.0.2.11', skipped: [], ips,
  advertisements: prefixes.map((prefix) => ({ prefix: prefix as `${string}/${number}`, nextHop: '192.0.2.11' })),
});
const ip = (address: string, services: IpSpec['services']): IpSpec => ({ ip: address, services, modes: ['bgp'], nodes: [] });

describe('ServiceBGPStatus objects a speaker keeps', () => {
  test('one per Service, with the peers any of its IPs goes to (dual-stack: one object)', () => {
    const plan: BgpPlan = { unusable: [], peers: [peer('r4', ['192.0.2.10/32']), peer('r6', ['2001:db8::10/128']), peer('other', ['192.0.2.20/32'])] };
    const specs = bgpStatusesFor('n1', plan, [ip('192.0.2.10', ['team/web']), ip('2001:db8::10', ['team/web']), ip('192.0.2.20', ['team/db'])], sha);
    expect([...specs.values()].sort((a, b) => a.serviceName.localeCompare(b.serviceName))).toEqual([
      { namespace: 'team', name: statusObjectName('db', 'n1', sha), serviceName: 'db', node: 'n1', items: ['other'] },
      { namespace: 'team', name: statusObjectName('web', 'n1', sha), serviceName: 'web', node: 'n1', items: ['r4', 'r6'] },
    ]);
  });

  test('aggregated IPs: the plan\'s IPs name the Services, not the prefix (which is no Service\'s IP)', () => {
    const plan: BgpPlan = { unusable: [], peers: [peer('r4', ['192.0.2.0/24'], ['192.0.2.10', '192.0.2.20'])] };
    const specs = bgpStatusesFor('n1', plan, [ip('192.0.2.10', ['team/web']), ip('192.0.2.20', ['team/db'])], sha);
    expect([...specs.values()].map((s) => [s.serviceName, s.items]).sort()).toEqual([['db', ['r4']], ['web', ['r4']]]);
  });

  test('an IP no peer gets (no session on this node, or a skipped family) gives no object', () => {
    expect(bgpStatusesFor('n1', { unusable: [], peers: [peer('r4', [])] }, [ip('192.0.2.10', ['team/web'])], sha).size).toBe(0);
  });
});
