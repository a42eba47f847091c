// JSON values as CEL sees them under a structural schema (k8s.io/apiserver/pkg/cel/common): integers
// are CEL ints (bigint here), numbers doubles, objects and maps CEL maps, arrays lists.
import type { CelInput } from '@bufbuild/cel';
import { subSchema } from '../prune.js';
import { isObject, type JSONSchemaProps } from '../types.js';

export function toCelValue(value: unknown, schema: JSONSchemaProps | undefined): CelInput {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    const wantsInt = schema?.type === 'integer' || schema?.['x-kubernetes-int-or-string'] === true ||
      (schema?.type === undefined && Number.isInteger(value));
    return wantsInt && Number.isInteger(value) ? BigInt(value) : value;
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((item) => toCelValue(item, schema?.items));
  if (isObject(value)) {
    const entries = Object.entries(value).map(([k, v]): [string, CelInput] => [k, toCelValue(v, schema && subSchema(schema, k))]);
    return new Map(entries);
  }
  throw new Error(`not a JSON value: ${String(value)}`);
}
