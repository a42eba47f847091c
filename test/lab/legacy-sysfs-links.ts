// The interface watcher as it was before it listened to rtnetlink (issue 8): every second, read every
// link's flags, operstate, address, ifindex, type, master and carrier_up_count from sysfs and every
// address from getifaddrs (os.networkInterfaces()), all synchronously on the event loop, and compare the
// result as JSON. Kept only as the footprint bench's anchor (test/bench/l2-footprint.bench.ts), run by
// test/lab/watcher-probe.ts, so "before" is measured on the same machine and links as "after".
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { basename, join } from 'node:path';
import type { InterfaceAddress, LinkInfo } from '../../speaker/layer2/decide/interfaces.js';

const SYS_CLASS_NET = '/sys/class/net';
const IFF_UP = 0x1;
const IFF_NOARP = 0x80;
const ARPHRD_ETHER = 1;

function read(ifname: string, attribute: string): string {
  return readFileSync(join(SYS_CLASS_NET, ifname, attribute), 'utf8').trim();
}

function readCount(ifname: string, attribute: string): number | null {
  try {
    const n = Number(read(ifname, attribute));
    return Number.isSafeInteger(n) ? n : null;
  } catch {
    return null;
  }
}

function toAddress(a: { address: string; cidr: string | null }): InterfaceAddress {
  const prefix = a.cidr === null ? NaN : Number(a.cidr.slice(a.cidr.lastIndexOf('/') + 1));
  return { address: a.address, prefixLength: Number.isInteger(prefix) ? prefix : 0 };
}

/** Every link of this network namespace, read as the old watcher read them. */
export function readLinksFromSysfs(): LinkInfo[] {
  const addresses = networkInterfaces();
  const links: LinkInfo[] = [];
  for (const name of readdirSync(SYS_CLASS_NET).sort()) {
    try {
      if (!existsSync(join(SYS_CLASS_NET, name))) continue;
      const flags = parseInt(read(name, 'flags'), 16);
      const operstate = read(name, 'operstate');
      const address = read(name, 'address');
      const masterLink = join(SYS_CLASS_NET, name, 'master');
      const carrierUps = readCount(name, 'carrier_up_count');
      const linkType = parseInt(read(name, 'type'), 10);
      read(name, 'mtu');
      links.push({
        name,
        index: parseInt(read(name, 'ifindex'), 10),
        mac: linkType === ARPHRD_ETHER && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(address) ? address.toLowerCase() : '',
        up: (flags & IFF_UP) !== 0 && (operstate === 'up' || operstate === 'unknown'),
        hasMaster: existsSync(masterLink) ? basename(readlinkSync(masterLink)) !== '' : false,
        noArp: (flags & IFF_NOARP) !== 0,
        addresses: (addresses[name] ?? []).map(toAddress),
        ...(carrierUps !== null && { carrierUps }),
      });
    } catch {
      continue; // gone between listing and reading
    }
  }
  return links;
}

/**
 * Polls like the old watcher: read now, then every `intervalMs`, reporting only a changed snapshot.
 * `onPoll` hears how long each poll held the event loop, ms.
 */
export function pollSysfs(intervalMs: number, onChange: (links: LinkInfo[]) => void, onPoll: (ms: number) => void = () => undefined): () => void {
  let last = '';
  const poll = (): void => {
    const started = performance.now();
    try {
      pollOnce();
    } finally {
      onPoll(performance.now() - started);
    }
  };
  const pollOnce = (): void => {
    const links = readLinksFromSysfs();
    const snapshot = JSON.stringify(links);
    if (snapshot === last) return;
    last = snapshot;
    onChange(links);
  };
  poll();
  const timer = setInterval(poll, intervalMs);
  return () => clearInterval(timer);
}
