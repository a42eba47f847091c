// ClusterIP and NodePort allocation, as kube-apiserver's service IP and port allocators do it: each value is
// owned by one Service, taken on create, kept on update, and freed when the Service goes. Search for a free
// value starts after the last one handed out, so allocation is O(1) amortized until the range is nearly full.
import ipaddr from 'ipaddr.js';

export type IPFamily = 'IPv4' | 'IPv6';

function toBigInt(addr: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  return addr.toByteArray().reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
}

function fromBigInt(value: bigint, family: IPFamily): string {
  const length = family === 'IPv4' ? 4 : 16;
  const bytes: number[] = [];
  for (let i = 0; i < length; i++) bytes.unshift(Number((value >> BigInt(8 * i)) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}

export function familyOf(ip: string): IPFamily | undefined {
  if (!ipaddr.isValid(ip)) return undefined;
  return ipaddr.parse(ip).kind() === 'ipv4' ? 'IPv4' : 'IPv6';
}

export class IPRangeAllocator {
  readonly family: IPFamily;
  private readonly base: bigint;
  private readonly size: bigint;
  private readonly used = new Set<bigint>();
  private cursor = 1n;

  constructor(readonly cidr: string) {
    let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
    try {
      parsed = ipaddr.parseCIDR(cidr);
    } catch (cause) {
      throw new Error(`service CIDR "${cidr}" does not parse`, { cause });
    }
    const [addr, prefix] = parsed;
    this.family = addr.kind() === 'ipv4' ? 'IPv4' : 'IPv6';
    const bits = this.family === 'IPv4' ? 32 : 128;
    this.size = 1n << BigInt(bits - prefix);
    this.base = (toBigInt(addr) >> BigInt(bits - prefix)) << BigInt(bits - prefix);
  }

  /** Offsets usable for Services: not the network address, and not the IPv4 broadcast address. */
  private usable(offset: bigint): boolean {
    if (offset <= 0n || offset >= this.size) return false;
    return !(this.family === 'IPv4' && offset === this.size - 1n);
  }

  private offsetOf(ip: string): bigint | undefined {
    if (familyOf(ip) !== this.family) return undefined;
    const offset = toBigInt(ipaddr.parse(ip)) - this.base;
    return this.usable(offset) ? offset : undefined;
  }

  /** Takes a specific address; returns why not when it cannot. */
  allocate(ip: string): 'ok' | 'outOfRange' | 'taken' {
    const offset = this.offsetOf(ip);
    if (offset === undefined) return 'outOfRange';
    if (this.used.has(offset)) return 'taken';
    this.used.add(offset);
    return 'ok';
  }

  allocateNext(): string | undefined {
    const span = this.size < 1n << 20n ? this.size : 1n << 20n;
    for (let tried = 0n; tried < span; tried++) {
      const offset = this.cursor;
      this.cursor = this.cursor + 1n >= this.size ? 1n : this.cursor + 1n;
      if (this.usable(offset) && !this.used.has(offset)) {
        this.used.add(offset);
        return fromBigInt(this.base + offset, this.family);
      }
    }
    return undefined;
  }

  release(ip: string): void {
    const offset = this.offsetOf(ip);
    if (offset !== undefined) this.used.delete(offset);
  }
}

/** kube's default --service-node-port-range. */
export const NODE_PORT_RANGE = { first: 30000, last: 32767 };

export class PortAllocator {
  private readonly used = new Set<number>();
  private cursor: number;

  constructor(private readonly first = NODE_PORT_RANGE.first, private readonly last = NODE_PORT_RANGE.last) {
    this.cursor = first;
  }

  allocate(port: number): 'ok' | 'outOfRange' | 'taken' {
    if (port < this.first || port > this.last) return 'outOfRange';
    if (this.used.has(port)) return 'taken';
    this.used.add(port);
    return 'ok';
  }

  allocateNext(): number | undefined {
    for (let tried = 0; tried <= this.last - this.first; tried++) {
      const port = this.cursor;
      this.cursor = port >= this.last ? this.first : port + 1;
      if (!this.used.has(port)) {
        this.used.add(port);
        return port;
      }
    }
    return undefined;
  }

  release(port: number): void {
    this.used.delete(port);
  }

  get range(): string {
    return `${this.first}-${this.last}`;
  }
}
