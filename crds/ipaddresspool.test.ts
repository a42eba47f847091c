// The generated IPAddressPool CRD against the emulator's validator: what `kubectl apply` accepts and rejects.
import { parse } from 'yaml';
import { validateCustomResource } from '../lib/crd-schema/index.js';
import { renderCrds } from './generate.js';

const crd = parse(renderCrds().get('herald.dev_ipaddresspools.yaml') ?? '');
const schema = crd.spec.versions[0].schema.openAPIV3Schema as Record<string, unknown>;

const pool = (spec: unknown) => ({
  apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p', namespace: 'herald-system' }, spec,
});
const messages = (spec: unknown) => validateCustomResource(schema, pool(spec)).errors.map((e) => `${e.field}: ${e.message}`);

describe('IPAddressPool schema accepts good pools', () => {
  test.each([
    ['IPv4 CIDR', ['192.0.2.0/24']],
    ['IPv6 CIDR', ['2001:db8::/64']],
    ['CIDR with host bits (MetalLB accepts it too)', ['192.0.2.7/24']],
    ['IPv4 range', ['192.0.2.10-192.0.2.20']],
    ['range with spaces (MetalLB trims them)', ['192.0.2.10 - 192.0.2.20']],
    ['one-address range', ['192.0.2.10-192.0.2.10']],
    ['IPv6 range', ['2001:db8::10-2001:db8::ff']],
    ['IPv6 range over a group boundary', ['2001:db8::ffff-2001:db8::1:0']],
    ['IPv6 range, non-canonical text', ['2001:DB8:0:0::9-2001:db8::a']],
    ['IPv6 range from ::', ['::-::1']],
    ['IPv6 range, upper case and leading zeros', ['2001:0DB8::000A-2001:db8::b']],
    ['IPv6 range with a dotted IPv4 tail', ['64:ff9b::192.0.2.1-64:ff9b::c000:2ff']],
    ['IPv6 range whose ends compress differently', ['2001:db8:0:0:1::-2001:db8:1::']],
    ['IPv4 range across octets', ['192.0.2.255-192.0.3.0']],
    ['one address (a /32 or /128)', ['192.0.2.7', '2001:db8::7']],
    ['dual-stack', ['198.51.100.0/24', '2001:db8:1::/64', '203.0.113.1-203.0.113.9']],
  ])('%s', (_name, addresses) => {
    expect(messages({ addresses })).toEqual([]);
  });

  test('defaults autoAssign true and avoidBuggyIPs false', () => {
    const { value } = validateCustomResource(schema, pool({ addresses: ['192.0.2.0/24'] }));
    expect((value as { spec: unknown }).spec).toEqual({ addresses: ['192.0.2.0/24'], autoAssign: true, avoidBuggyIPs: false });
  });
});

describe('IPAddressPool schema rejects bad pools with messages naming the value', () => {
  test.each([
    ['no addresses', {}, ['spec.addresses: Required value',
      '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation']],
    ['empty list', { addresses: [] }, ['spec.addresses: Invalid value: 0: spec.addresses in body should have at least 1 items']],
    ['CIDR that does not parse', { addresses: ['192.0.2.0/33'] },
      ['spec.addresses[0]: Invalid value: "192.0.2.0/33": "192.0.2.0/33" is not a CIDR (like 192.0.2.0/24 or 2001:db8::/64), a range (like 192.0.2.10-192.0.2.20) or an IP address']],
    ['address that does not parse', { addresses: ['192.0.2.01'] },
      ['spec.addresses[0]: Invalid value: "192.0.2.01": "192.0.2.01" is not a CIDR (like 192.0.2.0/24 or 2001:db8::/64), a range (like 192.0.2.10-192.0.2.20) or an IP address']],
    ['range end not an IP', { addresses: ['192.0.2.1-192.0.2.x'] },
      ['spec.addresses[0]: Invalid value: "192.0.2.1-192.0.2.x": range "192.0.2.1-192.0.2.x" must be two IP addresses joined by "-", like 192.0.2.10-192.0.2.20']],
    ['range of three', { addresses: ['192.0.2.1-192.0.2.2-192.0.2.3'] },
      ['spec.addresses[0]: Invalid value: "192.0.2.1-192.0.2.2-192.0.2.3": range "192.0.2.1-192.0.2.2-192.0.2.3" must be two IP addresses joined by "-", like 192.0.2.10-192.0.2.20']],
    ['mixed families', { addresses: ['192.0.2.1-2001:db8::1'] },
      ['spec.addresses[0]: Invalid value: "192.0.2.1-2001:db8::1": range "192.0.2.1-2001:db8::1" mixes IPv4 and IPv6: both ends must be of one family']],
    ['reversed IPv4 range', { addresses: ['192.0.2.0/24', '192.0.2.20-192.0.2.10'] },
      ['spec.addresses[1]: Invalid value: "192.0.2.20-192.0.2.10": range "192.0.2.20-192.0.2.10" is reversed: its first address is after its last']],
    ['reversed IPv4 range that string order would miss', { addresses: ['192.0.2.100-192.0.2.99'] },
      ['spec.addresses[0]: Invalid value: "192.0.2.100-192.0.2.99": range "192.0.2.100-192.0.2.99" is reversed: its first address is after its last']],
    ['reversed IPv6 range', { addresses: ['2001:db8::1:0-2001:db8::ffff'] },
      ['spec.addresses[0]: Invalid value: "2001:db8::1:0-2001:db8::ffff": range "2001:db8::1:0-2001:db8::ffff" is reversed: its first address is after its last']],
    ['reversed IPv6 range across "::" shapes', { addresses: ['2001:db8:1::-2001:db8:0:0:1::'] },
      ['spec.addresses[0]: Invalid value: "2001:db8:1::-2001:db8:0:0:1::": range "2001:db8:1::-2001:db8:0:0:1::" is reversed: its first address is after its last']],
    ['reversed IPv6 range, upper case and spaces', { addresses: ['2001:DB8::1:0 - 2001:db8::0:ffff'] },
      ['spec.addresses[0]: Invalid value: "2001:DB8::1:0 - 2001:db8::0:ffff": range "2001:DB8::1:0 - 2001:db8::0:ffff" is reversed: its first address is after its last']],
    ['reversed IPv6 range with a dotted IPv4 tail', { addresses: ['64:ff9b::192.0.2.9-64:ff9b::c000:208'] },
      ['spec.addresses[0]: Invalid value: "64:ff9b::192.0.2.9-64:ff9b::c000:208": range "64:ff9b::192.0.2.9-64:ff9b::c000:208" is reversed: its first address is after its last']],
    ['negative priority', { addresses: ['192.0.2.0/24'], serviceAllocation: { priority: -1 } },
      ['spec.serviceAllocation.priority: Invalid value: -1: spec.serviceAllocation.priority in body should be greater than or equal to 0']],
    ['bad selector operator', { addresses: ['192.0.2.0/24'], serviceAllocation: { serviceSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Is' }] }] } },
      ['spec.serviceAllocation.serviceSelectors[0].matchExpressions[0].operator: Unsupported value: "Is": supported values: "In", "NotIn", "Exists", "DoesNotExist"',
        '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation']],
    ['autoAssign not a boolean', { addresses: ['192.0.2.0/24'], autoAssign: 'yes' },
      ['spec.autoAssign: Invalid value: "string": spec.autoAssign in body must be of type boolean: "string"',
        '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation']],
  ])('%s', (_name, spec, expected) => {
    expect(messages(spec)).toEqual(expected);
  });
});
