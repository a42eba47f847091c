// When the image suites cannot run here (not root, podman, runc or debootstrap missing, no real control plane), they
// are skipped with the reason in the suite's name; under CI (CI=true) that is a failure instead, since CI installs
// everything they need (test/lab/install-deps.sh) and builds the control plane (scripts/test-all.sh).

/** describe() when `missing` is undefined; else a visible skip, or under CI one failing test that says why. */
export function describeWhen(missing: string | undefined, name: string, fn: () => void): void {
  if (missing === undefined) {
    describe(name, fn);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('can run here', () => {
        throw new Error(`CI must run this suite, but: ${missing}`);
      });
    });
  } else {
    describe.skip(`${name} (skipped: ${missing})`, fn);
  }
}
