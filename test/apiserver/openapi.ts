// OpenAPI documents kubectl fetches. kubectl 1.32 asks /openapi/v3 for the paths it knows, and
// /openapi/v3/<group-version> for field validation and explain. An empty but well-formed document per
// group-version tells it there is nothing to check client-side, which is what it gets for a CRD without
// a published schema; server-side validation still happens here.
import type { TypeRegistry } from './registry.js';

export function openApiDocument(registry: TypeRegistry, path: string): Record<string, unknown> | undefined {
  if (path === '/openapi/v3' || path === '/openapi/v3/') {
    const paths: Record<string, unknown> = {};
    for (const group of registry.groups()) {
      for (const version of registry.versions(group)) {
        const key = group === '' ? `api/${version}` : `apis/${group}/${version}`;
        paths[key] = { serverRelativeURL: `/openapi/v3/${key}` };
      }
    }
    return { paths };
  }
  if (path.startsWith('/openapi/v3/')) {
    const key = path.slice('/openapi/v3/'.length);
    const match = /^(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(key);
    if (!match) return undefined;
    const group = match[2] ?? '';
    const version = match[1] ?? match[3] ?? '';
    if (registry.resources(group, version).length === 0) return undefined;
    return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths: {}, components: { schemas: {} } };
  }
  if (path === '/openapi/v2') {
    return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths: {}, definitions: {} };
  }
  return undefined;
}
