// The openAPIV3Schema of one kind's CRD, from its TypeBox schemas: what `npm run crds` writes into crds/*.yaml and
// what `kubectl herald validate` checks objects against offline. Apart from generate.ts, which writes files when
// run, so a bundle that imports the schema (the plugin's) never carries generate.ts's entry point.
import type { KindEntry } from './kinds.js';
import { toStructural, type Structural } from './structural.js';
import { API_VERSION } from './v1beta1/index.js';

export function openAPISchema(entry: KindEntry): Structural {
  const properties: Record<string, Structural> = {
    apiVersion: { type: 'string', description: `The versioned schema of this object: ${API_VERSION}.` },
    kind: { type: 'string', description: `The REST resource this object represents: ${entry.kind}.` },
    metadata: { type: 'object' },
  };
  if (entry.spec) properties.spec = toStructural(entry.spec, 'spec');
  if (entry.status) properties.status = toStructural(entry.status, 'status');
  return {
    type: 'object',
    description: entry.description,
    ...(entry.specRequired ? { required: ['spec'] } : {}),
    properties,
    ...(entry.validations ? { 'x-kubernetes-validations': entry.validations } : {}),
  };
}
