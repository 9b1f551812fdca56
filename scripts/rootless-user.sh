#!/bin/bash
# An ordinary user with rootless podman, as a developer has one, for the rootless tests (as root;
# idempotent, seconds on a second run):
#   scripts/rootless-user.sh USER [--no-subids] [--no-image | --image IMAGE...]
# - creates USER (useradd -m) with subordinate uid/gid ranges, unless --no-subids (then it has none:
#   the "no subuid range" case of the tests);
# - makes the runtime dir a login would (/run/user/UID, 0700): there is no logind session here;
# - copies each IMAGE (default: the sample image) from root's podman storage into USER's, unless USER
#   already has that image id (podman save | podman load: rootless storage is per user).
set -euo pipefail
user=${1:?usage: rootless-user.sh USER [--no-subids] [--image IMAGE]...}
shift
subids=1
images=()
copy_images=1
while [ $# -gt 0 ]; do
  case $1 in
    --no-subids) subids=0 ;;
    --image) images+=("$2"); shift ;;
    --no-image) copy_images=0 ;;
    *) echo "rootless-user.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[ $subids = 1 ] && [ $copy_images = 1 ] && [ ${#images[@]} = 0 ] && images=(localhost/bootc-sample:latest)

touch /etc/subuid /etc/subgid
id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
uid=$(id -u "$user")

# the next free range of 65536 ids after every range already given out
next_free() {
  awk -F: 'BEGIN { n = 100000 } { if ($2 + $3 > n) n = $2 + $3 } END { print n }' /etc/subuid /etc/subgid
}
if [ $subids = 1 ]; then
  if ! grep -q "^$user:" /etc/subuid || ! grep -q "^$user:" /etc/subgid; then
    start=$(next_free)
    usermod --add-subuids "$start-$((start + 65535))" --add-subgids "$start-$((start + 65535))" "$user"
  fi
else
  # useradd gives new users ranges (Debian's SUB_UID_COUNT): this user must have none
  sed -i "/^$user:/d" /etc/subuid /etc/subgid
fi

runtime=/run/user/$uid
install -d -m 0700 -o "$user" -g "$(id -g "$user")" "$runtime"

as_user() {
  (cd / && runuser -u "$user" -- env -i HOME="$(getent passwd "$user" | cut -d: -f6)" USER="$user" LOGNAME="$user" \
    PATH=/usr/local/bin:/usr/bin:/bin XDG_RUNTIME_DIR="$runtime" "$@")
}
for image in ${images[@]+"${images[@]}"}; do
  want=$(podman image inspect --format '{{.Id}}' "$image")
  have=$(as_user podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  if [ "$want" != "$have" ]; then
    echo "[rootless-user] copying $image into $user's podman storage"
    podman save "$image" | as_user podman load -q >/dev/null
    # the copy it replaces (the sample image rebuilt since) would stay behind untagged
    if [ -n "$have" ]; then as_user podman rmi "$have" >/dev/null 2>&1 || true; fi
  fi
done
echo "[rootless-user] $user (uid $uid) ready: XDG_RUNTIME_DIR=$runtime"
