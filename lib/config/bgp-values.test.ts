// The text values of BGP objects: Go durations, communities and a pool entry's widest CIDR block.
import { parseAddressEntry, type Interval } from '../ip/index.js';
import { MD5_KEY_MAX_BYTES, formatCommunity, looksLikeCommunity, parseCommunity, parseDurationMs, parseMd5Password, widestBlockPrefix } from './bgp-values.js';

test.each([
  ['90s', 90_000], ['1m30s', 90_000], ['500ms', 500], ['1.5s', 1500], ['1.25s', 1250], ['0', 0], ['2h', 7_200_000],
  // Go writes microseconds as "µs" (the regular expression spells µ as an escape: bgp-values.ts) or "us".
  ['1500\u00b5s', 1.5], ['1500µs', 1.5], ['2000us', 2], ['3000000ns', 3],
])('duration %s is %d ms', (text, ms) => {
  expect(parseDurationMs(text)).toEqual({ ok: true, value: ms });
});

test.each(['', '90', 's', '1d', '-1s', '1s '])('"%s" is not a duration', (text) => {
  expect(parseDurationMs(text)).toEqual({ ok: false, why: `"${text}" is not a duration (like "90s" or "1m30s")` });
});

test.each([
  ['65000:100', true], ['large:1:2:3', true], ['LARGE:1', true],
  ['no-export', false], ['x65000:100', false], ['65000:100x', false], ['my-large:1:2:3', false],
])('%s is written as a community: %s', (text, written) => {
  expect(looksLikeCommunity(text)).toBe(written);
});

test.each([
  ['65000:100', { kind: 'standard', asn: 65000, value: 100 }],
  ['0:0', { kind: 'standard', asn: 0, value: 0 }],
  ['65535:65535', { kind: 'standard', asn: 65535, value: 65535 }],
  ['large:1:2:3', { kind: 'large', globalAdmin: 1, localData1: 2, localData2: 3 }],
  ['large:4294967295:4294967295:4294967295', { kind: 'large', globalAdmin: 4294967295, localData1: 4294967295, localData2: 4294967295 }],
])('community %s parses and formats back', (text, value) => {
  expect(parseCommunity(text)).toEqual({ ok: true, value });
  const parsed = parseCommunity(text);
  if (parsed.ok) expect(formatCommunity(parsed.value)).toBe(text);
});

test.each([
  ['65536:1', 'community "65536:1": the first half 65536 is above 65535'],
  ['1:65536', 'community "1:65536": the second half 65536 is above 65535'],
  ['1:2:3', 'community "1:2:3": a standard community is two numbers joined by ":" (like 65000:100)'],
  ['large:1:2:x', 'community "large:1:2:x": local data part 2 "x" is not a number'],
  ['x1:2', 'community "x1:2": the first half "x1" is not a number'],
  ['1:2x', 'community "1:2x": the second half "2x" is not a number'],
  ['large:1:4294967296:3', 'community "large:1:4294967296:3": local data part 1 4294967296 is above 4294967295'],
])('community %s is refused, naming the part', (text, why) => {
  expect(parseCommunity(text)).toEqual({ ok: false, why });
});

const entry = (text: string): Interval => {
  const parsed = parseAddressEntry(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.interval;
};

test.each([
  ['192.0.2.0/24', 24], ['192.0.2.7', 32], ['192.0.2.0-192.0.2.255', 24], ['192.0.2.10-192.0.2.20', 30],
  ['192.0.2.1-192.0.3.0', 25], ['0.0.0.0/0', 0], ['2001:db8::/64', 64], ['2001:db8::10-2001:db8::1f', 124], ['::/0', 0],
])('the widest block of %s is /%d', (text, prefix) => {
  expect(widestBlockPrefix(entry(text))).toBe(prefix);
});

describe('parseMd5Password: the kernel counts bytes, not characters', () => {
  it.each([
    ['80 ASCII bytes', 'k'.repeat(MD5_KEY_MAX_BYTES), true],
    ['81 ASCII bytes', 'k'.repeat(MD5_KEY_MAX_BYTES + 1), false],
    ['40 two-byte characters (80 bytes)', 'é'.repeat(40), true],
    ['41 two-byte characters (82 bytes)', 'é'.repeat(41), false],
    ['20 four-byte characters (80 bytes)', '🔑'.repeat(20), true],
    ['the empty string', '', false],
  ])('%s', (_name, text, ok) => {
    expect(parseMd5Password(text).ok).toBe(ok);
  });

  it('says how many bytes and characters, never the password', () => {
    const result = parseMd5Password('ü'.repeat(50));
    expect(result).toEqual({ ok: false, why: 'the password is 100 bytes of UTF-8 (50 characters); the kernel takes a TCP MD5 key of at most 80 bytes' });
  });
});
