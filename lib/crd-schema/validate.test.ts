import { validateCustomResource, type FieldError, type JSONSchemaProps } from './index.js';

const envelope = { apiVersion: 'test.dev/v1', kind: 'Thing', metadata: { name: 't' } };

function check(spec: JSONSchemaProps, value: unknown): FieldError[] {
  const schema: JSONSchemaProps = { type: 'object', properties: { spec } };
  return validateCustomResource(schema as Record<string, unknown>, { ...envelope, spec: value }).errors;
}

describe('schema errors read like kube-apiserver', () => {
  const rows: [string, JSONSchemaProps, unknown, Partial<FieldError>][] = [
    ['type', { type: 'boolean' }, 'yes',
      { type: 'FieldValueTypeInvalid', field: 'spec', message: 'Invalid value: "string": spec in body must be of type boolean: "string"' }],
    ['integer type', { type: 'integer' }, 1.5,
      { type: 'FieldValueTypeInvalid', message: 'Invalid value: "number": spec in body must be of type integer: "number"' }],
    ['null in non-nullable list item', { type: 'array', items: { type: 'string' } }, [null],
      { type: 'FieldValueTypeInvalid', field: 'spec[0]', message: 'Invalid value: "null": spec[0] in body must be of type string: "null"' }],
    ['enum', { type: 'string', enum: ['a', 'b'] }, 'x',
      { type: 'FieldValueNotSupported', message: 'Unsupported value: "x": supported values: "a", "b"' }],
    ['pattern', { type: 'string', pattern: '^[0-9]+$' }, '12a',
      { type: 'FieldValueInvalid', message: 'Invalid value: "12a": spec in body should match \'^[0-9]+$\'' }],
    ['minLength', { type: 'string', minLength: 2 }, 'a',
      { type: 'FieldValueInvalid', message: 'Invalid value: "a": spec in body should be at least 2 chars long' }],
    ['maxLength', { type: 'string', maxLength: 3 }, 'abcd',
      { type: 'FieldValueTooLong', message: 'Too long: may not be more than 3 bytes' }],
    ['minimum', { type: 'integer', minimum: 0 }, -1,
      { type: 'FieldValueInvalid', message: 'Invalid value: -1: spec in body should be greater than or equal to 0' }],
    ['exclusive maximum', { type: 'integer', maximum: 10, exclusiveMaximum: true }, 10,
      { type: 'FieldValueInvalid', message: 'Invalid value: 10: spec in body should be less than 10' }],
    ['minItems', { type: 'array', items: { type: 'string' }, minItems: 1 }, [],
      { type: 'FieldValueInvalid', message: 'Invalid value: 0: spec in body should have at least 1 items' }],
    ['maxItems', { type: 'array', items: { type: 'string' }, maxItems: 1 }, ['a', 'b'],
      { type: 'FieldValueTooMany', message: 'Too many: 2: must have at most 1 items' }],
    ['required', { type: 'object', required: ['addresses'], properties: { addresses: { type: 'array' } } }, {},
      { type: 'FieldValueRequired', field: 'spec.addresses', message: 'Required value' }],
    ['int32 format', { type: 'integer', format: 'int32' }, 2 ** 31,
      { type: 'FieldValueInvalid', message: 'Invalid value: 2147483648: spec in body must be of type int32: "2147483648"' }],
    ['date-time format', { type: 'string', format: 'date-time' }, '2024-13-01T00:00:00Z',
      { type: 'FieldValueInvalid', message: 'Invalid value: "2024-13-01T00:00:00Z": spec in body must be of type date-time: "2024-13-01T00:00:00Z"' }],
    ['map values (additionalProperties)', { type: 'object', additionalProperties: { type: 'string' } }, { a: 1 },
      { type: 'FieldValueTypeInvalid', field: 'spec.a' }],
    ['list-type set', { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } }, ['a', 'b', 'a'],
      { type: 'FieldValueDuplicate', field: 'spec[2]', message: 'Duplicate value: "a"' }],
    ['list-type map', {
      type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
      items: { type: 'object', properties: { name: { type: 'string' }, v: { type: 'integer' } } },
    }, [{ name: 'a', v: 1 }, { name: 'a', v: 2 }],
      { type: 'FieldValueDuplicate', field: 'spec[1]', message: 'Duplicate value: {"name":"a"}' }],
    ['list-type set: a value seen three times is reported once, at its second place', {
      type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'integer' } }, [7, 1, 7, 7],
    { type: 'FieldValueDuplicate', field: 'spec[2]', message: 'Duplicate value: 7' }],
    ['list-type set of objects: key order does not matter', {
      type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    [{ a: 1, b: 'x' }, { b: 'x', a: 1 }],
    { type: 'FieldValueDuplicate', field: 'spec[1]', message: 'Duplicate value: {"a":1,"b":"x"}' }],
    ['list-type map with two keys, one of them unset', {
      type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port', 'protocol'],
      items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string' } } },
    }, [{ port: 80 }, { port: 80, protocol: 'TCP' }, { port: 80 }],
    { type: 'FieldValueDuplicate', field: 'spec[2]', message: 'Duplicate value: {"port":80}' }],
    ['list-type map item that is not an object', {
      type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
      items: { 'x-kubernetes-int-or-string': true } }, ['a'],
    { type: 'FieldValueInvalid', field: 'spec[0]', message: 'Invalid value: "a": must be an object for an array of list-type map' }],
  ];
  test.each(rows)('%s', (_name, spec, value, expected) => {
    const errors = check(spec, value);
    expect(errors).toEqual([expect.objectContaining(expected)]);
  });

  const valid: [string, JSONSchemaProps, unknown][] = [
    ['nullable null', { type: 'string', nullable: true }, null],
    ['int-or-string int', { 'x-kubernetes-int-or-string': true }, 8080],
    ['int-or-string string', { 'x-kubernetes-int-or-string': true }, 'http'],
    ['date-time', { type: 'string', format: 'date-time' }, '2024-02-29T10:00:00.5+01:00'],
    ['int64', { type: 'integer', format: 'int64' }, 2 ** 40],
    ['set of distinct', { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'integer' } }, [1, 2, 3]],
  ];
  test.each(valid)('accepts %s', (_name, spec, value) => {
    expect(check(spec, value)).toEqual([]);
  });

  test('int-or-string rejects other types', () => {
    expect(check({ 'x-kubernetes-int-or-string': true }, true)).toEqual([
      expect.objectContaining({ type: 'FieldValueTypeInvalid', message: 'Invalid value: "boolean": spec in body must be of type integer-or-string: "boolean"' }),
    ]);
  });
});
