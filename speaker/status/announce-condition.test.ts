import { announcementConditions, reporterOf } from './announce-condition.js';
import type { Unannounced } from '../source/kubernetes/desired.js';
import type { IpSpec } from '../source/types.js';

const nobody: Unannounced = { ip: '192.0.2.20', services: ['shop/db'], reason: 'NoServingEndpoint', message: 'no serving endpoint for shop/db' };

describe('the Announced condition: who writes what', () => {
  test('the announcing node writes True for its Services, naming itself, the IPs and interfaces', () => {
    const c = announcementConditions('n2', [{ ip: '192.0.2.10', services: ['shop/web'], interfaces: ['eth0'] }], [], new Set(['n1', 'n2']));
    expect([...c]).toEqual([['shop/web', { status: 'True', reason: 'Announced', message: 'announced by node "n2" by layer 2: 192.0.2.10 on eth0' }]]);
  });

  test('only the alive speaker whose name sorts first writes why an IP is not announced', () => {
    expect(announcementConditions('n1', [], [nobody], new Set(['n1', 'n2'])).get('shop/db'))
      .toEqual({ status: 'False', reason: 'NoServingEndpoint', message: '192.0.2.20 is not announced: no serving endpoint for shop/db' });
    expect(announcementConditions('n2', [], [nobody], new Set(['n1', 'n2'])).size).toBe(0);
    // n1 is dead: n2 reports now
    expect(announcementConditions('n2', [], [nobody], new Set(['n2', 'n3'])).size).toBe(1);
  });

  test('a dual-stack Service announced here for one family keeps True (the other family\'s reason is not written over it)', () => {
    const c = announcementConditions('n1', [{ ip: '192.0.2.10', services: ['shop/web'], interfaces: ['eth0'] }],
      [{ ...nobody, ip: '2001:db8::10', services: ['shop/web'] }], new Set(['n1']));
    expect(c.get('shop/web')?.status).toBe('True');
  });

  describe('IPs advertised by BGP (every eligible node announces: the reporter writes)', () => {
    const bgpIp = (ip: string, services: IpSpec['services'], modes: IpSpec['modes'] = ['bgp']): IpSpec =>
      ({ ip, services, modes, nodes: [{ name: 'n1', weight: 0 }], bgp: { nodes: ['n1', 'n2'] } });

    test('True naming the nodes, written by the reporter only', () => {
      const ips = [bgpIp('203.0.113.10', ['shop/web'])];
      expect(announcementConditions('n1', [], [], new Set(['n1', 'n2']), ips).get('shop/web'))
        .toEqual({ status: 'True', reason: 'Announced', message: 'advertised by BGP: 203.0.113.10 from "n1", "n2"' });
      expect(announcementConditions('n2', [], [], new Set(['n1', 'n2']), ips).size).toBe(0);
    });

    test('a Service with an IP in layer 2 is left to that IP\'s owner, so two speakers never write one Service', () => {
      const ips = [bgpIp('203.0.113.10', ['shop/web'], ['layer2', 'bgp']), bgpIp('2001:db8::10', ['shop/web'])];
      expect(announcementConditions('n1', [], [], new Set(['n1', 'n2']), ips).size).toBe(0);
    });

    test('advertised by BGP for one family wins over the other family\'s reason', () => {
      const c = announcementConditions('n1', [], [{ ...nobody, ip: '2001:db8::10', services: ['shop/web'] }], new Set(['n1']), [bgpIp('203.0.113.10', ['shop/web'])]);
      expect(c.get('shop/web')?.status).toBe('True');
    });
  });

  test('the reporter is self when alone or first', () => {
    expect(reporterOf('n3', new Set())).toBe('n3');
    expect(reporterOf('n3', new Set(['n5', 'n4']))).toBe('n3');
    expect(reporterOf('n3', new Set(['n2']))).toBe('n2');
  });
});
