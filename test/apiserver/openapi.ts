// OpenAPI v3 documents, as much of them as kubectl reads. kubectl (1.32 to 1.37) looks in /openapi/v3/<group-version>
// for each kind's PATCH operation (tagged x-kubernetes-group-version-kind) and whether it lists the
// `fieldValidation` query parameter; if it does, kubectl leaves validation to the server (which is where the
// emulator validates) instead of downloading schemas for client-side validation. Merge keys for client-side
// apply come from kubectl's own compiled-in types, so the documents carry no schemas.
// /openapi/v2 is not served. kubectl asks for it (as protobuf) when a group is missing from v3, and on a
// client-side re-apply to compute the strategic merge patch; a 404 there makes it fall back, silently, to its
// compiled-in types, which give the same patch for built-in kinds.
import type { TypeRegistry } from './registry.js';
import type { ResourceType } from './resource-type.js';

const WRITE_PARAMETERS = ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({
  name, in: 'query', schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
}));

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

function objectPaths(type: ResourceType): Record<string, unknown> {
  const base = `/${gvPath(type.group, type.version)}${type.namespaced ? '/namespaces/{namespace}' : ''}/${type.plural}`;
  const gvk = { group: type.group, version: type.version, kind: type.kind };
  const operation = (action: string): Record<string, unknown> => ({
    operationId: `${action}${type.kind}`, parameters: WRITE_PARAMETERS,
    'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk,
    responses: { 200: { description: 'OK' } },
  });
  const paths: Record<string, unknown> = {
    [base]: { post: operation('post') },
    [`${base}/{name}`]: { put: operation('put'), patch: operation('patch') },
  };
  if (type.hasStatus) paths[`${base}/{name}/status`] = { put: operation('put'), patch: operation('patch') };
  return paths;
}

export function openApiDocument(registry: TypeRegistry, path: string): Record<string, unknown> | undefined {
  if (path === '/openapi/v3' || path === '/openapi/v3/') {
    const paths: Record<string, unknown> = {};
    for (const group of registry.groups()) {
      for (const version of registry.versions(group)) {
        const key = gvPath(group, version);
        paths[key] = { serverRelativeURL: `/openapi/v3/${key}` };
      }
    }
    return { paths };
  }
  const match = /^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!match) return undefined;
  const group = match[2] ?? '';
  const version = match[1] ?? match[3] ?? '';
  const types = registry.resources(group, version);
  if (types.length === 0) return undefined;
  const paths = Object.assign({}, ...types.map(objectPaths)) as Record<string, unknown>;
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.37.2' }, paths, components: { schemas: {} } };
}
