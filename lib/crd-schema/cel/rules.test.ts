import { validateCustomResource, type JSONSchemaProps, type ValidationRule } from '../index.js';
import { joinFieldPath } from './rules.js';

const envelope = { apiVersion: 'test.dev/v1', kind: 'Thing', metadata: { name: 't' } };
const withRules = (rules: ValidationRule[], spec: JSONSchemaProps = { type: 'object', properties: { n: { type: 'integer' }, s: { type: 'string' } } }) =>
  ({ type: 'object', properties: { spec: { ...spec, 'x-kubernetes-validations': rules } } });

function errorsFor(rules: ValidationRule[], spec: unknown, old?: unknown) {
  const oldObj = old === undefined ? undefined : { ...envelope, spec: old };
  return validateCustomResource(withRules(rules), { ...envelope, spec }, oldObj).errors;
}

describe('x-kubernetes-validations', () => {
  test('a passing rule gives no error; integers are CEL ints', () => {
    expect(errorsFor([{ rule: 'self.n > 1' }], { n: 2 })).toEqual([]);
  });
  test('a failing rule without message says which rule failed; an object shows no value', () => {
    expect(errorsFor([{ rule: 'self.n > 1' }], { n: 1 })).toEqual([
      { type: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: failed rule: self.n > 1' },
    ]);
  });
  test('message replaces the rule text', () => {
    expect(errorsFor([{ rule: 'self.n > 1', message: 'n must exceed 1' }], { n: 0 })[0]?.message)
      .toBe('Invalid value: n must exceed 1');
  });
  test('messageExpression names the bad value', () => {
    const rule = { rule: 'self.n > 1', message: 'static', messageExpression: "'n is ' + string(self.n)" };
    expect(errorsFor([rule], { n: 0 })[0]?.message).toBe('Invalid value: n is 0');
  });
  test('messageExpression that fails falls back to message', () => {
    const rule = { rule: 'self.n > 1', message: 'static', messageExpression: 'self.missing' };
    expect(errorsFor([rule], { n: 0 })[0]?.message).toBe('Invalid value: static');
  });
  test('fieldPath moves the error to a child field', () => {
    expect(errorsFor([{ rule: 'self.n > 1', fieldPath: '.n' }], { n: 0 })[0]?.field).toBe('spec.n');
  });
  test.each([
    ['FieldValueForbidden', 'Forbidden: no'],
    ['FieldValueRequired', 'Required value: no'],
    ['FieldValueDuplicate', 'Duplicate value'],
  ] as const)('reason %s', (reason, message) => {
    expect(errorsFor([{ rule: 'false', message: 'no', reason }], {})).toEqual([expect.objectContaining({ type: reason, message })]);
  });
  test('transition rules run only when there is an old value', () => {
    const rule = { rule: 'self.n >= oldSelf.n', message: 'n may not decrease' };
    expect(errorsFor([rule], { n: 1 })).toEqual([]);
    expect(errorsFor([rule], { n: 1 }, { n: 2 })).toEqual([expect.objectContaining({ message: 'Invalid value: n may not decrease' })]);
    expect(errorsFor([rule], { n: 3 }, { n: 2 })).toEqual([]);
  });
  test('rules on list items run once per item, at the item path, showing the item', () => {
    const schema = { type: 'object', properties: { spec: { type: 'array', items: { type: 'string', 'x-kubernetes-validations': [{ rule: "self != 'bad'", messageExpression: "'got ' + self" }] } } } };
    expect(validateCustomResource(schema, { ...envelope, spec: ['ok', 'bad'] }).errors).toEqual([
      { type: 'FieldValueInvalid', field: 'spec[1]', value: 'bad', message: 'Invalid value: "bad": got bad' },
    ]);
  });
  test('a rule that errors at runtime is reported, not thrown', () => {
    const [error] = errorsFor([{ rule: "ip(self.s).family() == 4" }], { s: 'nope' });
    expect(error?.message).toMatch(/failed rule: ip\(self.s\).family\(\) == 4: .*"nope"/);
  });
  test('type errors block CEL, as in kube', () => {
    const errors = errorsFor([{ rule: 'self.n > 1' }], { n: 'x' });
    expect(errors.map((e) => e.type)).toEqual(['FieldValueTypeInvalid', 'FieldValueInvalid']);
    expect(errors[1]?.message).toMatch(/some validation rules were not checked/);
  });
  test('a rule that does not compile throws, naming it', () => {
    expect(() => errorsFor([{ rule: 'self.n >' }], { n: 1 })).toThrow(/self\.n >/);
  });
});

describe('joinFieldPath', () => {
  test.each([
    ['spec', '.a.b', 'spec.a.b'],
    ['spec', '.list[2]', 'spec.list[2]'],
    ['spec', ".labels['a.b/c']", 'spec.labels[a.b/c]'],
  ])('%s + %s', (base, rel, expected) => {
    expect(joinFieldPath(base, rel)).toBe(expected);
  });
  test('rejects what is not a relative path', () => {
    expect(() => joinFieldPath('spec', 'a b')).toThrow(/"a b"/);
  });
});
