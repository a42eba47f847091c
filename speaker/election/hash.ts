// The (node, IP) hash that breaks ties between nodes of equal weight. Every speaker must compute the
// same value from the same strings on any platform and any Node version, so it is written out here
// (no engine-specific string hashing) and works on the UTF-8 bytes.
//
// FNV-1a (32-bit) alone mixes short, similar inputs poorly in its high bits ("node-1\0" vs "node-2\0"
// differ only near the end), so its result goes through MurmurHash3's 32-bit finalizer, which makes
// every input bit affect every output bit. Quality is measured in election.test.ts (distribution).

const FNV_OFFSET_BASIS_32 = 0x811c9dc5; // FNV-1a 32-bit parameters (draft-eastlake-fnv)
const FNV_PRIME_32 = 0x01000193;

const utf8 = new TextEncoder();

export function fnv1a32(bytes: Uint8Array): number {
  let h = FNV_OFFSET_BASIS_32;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, FNV_PRIME_32);
  }
  return h >>> 0;
}

/** MurmurHash3 fmix32: an avalanche step, so nearby inputs land far apart. */
export function fmix32(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Stable unsigned 32-bit hash of `node + '\0' + ip` (the NUL keeps "a"+"bc" apart from "ab"+"c"). */
export function nodeIpHash(node: string, ip: string): number {
  return fmix32(fnv1a32(utf8.encode(`${node}\0${ip}`)));
}
