#!/bin/bash
# The main job: boot the sample image as an ephemeral VM and show it working, then do the same for
# an image built from resources/sample/Containerfile (what "Boot as ephemeral VM" does in VS Code).
set -euo pipefail
cd "$(dirname "$0")/.."
cli() { node dist/cli.js "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Host check"
cli doctor || true

step "Boot localhost/bootc-sample:latest with this folder bound in, run a few commands over SSH, remove it"
start=$SECONDS
cli run-ssh --name bootc-ephemeral-demo --bind "$PWD:repo" localhost/bootc-sample:latest -- sh -c '
  echo "kernel:   $(uname -r)"
  echo "os:       $(. /etc/os-release; echo "$PRETTY_NAME")"
  echo "root:     $(findmnt -n -o FSTYPE,OPTIONS / | cut -c1-60)..."
  echo "vCPUs:    $(nproc), memory: $(free -m | awk "/Mem:/ {print \$2}") MiB"
  echo "bound in: /run/virtiofs-mnt-repo has $(ls /run/virtiofs-mnt-repo | wc -l) entries, e.g. $(ls /run/virtiofs-mnt-repo | head -3 | tr "\n" " ")"
  echo "systemd:  $(systemctl is-system-running)"'
echo "(boot + SSH + commands + removal: $((SECONDS - start)) s)"

step "Build resources/sample/Containerfile (FROM the sample image + a unit), boot it, check the unit ran"
podman build -q -t localhost/bootc-sample-derived:latest -f resources/sample/Containerfile resources/sample >/dev/null
cli run-ssh --name bootc-ephemeral-demo-derived localhost/bootc-sample-derived:latest -- sh -c 'cat /etc/motd; systemctl status --no-pager hello-bootc.service | head -3; journalctl -b -u hello-bootc.service -o cat --no-pager | grep "hello-bootc:"'

step "Nothing left behind"
cli ps
