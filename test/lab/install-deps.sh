#!/usr/bin/env bash
# Installs the Debian packages the network lab needs (root), only those missing; quiet, idempotent.
# Called by scripts/test-all.sh (`npm run test:all`, which .ci/run runs) and by `npm run demo`. Daemons do not auto-start on install on our machines
# (a policy-rc.d blocks it), which is what the lab wants: it runs keepalived itself, per namespace.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"   # keepalived, nft and bird live in sbin, not on every user's PATH

# package -> a command it provides, to tell whether it is already there without asking dpkg per file
declare -A wanted=(
  [iproute2]=ip
  [iputils-ping]=ping
  [iputils-arping]=arping
  [tcpdump]=tcpdump
  [ndisc6]=ndisc6
  [keepalived]=keepalived
  [curl]=curl
  [nftables]=nft
  # BGP routers: BIRD 2 is BGP mode's judge in the router's namespace (test/lab/bgp-lab.ts); BIRD, FRR and
  # GoBGP also parse the router configurations docs/bgp-routers.md gives
  [bird2]=bird
  [frr]=vtysh
  [gobgpd]=gobgpd
  # Prometheus' server and promtool: test/monitoring/quorum.lab.test.ts runs a Prometheus in the client's namespace
  [prometheus]=promtool
  # The image suites (test/image/, in the lab pass): podman builds and runs the Dockerfile, debootstrap makes its
  # local base (scripts/image/base.ts). runc is the runtime they use: crun 1.8 (podman's default) refuses these
  # machines' hybrid cgroups (scripts/image/containers.conf). netavark and iptables: the build containers' network.
  [podman]=podman
  [buildah]=buildah
  [debootstrap]=debootstrap
  [runc]=runc
  [crun]=crun
  [netavark]=/usr/lib/podman/netavark
  [iptables]=iptables
)

missing=()
for pkg in "${!wanted[@]}"; do
  command -v "${wanted[$pkg]}" >/dev/null 2>&1 || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${missing[*]}; run as root to install them" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Several sessions may run apt at once on a shared machine: wait for dpkg's lock instead of failing.
apt_opts=(-qq -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)
echo "install-deps: installing ${missing[*]}" >&2
# apt and debconf chatter goes to a log that is shown only when something fails.
log=$(mktemp /tmp/herald-install-deps.XXXXXX)
trap 'rm -f "$log"' EXIT
if ! { apt-get "${apt_opts[@]}" update && apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-deps: apt-get failed" >&2
  exit 1
fi
