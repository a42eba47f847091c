import { isCelError } from '@bufbuild/cel';
import { evaluate } from './env.js';

const run = (expr: string): unknown => {
  const r = evaluate(expr, {});
  return isCelError(r) ? `error: ${r.message}` : r;
};

describe('Kubernetes IP library', () => {
  test.each([
    ["isIP('192.0.2.1')", true],
    ["isIP('2001:db8::1')", true],
    ["isIP('::ffff:192.0.2.1')", false], // IPv4-mapped IPv6 is refused by Kubernetes
    ["isIP('192.0.2.01')", false], // leading zeros are ambiguous (octal)
    ["isIP('192.0.2.256')", false],
    ["isIP('fe80::1%eth0')", false], // zones are refused
    ["isIP('2001:db8::1::2')", false],
    ["isIP('1.2.3')", false],
    ["isIP('192.0.2.0/24')", false],
    ["ip('192.0.2.1').family()", 4n],
    ["ip('2001:db8::1').family()", 6n],
    ["ip('2001:DB8:0:0:0:0:0:1') == ip('2001:db8::1')", true],
    ["string(ip('2001:DB8:0:0:1:0:0:1'))", '2001:db8::1:0:0:1'], // first longest zero run
    ["string(ip('2001:db8:0:1:1:1:1:1'))", '2001:db8:0:1:1:1:1:1'], // a single zero group stays
    ["string(ip('::ffff:0:0:1'))", '::ffff:0:0:1'],
    ["string(ip('::2.3.4.5'))", '::203:405'],
    ["ip.isCanonical('2001:db8::1')", true],
    ["ip.isCanonical('2001:db8:0::1')", false],
    ["ip('127.0.0.1').isLoopback()", true],
    ["ip('::1').isLoopback()", true],
    ["ip('0.0.0.0').isUnspecified()", true],
    ["ip('::').isUnspecified()", true],
    ["ip('169.254.1.1').isLinkLocalUnicast()", true],
    ["ip('fe80::1').isLinkLocalUnicast()", true],
    ["ip('224.0.0.5').isLinkLocalMulticast()", true],
    ["ip('ff02::1').isLinkLocalMulticast()", true],
    ["ip('192.0.2.1').isGlobalUnicast()", true],
    ["ip('255.255.255.255').isGlobalUnicast()", false],
    ["ip('ff05::1').isGlobalUnicast()", false],
  ])('%s', (expr, expected) => {
    expect(run(expr)).toBe(expected);
  });

  test('ip() on a bad address is an evaluation error naming it', () => {
    expect(run("ip('192.0.2.300')")).toMatch(/192\.0\.2\.300/);
  });
});

describe('Kubernetes CIDR library', () => {
  test.each([
    ["isCIDR('192.0.2.0/24')", true],
    ["isCIDR('192.0.2.7/24')", true], // host bits may be set; masked() clears them
    ["isCIDR('2001:db8::/32')", true],
    ["isCIDR('192.0.2.0/33')", false],
    ["isCIDR('192.0.2.0/024')", false],
    ["isCIDR('192.0.2.0')", false],
    ["isCIDR('::ffff:192.0.2.0/120')", false],
    ["cidr('192.0.2.0/24').containsIP('192.0.2.200')", true],
    ["cidr('192.0.2.0/24').containsIP(ip('192.0.3.1'))", false],
    ["cidr('192.0.2.0/24').containsIP('2001:db8::1')", false],
    ["cidr('2001:db8::/32').containsIP('2001:db8:ffff::1')", true],
    ["cidr('192.0.2.0/24').containsCIDR('192.0.2.128/25')", true],
    ["cidr('192.0.2.128/25').containsCIDR(cidr('192.0.2.0/24'))", false],
    ["cidr('192.0.2.0/24').prefixLength()", 24n],
    ["string(cidr('192.0.2.7/24').masked())", '192.0.2.0/24'],
    ["string(cidr('2001:db8::7/64').ip())", '2001:db8::7'],
    ["string(cidr('2001:DB8::/32'))", '2001:db8::/32'],
    ["cidr('192.0.2.7/24').ip().family()", 4n],
  ])('%s', (expr, expected) => {
    expect(run(expr)).toBe(expected);
  });
});

describe('strings extension (as Kubernetes enables it)', () => {
  test.each([
    ["'192.0.2.1-192.0.2.9'.split('-')", ['192.0.2.1', '192.0.2.9']],
    ["'a-b'.indexOf('-')", 1n],
    ["' x '.trim()", 'x'],
    ["'abcdef'.substring(2, 4)", 'cd'],
    ["['a', 'b'].join(':')", 'a:b'],
    ["'a::b'.replace('::', ':0:')", 'a:0:b'],
    ["'AbC'.lowerAscii()", 'abc'],
  ])('%s', (expr, expected) => {
    const r = run(expr);
    expect(typeof r === 'object' && r !== null ? [...(r as Iterable<unknown>)] : r).toEqual(expected);
  });
});
