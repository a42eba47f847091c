// What the real control plane is built from: the versions pinned in test/cluster/go/go.mod, and the cache
// folder (outside the repository, one per pinned set) the binaries are built into.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const goModuleDir = join(dirname(fileURLToPath(import.meta.url)), 'go');

/** The programs the tests run, each with the Go package it is built from. */
export const BINARIES = {
  'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver',
  'kube-controller-manager': 'k8s.io/kubernetes/cmd/kube-controller-manager',
  kubectl: 'k8s.io/kubernetes/cmd/kubectl',
  // Not part of the control plane: the judge of the chain names `kubectl herald explain` prints (test/cluster/kube-proxy.ts).
  'kube-proxy': 'k8s.io/kubernetes/cmd/kube-proxy',
  etcd: 'go.etcd.io/etcd/server/v3',
} as const;
export type BinaryName = keyof typeof BINARIES;

export interface PinnedVersions {
  kubernetes: string;
  etcd: string;
}

/** The version a go.mod requires of `module`, or an error naming the module. */
export function requiredVersion(goMod: string, module: string): string {
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  if (!match?.[1]) throw new Error(`${join(goModuleDir, 'go.mod')} requires no version of ${module}`);
  return match[1];
}

export function pinnedVersions(goMod = readFileSync(join(goModuleDir, 'go.mod'), 'utf8')): PinnedVersions {
  return { kubernetes: requiredVersion(goMod, 'k8s.io/kubernetes'), etcd: requiredVersion(goMod, 'go.etcd.io/etcd/server/v3') };
}

/** ~/.cache/herald/k8s-v1.37.2-etcd-v3.7.0 (XDG_CACHE_HOME respected; HERALD_K8S_BIN_DIR overrides). */
export function binaryDir(versions: PinnedVersions = pinnedVersions()): string {
  if (process.env.HERALD_K8S_BIN_DIR) return process.env.HERALD_K8S_BIN_DIR;
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(cache, 'herald', `k8s-${versions.kubernetes}-etcd-${versions.etcd}`);
}

export function binaryPath(name: BinaryName, dir = binaryDir()): string {
  return join(dir, name);
}
