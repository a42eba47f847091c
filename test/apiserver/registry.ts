// Which resources are served at which group/version, for built-ins and CRDs alike. Discovery and the router
// read it; CRD handling adds and removes entries as CRDs come and go.
import type { ResourceType } from './resource-type.js';

/** kube's version priority: GA > beta > alpha, higher numbers first (v1 > v1beta2 > v1beta1 > v1alpha1). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(beta|alpha)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [stability, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [sa, ma, na] = parse(a);
  const [sb, mb, nb] = parse(b);
  if (sa !== sb) return sb - sa;
  if (ma !== mb) return mb - ma;
  if (na !== nb) return nb - na;
  return a < b ? -1 : a > b ? 1 : 0;
}

export class TypeRegistry {
  private readonly types = new Map<string, ResourceType>();
  private readonly groupOrder: string[] = [];

  private static key(group: string, version: string, plural: string): string {
    return `${group}/${version}/${plural}`;
  }

  add(type: ResourceType): void {
    this.types.set(TypeRegistry.key(type.group, type.version, type.plural), type);
    if (!this.groupOrder.includes(type.group)) this.groupOrder.push(type.group);
  }

  remove(group: string, version: string, plural: string): void {
    this.types.delete(TypeRegistry.key(group, version, plural));
  }

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.get(TypeRegistry.key(group, version, plural));
  }

  all(): ResourceType[] {
    return [...this.types.values()];
  }

  /** Served group names in registration order (kube lists built-in groups first), core ('') included. */
  groups(): string[] {
    const served = new Set(this.all().map((t) => t.group));
    return this.groupOrder.filter((g) => served.has(g));
  }

  /** A group compiled into the server (core is one), as opposed to one only CRDs serve, or none. */
  isBuiltinGroup(group: string): boolean {
    return group === '' || this.all().some((t) => t.builtin && t.group === group);
  }

  /** Versions of a group, preferred first. */
  versions(group: string): string[] {
    const versions = new Set(this.all().filter((t) => t.group === group).map((t) => t.version));
    return [...versions].sort(compareVersions);
  }

  resources(group: string, version: string): ResourceType[] {
    return this.all().filter((t) => t.group === group && t.version === version);
  }

  /** The preferred version's type for a group and plural, as `kubectl get plural.group` resolves it. */
  preferred(group: string, plural: string): ResourceType | undefined {
    const version = this.versions(group).find((v) => this.find(group, v, plural));
    return version === undefined ? undefined : this.find(group, version, plural);
  }
}
