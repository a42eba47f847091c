import { networkInterfaces } from 'node:os';
import { silentLogger } from '../../lib/log.js';
import type { LinkInfo } from './decide/interfaces.js';
import { InterfaceWatcher, readLinks } from './interface-watcher.js';

describe('readLinks (this machine)', () => {
  it('lists loopback with its address and no MAC, so it is never chosen', () => {
    const lo = readLinks().find((l) => l.name === 'lo');
    expect(lo).toMatchObject({ mac: '', up: true, hasMaster: false });
    expect(lo?.addresses).toContainEqual({ address: '127.0.0.1', prefixLength: 8 });
  });

  it('agrees with os.networkInterfaces() on every address', () => {
    const ours = new Map(readLinks().map((l) => [l.name, l.addresses.map((a) => `${a.address}/${a.prefixLength}`).sort()]));
    for (const [name, addrs] of Object.entries(networkInterfaces())) {
      expect(ours.get(name)).toEqual((addrs ?? []).map((a) => a.cidr).sort());
    }
  });
});

describe('InterfaceWatcher', () => {
  const link = (name: string, up = true): LinkInfo => ({ name, index: 2, mac: '02:00:00:00:00:01', up, hasMaster: false, noArp: false, addresses: [] });

  it('reports the first snapshot on start and then only changes', async () => {
    const snapshots = [[link('eth0')], [link('eth0')], [link('eth0', false)], [link('eth0', false)], [link('eth0', false), link('eth1')]];
    let i = 0;
    const watcher = new InterfaceWatcher({ logger: silentLogger(), intervalMs: 5, read: () => snapshots[Math.min(i++, snapshots.length - 1)]! });
    const seen: string[] = [];
    watcher.onChange((links) => seen.push(links.map((l) => `${l.name}:${l.up ? 'up' : 'down'}`).join(',')));
    await watcher.start();
    expect(seen).toEqual(['eth0:up']);
    while (i < snapshots.length + 1) await new Promise((r) => setTimeout(r, 5));
    await watcher.stop();
    expect(seen).toEqual(['eth0:up', 'eth0:down', 'eth0:down,eth1:up']);
  });

  it('keeps running when a read fails', async () => {
    let calls = 0;
    const watcher = new InterfaceWatcher({ logger: silentLogger(), intervalMs: 5, read: () => {
      calls++;
      if (calls === 1) throw new Error('EMFILE');
      return [link('eth0')];
    } });
    const seen: number[] = [];
    watcher.onChange((links) => seen.push(links.length));
    await watcher.start();
    while (calls < 3) await new Promise((r) => setTimeout(r, 5));
    await watcher.stop();
    expect(seen).toEqual([1]);
  });
});

describe('InterfaceWatcher.refresh', () => {
  it('reads at once, out of turn, reports only a change, and does nothing once stopped', async () => {
    let up = true;
    const read = (): LinkInfo[] => [{ name: 'eth0', index: 2, mac: '02:00:00:00:00:11', up, hasMaster: false, noArp: false, addresses: [] }];
    const watcher = new InterfaceWatcher({ logger: silentLogger(), intervalMs: 60_000, read });
    const seen: boolean[] = [];
    watcher.onChange((links) => seen.push(links[0]?.up ?? false));
    await watcher.start();
    watcher.refresh();
    up = false;
    watcher.refresh();
    await watcher.stop();
    up = true;
    watcher.refresh();
    expect(seen).toEqual([true, false]);
  });
});
