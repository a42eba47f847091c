// Every list, map and string a pool's author writes (spec) or the controller writes (status) has a bound: what the
// API server lets in, the controller reads on every allocation, and kube-apiserver estimates the cost of the CEL rules
// from these bounds (test/kubectl/bad-pools.test.ts applies the CRD to a real one). apiVersion, kind and metadata are
// kube's own and validated by it.
import { parse } from 'yaml';
import { validateCustomResource } from '../lib/crd-schema/index.js';
import { crdFileName, renderCrds } from './generate.js';
import { KINDS } from './kinds.js';

type Schema = { type?: string; enum?: unknown[]; maxLength?: number; maxItems?: number; maxProperties?: number;
  properties?: Record<string, Schema>; items?: Schema; additionalProperties?: Schema | boolean;
  'x-kubernetes-validations'?: { rule: string }[] };

/** Every node of `schema` without a bound, by path. */
function unbounded(schema: Schema, path: string): string[] {
  const own: string[] = [];
  if (schema.type === 'string' && schema.enum === undefined && schema.maxLength === undefined) own.push(`${path}: string without maxLength`);
  if (schema.type === 'array' && schema.maxItems === undefined) own.push(`${path}: list without maxItems`);
  if (typeof schema.additionalProperties === 'object') {
    if (schema.maxProperties === undefined) own.push(`${path}: map without maxProperties`);
    if (!(schema['x-kubernetes-validations'] ?? []).some((v) => /self\.all\(k, size\(k\) <= \d+\)/.test(v.rule))) own.push(`${path}: map keys without a length rule`);
  }
  const children = [
    ...Object.entries(schema.properties ?? {}).map(([k, v]) => unbounded(v, `${path}.${k}`)),
    schema.items ? unbounded(schema.items, `${path}[]`) : [],
    typeof schema.additionalProperties === 'object' ? unbounded(schema.additionalProperties, `${path}{}`) : [],
  ];
  return [...own, ...children.flat()];
}

const files = renderCrds();
const schemaOf = (file: string): { properties: Record<string, Schema> } & Record<string, unknown> =>
  parse(files.get(file) ?? '').spec.versions[0].schema.openAPIV3Schema;

test.each(KINDS.map((k) => [k.kind, crdFileName(k)]))('%s: every list, map and string of spec and status is bounded', (_kind, file) => {
  const root = schemaOf(file).properties;
  expect([...unbounded(root.spec ?? {}, 'spec'), ...unbounded(root.status ?? {}, 'status')]).toEqual([]);
});

describe('IPAddressPool limits, as kubectl apply reports them', () => {
  const schema = schemaOf('herald.dev_ipaddresspools.yaml');
  const messages = (serviceAllocation: unknown) => validateCustomResource(schema, {
    apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p', namespace: 'herald-system' },
    spec: { addresses: ['192.0.2.0/24'], serviceAllocation },
  }).errors.map((e) => `${e.field}: ${e.message}`);
  const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
  const longKey = `${'a'.repeat(250)}.example/${'k'.repeat(63)}`;

  test.each([
    ['1000 namespaces', { namespaces: many(1000, (i) => `ns-${i}`) }, []],
    ['1001 namespaces', { namespaces: many(1001, (i) => `ns-${i}`) }, ['spec.serviceAllocation.namespaces: Too many: 1001: must have at most 1000 items']],
    ['a namespace of 64 characters', { namespaces: ['n'.repeat(64)] }, ['spec.serviceAllocation.namespaces[0]: Too long: may not be more than 63 bytes']],
    ['33 selectors', { serviceSelectors: many(33, () => ({})) }, ['spec.serviceAllocation.serviceSelectors: Too many: 33: must have at most 32 items']],
    ['33 labels in matchLabels', { namespaceSelectors: [{ matchLabels: Object.fromEntries(many(33, (i): [string, string] => [`k${i}`, 'v'])) }] },
      ['spec.serviceAllocation.namespaceSelectors[0].matchLabels: Too many: 33: must have at most 32 items']],
    ['a label value of 64 characters', { serviceSelectors: [{ matchLabels: { tier: 'v'.repeat(64) } }] },
      ['spec.serviceAllocation.serviceSelectors[0].matchLabels.tier: Too long: may not be more than 63 bytes']],
    ['a label key of 317 characters', { serviceSelectors: [{ matchLabels: { [longKey.slice(0, 317)]: 'v' } }] }, []],
    ['a label key of 318 characters', { serviceSelectors: [{ matchLabels: { [`${longKey.slice(0, 317)}x`]: 'v' } }] },
      ['spec.serviceAllocation.serviceSelectors[0].matchLabels: Invalid value: label keys are at most 317 characters (a 253-character prefix, "/" and a 63-character name)']],
    ['an expression key of 318 characters', { serviceSelectors: [{ matchExpressions: [{ key: 'k'.repeat(318), operator: 'Exists' }] }] },
      ['spec.serviceAllocation.serviceSelectors[0].matchExpressions[0].key: Too long: may not be more than 317 bytes']],
    ['257 values', { serviceSelectors: [{ matchExpressions: [{ key: 'k', operator: 'In', values: many(257, (i) => `v${i}`) }] }] },
      ['spec.serviceAllocation.serviceSelectors[0].matchExpressions[0].values: Too many: 257: must have at most 256 items']],
  ])('%s', (_what, serviceAllocation, expected) => {
    const got = messages(serviceAllocation);
    // A bound that is not a CEL rule also stops the CEL rules: kube adds one line saying so.
    expect(got.filter((m) => !m.startsWith('<nil>: Invalid value: null: some validation rules were not checked'))).toEqual(expected);
  });
});
