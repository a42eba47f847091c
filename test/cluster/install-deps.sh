#!/usr/bin/env bash
# The one Debian package the real control plane needs beyond Go: openssl, which makes its certificates.
set -euo pipefail
command -v openssl >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "cluster install-deps: openssl is missing; run as root to install it" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-qq -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)
apt-get "${apt_opts[@]}" update >/dev/null && apt-get "${apt_opts[@]}" install -y --no-install-recommends openssl >/dev/null
