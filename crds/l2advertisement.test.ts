// The generated L2Advertisement and ServiceL2Status CRDs against the emulator's validator: names, columns and
// subresources, what `kubectl apply` accepts, and that what it rejects is named in the error
// (test/kubectl/l2-kinds.test.ts applies the same objects to a real kube-apiserver).
import { parse } from 'yaml';
import { validateCustomResource } from '../lib/crd-schema/index.js';
import { renderCrds } from './generate.js';

const files = renderCrds();
const crdOf = (file: string) => parse(files.get(file) ?? '');
const schemaOf = (file: string) => crdOf(file).spec.versions[0].schema.openAPIV3Schema as Record<string, unknown>;
const NOT_CHECKED = '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; '
  + 'correct the existing errors to complete validation';

describe('the CRDs', () => {
  test('L2Advertisement: short name, status subresource, READY/REASON and the lists as columns, no required spec', () => {
    const crd = crdOf('herald.dev_l2advertisements.yaml');
    expect(crd.spec.names).toMatchObject({ kind: 'L2Advertisement', plural: 'l2advertisements', shortNames: ['l2adv'], categories: ['herald'] });
    const [version] = crd.spec.versions;
    expect(version.subresources).toEqual({ status: {} });
    expect(version.additionalPrinterColumns.map((c: { name: string; priority?: number }) => `${c.name}${c.priority ? ' (wide)' : ''}`))
      .toEqual(['Ready', 'Reason', 'IPAddressPools', 'Interfaces', 'IPAddressPool Selectors (wide)', 'Node Selectors (wide)', 'Age']);
    expect(version.schema.openAPIV3Schema.required).toBeUndefined();
  });

  test('ServiceL2Status: status only, without a status subresource (one create carries it), MetalLB\'s columns', () => {
    const crd = crdOf('herald.dev_servicel2statuses.yaml');
    expect(crd.spec.names).toMatchObject({ kind: 'ServiceL2Status', plural: 'servicel2statuses', shortNames: ['l2status'] });
    const [version] = crd.spec.versions;
    expect(version.subresources).toBeUndefined();
    expect(Object.keys(version.schema.openAPIV3Schema.properties)).toEqual(['apiVersion', 'kind', 'metadata', 'status']);
    expect(version.additionalPrinterColumns.map((c: { name: string; jsonPath: string }) => `${c.name}=${c.jsonPath}`)).toEqual([
      'Node=.status.node', 'Service Name=.status.serviceName', 'Service Namespace=.status.serviceNamespace', 'Age=.metadata.creationTimestamp',
    ]);
  });

  test('every field of both kinds has a description (kubectl explain)', () => {
    const undescribed = (node: Record<string, unknown>, path: string): string[] => {
      const props = (node.properties ?? {}) as Record<string, Record<string, unknown>>;
      const items = node.items as Record<string, unknown> | undefined;
      return [
        ...Object.entries(props).flatMap(([k, v]) => [...(typeof v.description === 'string' ? [] : [`${path}.${k}`]), ...undescribed(v, `${path}.${k}`)]),
        ...(items ? undescribed(items, `${path}[]`) : []),
      ];
    };
    // metav1.LabelSelector and metav1.Condition are kube's own types, described by kube's docs (as in IPAddressPool).
    const own = (path: string) => !/(Selectors|preference)(\[\])?\.(matchLabels|matchExpressions)|conditions\[\]\.|\.metadata$/.test(path);
    for (const file of ['herald.dev_l2advertisements.yaml', 'herald.dev_servicel2statuses.yaml']) {
      expect(undescribed(schemaOf(file), '').filter(own)).toEqual([]);
    }
  });
});

describe('L2Advertisement schema', () => {
  const schema = schemaOf('herald.dev_l2advertisements.yaml');
  const ad = (spec: unknown) => ({
    apiVersion: 'herald.dev/v1beta1', kind: 'L2Advertisement', metadata: { name: 'a', namespace: 'herald-system' },
    ...(spec === undefined ? {} : { spec }),
  });
  const messages = (spec: unknown) => validateCustomResource(schema, ad(spec)).errors.map((e) => `${e.field}: ${e.message}`);
  const at = (i: number) => `spec.interfaces[${i}]`;

  test.each([
    ['no spec at all (MetalLB\'s simplest advertisement)', undefined],
    ['an empty spec', {}],
    ['every field', {
      ipAddressPools: ['lan', 'lan-v6'], ipAddressPoolSelectors: [{ matchLabels: { site: 'a' } }],
      nodeSelectors: [{ matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }] }],
      interfaces: ['eth0', 'enp0s31f6', 'bond0.100', 'br-lan', 'a23456789012345'],
      serviceSelectors: [{ matchLabels: { expose: 'lan' } }],
      preferredNodeSelectors: [{ weight: 1, preference: { matchLabels: { zone: 'a' } } }, { weight: 100, preference: {} }],
    }],
  ])('accepts %s', (_what, spec) => {
    expect(messages(spec)).toEqual([]);
  });

  test.each([
    ['an interface name of 16 characters (Linux IFNAMSIZ)', { interfaces: ['eth0', 'a234567890123456'] },
      [`${at(1)}: Invalid value: "a234567890123456": interface name "a234567890123456" is longer than 15 characters, the most Linux allows (IFNAMSIZ)`]],
    ['an interface name with a space', { interfaces: ['eth 0'] },
      [`${at(0)}: Invalid value: "eth 0": interface name "eth 0" is not a Linux interface name: use printable ASCII without spaces, "/" or ":", and not "." or ".."`]],
    ['an interface alias (eth0:1 is not an interface)', { interfaces: ['eth0:1'] },
      [`${at(0)}: Invalid value: "eth0:1": interface name "eth0:1" is not a Linux interface name: use printable ASCII without spaces, "/" or ":", and not "." or ".."`]],
    ['an interface named ".."', { interfaces: ['..'] },
      [`${at(0)}: Invalid value: "..": interface name ".." is not a Linux interface name: use printable ASCII without spaces, "/" or ":", and not "." or ".."`]],
    ['an empty interface name', { interfaces: [''] },
      [`${at(0)}: Invalid value: "": interface name "" is not a Linux interface name: use printable ASCII without spaces, "/" or ":", and not "." or ".."`]],
    ['an interface name with a slash', { interfaces: ['a/b'] },
      [`${at(0)}: Invalid value: "a/b": interface name "a/b" is not a Linux interface name: use printable ASCII without spaces, "/" or ":", and not "." or ".."`]],
    ['the same interface twice', { interfaces: ['eth0', 'eth0'] }, ['spec.interfaces[1]: Duplicate value: "eth0"']],
    ['the same pool twice', { ipAddressPools: ['lan', 'lan'] }, ['spec.ipAddressPools[1]: Duplicate value: "lan"']],
    ['an empty pool name', { ipAddressPools: [''] },
      ['spec.ipAddressPools[0]: Invalid value: "": spec.ipAddressPools[0] in body should be at least 1 chars long']],
    ['a weight of 0', { preferredNodeSelectors: [{ weight: 0, preference: {} }] },
      ['spec.preferredNodeSelectors[0].weight: Invalid value: 0: spec.preferredNodeSelectors[0].weight in body should be greater than or equal to 1']],
    ['a weight of 101', { preferredNodeSelectors: [{ weight: 101, preference: {} }] },
      ['spec.preferredNodeSelectors[0].weight: Invalid value: 101: spec.preferredNodeSelectors[0].weight in body should be less than or equal to 100']],
    ['a preference without a weight', { preferredNodeSelectors: [{ preference: {} }] },
      ['spec.preferredNodeSelectors[0].weight: Required value', NOT_CHECKED]],
    ['a bad node selector operator', { nodeSelectors: [{ matchExpressions: [{ key: 'zone', operator: 'Is' }] }] },
      ['spec.nodeSelectors[0].matchExpressions[0].operator: Unsupported value: "Is": supported values: "In", "NotIn", "Exists", "DoesNotExist"', NOT_CHECKED]],
    ['65 interfaces', { interfaces: Array.from({ length: 65 }, (_, i) => `eth${i}`) },
      ['spec.interfaces: Too many: 65: must have at most 64 items', NOT_CHECKED]],
  ])('rejects %s, naming the value', (_what, spec, expected) => {
    expect(messages(spec)).toEqual(expected);
  });
});

describe('ServiceL2Status schema', () => {
  const schema = schemaOf('herald.dev_servicel2statuses.yaml');
  const status = (s: unknown) => validateCustomResource(schema, {
    apiVersion: 'herald.dev/v1beta1', kind: 'ServiceL2Status', metadata: { name: 'l2-x', namespace: 'default' }, status: s,
  });

  test('keeps what the speaker writes', () => {
    const written = { node: 'node-a', serviceName: 'web', serviceNamespace: 'default', interfaces: [{ name: 'eth0' }] };
    expect(status(written)).toEqual({ value: expect.objectContaining({ status: written }), errors: [] });
  });

  test('bounds the interface names by IFNAMSIZ', () => {
    expect(status({ interfaces: [{ name: 'a234567890123456' }] }).errors.map((e) => `${e.field}: ${e.message}`))
      .toEqual(['status.interfaces[0].name: Too long: may not be more than 15 bytes']);
  });
});
