#!/usr/bin/env bash
# The Debian packages the real control plane needs beyond Go: openssl, which makes its certificates, and iptables,
# whose iptables-save/ip6tables-save read what the real kube-proxy writes in its own network namespace
# (test/cluster/kube-proxy.ts, the judge of `kubectl herald explain`).
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"   # iptables-save lives in sbin
declare -A wanted=([openssl]=openssl)
# Only root can run kube-proxy in a network namespace; others skip that test and need no iptables.
[ "$(id -u)" -eq 0 ] && wanted[iptables]=iptables-save
missing=()
for pkg in "${!wanted[@]}"; do
  command -v "${wanted[$pkg]}" >/dev/null 2>&1 || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "cluster install-deps: ${missing[*]} missing; run as root to install them" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-qq -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)
apt-get "${apt_opts[@]}" update >/dev/null && apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null
