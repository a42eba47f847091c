// CEL rules (x-kubernetes-validations) that make kube-apiserver reject a malformed IPAddressPool entry at
// `kubectl apply` time. They use only functions Kubernetes offers to CRD validation rules (1.31+): the
// IP and CIDR libraries (isIP, ip, family, isCIDR) and the strings extension (split, trim, replace,
// substring, lowerAscii, charAt, indexOf, lastIndexOf), plus the standard macros. Each rule is written
// against one `addresses` item (`self` is the string) and names the bad value through messageExpression.
//
// The reversed-range check is the hard part: Kubernetes' IP type has no ordering and no conversion to
// an integer. So each end's text is turned into a list of ints that, compared element by element
// (keyNotAfter), orders like the address: IPv4 its four octets, IPv6 its eight 16-bit groups:
//   "192.0.2.9"          -> [192, 0, 2, 9]
//   "2001:DB8::c000:201" -> [8193, 3512, 0, 0, 0, 0, 49152, 513]  (as is "2001:db8::192.0.2.1")
// The key is read from the user's text, as isIP() accepts it: upper or lower case hex (lowerAscii),
// groups of one to four digits with leading zeros, "::" for any run of zero groups, and a dotted IPv4
// tail standing for the last two groups. "::" stands for 8 - n zero groups, n being the groups written
// out (the dotted tail counts two); replacing it by ":" + "0:" * (8 - n) and skipping empty fields leaves
// the hex groups in place.
//
// Why ints and not the fixed-width text "20010db8...": kube-apiserver refuses a CRD whose rules' estimated
// cost exceeds 10^7 per rule (x 1000 items, so 10^4 per entry) or 10^8 for all rules. The estimator
// bounds a string only when it can see where it came from: string(ip(x)) and the strings made by map()
// are unbounded, so any join, concatenation or comparison over them was estimated as infinitely costly.
// Ints cost the same whatever their value, and split() with a literal limit bounds the lists. The
// reversed-range rule is estimated at about 7 500 per entry, so there is little room left for more
// string work in it; test/kubectl/bad-pools.test.ts applies the CRD to a real kube-apiserver.

/** The CEL text of the range's first (`0`) or last (`1`) address, trimmed as MetalLB trims it. */
const end = (i: 0 | 1): string => `self.split('-')[${i}].trim()`;

/** A single `-` with an IP address on each side. Guards every rule that calls ip() on the ends. */
const RANGE_OF_IPS = `size(self.split('-')) == 2 && isIP(${end(0)}) && isIP(${end(1)})`;
const SAME_FAMILY = `ip(${end(0)}).family() == ip(${end(1)}).family()`;

const HEX_DIGITS = `'0123456789abcdef'`;
/** CEL: the value of the hex digit `i` places from the right of the group `g` (0 when `g` is shorter). */
const hexDigit = (i: number): string => `(size(g) > ${i} ? ${HEX_DIGITS}.indexOf(g.charAt(size(g) - ${i + 1})) : 0)`;
const GROUP_VALUE = `${hexDigit(3)} * 4096 + ${hexDigit(2)} * 256 + ${hexDigit(1)} * 16 + ${hexDigit(0)}`;
/** CEL: the octets of the dotted IPv4 text `d` as ints. */
const octets = (d: string): string => `${d}.split('.', 4).map(o, int(o))`;
const IPV4_KEY = octets('s');
// The split() limits bound the lists for the cost estimate: a valid IPv6 text has at most nine ':'-separated
// fields ("::1:2:3:4:5:6:7"), ten once "::" is expanded ("::" -> ":0:0:0:0:0:0:0:0:").
/** Groups written in `s` (a dotted tail is two), and so the zero groups "::" stands for. */
const IPV6_WRITTEN = `size(s.split(':', 9).filter(g, g != '')) + (s.contains('.') ? 1 : 0)`;
const IPV6_KEY =
  `s.replace('::', ':' + '0:0:0:0:0:0:0:0:'.substring(0, 2 * (8 - (${IPV6_WRITTEN}))))` +
  `.split(':', 10).map(g, g != '' && !g.contains('.'), ${GROUP_VALUE})` +
  ` + (s.contains('.') ? [${octets("s.substring(s.lastIndexOf(':') + 1)")}].map(v, [v[0] * 256 + v[1], v[2] * 256 + v[3]])[0] : [])`;

/** CEL: the sort key of the address text `addr`: a list of ints. A one-item list and map() bind the text to `s`. */
export function sortKey(addr: string): string {
  return `[${addr}.lowerAscii()].map(s, ip(s).family() == 4 ? ${IPV4_KEY} : ${IPV6_KEY})[0]`;
}

/** CEL: the key `a` is not after the key `b` (keys of one family): they are equal or differ first where a is lower. */
export function keyNotAfter(a: string, b: string): string {
  return `[[${a}, ${b}]].all(k, [[0, 1, 2, 3, 4, 5, 6, 7].filter(i, i < size(k[0]) && k[0][i] != k[1][i])]` +
    `.all(d, size(d) == 0 || k[0][d[0]] < k[1][d[0]]))`;
}

export interface AddressRule {
  rule: string;
  messageExpression: string;
  message: string;
}

export const ADDRESS_RULES: AddressRule[] = [
  {
    // A bare address is one address, as the controller's parser (lib/ip) reads it.
    rule: `self.contains('-') ? ${RANGE_OF_IPS} : (isCIDR(self) || isIP(self))`,
    messageExpression:
      `self.contains('-') ? 'range "' + self + '" must be two IP addresses joined by "-", like 192.0.2.10-192.0.2.20'` +
      ` : '"' + self + '" is not a CIDR (like 192.0.2.0/24 or 2001:db8::/64), a range (like 192.0.2.10-192.0.2.20) or an IP address'`,
    message: 'each address must be a CIDR, a first-last range of IP addresses, or one IP address',
  },
  {
    rule: `!self.contains('-') || !(${RANGE_OF_IPS}) || ${SAME_FAMILY}`,
    messageExpression: `'range "' + self + '" mixes IPv4 and IPv6: both ends must be of one family'`,
    message: 'both ends of a range must be of one IP family',
  },
  {
    rule: `!self.contains('-') || !(${RANGE_OF_IPS}) || !(${SAME_FAMILY}) || ${keyNotAfter(sortKey(end(0)), sortKey(end(1)))}`,
    messageExpression: `'range "' + self + '" is reversed: its first address is after its last'`,
    message: 'the first address of a range must not be after its last',
  },
];

/** The longest entry anyone needs: two full IPv6 addresses with a dotted tail and " - " is 93 characters. */
export const ADDRESS_MAX_LENGTH = 128;
/** kube-apiserver estimates a rule's cost from list and string bounds and refuses a CRD without them. */
export const ADDRESSES_MAX_ITEMS = 1000;
