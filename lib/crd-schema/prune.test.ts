import { validateCustomResource, type JSONSchemaProps } from './index.js';
import { unknownFields } from './object.js';

const envelope = { apiVersion: 'test.dev/v1', kind: 'Thing', metadata: { name: 't', labels: { a: 'b' } } };

function stored(spec: JSONSchemaProps, value: unknown): unknown {
  const schema: JSONSchemaProps = { type: 'object', properties: { spec } };
  const { value: out, errors } = validateCustomResource(schema as Record<string, unknown>, { ...envelope, spec: value });
  expect(errors).toEqual([]);
  return (out as { spec?: unknown }).spec;
}

describe('pruning', () => {
  test('unknownFields names every field pruning drops, by its path, as strict field validation does', () => {
    const schema = { type: 'object', properties: {
      spec: { type: 'object', properties: {
        list: { type: 'array', items: { type: 'object', properties: { k: { type: 'string' } } } },
        map: { type: 'object', additionalProperties: { type: 'object', properties: { v: { type: 'string' } } } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      } },
    } };
    const obj = { ...envelope, spec: { list: [{ k: 'a' }, { k: 'b', typo: 1 }], map: { x: { v: 'y', w: 2 } }, free: { any: 1 }, top: true }, extra: 1 };
    expect(unknownFields(schema, obj)).toEqual(['spec.list[1].typo', 'spec.map.x.w', 'spec.top', 'extra']);
  });
  test('drops unknown fields but never apiVersion, kind or metadata at the root', () => {
    const schema = { type: 'object', properties: { spec: { type: 'object' } } };
    const { value } = validateCustomResource(schema, { ...envelope, spec: {}, extra: 1 });
    expect(value).toEqual({ ...envelope, spec: {} });
  });
  test('drops unknown nested fields, keeps known ones', () => {
    const spec: JSONSchemaProps = { type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string' } } } } };
    expect(stored(spec, { a: { b: 'x', c: 'y' }, d: 1 })).toEqual({ a: { b: 'x' } });
  });
  test('x-kubernetes-preserve-unknown-fields keeps unknown fields and still prunes inside known ones', () => {
    const spec: JSONSchemaProps = {
      type: 'object', 'x-kubernetes-preserve-unknown-fields': true,
      properties: { known: { type: 'object', properties: { k: { type: 'string' } } } },
    };
    expect(stored(spec, { free: { deep: 1 }, known: { k: 'v', drop: 1 } })).toEqual({ free: { deep: 1 }, known: { k: 'v' } });
  });
  test('x-kubernetes-embedded-resource keeps the embedded envelope', () => {
    const spec: JSONSchemaProps = {
      type: 'object', properties: { template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } } },
    };
    const template = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {}, junk: true };
    expect(stored(spec, { template })).toEqual({ template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} } });
  });
  test('map schemas (additionalProperties) keep every key and prune inside values', () => {
    const spec: JSONSchemaProps = { type: 'object', additionalProperties: { type: 'object', properties: { x: { type: 'integer' } } } };
    expect(stored(spec, { one: { x: 1, y: 2 }, two: {} })).toEqual({ one: { x: 1 }, two: {} });
  });
  test('pruning happens inside list items', () => {
    const spec: JSONSchemaProps = { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } };
    expect(stored(spec, [{ a: 'x', b: 'y' }])).toEqual([{ a: 'x' }]);
  });
});

describe('defaulting', () => {
  const spec: JSONSchemaProps = {
    type: 'object',
    properties: {
      autoAssign: { type: 'boolean', default: true },
      nested: { type: 'object', default: {}, properties: { n: { type: 'integer', default: 7 } } },
      keepNull: { type: 'string', nullable: true, default: 'd' },
      dropNull: { type: 'string' },
    },
  };
  test('fills missing fields, and defaults inside defaulted objects', () => {
    expect(stored(spec, {})).toEqual({ autoAssign: true, nested: { n: 7 }, keepNull: 'd' });
  });
  test('keeps values that are set', () => {
    expect(stored(spec, { autoAssign: false, nested: { n: 1 }, keepNull: 'k' })).toEqual({ autoAssign: false, nested: { n: 1 }, keepNull: 'k' });
  });
  test('null in a non-nullable field takes the default; without a default it is removed', () => {
    expect(stored(spec, { autoAssign: null, dropNull: null, keepNull: 'k' })).toEqual({ autoAssign: true, nested: { n: 7 }, keepNull: 'k' });
  });
  test('null in a nullable field stays null', () => {
    expect(stored(spec, { keepNull: null })).toEqual({ autoAssign: true, nested: { n: 7 }, keepNull: null });
  });
  test('defaults apply before validation (a defaulted required field passes)', () => {
    const schema = { type: 'object', properties: { spec: { type: 'object', required: ['x'], properties: { x: { type: 'integer', default: 1 } } } } };
    expect(validateCustomResource(schema, { ...envelope, spec: {} }).errors).toEqual([]);
  });
  test('the input object is not modified', () => {
    const input = { ...envelope, spec: { junk: 1 } };
    validateCustomResource({ type: 'object', properties: { spec: spec as Record<string, unknown> } }, input);
    expect(input.spec).toEqual({ junk: 1 });
  });
});
