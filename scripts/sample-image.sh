#!/bin/bash
# Build localhost/bootc-sample:latest offline-from-registries: debootstrap (Debian 12) + podman import.
# ARCH=arm64 (npm run sample-image:arm64) builds the arm64 variant localhost/bootc-sample:arm64 on an amd64
# host: debootstrap runs the arm64 packages' scripts through qemu-user-static (binfmt_misc; host-setup.sh
# registers it). On an arm64 host ARCH=arm64 is native and builds :latest.
#
# The image follows the bootc layout: kernel and a dracut initramfs that can mount a virtiofs root at
# /usr/lib/modules/<kver>/{vmlinuz,initramfs.img}; systemd, openssh-server, systemd-networkd (DHCP),
# busybox (its httpd serves the port-forward tests). No SSH keys, host keys or passwords are baked in.
#
# Cached: the debootstrap tree lives in $CACHE (outside the repo) with stage markers; the image carries
# a label with the hash of this script, so a second run with an unchanged script returns in a second.
# FORCE=1 rebuilds from scratch.
set -euo pipefail

HOST_ARCH=$(dpkg --print-architecture)
ARCH=${ARCH:-$HOST_ARCH}
case "$ARCH" in amd64|arm64) ;; *) echo "sample-image: ARCH must be amd64 or arm64, not '$ARCH'" >&2; exit 2 ;; esac
CACHE=${BOOTC_EPHEMERAL_CACHE:-/var/cache/bootc-ephemeral}
if [ "$ARCH" = "$HOST_ARCH" ]; then
  IMAGE=${IMAGE:-localhost/bootc-sample:latest}
  ROOTFS=$CACHE/sample-rootfs
else
  IMAGE=${IMAGE:-localhost/bootc-sample:$ARCH}
  ROOTFS=$CACHE/sample-rootfs-$ARCH
fi
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}
KERNEL_PACKAGE=linux-image-cloud-$ARCH
recipe_hash=$( (cat "$0"; echo "$ARCH") | sha256sum | cut -c1-16)

t0=$SECONDS
log() { echo "[sample-image +$((SECONDS - t0))s] $*"; }

[ "$(id -u)" = 0 ] || { echo "sample-image: run as root (debootstrap and rootful podman)" >&2; exit 1; }
for tool in debootstrap podman; do
  command -v "$tool" >/dev/null || { echo "sample-image: '$tool' is missing: run 'npm run host-setup' first" >&2; exit 1; }
done
if [ "$ARCH" != "$HOST_ARCH" ] && ! grep -qs '^enabled' "/proc/sys/fs/binfmt_misc/qemu-${ARCH/arm64/aarch64}"; then
  echo "sample-image: $ARCH programs cannot run here: binfmt_misc has no qemu-${ARCH/arm64/aarch64} entry (run 'npm run host-setup', which installs qemu-user-static and registers it)" >&2
  exit 1
fi

if [ "${FORCE:-0}" != 1 ] && \
   [ "$(podman image inspect --format '{{index .Labels "io.bootc-ephemeral.sample-recipe"}}' "$IMAGE" 2>/dev/null)" = "$recipe_hash" ]; then
  log "$IMAGE is up to date (recipe $recipe_hash)"
  exit 0
fi

unmount_chroot() {
  for m in dev/pts dev proc sys; do
    if mountpoint -q "$ROOTFS/$m" 2>/dev/null; then umount -l "$ROOTFS/$m"; fi
  done
}
trap unmount_chroot EXIT
in_chroot() { LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$ROOTFS" "$@"; }

if [ "${FORCE:-0}" = 1 ]; then unmount_chroot; rm -rf "$ROOTFS"; fi

# ---- stage 1: base system (cached) ---------------------------------------------------------------
if [ ! -e "$ROOTFS/.stage1-done" ]; then
  unmount_chroot; rm -rf "$ROOTFS"; mkdir -p "$ROOTFS"
  log "debootstrap bookworm (minbase, $ARCH) -> $ROOTFS"
  # kernel and dracut are installed in stage 2: in --include, debootstrap would pick initramfs-tools
  debootstrap --variant=minbase --arch="$ARCH" \
    --include=systemd,systemd-sysv,udev,dbus,openssh-server,iproute2,kmod,procps,busybox \
    bookworm "$ROOTFS" "$MIRROR" > "$ROOTFS.debootstrap.log" 2>&1 \
    || { tail -n 30 "$ROOTFS.debootstrap.log" >&2; exit 1; }
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
    "$MIRROR" "$MIRROR" "$SECURITY_MIRROR" > "$ROOTFS/etc/apt/sources.list"
  touch "$ROOTFS/.stage1-done"
fi

mount -t proc proc "$ROOTFS/proc"
mount -t sysfs sys "$ROOTFS/sys"
mount --bind /dev "$ROOTFS/dev"
mount --bind /dev/pts "$ROOTFS/dev/pts"

# ---- stage 2: kernel + dracut (cached) -----------------------------------------------------------
if [ ! -e "$ROOTFS/.stage2-done" ]; then
  log "installing $KERNEL_PACKAGE + dracut"
  printf '#!/bin/sh\nexit 101\n' > "$ROOTFS/usr/sbin/policy-rc.d"; chmod +x "$ROOTFS/usr/sbin/policy-rc.d"
  in_chroot apt-get update -q > "$ROOTFS.apt.log" 2>&1
  # INITRD=No: skip the postinst dracut runs; the bootc initramfs is made once in stage 3
  INITRD=No in_chroot apt-get install -y -q --no-install-recommends dracut dracut-core zstd "$KERNEL_PACKAGE" \
    >> "$ROOTFS.apt.log" 2>&1 || { tail -n 30 "$ROOTFS.apt.log" >&2; exit 1; }
  rm -f "$ROOTFS/usr/sbin/policy-rc.d"
  touch "$ROOTFS/.stage2-done"
fi

# ---- stage 3: bootc layout and configuration (cheap, always) --------------------------------------
kver=$(ls "$ROOTFS/usr/lib/modules" | sort -V | tail -n 1)
moddir=$ROOTFS/usr/lib/modules/$kver
log "kernel $kver"
if [ -e "$ROOTFS/boot/vmlinuz-$kver" ]; then mv -f "$ROOTFS/boot/vmlinuz-$kver" "$moddir/vmlinuz"; fi

mkdir -p "$ROOTFS/etc/dracut.conf.d"
cat > "$ROOTFS/etc/dracut.conf.d/10-bootc-virtiofs.conf" <<'CONF'
# generic initramfs that mounts a virtiofs root under systemd (rootfstype=virtiofs root=<tag>)
hostonly="no"
add_dracutmodules+=" systemd virtiofs "
add_drivers+=" virtiofs virtio_pci virtio_blk virtio_console virtio_net overlay qemu_fw_cfg "
omit_dracutmodules+=" plymouth crypt dm lvm mdraid multipath nvdimm lunmask resume btrfs "
compress="zstd"
CONF
conf_hash=$(sha256sum "$ROOTFS/etc/dracut.conf.d/10-bootc-virtiofs.conf" | cut -c1-16)
if [ ! -s "$moddir/initramfs.img" ] || [ "$(cat "$moddir/.initramfs-conf" 2>/dev/null)" != "$conf_hash" ]; then
  log "dracut -> /usr/lib/modules/$kver/initramfs.img"
  in_chroot dracut --force --quiet --no-hostonly --kver "$kver" "/usr/lib/modules/$kver/initramfs.img"
  echo "$conf_hash" > "$moddir/.initramfs-conf"
fi
rm -f "$ROOTFS"/boot/initrd.img-* "$ROOTFS"/boot/System.map-* "$ROOTFS"/vmlinuz* "$ROOTFS"/initrd.img*

# every boot is a first boot: no machine-id, no host keys, locked root password
: > "$ROOTFS/etc/machine-id"
rm -f "$ROOTFS/var/lib/dbus/machine-id" "$ROOTFS"/etc/ssh/ssh_host_*
echo bootc-sample > "$ROOTFS/etc/hostname"
in_chroot passwd -l root >/dev/null
: > "$ROOTFS/etc/fstab"

# sshd needs a host key; without one injected (bootc-ephemeral -K injects one), make one per boot
mkdir -p "$ROOTFS/etc/systemd/system/ssh.service.d"
cat > "$ROOTFS/etc/systemd/system/ssh-hostkey.service" <<'UNIT'
[Unit]
Description=Generate an SSH host key for this boot
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key
UNIT
cat > "$ROOTFS/etc/systemd/system/ssh.service.d/10-hostkey.conf" <<'UNIT'
[Unit]
Wants=ssh-hostkey.service
After=ssh-hostkey.service
UNIT
echo 'HostKey /etc/ssh/ssh_host_ed25519_key' > "$ROOTFS/etc/ssh/sshd_config.d/10-hostkey.conf"

# network: DHCP on every ethernet NIC (QEMU user-mode networking)
mkdir -p "$ROOTFS/etc/systemd/network"
cat > "$ROOTFS/etc/systemd/network/80-dhcp.network" <<'NET'
[Match]
Type=ether

[Network]
DHCP=yes
NET
in_chroot systemctl enable systemd-networkd.service >/dev/null 2>&1
in_chroot systemctl disable systemd-networkd-wait-online.service >/dev/null 2>&1 || true

in_chroot apt-get clean
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* \
       "$ROOTFS"/usr/share/info/* "$ROOTFS"/var/log/*.log "$ROOTFS"/var/cache/debconf/*-old
unmount_chroot
trap - EXIT

log "podman import -> $IMAGE"
old_id=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
tar -C "$ROOTFS" --exclude=./.stage1-done --exclude=./.stage2-done --numeric-owner --xattrs -c . \
  | podman import \
      --arch "$ARCH" \
      --change 'CMD ["/sbin/init"]' \
      --change 'LABEL containers.bootc=1' \
      --change 'LABEL ostree.bootable=1' \
      --change "LABEL io.bootc-ephemeral.sample-recipe=$recipe_hash" \
      --change "LABEL org.opencontainers.image.title=\"bootc-ephemeral sample (Debian 12, $ARCH)\"" \
      - "$IMAGE" > /dev/null
new_id=$(podman image inspect --format '{{.Id}}' "$IMAGE")
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then podman rmi "$old_id" >/dev/null 2>&1 || true; fi
log "done: $IMAGE ($(podman image inspect --format '{{.Size}}' "$IMAGE") bytes)"
