import fc from 'fast-check';
import { diffAnnouncements, type Announcement } from './diff.js';

const a = (ip: string, ifname: string): Announcement => ({ ip, ifname });

describe('diffAnnouncements', () => {
  it.each<[string, Announcement[], Announcement[], Announcement[], Announcement[]]>([
    ['nothing to nothing', [], [], [], []],
    ['gaining an IP', [a('192.0.2.100', 'eth0')], [], [a('192.0.2.100', 'eth0')], []],
    ['losing an IP', [], [a('192.0.2.100', 'eth0')], [], [a('192.0.2.100', 'eth0')]],
    ['unchanged', [a('192.0.2.100', 'eth0')], [a('192.0.2.100', 'eth0')], [], []],
    ['moving an IP to another interface',
      [a('192.0.2.100', 'eth1')], [a('192.0.2.100', 'eth0')], [a('192.0.2.100', 'eth1')], [a('192.0.2.100', 'eth0')]],
    ['one of two interfaces goes',
      [a('2001:db8::1', 'eth0')], [a('2001:db8::1', 'eth0'), a('2001:db8::1', 'eth1')], [], [a('2001:db8::1', 'eth1')]],
  ])('%s', (_name, desired, current, announce, withdraw) => {
    expect(diffAnnouncements(desired, current)).toEqual({ announce, withdraw });
  });

  it('applying the diff to current gives desired (property)', () => {
    const ann = fc.record({ ip: fc.constantFrom('192.0.2.1', '192.0.2.2', '2001:db8::1'), ifname: fc.constantFrom('eth0', 'eth1') });
    fc.assert(fc.property(fc.array(ann), fc.array(ann), (desired, current) => {
      const { announce, withdraw } = diffAnnouncements(desired, current);
      const key = (x: Announcement): string => `${x.ip}%${x.ifname}`;
      const after = new Set(current.map(key));
      for (const w of withdraw) after.delete(key(w));
      for (const n of announce) after.add(key(n));
      expect([...after].sort()).toEqual([...new Set(desired.map(key))].sort());
    }));
  });
});
