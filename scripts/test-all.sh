#!/usr/bin/env bash
# `npm run test:all`: every test this machine can run. Unit and emulator tests always; as root, also the
# network lab (after installing its Debian packages). Ends with one plain line, "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
jest=(node --experimental-vm-modules node_modules/jest/bin/jest.js)
status=0

"${jest[@]}" --json --outputFile="$results/unit.json" || status=1
if [ "$(id -u)" -eq 0 ]; then
  bash test/lab/install-deps.sh || status=1
  "${jest[@]}" -c jest.lab.config.js --runInBand --json --outputFile="$results/lab.json" || status=1
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
