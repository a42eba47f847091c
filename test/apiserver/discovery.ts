// Discovery documents, the way kubectl and client-node find resources: /version, /api, /apis, per-group and
// per-group-version resource lists, and the aggregated (apidiscovery.k8s.io/v2) form kubectl asks for first.
// Served from the live registry, so a CRD's resources appear as soon as it is created and go when it is deleted.
import type { TypeRegistry } from './registry.js';
import type { ResourceType } from './resource-type.js';

/** The kube-apiserver the emulator is checked against (test/cluster pins it). */
export const SERVER_VERSION = {
  major: '1', minor: '37', emulationMajor: '1', emulationMinor: '37', minCompatibilityMajor: '1', minCompatibilityMinor: '36',
  gitVersion: 'v1.37.2-herald-emulator', gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.26.8', compiler: 'gc', platform: 'linux/amd64',
};

const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];

function apiResource(type: ResourceType): Record<string, unknown> {
  const resource: Record<string, unknown> = {
    name: type.plural, singularName: type.singular, namespaced: type.namespaced, kind: type.kind, verbs: type.verbs,
  };
  if (type.shortNames.length > 0) resource.shortNames = type.shortNames;
  if (type.categories.length > 0) resource.categories = type.categories;
  return resource;
}

export function apiVersions(host: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }] };
}

export function resourceList(registry: TypeRegistry, group: string, version: string): Record<string, unknown> | undefined {
  const types = registry.resources(group, version);
  if (types.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const type of types) {
    resources.push(apiResource(type));
    if (type.hasStatus) {
      resources.push({ name: `${type.plural}/status`, singularName: '', namespaced: type.namespaced, kind: type.kind, verbs: SUBRESOURCE_VERBS });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function groupEntry(registry: TypeRegistry, group: string): Record<string, unknown> {
  const versions = registry.versions(group).map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroup(registry: TypeRegistry, group: string): Record<string, unknown> | undefined {
  if (!registry.groups().includes(group) || group === '') return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(registry, group) };
}

export function apiGroupList(registry: TypeRegistry): Record<string, unknown> {
  const groups = registry.groups().filter((g) => g !== '').map((g) => groupEntry(registry, g));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** Whether the Accept header asks for aggregated discovery (APIGroupDiscoveryList, v2 or v2beta1). */
export function aggregatedVersion(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const part of (accept ?? '').split(',')) {
    if (!part.includes('as=APIGroupDiscoveryList') || !part.includes('g=apidiscovery.k8s.io')) continue;
    if (part.includes('v=v2beta1')) return 'v2beta1';
    if (part.includes('v=v2')) return 'v2';
  }
  return undefined;
}

function discoveryResource(type: ResourceType): Record<string, unknown> {
  // kube leaves group and version empty in a built-in's responseKind (they are the resource's own); a CRD's carry them.
  const responseKind = { group: type.builtin ? '' : type.group, version: type.builtin ? '' : type.version, kind: type.kind };
  const entry: Record<string, unknown> = {
    resource: type.plural, responseKind,
    scope: type.namespaced ? 'Namespaced' : 'Cluster', singularResource: type.singular, verbs: type.verbs,
  };
  if (type.shortNames.length > 0) entry.shortNames = type.shortNames;
  if (type.categories.length > 0) entry.categories = type.categories;
  if (type.hasStatus) {
    entry.subresources = [{ subresource: 'status', responseKind, verbs: SUBRESOURCE_VERBS }];
  }
  return entry;
}

/** apidiscovery.k8s.io APIGroupDiscoveryList for /api (legacy: only core) or /apis (every other group). */
export function aggregatedDiscovery(registry: TypeRegistry, legacy: boolean, version: 'v2' | 'v2beta1'): Record<string, unknown> {
  const groups = registry.groups().filter((g) => (g === '') === legacy);
  const items = groups.map((group) => ({
    metadata: { name: group },
    versions: registry.versions(group).map((v) => ({
      version: v,
      resources: registry.resources(group, v).map(discoveryResource),
      freshness: 'Current',
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

export function aggregatedContentType(version: 'v2' | 'v2beta1'): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

