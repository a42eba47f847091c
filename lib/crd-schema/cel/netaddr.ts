// Strict IP and CIDR parsing with the semantics of Go's net/netip, which Kubernetes' CEL IP library
// (k8s.io/apiserver/pkg/cel/library/ip.go, cidr.go) uses: IPv4 only as four decimal octets without
// leading zeros; IPv6 with at most one "::" and an optional dotted IPv4 tail; no zones; and, as
// Kubernetes adds on top of netip, no IPv4-mapped IPv6 addresses. Returning undefined (not throwing)
// lets isIP()/isCIDR() and ip()/cidr() share one parser.

export interface Addr {
  family: 4 | 6;
  /** 4 bytes for IPv4, 16 for IPv6. */
  bytes: Uint8Array;
}

export interface Prefix {
  addr: Addr;
  bits: number;
}

const DECIMAL = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (const [i, part] of parts.entries()) {
    if (!DECIMAL.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    bytes[i] = n;
  }
  return bytes;
}

/** Parses hex groups (and a dotted IPv4 tail when `allowTail`) into 16-bit words. */
function parseGroups(text: string, allowTail: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const words: number[] = [];
  for (const [i, part] of parts.entries()) {
    if (allowTail && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIPv4(part);
      if (!v4) return undefined;
      words.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    } else if (HEX_GROUP.test(part)) {
      words.push(parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return words;
}

function parseIPv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  let words: number[];
  if (halves.length === 2) {
    const head = parseGroups(halves[0] ?? '', false);
    const tail = parseGroups(halves[1] ?? '', true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseGroups(text, true);
    if (!all || all.length !== 8) return undefined;
    words = all;
  }
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return bytes;
}

function isIPv4Mapped(bytes: Uint8Array): boolean {
  return bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}

export function parseAddr(text: string): Addr | undefined {
  if (text.includes(':')) {
    const bytes = parseIPv6(text);
    if (!bytes || isIPv4Mapped(bytes)) return undefined;
    return { family: 6, bytes };
  }
  const bytes = parseIPv4(text);
  return bytes ? { family: 4, bytes } : undefined;
}

export function parsePrefix(text: string): Prefix | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addr = parseAddr(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (!addr || !/^(0|[1-9][0-9]{0,2})$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > addr.bytes.length * 8) return undefined;
  return { addr, bits };
}

/** RFC 5952 text, as Go's netip.Addr.String() prints it. */
export function formatAddr(addr: Addr): string {
  if (addr.family === 4) return Array.from(addr.bytes).join('.');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((addr.bytes[i] ?? 0) << 8) | (addr.bytes[i + 1] ?? 0));
  // The longest run of two or more zero words (the first one on a tie) becomes "::".
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatPrefix(prefix: Prefix): string {
  return `${formatAddr(prefix.addr)}/${prefix.bits}`;
}

/** The prefix with every bit after `bits` cleared (netip.Prefix.Masked). */
export function maskPrefix(prefix: Prefix): Prefix {
  const bytes = prefix.addr.bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, prefix.bits - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  return { addr: { family: prefix.addr.family, bytes }, bits: prefix.bits };
}

export function prefixContainsAddr(prefix: Prefix, addr: Addr): boolean {
  if (prefix.addr.family !== addr.family) return false;
  const a = maskPrefix(prefix).addr.bytes;
  const b = maskPrefix({ addr, bits: prefix.bits }).addr.bytes;
  return a.every((byte, i) => byte === b[i]);
}

/** netip semantics: `outer` contains `inner` when they overlap and `outer` is no longer than `inner`. */
export function prefixContainsPrefix(outer: Prefix, inner: Prefix): boolean {
  return outer.bits <= inner.bits && prefixContainsAddr(outer, inner.addr);
}

export function isLoopback(a: Addr): boolean {
  return a.family === 4 ? a.bytes[0] === 127 : a.bytes.subarray(0, 15).every((b) => b === 0) && a.bytes[15] === 1;
}

export function isUnspecified(a: Addr): boolean {
  return a.bytes.every((b) => b === 0);
}

export function isLinkLocalUnicast(a: Addr): boolean {
  return a.family === 4 ? a.bytes[0] === 169 && a.bytes[1] === 254 : a.bytes[0] === 0xfe && ((a.bytes[1] ?? 0) & 0xc0) === 0x80;
}

export function isLinkLocalMulticast(a: Addr): boolean {
  return a.family === 4
    ? a.bytes[0] === 224 && a.bytes[1] === 0 && a.bytes[2] === 0
    : a.bytes[0] === 0xff && ((a.bytes[1] ?? 0) & 0x0f) === 0x02;
}

function isMulticast(a: Addr): boolean {
  return a.family === 4 ? ((a.bytes[0] ?? 0) & 0xf0) === 0xe0 : a.bytes[0] === 0xff;
}

/** netip.Addr.IsGlobalUnicast: not unspecified, loopback, multicast, link-local, or the IPv4 broadcast address. */
export function isGlobalUnicast(a: Addr): boolean {
  if (a.family === 4 && a.bytes.every((b) => b === 255)) return false;
  return !isUnspecified(a) && !isLoopback(a) && !isMulticast(a) && !isLinkLocalUnicast(a);
}
