// Running the image as a manifest in config/ says: its command, its environment (the downward API's fields filled
// from what the test knows) and its securityContext (security-context.ts), through kube-runtime.sh so that
// capabilities behave as under containerd or CRI-O. The kernel's view of the running process (/proc/PID/status)
// is what the tests judge.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { V1Container, V1EnvVar, V1PodSpec } from '@kubernetes/client-node';
import { podman, REPO_ROOT } from '../../scripts/image/podman.js';
import { podmanSecurityFlags, type RunIdentity } from './security-context.js';

export const KUBE_RUNTIME = join(REPO_ROOT, 'test', 'image', 'kube-runtime.sh');

export interface ManifestContainer {
  pod: V1PodSpec;
  container: V1Container;
}

/** The first container of the workload in config/<path> (a Deployment or a DaemonSet). */
export function manifestContainer(path: string, kind: 'Deployment' | 'DaemonSet'): ManifestContainer {
  const file = join(REPO_ROOT, 'config', path);
  const doc = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as { kind?: string; spec?: { template?: { spec?: V1PodSpec } } })
    .find((d) => d.kind === kind);
  const pod = doc?.spec?.template?.spec;
  const container = pod?.containers[0];
  if (pod === undefined || container === undefined) throw new Error(`${file}: no ${kind} with a container`);
  return { pod, container };
}

/** The container's env as --env flags; a fieldRef takes its value from `fields` (fieldPath → value) or fails. */
export function envFlags(env: readonly V1EnvVar[] | undefined, fields: Readonly<Record<string, string>>): string[] {
  return (env ?? []).map((e) => {
    if (e.value !== undefined) return `--env=${e.name}=${e.value}`;
    const path = e.valueFrom?.fieldRef?.fieldPath;
    const value = path === undefined ? undefined : fields[path];
    if (value === undefined) throw new Error(`env ${e.name}: the test gives no value for ${path ?? JSON.stringify(e.valueFrom)}`);
    return `--env=${e.name}=${value}`;
  });
}

export interface RunOptions {
  name: string;
  image: string;
  manifest: ManifestContainer;
  /** --network value: "host", or "ns:/run/netns/NAME". */
  network: string;
  /** Values of the downward API fields the manifest's env uses (spec.nodeName, status.podIP, ...). */
  fields: Readonly<Record<string, string>>;
  /**
   * The container's arguments: the manifest's `args` followed by `extraArgs` (a kubeconfig where no in-cluster
   * service account exists), or `replaceArgs` instead of them (the lab's file source in place of the Kubernetes one).
   */
  extraArgs?: readonly string[];
  replaceArgs?: readonly string[];
  /** --volume values (HOST:CONTAINER:ro). */
  volumes?: readonly string[];
}

/** The image's USER (as `uid:gid`), the identity a securityContext without runAsUser leaves. */
export async function imageUser(image: string): Promise<RunIdentity> {
  const { stdout } = await podman(['image', 'inspect', '--format', '{{.Config.User}}', image]);
  const [uid, gid] = stdout.trim().split(':').map(Number);
  return { uid: uid ?? 0, gid: gid ?? 0 };
}

/** Starts the container detached (replacing one of the same name) with the manifest's command; its name back. */
export async function runManifestContainer(o: RunOptions): Promise<string> {
  const { pod, container } = o.manifest;
  if (container.command === undefined || container.command.length === 0) throw new Error(`container ${container.name}: no command in the manifest`);
  const [entrypoint, ...commandArgs] = container.command;
  const security = podmanSecurityFlags(pod.securityContext, container.securityContext, await imageUser(o.image));
  await podman([
    '--runtime', KUBE_RUNTIME, 'run', '--detach', '--replace', '--name', o.name, `--network=${o.network}`,
    ...security, ...envFlags(container.env, o.fields), ...(o.volumes ?? []).map((v) => `--volume=${v}`),
    `--entrypoint=${entrypoint ?? ''}`, o.image, ...commandArgs, ...(o.replaceArgs ?? [...(container.args ?? []), ...(o.extraArgs ?? [])]),
  ]);
  return o.name;
}

/** The PID (in our namespace) of the container's process. */
export async function containerPid(name: string): Promise<number> {
  const { stdout } = await podman(['inspect', '--format', '{{.State.Pid}}', name]);
  const pid = Number(stdout.trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`container ${name} has no running process (State.Pid "${stdout.trim()}")`);
  return pid;
}

/** /proc/PID/status as fields (Uid, Gid, CapEff, CapPrm, CapAmb, NoNewPrivs, Seccomp, ...). */
export function procStatus(pid: number): Record<string, string> {
  const lines = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n');
  return Object.fromEntries(lines.filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
}

/** Whether the process's root filesystem is mounted read-only, from its own mountinfo. */
export function rootIsReadOnly(pid: number): boolean {
  const root = readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n').find((l) => l.split(' ')[4] === '/');
  if (root === undefined) throw new Error(`/proc/${pid}/mountinfo has no mount at /`);
  return (root.split(' ')[5] ?? '').split(',').includes('ro');
}

/** Capability bit numbers (linux/capability.h) the tests name. */
export const CAP_NET_RAW = 13;

export function capabilityBits(hex: string | undefined): number[] {
  const value = BigInt(`0x${hex ?? '0'}`);
  return Array.from({ length: 64 }, (_, bit) => bit).filter((bit) => ((value >> BigInt(bit)) & 1n) === 1n);
}

export async function containerLogs(name: string): Promise<string> {
  const { stdout, stderr } = await podman(['logs', name]).catch(() => ({ stdout: '', stderr: '' }));
  return stdout + stderr;
}

export async function removeContainer(name: string): Promise<void> {
  await podman(['rm', '--force', '--time', '0', name]).catch(() => undefined);
}
