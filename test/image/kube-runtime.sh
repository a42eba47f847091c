#!/bin/sh
# An OCI runtime for `podman --runtime`: runc, handed the container's spec as a Kubernetes runtime would write it.
# podman puts the capabilities a container adds into the AMBIENT set when it runs as a non-root user (seen here:
# CapAmb=0x2000 for --user 65532 --cap-add NET_RAW), and ambient capabilities survive execve. containerd and CRI-O
# set no ambient (and no inheritable) capabilities, so in a cluster the same securityContext leaves a non-root
# process with nothing effective unless the binary carries file capabilities. A test judged through plain podman
# would pass where the cluster fails; through this wrapper it fails as the cluster does.
# Only `create`/`run` carry --bundle (the directory with config.json); every other call goes to runc unchanged.
set -eu
bundle=''
prev=''
for arg in "$@"; do
  case "$prev" in --bundle|-b) bundle=$arg ;; esac
  case "$arg" in --bundle=*) bundle=${arg#--bundle=} ;; esac
  prev=$arg
done
if [ -n "$bundle" ]; then
  node -e '
    const fs = require("node:fs");
    const path = process.argv[1];
    const spec = JSON.parse(fs.readFileSync(path, "utf8"));
    const caps = spec.process && spec.process.capabilities;
    if (caps) { delete caps.ambient; caps.inheritable = []; }
    fs.writeFileSync(path, JSON.stringify(spec));
  ' "$bundle/config.json"
fi
for runc in /usr/sbin/runc /usr/bin/runc; do
  [ -x "$runc" ] && exec "$runc" "$@"
done
echo "kube-runtime.sh: no runc in /usr/sbin or /usr/bin" >&2
exit 127
