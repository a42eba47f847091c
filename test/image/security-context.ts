// A pod's securityContext as `podman run` flags, so the image tests run a container exactly as the manifests in
// config/ ask and not as the test would like. Every field the manifests may set is either mapped or refused: a
// field nobody mapped fails the test instead of being silently ignored.
// What podman does differently from a Kubernetes runtime is handled where it runs (kube-runtime.sh): podman gives a
// non-root user its added capabilities as ambient ones, containerd and CRI-O do not.
import type { V1Capabilities, V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';

const MAPPED_CONTAINER_FIELDS = new Set([
  'runAsUser', 'runAsGroup', 'runAsNonRoot', 'readOnlyRootFilesystem', 'allowPrivilegeEscalation', 'capabilities', 'seccompProfile', 'privileged',
]);
const MAPPED_POD_FIELDS = new Set(['runAsUser', 'runAsGroup', 'runAsNonRoot', 'seccompProfile']);

export interface RunIdentity {
  /** The uid the container's process runs as: the securityContext's, else the image's USER. */
  uid: number;
  gid: number;
}

/** Kubernetes' precedence: the container's field, else the pod's. */
function effective<K extends keyof V1PodSecurityContext & keyof V1SecurityContext>(
  pod: V1PodSecurityContext | undefined, container: V1SecurityContext | undefined, key: K,
): V1SecurityContext[K] | V1PodSecurityContext[K] {
  return container?.[key] ?? pod?.[key];
}

function refuseUnmapped(what: string, context: object | undefined, mapped: Set<string>): void {
  for (const key of Object.keys(context ?? {})) {
    if (!mapped.has(key)) throw new Error(`${what} securityContext.${key} has no podman equivalent in test/image/security-context.ts`);
  }
}

/** Who the process runs as; throws where the kubelet would refuse to start the container (runAsNonRoot with uid 0). */
export function runIdentity(pod: V1PodSecurityContext | undefined, container: V1SecurityContext | undefined, image: RunIdentity): RunIdentity {
  const uid = effective(pod, container, 'runAsUser') ?? image.uid;
  const gid = effective(pod, container, 'runAsGroup') ?? (effective(pod, container, 'runAsUser') === undefined ? image.gid : 0);
  if (effective(pod, container, 'runAsNonRoot') === true && uid === 0) {
    throw new Error('runAsNonRoot is true but the container would run as uid 0: the kubelet refuses to start it');
  }
  return { uid, gid };
}

function capabilityFlags(caps: V1Capabilities | undefined): string[] {
  return [...(caps?.drop ?? []).map((c) => `--cap-drop=${c}`), ...(caps?.add ?? []).map((c) => `--cap-add=${c}`)];
}

function seccompFlags(profile: V1SecurityContext['seccompProfile']): string[] {
  // podman applies its default profile (/usr/share/containers/seccomp.json) unless told otherwise, as RuntimeDefault asks.
  if (profile === undefined || profile.type === 'RuntimeDefault') return [];
  if (profile.type === 'Unconfined') return ['--security-opt=seccomp=unconfined'];
  throw new Error(`seccompProfile type "${profile.type}" is not mapped to podman`);
}

/**
 * The `podman run` flags for the container's effective securityContext. readOnlyRootFilesystem gives no tmpfs
 * anywhere (podman's --read-only alone mounts /tmp, /var/tmp and /run writable; a kubelet does not).
 */
export function podmanSecurityFlags(pod: V1PodSecurityContext | undefined, container: V1SecurityContext | undefined, image: RunIdentity): string[] {
  refuseUnmapped('pod', pod, MAPPED_POD_FIELDS);
  refuseUnmapped('container', container, MAPPED_CONTAINER_FIELDS);
  const { uid, gid } = runIdentity(pod, container, image);
  return [
    `--user=${uid}:${gid}`,
    ...(container?.readOnlyRootFilesystem === true ? ['--read-only', '--read-only-tmpfs=false'] : []),
    ...(container?.allowPrivilegeEscalation === false ? ['--security-opt=no-new-privileges'] : []),
    ...(container?.privileged === true ? ['--privileged'] : []),
    ...capabilityFlags(container?.capabilities),
    ...seccompFlags(effective(pod, container, 'seccompProfile')),
  ];
}
