// The kernel filter on the heartbeat UDP socket (bpf.ts says how filters run): a datagram passes only
// when its source address is one a peer is listed at. Everything else — a flood of junk from anywhere
// else — is dropped in the kernel before it is queued, so it costs the speaker no system call, no buffer,
// no event and no JavaScript. What passes still goes through the whole receive path
// (speaker/membership/receive-gate.ts: port, decode, sender name, budget, MAC); the filter only moves its
// first check, "is a peer listed at this address", into the kernel.
//
// On a UDP socket the program sees the UDP header at offset 0 and the IP header at SKF_NET_OFF. A
// dual-stack IPv6 socket receives IPv4 datagrams with their IPv4 header, so the program reads the version
// nibble first; a peer listed as ::ffff:a.b.c.d is matched as a.b.c.d, the way the receive gate counts it.
//
//   IPv4 (RFC 791):  | version/IHL @0 | ... | source address @12 (4) | destination @16 | ...
//   IPv6 (RFC 8200): | version/class @0 | ... | source address @8 (16) | destination @24 | ...
//
// The addresses are matched as a tree of 32-bit words (the first word, then the second among those that
// share the first, ...), so peers sharing a prefix share its comparisons: about two instructions per IPv4
// peer, five per IPv6 peer of one /64. The kernel takes at most 4 096 instructions; a peer list that needs
// more gets no filter (the caller says so), and the receive gate still drops what the kernel would have.
import ipaddr from 'ipaddr.js';
import {
  accept, and, assemble, BPF_MAX_INSTRUCTIONS, drop, emit, goTo, ifEqual, instructionCount, label, loadByte, loadWord,
  MAX_CONDITIONAL_SKIP, SKF_NET_OFF, type BpfInstruction, type Step,
} from './bpf.js';

export type HeartbeatFilter =
  | { kind: 'program'; program: BpfInstruction[]; addresses: number }
  /** More peers than a classic BPF program can hold: the socket stays unfiltered. */
  | { kind: 'tooLarge'; instructions: number; addresses: number };

const IPV4_SOURCE_OFFSET = 12;
const IPV6_SOURCE_OFFSET = 8;
const VERSION_MASK = 0xf0;
const VERSION_4 = 0x40;
const VERSION_6 = 0x60;

/** Source addresses as 32-bit words: one for IPv4, four for IPv6. Throws naming a value that is no address. */
function wordsOf(text: string): { family: 4 | 6; words: number[] } {
  if (!ipaddr.isValid(text)) throw new RangeError(`heartbeat filter: "${text}" is not an IP address`);
  const bytes = ipaddr.process(text).toByteArray();
  const words: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) words.push((((bytes[i] ?? 0) << 24) | ((bytes[i + 1] ?? 0) << 16) | ((bytes[i + 2] ?? 0) << 8) | (bytes[i + 3] ?? 0)) >>> 0);
  return { family: bytes.length === 4 ? 4 : 6, words };
}

/** Sorted, without duplicates, so that the entries sharing a word at any depth sit next to each other. */
function sortedUnique(entries: number[][]): number[][] {
  const byKey = new Map(entries.map((w) => [w.join('.'), w]));
  return [...byKey.values()].sort((a, b) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
    return 0;
  });
}

/**
 * Matches `entries` (all of one length) from word `depth` on, the source read at SKF_NET_OFF + `offset`.
 * Each value at this depth leads to its own subtree; a value that does not match skips its subtree. A
 * subtree that finds no match ends in a drop: its siblings differ at this depth, so none could match.
 */
function matchTree(entries: readonly number[][], depth: number, offset: number, fresh: () => string): Step[] {
  const steps: Step[] = [emit(loadWord(SKF_NET_OFF + offset + 4 * depth))];
  for (let start = 0; start < entries.length;) {
    const value = entries[start]?.[depth] ?? 0;
    let end = start;
    while (end < entries.length && entries[end]?.[depth] === value) end++;
    const last = depth === (entries[start]?.length ?? 1) - 1;
    const subtree = last ? [emit(accept())] : matchTree(entries.slice(start, end), depth + 1, offset, fresh);
    const skip = fresh();
    if (instructionCount(subtree) <= MAX_CONDITIONAL_SKIP) steps.push(ifEqual(value, 'next', skip));
    else {
      // Too far for a conditional jump: the miss takes an unconditional one.
      const enter = fresh();
      steps.push(ifEqual(value, enter, 'next'), goTo(skip), label(enter));
    }
    steps.push(...subtree, label(skip));
    start = end;
  }
  steps.push(emit(drop()));
  return steps;
}

function familyBlock(entries: number[][], offset: number, fresh: () => string): Step[] {
  return entries.length === 0 ? [emit(drop())] : matchTree(sortedUnique(entries), 0, offset, fresh);
}

/** The filter for a socket that should hear only `addresses` (IPv4, IPv6 or IPv4-mapped literals). */
export function heartbeatSourceFilter(addresses: readonly string[]): HeartbeatFilter {
  const parsed = addresses.map(wordsOf);
  const v4 = parsed.filter((a) => a.family === 4).map((a) => a.words);
  const v6 = parsed.filter((a) => a.family === 6).map((a) => a.words);
  let labels = 0;
  const fresh = (): string => `l${labels++}`;
  const program = assemble([
    emit(loadByte(SKF_NET_OFF)),
    emit(and(VERSION_MASK)),
    ifEqual(VERSION_4, 'v4', 'next'),
    ifEqual(VERSION_6, 'next', 'other'),
    goTo('v6'),
    label('other'),
    emit(drop()),
    label('v4'),
    ...familyBlock(v4, IPV4_SOURCE_OFFSET, fresh),
    label('v6'),
    ...familyBlock(v6, IPV6_SOURCE_OFFSET, fresh),
  ]);
  const count = sortedUnique(v4).length + sortedUnique(v6).length;
  if (program.length > BPF_MAX_INSTRUCTIONS) return { kind: 'tooLarge', instructions: program.length, addresses: count };
  return { kind: 'program', program, addresses: count };
}
