// The reversed-range rule's fixed-width key must order addresses exactly as their numeric values do.
import fc from 'fast-check';
import { isCelError } from '@bufbuild/cel';
import { evaluate } from '../../test/apiserver/schema/cel/env.js';
import { sortKey } from './address-rules.js';

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
// Words drawn mostly from 0 so that "::" runs of every length and place occur.
// IPv4-mapped addresses (::ffff:a.b.c.d) are left out: Kubernetes' isIP() refuses them, so the guarded
// rule never reaches ip() with one.
const v6 = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.nat(0xffff)), { minLength: 8, maxLength: 8 })
  .filter((w) => !(w.slice(0, 5).every((x) => x === 0) && w[5] === 0xffff));

const v4Text = (o: number[]) => o.join('.');
const v6Text = (w: number[]) => w.map((x) => x.toString(16)).join(':'); // full form; the rule canonicalizes
const v4Value = (o: number[]) => o.reduce((acc, b) => acc * 256n + BigInt(b), 0n);
const v6Value = (w: number[]) => w.reduce((acc, x) => acc * 65536n + BigInt(x), 0n);

function ruleSaysOrdered(a: string, b: string): boolean {
  const result = evaluate(`${sortKey('a')} <= ${sortKey('b')}`, { a, b });
  if (isCelError(result)) throw new Error(`rule failed on ${a} / ${b}: ${result.message}`);
  return result === true;
}

describe('sortKey', () => {
  test('IPv4: key order is numeric order', () => {
    fc.assert(fc.property(v4, v4, (a, b) => ruleSaysOrdered(v4Text(a), v4Text(b)) === (v4Value(a) <= v4Value(b))));
  });
  test('IPv6: key order is numeric order', () => {
    fc.assert(fc.property(v6, v6, (a, b) => ruleSaysOrdered(v6Text(a), v6Text(b)) === (v6Value(a) <= v6Value(b))), { numRuns: 300 });
  });
});
