// What the loop tells the status writers after every pass: the BGP plan it handed the BGP driver (the
// ServiceBGPStatus writer builds its objects from it), and an empty plan on stop, so a stopping speaker's objects go.
import { silentLogger } from '../../lib/log.js';
import { Announcer } from '../layer2/announcer.js';
import { Layer2Driver } from '../layer2/driver.js';
import { MemorySegment } from '../layer2/testing/memory-segment.js';
import type { BgpPlan } from '../bgp/plan.js';
import type { DesiredAnnouncements } from '../source/types.js';
import { SpeakerLoop, type StatusPort } from './loop.js';

const desired: DesiredAnnouncements = {
  nodes: [{ name: 'n1', address: '192.0.2.11' }, { name: 'n2', address: '192.0.2.12' }],
  ips: [{ ip: '203.0.113.10', services: ['shop/web'], modes: ['bgp'], nodes: [{ name: 'n1', weight: 0 }], bgp: { nodes: ['n1'] } }],
  bgpPeers: [{
    name: 'router', myAsn: 64512, peerAsn: { kind: 'fixed', asn: 64512 }, peerAddress: '192.0.2.1', peerPort: 179,
    holdTimeSeconds: 90, keepaliveTimeSeconds: 30, connectTimeSeconds: 5, nodes: ['n1', 'n2'], passive: false,
  }],
};

test('the BGP plan goes to the status writers after each pass, and an empty one on stop', async () => {
  const reported: { plan: BgpPlan; ips: string[] }[] = [];
  const status: StatusPort = { report: () => undefined, reportBgp: (plan, ips) => reported.push({ plan, ips: ips.map((s) => s.ip) }) };
  const announcer = new Announcer({ openSocket: new MemorySegment().open, logger: silentLogger(), schedule: [0] });
  const loop = new SpeakerLoop({ self: 'n1', layer2: new Layer2Driver(announcer, silentLogger()), membership: { apply: () => undefined }, status, logger: silentLogger() });
  loop.enqueue({ kind: 'desired', desired });
  await loop.settled();
  const last = reported[reported.length - 1];
  expect(last?.ips).toEqual(['203.0.113.10']);
  expect(last?.plan.peers.map((p) => [p.peer.name, p.advertisements.map((a) => a.prefix)])).toEqual([['router', ['203.0.113.10/32']]]);
  await loop.stop();
  expect(reported[reported.length - 1]).toEqual({ plan: { peers: [], unusable: [] }, ips: [] });
});
