// securityContext → podman flags (security-context.ts): what each field becomes, Kubernetes' precedence of the
// container over the pod, and refusals where a kubelet would refuse or where nothing maps the field.
import { podmanSecurityFlags, runIdentity } from './security-context.js';

const IMAGE_USER = { uid: 65532, gid: 65532 };

describe('podmanSecurityFlags', () => {
  it("maps the controller's context: the pod's user, read-only with no tmpfs, no escalation, every capability dropped", () => {
    expect(podmanSecurityFlags(
      { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
      { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
      IMAGE_USER,
    )).toEqual(['--user=65532:65532', '--read-only', '--read-only-tmpfs=false', '--security-opt=no-new-privileges', '--cap-drop=ALL']);
  });

  it("maps the speaker's context: root, NET_RAW added after ALL is dropped", () => {
    expect(podmanSecurityFlags(undefined,
      { runAsUser: 0, runAsNonRoot: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['NET_RAW'] } }, IMAGE_USER))
      .toEqual(['--user=0:0', '--read-only', '--read-only-tmpfs=false', '--cap-drop=ALL', '--cap-add=NET_RAW']);
  });

  it('leaves the root filesystem writable and escalation allowed when the context does not ask', () => {
    expect(podmanSecurityFlags(undefined, {}, IMAGE_USER)).toEqual(['--user=65532:65532']);
  });

  it('turns seccomp off only for Unconfined, and refuses a Localhost profile', () => {
    expect(podmanSecurityFlags(undefined, { seccompProfile: { type: 'Unconfined' } }, IMAGE_USER)).toContain('--security-opt=seccomp=unconfined');
    expect(() => podmanSecurityFlags(undefined, { seccompProfile: { type: 'Localhost', localhostProfile: 'x.json' } }, IMAGE_USER))
      .toThrow('seccompProfile type "Localhost"');
  });

  it.each([
    ['container', undefined, { procMount: 'Default' }, 'container securityContext.procMount'],
    ['pod', { fsGroup: 2000 }, undefined, 'pod securityContext.fsGroup'],
  ])('refuses a %s field nothing maps', (_where, pod, container, message) => {
    expect(() => podmanSecurityFlags(pod, container, IMAGE_USER)).toThrow(message);
  });
});

describe('runIdentity', () => {
  it("takes the container's user over the pod's", () => {
    expect(runIdentity({ runAsUser: 1000, runAsGroup: 1000 }, { runAsUser: 0 }, IMAGE_USER)).toEqual({ uid: 0, gid: 1000 });
  });

  it("keeps the image's user and group when neither sets one", () => {
    expect(runIdentity(undefined, undefined, IMAGE_USER)).toEqual(IMAGE_USER);
  });

  it('refuses runAsNonRoot with uid 0, as the kubelet does', () => {
    expect(() => runIdentity({ runAsNonRoot: true }, { runAsUser: 0 }, IMAGE_USER)).toThrow('runAsNonRoot is true but the container would run as uid 0');
    expect(() => runIdentity({ runAsNonRoot: true }, undefined, { uid: 0, gid: 0 })).toThrow('runAsNonRoot');
  });
});
