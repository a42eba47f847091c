// CEL rules (x-kubernetes-validations) that make kube-apiserver reject a malformed IPAddressPool entry at
// `kubectl apply` time. They use only functions Kubernetes offers to CRD validation rules (1.31+): the
// IP and CIDR libraries (isIP, ip, family, string(ip), isCIDR) and the strings extension (split, trim,
// replace, substring, join), plus the standard macros. Each rule is written against one `addresses`
// item (`self` is the string) and names the bad value through messageExpression.
//
// The reversed-range check is the hard part: Kubernetes' IP type has no ordering and no conversion to
// an integer. So each end is turned into a fixed-width text whose string order is its numeric order:
//   IPv4  string(ip(a)) -> octets left-padded to 3 digits:       "192.0.2.9"   -> "192.000.002.009"
//   IPv6  string(ip(a)) -> "::" expanded, groups padded to 4 hex: "2001:db8::1" -> "20010db8000000000000000000000001"
// string(ip(a)) is the canonical form (RFC 5952: lower-case hex, no leading zeros, "::" for the longest
// run of two or more zero groups; never dotted IPv4 because Kubernetes refuses IPv4-mapped addresses),
// so the expansion only has to handle that one shape. "::" stands for 8 - n zero groups, n being the
// groups written out; replacing it by ":" + "0:" * (8 - n) and dropping empty fields leaves eight groups.
// Equal-width lower-case hex (or zero-padded decimal) compares like the numbers it spells.

/** The CEL text of the range's first (`0`) or last (`1`) address, trimmed as MetalLB trims it. */
const end = (i: 0 | 1): string => `self.split('-')[${i}].trim()`;

/** A single `-` with an IP address on each side. Guards every rule that calls ip() on the ends. */
const RANGE_OF_IPS = `size(self.split('-')) == 2 && isIP(${end(0)}) && isIP(${end(1)})`;
const SAME_FAMILY = `ip(${end(0)}).family() == ip(${end(1)}).family()`;

/** CEL: the fixed-width sort key of the canonical address text bound to `s`. */
const IPV4_KEY = `s.split('.').map(o, ('00' + o).substring(size(o) - 1)).join('.')`;
const IPV6_KEY =
  `s.replace('::', ':' + '0:0:0:0:0:0:0:0:'.substring(0, 2 * (8 - size(s.split(':').filter(g, g != '')))))` +
  `.split(':').filter(g, g != '').map(g, ('000' + g).substring(size(g) - 1)).join('')`;

/** CEL: the sort key of the address text `addr`. A one-item list and map() bind the canonical text to `s`. */
export function sortKey(addr: string): string {
  return `[string(ip(${addr}))].map(s, ip(s).family() == 4 ? ${IPV4_KEY} : ${IPV6_KEY})[0]`;
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
    rule: `!self.contains('-') || !(${RANGE_OF_IPS}) || !(${SAME_FAMILY}) || ${sortKey(end(0))} <= ${sortKey(end(1))}`,
    messageExpression: `'range "' + self + '" is reversed: its first address is after its last'`,
    message: 'the first address of a range must not be after its last',
  },
];

/** The longest entry anyone needs: two full IPv6 addresses with a dotted tail and " - " is 93 characters. */
export const ADDRESS_MAX_LENGTH = 128;
/** kube-apiserver estimates a rule's cost from list and string bounds and refuses a CRD without them. */
export const ADDRESSES_MAX_ITEMS = 1000;
