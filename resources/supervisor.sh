# bootc-ephemeral in-container supervisor. POSIX sh, run by the HOST's shell through the host's
# dynamic loader: it needs nothing from the image. Every decision (argv, env, files) was made by the
# engine in TypeScript; this only starts the processes a plan lists, waits, and reports.
#
# usage: supervisor.sh PLAN_DIR
#   PLAN_DIR/supervisor.conf   "sleep <argv...>" helper and "debug 1"
#   PLAN_DIR/*.proc            one process each, in name order; lines "KEY VALUE" (no value holds a
#                              newline: the engine refuses them):
#     arg V (argv, in order) | env K=V | log FILE (stdout+stderr) | socket PATH (wait for it)
#     once 1 (run to completion before the next; failure ends the container) | out FILE (stdout)
#     main 1 (the VM: its exit ends the container) | status FILE (guest exit status, systemctl show)
#     what TEXT (how to name it when it dies; a helper that dies ends the VM, exit 72)
#     drain 1 (reads the VM's output: once the VM ended it gets a few seconds to read it to its end)
set -u
umask 077
plan=$1
sleep_argv=
pids=
helpers=
drainers=
main_pid=
status_file=
say() { echo "bootc-ephemeral: $*" >&2; }

while IFS= read -r line || [ -n "$line" ]; do
  case ${line%% *} in
    sleep) sleep_argv=${line#* } ;;
    debug) set -x ;;
  esac
done < "$plan/supervisor.conf"

nap() { # sleep_argv holds loader + sleep paths (no spaces by construction)
  # shellcheck disable=SC2086
  $sleep_argv 0.05
}

stop_all() {
  for p in $main_pid $pids; do kill -TERM "$p" 2>/dev/null; done
}
stopping=
# podman stop / rm -f (TERM), Ctrl-C, hang-up: stop everything; helpers ending now are no fault, and
# what fails because of the stop is the stop's (128 + the signal), so a stop never reads as a failure
trap 'stopping=143; stop_all' TERM
trap 'stopping=130; stop_all' INT
trap 'stopping=129; stop_all' HUP

exec_proc() { # $1: a .proc file; execs its argv (call in a subshell)
  file=$1
  set --
  while IFS= read -r line || [ -n "$line" ]; do
    case ${line%% *} in
      arg) set -- "$@" "${line#arg }" ;;
      env) export "${line#env }" ;;
    esac
  done < "$file"
  if [ -n "$out" ]; then exec "$@" > "$out"; elif [ -n "$log" ]; then exec "$@" >> "$log" 2>&1; else exec "$@"; fi
}

start() { # $1: a .proc file; runs it to completion (once) or starts it in the background
  proc=$1 socket= main=0 log= once=0 out= drain=0
  while IFS= read -r line || [ -n "$line" ]; do
    case ${line%% *} in
      socket) socket=${line#* } ;;
      drain) drain=1 ;;
      main) main=1 ;;
      once) once=1 ;;
      out) out=${line#* } ;;
      status) status_file=${line#* } ;;
      log) log=${line#* } ;;
    esac
  done < "$proc"
  if [ "$once" = 1 ]; then
    ( exec_proc "$proc" ) || { rc=$?; [ -n "$stopping" ] && exit "$stopping"; say "$(basename_of "$proc") failed (exit $rc)"; stop_all; exit 71; }
    return 0
  fi
  ( exec_proc "$proc" ) &
  pid=$!
  if [ "$main" = 1 ]; then main_pid=$pid; else pids="$pids $pid" helpers="$helpers $pid:$(basename_of "$proc")"; fi
  if [ "$drain" = 1 ]; then drainers="$drainers $pid"; fi
  if [ -n "$socket" ]; then
    n=0
    while [ ! -S "$socket" ]; do
      if ! kill -0 "$pid" 2>/dev/null; then
        [ -n "$stopping" ] && exit "$stopping"
        say "$(basename_of "$proc") exited during start-up; its log: ${log:-container log}"
        [ -n "$log" ] && tail_of "$log"
        stop_all; exit 71
      fi
      n=$((n + 1))
      if [ $n -gt 600 ]; then say "timed out waiting for $socket"; stop_all; exit 71; fi
      nap
    done
  fi
}

basename_of() { b=${1##*/}; echo "${b%.proc}"; }
what_of() { # $1: a proc name; its "what" line, else the name
  w=$1
  while IFS= read -r line || [ -n "$line" ]; do case ${line%% *} in what) w=${line#* } ;; esac; done < "$plan/$1.proc"
  echo "$w"
}
tail_of() { while IFS= read -r l; do echo "  $l" >&2; done < "$1"; }

for f in "$plan"/*.proc; do start "$f"; done
[ -n "$main_pid" ] || { say "the plan has no main process"; stop_all; exit 70; }

# Until the VM ends. A helper (virtiofsd) that fails ends it too, with the reason: the guest would hang
# on its file system otherwise. One that exits 0 was let go by the guest (it powers off): not a fault.
# dash's wait returns at once on SIGCHLD; other shells at the tick.
helper_died=
trap ': a child exited' CHLD
while [ -z "$helper_died" ] && kill -0 "$main_pid" 2>/dev/null; do
  $sleep_argv 0.5 &
  tick=$!
  wait "$tick" 2>/dev/null
  kill "$tick" 2>/dev/null
  running=
  for h in $helpers; do
    p=${h%%:*}
    if kill -0 "$p" 2>/dev/null; then running="$running $h"; continue; fi
    hrc=0; wait "$p" || hrc=$?
    [ "$hrc" = 0 ] || [ -n "$stopping" ] && continue
    if [ "$hrc" -gt 128 ]; then how="was killed by signal $((hrc - 128))"; else how="exited with status $hrc"; fi
    helper_died="$(what_of "${h#*:}") $how"
    say "$helper_died: stopping the VM"
    stop_all
    break
  done
  helpers=$running
done
trap - CHLD

rc=0
wait "$main_pid" || rc=$?
# a trapped signal interrupts wait: wait again until the VM really ended
while kill -0 "$main_pid" 2>/dev/null; do rc=0; wait "$main_pid" || rc=$?; done
# the output writers read QEMU's last words (the --execute status among them) until their FIFO ends
n=0
for p in $drainers; do
  while kill -0 "$p" 2>/dev/null && [ $n -lt 100 ]; do nap; n=$((n + 1)); done
done
for p in $pids; do kill -TERM "$p" 2>/dev/null; done
for p in $pids; do wait "$p" 2>/dev/null; done
if [ -n "$helper_died" ]; then say "the VM was stopped: $helper_died"; exit 72; fi
# stopped on request and QEMU did not end cleanly (during start-up its virtiofsd went at the same moment)
if [ -n "$stopping" ] && [ "$rc" != 0 ]; then exit "$stopping"; fi

if [ -n "$status_file" ]; then
  code= status=
  if [ -f "$status_file" ]; then
    while IFS='=' read -r k v; do
      case $k in ExecMainCode) code=$v ;; ExecMainStatus) status=$v ;; esac
    done < "$status_file"
  fi
  # the guest wrote this file: digits only, before any arithmetic
  case $status in ''|*[!0-9]*|????*) status= ;; esac
  case $code in ''|*[!0-9]*) code= ;; esac
  if [ -z "$status" ]; then say "the VM stopped before --execute reported an exit status (QEMU exit $rc)"; exit 125; fi
  # ExecMainCode: 1 exited, 2 killed, 3 dumped (siginfo CLD_*); 0: it never ran (its unit did not start)
  case $code in
    1) exit "$status" ;;
    2|3) exit $((128 + status)) ;;
  esac
  say "the --execute command did not run: its unit did not start (the guest's journal says why)"
  exit 125
fi
[ "$rc" = 0 ] || say "QEMU exited with status $rc"
exit "$rc"
