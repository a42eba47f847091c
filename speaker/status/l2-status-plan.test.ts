import { createHash } from 'node:crypto';
import { l2StatusesFor, ownedIps } from './l2-status-plan.js';
import { gainedServices, statusObjectName } from './service-status-plan.js';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

describe('ServiceL2Status objects a speaker keeps', () => {
  test('one per Service, in its namespace, with the union of interfaces of its IPs (dual-stack: one object)', () => {
    const specs = l2StatusesFor('node-a', [
      { ip: '192.0.2.10', services: ['team/web'], interfaces: ['eth0'] },
      { ip: '2001:db8::10', services: ['team/web'], interfaces: ['eth1', 'eth0'] },
    ], sha);
    expect([...specs.values()]).toEqual([{
      namespace: 'team', name: statusObjectName('web', 'node-a', sha), serviceName: 'web', node: 'node-a', items: ['eth0', 'eth1'],
    }]);
  });

  test('a shared IP gives every sharer its own object', () => {
    const specs = l2StatusesFor('n', [{ ip: '192.0.2.10', services: ['a/dns-tcp', 'a/dns-udp'], interfaces: ['eth0'] }], sha);
    expect([...specs.values()].map((s) => s.serviceName).sort()).toEqual(['dns-tcp', 'dns-udp']);
  });

  test('names are stable per (Service, node), differ between nodes, and are valid object names even for the longest inputs', () => {
    expect(statusObjectName('web', 'node-a', sha)).toBe(statusObjectName('web', 'node-a', sha));
    expect(statusObjectName('web', 'node-a', sha)).not.toBe(statusObjectName('web', 'node-b', sha));
    const longNode = `${'n'.repeat(99)}.${'m'.repeat(150)}`;
    const name = statusObjectName('s'.repeat(63), longNode, sha);
    expect(name.length).toBeLessThanOrEqual(253);
    expect(name).toMatch(DNS_SUBDOMAIN);
    // cut right after a dot: the dot must not end the readable part
    expect(statusObjectName('web', `${'n'.repeat(96)}.mmmm`, sha)).toMatch(DNS_SUBDOMAIN);
  });

  test('gained: the Services newly announced, so each failover writes one nodeAssigned event and a steady state none', () => {
    const before = l2StatusesFor('n', [{ ip: '192.0.2.1', services: ['a/x'], interfaces: ['eth0'] }], sha);
    const after = l2StatusesFor('n', [
      { ip: '192.0.2.1', services: ['a/x'], interfaces: ['eth0'] }, { ip: '192.0.2.2', services: ['a/y'], interfaces: ['eth0'] },
    ], sha);
    expect(gainedServices(before, after).map((s) => s.serviceName)).toEqual(['y']);
    expect(gainedServices(after, after)).toEqual([]);
  });

  test('owned: only what the plan gives this node, less the interfaces whose announcement failed', () => {
    const owned = ownedIps('a', [
      { ip: '192.0.2.1', owner: 'a', decision: 'announce', interfaces: ['eth0', 'eth1'] },
      { ip: '192.0.2.2', owner: 'b', decision: 'notOwner', interfaces: [] },
      { ip: '192.0.2.3', owner: 'a', decision: 'announce', interfaces: ['eth0'] },
    ], [
      { ip: '192.0.2.1', services: ['x/one'], modes: ['layer2'], nodes: [] },
      { ip: '192.0.2.3', services: ['x/three'], modes: ['layer2'], nodes: [] },
    ], [{ ip: '192.0.2.1', ifname: 'eth1' }, { ip: '192.0.2.3', ifname: 'eth0' }]);
    expect(owned).toEqual([{ ip: '192.0.2.1', services: ['x/one'], interfaces: ['eth0'] }]);
  });
});
