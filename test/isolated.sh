#!/bin/bash
# Runs a command as a client that shares nothing with the podman host but the API socket: a new mount
# and network namespace (no loopback to the host's ports) in which podman's local storage, its runtime
# state, the engine's local state root, QEMU and virtiofsd are hidden. Usage (as root, in unshare -m -n):
#   isolated.sh SOCKET_DIR COMMAND...   (SOCKET_DIR stays visible; CONTAINER_HOST should point into it)
# Without -n (an ssh:// connection to a sshd on 127.0.0.1) only the files are hidden.
set -eu
socket_dir=$1; shift
mount --make-rprivate /
for d in /var/lib/containers /run/containers /run/libpod /var/lib/bootc-ephemeral /run/podman; do
  [ -d "$d" ] && mount -t tmpfs -o size=16m,mode=0700 tmpfs "$d"
done
for f in /usr/bin/qemu-system-x86_64 /usr/lib/qemu/virtiofsd /usr/libexec/virtiofsd /usr/bin/virtiofsd; do
  [ -e "$f" ] && mount --bind /dev/null "$f"
done
# the namespace's own loopback (for -L listeners): not the podman host's
ip link set lo up 2>/dev/null || true
[ -S "$socket_dir/podman.sock" ] || { echo "isolated.sh: $socket_dir/podman.sock is not visible" >&2; exit 97; }
exec "$@"
