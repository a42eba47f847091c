// The reversed-range rule's key must order addresses exactly as their numeric values do, whatever text
// form (compressed or not, upper or lower case, leading zeros, dotted IPv4 tail) each end is written in.
import fc from 'fast-check';
import { isCelError } from '@bufbuild/cel';
import { evaluate } from '../../lib/crd-schema/cel/env.js';
import { keyNotAfter, sortKey } from './address-rules.js';

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
// Words drawn mostly from 0 so that "::" runs of every length and place occur.
// IPv4-mapped addresses (::ffff:a.b.c.d) are left out: Kubernetes' isIP() refuses them, so the guarded
// rule never reaches ip() with one.
const v6 = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.nat(0xffff)), { minLength: 8, maxLength: 8 })
  .filter((w) => !(w.slice(0, 5).every((x) => x === 0) && w[5] === 0xffff));

/** How one IPv6 address is written: which zero run "::" replaces, leading zeros per group, case, a dotted tail. */
const v6Form = fc.record({
  compress: fc.nat(4), pad: fc.array(fc.nat(3), { minLength: 8, maxLength: 8 }), upper: fc.boolean(), dotted: fc.boolean(),
});
type V6Form = { compress: number; pad: number[]; upper: boolean; dotted: boolean };

/** Each maximal run of zero words, as [start, end). */
function zeroRuns(words: number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] !== 0) continue;
    let j = i;
    while (j < words.length && words[j] === 0) j++;
    runs.push([i, j]);
    i = j;
  }
  return runs;
}

const v4Text = (o: number[]) => o.join('.');
/** `w` written in `form`. Only the hex groups may be compressed; "::" with nothing after it needs a trailing ":". */
function v6Text(w: number[], form: V6Form): string {
  const hex = w.slice(0, form.dotted ? 6 : 8);
  const groups = hex.map((x, i) => x.toString(16).padStart(x.toString(16).length + (form.pad[i] ?? 0), '0').slice(-4));
  const tail = form.dotted ? [[w[6] ?? 0, w[7] ?? 0].flatMap((x) => [x >> 8, x & 0xff]).join('.')] : [];
  const runs = zeroRuns(hex);
  const [start, end] = runs[form.compress] ?? [-1, -1];
  const text = start < 0 ? [...groups, ...tail].join(':')
    : `${groups.slice(0, start).join(':')}::${[...groups.slice(end), ...tail].join(':')}`;
  return form.upper ? text.toUpperCase() : text;
}

const v4Value = (o: number[]) => o.reduce((acc, b) => acc * 256n + BigInt(b), 0n);
const v6Value = (w: number[]) => w.reduce((acc, x) => acc * 65536n + BigInt(x), 0n);

function celTrue(expr: string, bindings: Record<string, string>): boolean {
  const result = evaluate(expr, bindings);
  if (isCelError(result)) throw new Error(`${JSON.stringify(bindings)}: ${result.message}`);
  return result === true;
}

function ruleSaysOrdered(a: string, b: string): boolean {
  if (!celTrue('isIP(a) && isIP(b)', { a, b })) throw new Error(`not IP addresses: ${a} / ${b}`);
  return celTrue(keyNotAfter(sortKey('a'), sortKey('b')), { a, b });
}

describe('sortKey', () => {
  test('IPv4: key order is numeric order', () => {
    fc.assert(fc.property(v4, v4, (a, b) => ruleSaysOrdered(v4Text(a), v4Text(b)) === (v4Value(a) <= v4Value(b))));
  });
  test('IPv6: key order is numeric order, whatever the text form', () => {
    fc.assert(fc.property(v6, v6Form, v6, v6Form, (a, fa, b, fb) =>
      ruleSaysOrdered(v6Text(a, fa), v6Text(b, fb)) === (v6Value(a) <= v6Value(b))), { numRuns: 300 });
  });
  test.each([
    ['2001:db8::1', '2001:DB8:0:0:0:0:0:1', true],
    ['2001:0db8::0001', '2001:db8::1', true],
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201', true],
    ['64:ff9b::c000:202', '64:ff9b::192.0.2.1', false],
    ['::', '::1', true],
    ['::1', '::', false],
    ['1::', '0:ffff::', false],
  ])('%s not after %s: %s', (a, b, notAfter) => {
    expect(ruleSaysOrdered(a, b)).toBe(notAfter);
  });
});
