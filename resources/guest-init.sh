#!/bin/sh
# bootc-ephemeral's guest init (the kernel's rdinit=), run in the VM by the image initramfs's own shell.
# It does what the image's initramfs would do for this boot and nothing else: load the virtio, virtiofs
# and overlay modules, mount the image root (virtiofs, read-only) under a tmpfs overlay as
# systemd.volatile=overlay does, apply our guest configuration, and switch to the image's /sbin/init.
# It needs no more than a POSIX shell, mount, modprobe, mkdir, ln, readlink and cp or cat (dracut with
# or without systemd, initramfs-tools with busybox or klibc), and the image's own switch_root.
# That skips the initramfs's own start-up (its systemd, udev, dracut hooks: seconds under TCG).
# Anything missing or failing: undo what was done here, then the image's own /init (the usual path).
# In the engine's own initramfs (@OWN_INITRAMFS@ = 1: a static busybox, the image's few modules; no
# initramfs of the image's to fall back to) it says why it gave up on the console, and waits.
# @ROOT_TAG@, @PAYLOAD_DIR@, @TIMES@, @SSH_NIC_MAC@, @SSH_ADDRESS_UNIT@, @UDEV_PORT_WAIT@, @OWN_INITRAMFS@
# and @GAVE_UP@ are filled in by the engine.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
overlay=/run/systemd/overlay-sysroot
root=/sysroot
mounted=
failed=
own_initramfs=@OWN_INITRAMFS@
say() { echo "<6>bootc-ephemeral-init: $*" > /dev/kmsg 2>/dev/null; }
# runs a command; on failure remembers why. $1: where it mounts (undone on fallback), or ''
step() {
  where=$1
  shift
  if "$@"; then
    [ -z "$where" ] || mounted="$where $mounted"
  else
    failed="$* failed (exit $?)"
    return 1
  fi
}

boot_fast() {
  # initramfs-tools' image has none of these until its own init makes them
  step '' mkdir -p /dev /proc /sys /run /sysroot || return
  step /dev mount -t devtmpfs -o mode=0755,nosuid devtmpfs /dev || return
  say "mounting the image root (virtiofs), then starting the image's init"
  step /proc mount -t proc -o nosuid,nodev,noexec proc /proc || return
  read -r started _ < /proc/uptime
  init_of_cmdline
  step /sys mount -t sysfs -o nosuid,nodev,noexec sysfs /sys || return
  step /run mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run || return
  step '' modprobe -a virtio_pci virtiofs overlay || return
  # the NIC's driver now rather than when udev gets to it (seconds later under TCG): it names the NIC
  # sooner, and early SSH's address waits for that; an initramfs without the module leaves it to udev
  modprobe virtio_net 2>/dev/null || :
  # the same for the virtio-serial ports (the journal's stream to the host), whose names udev would link
  modprobe virtio_console 2>/dev/null || :
  # the device can appear a moment after its driver loads
  tries=0
  until mount -t virtiofs -o ro @ROOT_TAG@ /sysroot 2>/dev/null; do
    tries=$((tries + 1))
    [ $tries -lt 50 ] || { failed="mounting the virtiofs root @ROOT_TAG@ failed"; return 1; }
    sleep 0.1
  done
  mounted="/sysroot $mounted"
  step '' mkdir -p $overlay || return
  step $overlay mount -t tmpfs -o mode=0755 tmpfs $overlay || return
  step '' mkdir $overlay/upper $overlay/work || return
  step /sysroot mount -t overlay -o lowerdir=/sysroot,upperdir=$overlay/upper,workdir=$overlay/work overlay /sysroot || return
  # our units, the pinned host key, /etc files: mkdir, ln and cp or cat only (plan/guestSetup.ts)
  step '' /bin/sh -e /@PAYLOAD_DIR@/setup.sh || return
  ssh_nic_address
  virtio_port_links
  # what switch_root moves there (our units live in /run), and the init it starts, must exist
  step '' test -d /sysroot/dev -a -d /sysroot/proc -a -d /sysroot/sys -a -d /sysroot/run || return
  step '' image_has "$init" || return
  # busybox's in our own initramfs (the image's needs libraries it does not have)
  if [ -n "$own_initramfs" ]; then switch_root=/bin/switch_root; return; fi
  # the image's own switch_root (util-linux), run with this initramfs's libraries: see that it runs
  switch_root=/sysroot/usr/sbin/switch_root
  [ -x $switch_root ] || switch_root=/sysroot/sbin/switch_root
  step '' $switch_root -V > /dev/null 2>&1 || return
}

# SSH's own NIC (plan/earlySsh.ts), found by its MAC: its address unit starts with systemd instead of
# waiting for udev to see the NIC (seconds under TCG); not found, the unit's udev rule starts it later
ssh_nic_address() {
  [ -n "@SSH_NIC_MAC@" ] || return 0
  for nic in /sys/class/net/*; do
    mac=
    read -r mac < "$nic/address" 2>/dev/null
    [ "$mac" = "@SSH_NIC_MAC@" ] || continue
    nic=${nic##*/}
    # the kernel's name becomes a unit instance: plain names only
    case $nic in '' | *[!a-z0-9]*) return 0 ;; esac
    ln -s "../@SSH_ADDRESS_UNIT@.service" "/run/systemd/system/sockets.target.wants/@SSH_ADDRESS_UNIT@$nic.service" 2>/dev/null
    return 0
  done
}

# /dev/virtio-ports/NAME for each named virtio-serial port, as udev's rule makes it (udev comes seconds
# later under TCG, and the journal's stream to the host waits for the link); a unit that would wait for
# udev's link of a port linked here (its drop-in, plan/executeUnits.ts) need not
virtio_port_links() {
  for port in /sys/class/virtio-ports/vport*; do
    name=
    read -r name < "$port/name" 2>/dev/null
    case $name in '' | .* | *[!a-zA-Z0-9._-]*) continue ;; esac
    { [ -d /dev/virtio-ports ] || mkdir /dev/virtio-ports; } && ln -s "../${port##*/}" "/dev/virtio-ports/$name" 2>/dev/null || continue
    # (the shell's own glob and test: no process for a port no unit waits for)
    for wait in /run/systemd/system/*.d/@UDEV_PORT_WAIT@"$name".conf; do
      [ ! -e "$wait" ] || rm -f "$wait"
    done
  done
  return 0
}

# true if the path resolves, inside the image at $root (an absolute link means the image's root), to an
# executable file
image_has() {
  p=$1 hops=0
  while [ -L "$root$p" ] && [ $hops -lt 16 ]; do
    target=$(readlink "$root$p") || return 1
    case $target in /*) p=$target ;; *) p=${p%/*}/$target ;; esac
    hops=$((hops + 1))
  done
  [ -f "$root$p" ] && [ -x "$root$p" ]
}

# the init the image's own initramfs would start: init= on the kernel command line, else /sbin/init
init_of_cmdline() {
  init=/sbin/init
  set -f
  read -r cmdline < /proc/cmdline
  for arg in $cmdline; do case $arg in init=/*) init=${arg#init=} ;; esac; done
  set +f
}

# in our own initramfs there is nothing to fall back to: say why (a critical message, shown even with
# quiet; the boot watch reports it and stops the VM), and wait
give_up() {
  kmsg=/dev/kmsg
  [ -c $kmsg ] || kmsg=/sysroot/dev/kmsg
  echo "<2>bootc-ephemeral-init: $failed; @GAVE_UP@ (--karg rdinit=/init boots the image's own)" > $kmsg
  while :; do sleep 3600; done
}

if boot_fast; then
  say "switching to the image root"
  # where this boot's time went (systemd-analyze sees no initrd): seconds since the kernel started
  read -r switched _ < /proc/uptime
  times=@TIMES@
  # whose initramfs: ours (engine) or the image's
  initramfs=image
  [ -z "$own_initramfs" ] || initramfs=engine
  mkdir -p -m 0700 "${times%/*}" && printf 'started %s\nswitched %s\ninitramfs %s\n' "$started" "$switched" "$initramfs" > "$times"
  # busybox's switch_root moves no mounts (util-linux's moves these): our units and the overlay's upper
  # layer live in /run
  if [ -n "$own_initramfs" ]; then
    for m in /dev /proc /sys /run; do
      mount -o move $m /sysroot$m || { failed="mount -o move $m /sysroot$m failed"; give_up; }
    done
  fi
  exec $switch_root /sysroot "$init" "$@"
fi
[ -z "$own_initramfs" ] || give_up
say "$failed: starting the image's own initramfs instead"
for m in $mounted; do umount "$m"; done
exec /init "$@"
