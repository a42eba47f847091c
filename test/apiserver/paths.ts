// Parses kube API paths: /api/v1/..., /apis/GROUP/VERSION/..., optionally /namespaces/NS/, then
// RESOURCE[/NAME[/SUBRESOURCE]].
export interface ResourcePath {
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
}

export type ParsedPath =
  | { kind: 'resource'; path: ResourcePath }
  | { kind: 'groupVersion'; group: string; version: string }
  | { kind: 'group'; group: string }
  | { kind: 'root'; legacy: boolean }
  | { kind: 'other'; path: string };

export function parsePath(pathname: string): ParsedPath {
  const segments = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  let group: string;
  let version: string | undefined;
  let rest: string[];
  if (segments[0] === 'api') {
    group = '';
    version = segments[1];
    rest = segments.slice(2);
    if (version === undefined) return { kind: 'root', legacy: true };
  } else if (segments[0] === 'apis') {
    const g = segments[1];
    if (g === undefined) return { kind: 'root', legacy: false };
    group = g;
    version = segments[2];
    if (version === undefined) return { kind: 'group', group };
    rest = segments.slice(3);
  } else {
    return { kind: 'other', path: pathname };
  }
  if (rest.length === 0) return { kind: 'groupVersion', group, version };
  let namespace: string | undefined;
  // namespaces/NS/RESOURCE...: but namespaces/NS/status and namespaces/NS/finalize address the Namespace itself.
  if (rest[0] === 'namespaces' && rest.length >= 3 && rest[2] !== 'status' && rest[2] !== 'finalize') {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  if (resource === undefined || extra.length > 0) return { kind: 'other', path: pathname };
  return { kind: 'resource', path: { group, version, namespace, resource, name, subresource } };
}
