#!/bin/bash
# Install what the bootc-ephemeral engine needs on a Debian 12 host, and apply the podman fixes
# that some hosts need (only when this host needs them). Idempotent; run as root.
set -euo pipefail

log() { echo "[host-setup] $*"; }
[ "$(id -u)" = 0 ] || { echo "host-setup: run as root" >&2; exit 1; }

packages=(
  podman crun conmon catatonit golang-github-containers-common netavark aardvark-dns
  slirp4netns iptables uidmap
  qemu-system-x86          # brings qemu-system-common with the C virtiofsd (/usr/lib/qemu/virtiofsd)
  qemu-system-arm          # qemu-system-aarch64: arm64 images, emulated (TCG) on an amd64 host
  qemu-user-static         # runs arm64 programs through binfmt_misc: building arm64 images (sample-image:arm64, podman build --arch)
  busybox-static           # the engine's own initramfs (a static shell and tools for the guest init): faster boots
  debootstrap cpio util-linux ca-certificates
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing: ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  log "packages: all present"
fi

# Fix 1: without CAP_SYS_RESOURCE crun cannot raise RLIMIT_NOFILE/NPROC to rootful podman's
# defaults ("crun: setrlimit RLIMIT_NOFILE: Operation not permitted"). Pin them to what we have.
cap_eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
if (( (16#$cap_eff >> 24) & 1 )); then
  log "rlimits: CAP_SYS_RESOURCE present, no change"
elif grep -qs '^[[:space:]]*default_ulimits' /etc/containers/containers.conf; then
  log "rlimits: containers.conf already sets default_ulimits, no change"
else
  nofile=$(ulimit -Hn); nproc=$(ulimit -Hu)
  [ "$nofile" = unlimited ] && nofile=1048576
  [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ] && nproc=32768
  log "rlimits: no CAP_SYS_RESOURCE; pinning podman default_ulimits nofile=$nofile nproc=$nproc"
  mkdir -p /etc/containers
  if grep -qs '^\[containers\]' /etc/containers/containers.conf; then
    sed -i "/^\[containers\]/a default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=$nproc:$nproc\"]" \
      /etc/containers/containers.conf
  else
    printf '\n# added by bootc-ephemeral host-setup: no CAP_SYS_RESOURCE on this host\n[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n' \
      "$nofile" "$nofile" "$nproc" "$nproc" >> /etc/containers/containers.conf
  fi
fi

# Fix 2: a cgroup v1/v2 hybrid host whose v2 hierarchy still holds controllers makes crun fail
# ("cgroups in hybrid mode not supported"). Bind those controllers to v1 hierarchies instead.
# Not persistent across reboots: run this script again after one.
if [ -f /sys/fs/cgroup/unified/cgroup.controllers ] && [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers)" ]; then
  for c in $(cat /sys/fs/cgroup/unified/cgroup.controllers); do
    mkdir -p "/sys/fs/cgroup/$c"
    mountpoint -q "/sys/fs/cgroup/$c" || mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c"
    log "cgroups: moved controller '$c' from the hybrid v2 hierarchy to v1"
  done
else
  log "cgroups: no hybrid-mode controllers, no change"
fi

# binfmt_misc: how arm64 programs run here while an arm64 image is built. Debian registers qemu-user-static
# through systemd-binfmt; a host (or container) without systemd as init needs it done here. Not
# persistent across reboots: run this script again after one.
foreign=aarch64; [ "$(dpkg --print-architecture)" = arm64 ] && foreign=x86_64
if [ -e "/usr/lib/binfmt.d/qemu-$foreign.conf" ]; then
  mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
  if [ -e "/proc/sys/fs/binfmt_misc/qemu-$foreign" ]; then
    log "binfmt_misc: qemu-$foreign registered"
  elif [ -w /proc/sys/fs/binfmt_misc/register ] && cat "/usr/lib/binfmt.d/qemu-$foreign.conf" > /proc/sys/fs/binfmt_misc/register 2>/dev/null; then
    log "binfmt_misc: registered qemu-$foreign (qemu-user-static)"
  else
    log "binfmt_misc: cannot register qemu-$foreign here: $foreign images cannot be built on this host (they still boot)"
  fi
fi

podman info --format 'podman {{.Version.Version}}: cgroups {{.Host.CgroupsVersion}} ({{.Host.CgroupManager}}), storage {{.Store.GraphDriverName}}, network {{.Host.NetworkBackend}}'
log "done"
