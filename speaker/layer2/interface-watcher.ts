// Notices interfaces coming, going and changing (up/down, enslaved, addresses) by polling: sysfs for
// flags and the master link, os.networkInterfaces() (getifaddrs) for addresses. Once a second costs a
// few dozen small file reads; a change is only reported when the snapshot differs from the last one.
// Link loss on *this* node is not on the failover path (the other nodes' heartbeats are), so a second
// of delay here only affects announcing on an interface that was just plugged in. A flap shorter than
// the poll still shows, in the carrier counter (LinkInfo.carrierUps), and the loop re-announces on it.
import { networkInterfaces } from 'node:os';
import type { Logger } from '../../lib/log.js';
import { ARPHRD_ETHER, interfaceInfo, listInterfaces } from '../native/interface-info.js';
import type { InterfaceAddress, LinkInfo } from './decide/interfaces.js';

/** Every link of this network namespace, as the interface choice needs it. */
export function readLinks(): LinkInfo[] {
  const addresses = networkInterfaces();
  const links: LinkInfo[] = [];
  for (const name of listInterfaces()) {
    let info;
    try {
      info = interfaceInfo(name);
    } catch {
      continue; // gone between listing and reading: the next poll will not list it
    }
    links.push({
      name,
      index: info.ifindex,
      // Only Ethernet links can carry ARP/NDP frames as Herald builds them.
      mac: info.linkType === ARPHRD_ETHER && info.mac !== null ? info.mac : '',
      up: info.up && info.running,
      hasMaster: info.master !== null,
      noArp: info.noarp,
      addresses: (addresses[name] ?? []).map(toAddress),
      ...(info.carrierUps !== null && { carrierUps: info.carrierUps }),
    });
  }
  return links;
}

function toAddress(a: { address: string; cidr: string | null; netmask: string }): InterfaceAddress {
  const prefix = a.cidr === null ? NaN : Number(a.cidr.slice(a.cidr.lastIndexOf('/') + 1));
  return { address: a.address, prefixLength: Number.isInteger(prefix) ? prefix : 0 };
}

export interface InterfaceWatcherOptions {
  logger: Logger;
  intervalMs?: number;
  /** Where links are read from; readLinks by default. */
  read?: () => LinkInfo[];
}

export class InterfaceWatcher {
  private readonly listeners: ((links: LinkInfo[]) => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private last = '';

  constructor(private readonly options: InterfaceWatcherOptions) {}

  onChange(cb: (links: LinkInfo[]) => void): void {
    this.listeners.push(cb);
  }

  /** Reads once (listeners hear the first snapshot before start resolves), then polls. */
  async start(): Promise<void> {
    this.poll();
    this.timer = setInterval(() => this.poll(), this.options.intervalMs ?? 1000);
  }

  /**
   * Reads now, out of turn (reports only a change, as a poll does). For when something else says the
   * network just changed: a peer telling this node it was gone means its link may have just come back,
   * and waiting up to a poll for the watcher to see it up would leave its IPs unannounced that long.
   */
  refresh(): void {
    if (this.timer !== null) this.poll();
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private poll(): void {
    let links: LinkInfo[];
    try {
      links = (this.options.read ?? readLinks)();
    } catch (err) {
      this.options.logger.error({ err }, 'reading network interfaces failed');
      return;
    }
    const snapshot = JSON.stringify(links);
    if (snapshot === this.last) return;
    this.last = snapshot;
    this.options.logger.debug({ links: links.map((l) => `${l.name}${l.up ? '' : '(down)'}`) }, 'interfaces changed');
    for (const cb of this.listeners) cb(links);
  }
}
