// Facts about network interfaces, read from sysfs (Documentation/ABI/testing/sysfs-class-net). Reading
// them here instead of in C keeps the addon down to what only C can do: the socket itself.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { canonicalMac, type MacAddress } from '../layer2/frames/addresses.js';

/** linux/if.h interface flags. */
const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const IFF_NOARP = 0x80;

/** linux/if_arp.h ARPHRD_ETHER: the only link type Herald announces on. */
export const ARPHRD_ETHER = 1;

export interface InterfaceInfo {
  name: string;
  ifindex: number;
  /** Link-layer address; null when the interface has none of 6 bytes (e.g. tun, ipip). */
  mac: MacAddress | null;
  mtu: number;
  /** ARPHRD_* link type (1 = Ethernet). */
  linkType: number;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** Carrier present (operstate "up" or "unknown", as for dummy and some virtual links). */
  running: boolean;
  noarp: boolean;
  loopback: boolean;
  /** The bridge or bond this interface is enslaved to, or null. */
  master: string | null;
  /** Times the carrier came up (carrier_up_count, Linux ≥ 4.16), or null where the kernel has none. */
  carrierUps: number | null;
}

const SYS_CLASS_NET = '/sys/class/net';

function read(ifname: string, attribute: string): string {
  return readFileSync(join(SYS_CLASS_NET, ifname, attribute), 'utf8').trim();
}

function readCount(ifname: string, attribute: string): number | null {
  try {
    const n = Number(read(ifname, attribute));
    return Number.isSafeInteger(n) ? n : null;
  } catch {
    return null; // older kernel, or a link type without the attribute
  }
}

/** Reads one interface's facts; throws an Error quoting the name if it does not exist. */
export function interfaceInfo(ifname: string): InterfaceInfo {
  if (ifname.includes('/') || ifname === '.' || ifname === '..' || !existsSync(join(SYS_CLASS_NET, ifname))) {
    throw new Error(`interface "${ifname}" does not exist`);
  }
  const flags = parseInt(read(ifname, 'flags'), 16);
  const operstate = read(ifname, 'operstate');
  const address = read(ifname, 'address');
  const masterLink = join(SYS_CLASS_NET, ifname, 'master');
  return {
    name: ifname,
    ifindex: parseInt(read(ifname, 'ifindex'), 10),
    mac: /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(address) ? canonicalMac(address) : null,
    mtu: parseInt(read(ifname, 'mtu'), 10),
    linkType: parseInt(read(ifname, 'type'), 10),
    up: (flags & IFF_UP) !== 0,
    running: operstate === 'up' || operstate === 'unknown',
    noarp: (flags & IFF_NOARP) !== 0,
    loopback: (flags & IFF_LOOPBACK) !== 0,
    master: existsSync(masterLink) ? basename(readlinkSync(masterLink)) : null,
    carrierUps: readCount(ifname, 'carrier_up_count'),
  };
}

/** Names of every interface in this network namespace. */
export function listInterfaces(): string[] {
  return readdirSync(SYS_CLASS_NET).sort();
}
