// The generated BGP CRDs (BGPPeer, BGPAdvertisement, BFDProfile, Community, ServiceBGPStatus) against the emulator's
// validator: names, columns and subresources, what `kubectl apply` accepts, and that what it rejects is named in the
// error (test/kubectl/bgp-kinds.test.ts applies the same objects to a real kube-apiserver).
import { parse } from 'yaml';
import { validateCustomResource } from '../lib/crd-schema/index.js';
import { renderCrds } from './generate.js';

const files = renderCrds();
const crdOf = (plural: string) => parse(files.get(`herald.dev_${plural}.yaml`) ?? '');
const schemaOf = (plural: string) => crdOf(plural).spec.versions[0].schema.openAPIV3Schema as Record<string, unknown>;
const NOT_CHECKED = '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; '
  + 'correct the existing errors to complete validation';
type Column = { name: string; jsonPath: string; priority?: number };
const columns = (plural: string) => (crdOf(plural).spec.versions[0].additionalPrinterColumns as Column[]).map((c) => `${c.name}${c.priority ? ' (wide)' : ''}`);

describe('the BGP CRDs', () => {
  test.each([
    ['bgppeers', 'BGPPeer', 'bgpp', ['Ready', 'Reason', 'Address', 'ASN', 'BFD Profile', 'Multi Hops', 'My ASN (wide)', 'Dynamic ASN (wide)', 'Node Selectors (wide)', 'Age']],
    ['bgpadvertisements', 'BGPAdvertisement', 'bgpadv', ['Ready', 'Reason', 'IPAddressPools', 'IPAddressPool Selectors', 'Peers', 'Node Selectors (wide)', 'Age']],
    ['bfdprofiles', 'BFDProfile', 'bfdp', ['Ready', 'Reason', 'Passive Mode', 'Transmit Interval', 'Receive Interval', 'Multiplier', 'Age']],
    ['communities', 'Community', 'bgpcomm', ['Ready', 'Reason', 'Age']],
  ])('%s: kind %s, short name %s, status subresource, READY/REASON and MetalLB\'s columns', (plural, kind, short, expected) => {
    const crd = crdOf(plural);
    expect(crd.spec.names).toMatchObject({ kind, plural, shortNames: [short], categories: ['herald'] });
    expect(crd.spec.versions[0].subresources).toEqual({ status: {} });
    expect(columns(plural)).toEqual(expected);
    expect(crd.spec.versions[0].additionalPrinterColumns[0].jsonPath).toBe('.status.conditions[?(@.type=="Ready")].status');
  });

  test('ServiceBGPStatus: status only, without a status subresource, MetalLB\'s columns', () => {
    const crd = crdOf('servicebgpstatuses');
    expect(crd.spec.names).toMatchObject({ kind: 'ServiceBGPStatus', shortNames: ['bgpstatus'] });
    expect(crd.spec.versions[0].subresources).toBeUndefined();
    expect(Object.keys(schemaOf('servicebgpstatuses').properties as object)).toEqual(['apiVersion', 'kind', 'metadata', 'status']);
    expect(columns('servicebgpstatuses')).toEqual(['Node', 'Service Name', 'Service Namespace', 'Age']);
  });

  test('only BGPPeer requires a spec (the others are all optional fields, as MetalLB\'s)', () => {
    expect(['bgppeers', 'bgpadvertisements', 'bfdprofiles', 'communities'].map((p) => schemaOf(p).required)).toEqual([['spec'], undefined, undefined, undefined]);
  });
});

const object = (kind: string, spec: unknown) => ({ apiVersion: 'herald.dev/v1beta1', kind, metadata: { name: 'x', namespace: 'herald-system' }, spec });
/** The errors as kubectl prints them, without kube's note that CEL rules were skipped (it comes only with CEL rules). */
const messagesOf = (plural: string, kind: string) => {
  const schema = schemaOf(plural);
  return (spec: unknown) => validateCustomResource(schema, object(kind, spec)).errors.map((e) => `${e.field}: ${e.message}`).filter((m) => m !== NOT_CHECKED);
};

describe('BGPPeer schema', () => {
  const messages = messagesOf('bgppeers', 'BGPPeer');
  const base = { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1' };

  test.each([
    ['the least', base],
    ['dynamicASN instead of peerASN', { myASN: 64512, dynamicASN: 'external', peerAddress: '2001:db8::1' }],
    ['every field, as MetalLB writes them', {
      ...base, myASN: 4294967295, sourceAddress: '192.0.2.10', peerPort: 1179, holdTime: '90s', keepaliveTime: '30s', connectTime: '1m30s',
      routerID: '10.0.0.1', nodeSelectors: [{ matchLabels: { rack: '1' } }], password: 'p'.repeat(80), passwordSecret: { name: 'md5', namespace: 'herald-system' },
      bfdProfile: 'fast', enableGracefulRestart: true, ebgpMultiHop: true, dualStackAddressFamily: true, vrf: 'red',
    }],
  ])('accepts %s', (_what, spec) => {
    expect(messages(spec)).toEqual([]);
  });

  test('defaults peerPort to 179', () => {
    expect((validateCustomResource(schemaOf('bgppeers'), object('BGPPeer', base)).value as { spec: { peerPort: number } }).spec.peerPort).toBe(179);
  });

  test.each([
    ['myASN 0', { ...base, myASN: 0 }, ['spec.myASN: Invalid value: 0: spec.myASN in body should be greater than or equal to 1']],
    ['peerASN above 2^32-1', { ...base, peerASN: 4294967296 }, ['spec.peerASN: Invalid value: 4294967296: spec.peerASN in body should be less than or equal to 4294967295']],
    ['neither peerASN nor dynamicASN', { myASN: 1, peerAddress: '192.0.2.1' }, ['spec.peerASN: Invalid value: set exactly one of peerASN and dynamicASN']],
    ['both peerASN and dynamicASN', { ...base, dynamicASN: 'internal' }, ['spec.peerASN: Invalid value: set exactly one of peerASN and dynamicASN']],
    ['a dynamicASN that is not internal or external', { myASN: 1, dynamicASN: 'both', peerAddress: '192.0.2.1' },
      ['spec.dynamicASN: Unsupported value: "both": supported values: "internal", "external"']],
    ['a peerAddress that is not an IP', { ...base, peerAddress: 'router.example' },
      ['spec.peerAddress: Invalid value: "router.example": peerAddress "router.example" is not an IP address (like 192.0.2.1 or 2001:db8::1)']],
    ['a sourceAddress that is not an IP', { ...base, sourceAddress: '192.0.2.300' },
      ['spec.sourceAddress: Invalid value: "192.0.2.300": sourceAddress "192.0.2.300" is not an IP address (like 192.0.2.1 or 2001:db8::1)']],
    ['an IPv6 routerID', { ...base, routerID: '2001:db8::1' },
      ['spec.routerID: Invalid value: "2001:db8::1": routerID "2001:db8::1" is not an IPv4 address: a BGP identifier is written as one (like 192.0.2.1)']],
    ['port 0', { ...base, peerPort: 0 }, ['spec.peerPort: Invalid value: 0: spec.peerPort in body should be greater than or equal to 1']],
    ['a hold time without a unit', { ...base, holdTime: '90' },
      ['spec.holdTime: Invalid value: "90": spec.holdTime in body should match \'^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$\'']],
    ['a password longer than a TCP MD5 key', { ...base, password: 'p'.repeat(81) }, ['spec.password: Too long: may not be more than 80 bytes']],
    ['no peerAddress', { myASN: 1, peerASN: 2 }, ['spec.peerAddress: Required value']],
  ])('rejects %s, naming the field', (_what, spec, expected) => {
    expect(messages(spec)).toEqual(expected);
  });

  test('keeps the per-node sessions a speaker writes, and refuses an unknown state', () => {
    const status = (nodes: unknown) => validateCustomResource(schemaOf('bgppeers'), { ...object('BGPPeer', base), status: { nodes } }).errors.map((e) => `${e.field}: ${e.message}`);
    expect(status([{ node: 'n1', state: 'Established', since: '2025-01-01T00:00:00Z' }, { node: 'n2', state: 'Active', lastError: 'connection refused', lastNotification: 'received 6/2 administrative shutdown' }])).toEqual([]);
    expect(status([{ node: 'n1', state: 'Up' }])).toEqual([
      'status.nodes[0].state: Unsupported value: "Up": supported values: "Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established"', NOT_CHECKED]);
    expect(status([{ node: 'n1', state: 'Idle' }, { node: 'n1', state: 'Active' }])).toEqual(['status.nodes[1]: Duplicate value: {"node":"n1"}']);
  });
});

describe('BGPAdvertisement schema', () => {
  const messages = messagesOf('bgpadvertisements', 'BGPAdvertisement');
  test.each([
    ['an empty spec', {}],
    ['every field', {
      aggregationLength: 24, aggregationLengthV6: 64, localPref: 100, communities: ['65000:100', 'large:1:2:3', 'no-export'],
      ipAddressPools: ['lan'], ipAddressPoolSelectors: [{ matchLabels: { a: 'b' } }], nodeSelectors: [{}], peers: ['tor'], serviceSelectors: [{}],
    }],
  ])('accepts %s', (_what, spec) => {
    expect(messages(spec)).toEqual([]);
  });
  test('defaults the aggregation lengths to one address per prefix', () => {
    expect((validateCustomResource(schemaOf('bgpadvertisements'), object('BGPAdvertisement', {})).value as { spec: unknown }).spec).toEqual({ aggregationLength: 32, aggregationLengthV6: 128 });
  });
  test.each([
    ['aggregationLength 33', { aggregationLength: 33 }, ['spec.aggregationLength: Invalid value: 33: spec.aggregationLength in body should be less than or equal to 32']],
    ['aggregationLengthV6 0', { aggregationLengthV6: 0 }, ['spec.aggregationLengthV6: Invalid value: 0: spec.aggregationLengthV6 in body should be greater than or equal to 1']],
    ['a negative localPref', { localPref: -1 }, ['spec.localPref: Invalid value: -1: spec.localPref in body should be greater than or equal to 0']],
    ['the same community twice', { communities: ['1:1', '1:1'] }, ['spec.communities[1]: Duplicate value: "1:1"']],
    ['65 communities', { communities: Array.from({ length: 65 }, (_, i) => `1:${i}`) }, ['spec.communities: Too many: 65: must have at most 64 items']],
  ])('rejects %s, naming the field', (_what, spec, expected) => {
    expect(messages(spec)).toEqual(expected);
  });
});

describe('BFDProfile schema', () => {
  const messages = messagesOf('bfdprofiles', 'BFDProfile');
  test('accepts MetalLB\'s ranges at both ends', () => {
    expect(messages({ receiveInterval: 10, transmitInterval: 60000, detectMultiplier: 2, echoInterval: 10, echoMode: false, passiveMode: true, minimumTtl: 254 })).toEqual([]);
    expect(messages({ detectMultiplier: 255, minimumTtl: 1 })).toEqual([]);
  });
  test.each([
    ['receiveInterval 9', { receiveInterval: 9 }, 'spec.receiveInterval: Invalid value: 9: spec.receiveInterval in body should be greater than or equal to 10'],
    ['transmitInterval 60001', { transmitInterval: 60001 }, 'spec.transmitInterval: Invalid value: 60001: spec.transmitInterval in body should be less than or equal to 60000'],
    ['detectMultiplier 1', { detectMultiplier: 1 }, 'spec.detectMultiplier: Invalid value: 1: spec.detectMultiplier in body should be greater than or equal to 2'],
    ['minimumTtl 255', { minimumTtl: 255 }, 'spec.minimumTtl: Invalid value: 255: spec.minimumTtl in body should be less than or equal to 254'],
  ])('rejects %s, naming the field', (_what, spec, expected) => {
    expect(messages(spec)).toEqual([expected]);
  });
});

describe('Community schema', () => {
  const messages = messagesOf('communities', 'Community');
  test('accepts standard and large values', () => {
    expect(messages({ communities: [{ name: 'no-export', value: '65535:65281' }, { name: 'big', value: 'large:64512:1:2' }] })).toEqual([]);
  });
  test.each([
    ['a value that is not a community', { communities: [{ name: 'a', value: 'no-export' }] },
      ['spec.communities[0].value: Invalid value: "no-export": spec.communities[0].value in body should match \'^([0-9]{1,5}:[0-9]{1,5}|large:[0-9]{1,10}:[0-9]{1,10}:[0-9]{1,10})$\'']],
    ['one name twice', { communities: [{ name: 'a', value: '1:1' }, { name: 'a', value: '1:2' }] },
      ['spec.communities[1]: Duplicate value: {"name":"a"}']],
    ['an alias without a value', { communities: [{ name: 'a' }] }, ['spec.communities[0].value: Required value']],
  ])('rejects %s, naming the field', (_what, spec, expected) => {
    expect(messages(spec)).toEqual(expected);
  });
});

test('ServiceBGPStatus keeps what the speaker writes', () => {
  const status = { node: 'n1', serviceName: 'web', serviceNamespace: 'default', peers: ['tor-a', 'tor-b'] };
  expect(validateCustomResource(schemaOf('servicebgpstatuses'), {
    apiVersion: 'herald.dev/v1beta1', kind: 'ServiceBGPStatus', metadata: { name: 'bgp-web', namespace: 'default' }, status,
  })).toEqual({ value: expect.objectContaining({ status }), errors: [] });
});
