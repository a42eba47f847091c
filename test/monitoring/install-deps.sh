#!/usr/bin/env bash
# Debian's prometheus package: test/monitoring checks and unit-tests the alerting rules with its promtool, and runs its
# prometheus server itself (prometheus-server.test.ts, on a port of its own) to scrape the binaries (unit pass, so
# scripts/test-all.sh runs this before it). Daemons do not auto-start on install on our machines (a policy-rc.d
# blocks it): installing the package starts no Prometheus service.
set -euo pipefail
command -v promtool >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "monitoring install-deps: promtool is missing; run as root to install Debian's prometheus package" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-qq -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)
log=$(mktemp /tmp/herald-install-deps.XXXXXX)
trap 'rm -f "$log"' EXIT
if ! { apt-get "${apt_opts[@]}" update && apt-get "${apt_opts[@]}" install -y --no-install-recommends prometheus; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "monitoring install-deps: apt-get failed" >&2
  exit 1
fi
