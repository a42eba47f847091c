#!/usr/bin/env bash
# `npm run test:all`: every test this machine can run. Unit and emulator tests always; the API suites a second
# time against a real control plane (built from Go modules on first use, see test/cluster/) where Go is here;
# as root, also the network lab (after installing its Debian packages), its full-stack suite on both API servers. Ends with one plain line,
# "N passed, N failed". Under CI (CI=true) a missing Go toolchain or a failed build fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
jest=(node --experimental-vm-modules node_modules/jest/bin/jest.js)
status=0

# The real control plane's binaries first (built once per machine; kubectl among them serves every pass).
real=no
if command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ]; then
  bash test/cluster/install-deps.sh || status=1   # installs only what is missing
  if npm run --silent cluster -- build; then
    real=yes
  else
    echo "test:all: building the real control plane failed" >&2
    status=1
  fi
elif [ "${CI:-}" = true ]; then
  echo "test:all: no Go toolchain, so no real control plane: CI needs it" >&2
  status=1
else
  echo "test:all: no Go toolchain (go on PATH or in /usr/local/go/bin), the real-control-plane API suites were skipped"
fi

# promtool (Debian's prometheus package) judges the alerting rules in the unit pass (test/monitoring).
command -v promtool >/dev/null 2>&1 || bash test/monitoring/install-deps.sh || status=1
"${jest[@]}" --json --outputFile="$results/unit.json" || status=1

# The suites that talk to a Kubernetes API, again against the real thing (HERALD_API_BACKEND, test/cluster/backend.ts).
api_suites=(test/cluster/controlplane.test.ts test/cluster/pool.test.ts test/integration test/kubectl test/cli test/apiserver/tests test/monitoring/operator-crds.test.ts)
if [ "$real" = yes ]; then
  HERALD_API_BACKEND=real "${jest[@]}" --json --outputFile="$results/real.json" "${api_suites[@]}" || status=1
fi
if [ "$(id -u)" -eq 0 ]; then
  # Under CI the lab's process logs outlive the clone, for a failure's post-mortem: each suite's, from the last run only.
  if [ "${CI:-}" = true ] && [ -z "${HERALD_LAB_KEEP_LOGS:-}" ]; then
    export HERALD_LAB_KEEP_LOGS=/tmp/herald-ci-lab-logs
    rm -rf "$HERALD_LAB_KEEP_LOGS"
  fi
  bash test/lab/install-deps.sh || status=1
  "${jest[@]}" -c jest.lab.config.js --runInBand --json --outputFile="$results/lab.json" || status=1
  # The whole product on the lab once more, with kube-apiserver (and etcd, kube-controller-manager) in hl-router.
  if [ "$real" = yes ]; then
    HERALD_API_BACKEND=real "${jest[@]}" -c jest.lab.config.js --runInBand --json --outputFile="$results/lab-real.json" \
      test/lab/full-stack.lab.test.ts test/monitoring/full-stack.lab.test.ts || status=1
  fi
else
  echo "test:all: not root, the network lab tests were skipped (run as root to include them)"
fi

node -e '
  const fs = require("node:fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const f of fs.readdirSync(process.argv[1])) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
    skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$results"
exit $status
