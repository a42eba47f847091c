// The go.mod generator and the version helpers, on a Kubernetes go.mod of the real shape (the committed
// go/go.mod must be what the generator makes of the pinned release: checked where the module cache has it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { goModFor, stagingModules, stagingVersion } from './gomod.js';
import { versionLdflags } from './build.js';
import { BINARIES, goModuleDir, pinnedVersions, requiredVersion } from './versions.js';

const kubernetesGoMod = `module k8s.io/kubernetes

go 1.26.0

require (
\tgithub.com/spf13/cobra v1.10.2
\tgo.etcd.io/etcd/client/v3 v3.7.0
\tk8s.io/api v0.0.0
)

require (
\tgo.etcd.io/etcd/server/v3 v3.7.0 // indirect
)

replace (
\tk8s.io/api => ./staging/src/k8s.io/api
\tk8s.io/client-go => ./staging/src/k8s.io/client-go
\tk8s.io/cri-api => ./staging/src/k8s.io/cri-api
)
`;

test('every staging replace is restated against the published module of the matching v0 release', () => {
  const goMod = goModFor('v1.37.2', kubernetesGoMod);
  expect(goMod).toContain('\tk8s.io/api => k8s.io/api v0.37.2\n');
  expect(goMod).toContain('\tk8s.io/client-go => k8s.io/client-go v0.37.2\n');
  expect(goMod).toContain('\tk8s.io/cri-api => k8s.io/cri-api v0.37.2\n');
  expect(goMod).not.toContain('./staging');
  expect(goMod).toContain('require k8s.io/kubernetes v1.37.2\n');
  expect(goMod).toContain('require go.etcd.io/etcd/server/v3 v3.7.0\n');
  for (const pkg of Object.values(BINARIES)) expect(goMod).toContain(`\t${pkg}\n`);
});

test('a go.mod with no staging replaces is refused, naming what was expected', () => {
  expect(() => stagingModules('module example.com/x\n')).toThrow(/replaces no staging module/);
});

test.each([['v1.37.2', 'v0.37.2'], ['v1.30.0', 'v0.30.0'], ['v1.38.0-rc.1', 'v0.38.0-rc.1']])('%s → staging %s', (kube, staging) => {
  expect(stagingVersion(kube)).toBe(staging);
});

test('a version that is not a Kubernetes release is named in the error', () => {
  expect(() => stagingVersion('v2.0.0')).toThrow('"v2.0.0" is not a Kubernetes release version');
  expect(() => versionLdflags('1.37', 'x')).toThrow('"1.37"');
});

test('requiredVersion reads single-line and block requires, and names a missing module', () => {
  expect(requiredVersion(kubernetesGoMod, 'go.etcd.io/etcd/server/v3')).toBe('v3.7.0');
  expect(requiredVersion('require k8s.io/kubernetes v1.37.2\n', 'k8s.io/kubernetes')).toBe('v1.37.2');
  expect(() => requiredVersion(kubernetesGoMod, 'k8s.io/kubernetes')).toThrow('requires no version of k8s.io/kubernetes');
});

test('the version ldflags set major, minor and version for both of kube\'s version packages', () => {
  const flags = versionLdflags('v1.37.2', '2026-10-27T12:01:04Z');
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    expect(flags).toEqual(expect.arrayContaining([`-X ${pkg}.gitVersion=v1.37.2`, `-X ${pkg}.gitMajor=1`, `-X ${pkg}.gitMinor=37`,
      `-X ${pkg}.buildDate=2026-10-27T12:01:04Z`]));
  }
});

test('the committed go.mod pins one Kubernetes release and the etcd that release requires', () => {
  const goMod = readFileSync(join(goModuleDir, 'go.mod'), 'utf8');
  const versions = pinnedVersions(goMod);
  expect(versions.kubernetes).toMatch(/^v1\.\d+\.\d+$/);
  const staging = stagingVersion(versions.kubernetes);
  const replaced = [...goMod.matchAll(/^\t(k8s\.io\/\S+) => \1 (\S+)$/gm)];
  expect(replaced.length).toBeGreaterThan(20);
  expect(new Set(replaced.map((m) => m[2]))).toEqual(new Set([staging]));
});
