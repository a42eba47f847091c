import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { renderCrds } from './generate.js';
import { toStructural } from './structural.js';
import { Type } from '@sinclair/typebox';

const here = dirname(fileURLToPath(import.meta.url));

describe('generated CRDs', () => {
  const files = renderCrds();

  test.each([...files.keys()])('committed crds/%s matches the TypeBox schemas (run `npm run crds`)', (name) => {
    expect(readFileSync(join(here, name), 'utf8')).toBe(files.get(name));
  });

  test('kustomization lists every CRD file', () => {
    const kustomization = parse(files.get('kustomization.yaml') ?? '') as { resources: string[] };
    expect(kustomization.resources.sort()).toEqual([...files.keys()].filter((f) => f !== 'kustomization.yaml').sort());
  });

  test('the IPAddressPool CRD has names, columns, status subresource and a structural schema', () => {
    const crd = parse(files.get('herald.dev_ipaddresspools.yaml') ?? '');
    expect(crd.metadata.name).toBe('ipaddresspools.herald.dev');
    expect(crd.spec.names).toMatchObject({ kind: 'IPAddressPool', shortNames: ['ipp'], categories: ['herald'] });
    const [version] = crd.spec.versions;
    expect(version.subresources).toEqual({ status: {} });
    expect(version.additionalPrinterColumns.map((c: { name: string }) => c.name))
      .toEqual(['Ready', 'Reason', 'Addresses', 'Auto Assign', 'Assigned IPv4', 'Assigned IPv6', 'Available IPv4', 'Available IPv6', 'Age']);
    // READY and REASON come from the Ready condition; ADDRESSES from the controller's short summary, never the whole
    // list (a JSONPath cannot shorten it: a pool of 1000 entries would fill the screen).
    expect(version.additionalPrinterColumns.slice(0, 3).map((c: { jsonPath: string }) => c.jsonPath)).toEqual([
      '.status.conditions[?(@.type=="Ready")].status', '.status.conditions[?(@.type=="Ready")].reason', '.status.addressesSummary',
    ]);
    const text = JSON.stringify(version.schema);
    expect(text).not.toMatch(/"(anyOf|const|patternProperties|\$id)"/);
    const spec = version.schema.openAPIV3Schema.properties.spec;
    expect(spec.properties.autoAssign).toMatchObject({ type: 'boolean', default: true });
    expect(spec.properties.serviceAllocation.properties.namespaceSelectors.items.properties.matchLabels)
      .toMatchObject({ type: 'object', additionalProperties: { type: 'string', maxLength: 63 }, maxProperties: 32 });
    expect(spec.properties.serviceAllocation.properties.namespaceSelectors.items.properties.matchExpressions.items.properties.operator)
      .toEqual({ type: 'string', enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] });
  });
});

describe('toStructural', () => {
  test('refuses what kube cannot express, naming the path', () => {
    expect(() => toStructural(Type.Object({ x: Type.Union([Type.String(), Type.Number()]) }))).toThrow(/<root>\.x.*anyOf/);
    expect(() => toStructural(Type.Object({ x: Type.Unknown() }))).toThrow(/<root>\.x has no type/);
    expect(() => toStructural(Type.Object({ m: Type.Record(Type.Number(), Type.String()) }))).toThrow(/only Type\.Record/);
  });
  test('keeps additionalProperties: false out (structural schemas forbid it)', () => {
    expect(toStructural(Type.Object({}, { additionalProperties: false }))).toEqual({ type: 'object', properties: {} });
  });
});
