# bootc-ephemeral log cap. POSIX sh, run by the HOST's shell inside the VM container (like the
# supervisor: nothing of the image). It copies what the guest writes into a FIFO (QEMU's end) to files
# of bounded size, so that no guest can fill the host's disk. Every path and size comes from the
# engine's plan; this only copies, counts and deletes.
#
# usage: log-cap.sh CONF FIFO FILE HEAD SEGMENT PREFIX LAG DROPPED
#   CONF     lines "head <argv>", "rm <argv>", "cat <argv>" (the host's tools through its loader; no spaces)
#   FILE     gets the first HEAD bytes (the boot: always kept)
#   PREFIX.N then segments of SEGMENT bytes, N = 1, 2, ...; once segment N holds data, segment N-LAG
#            is deleted (LAG 2: the last two segments are kept; LAG 0: nothing after the head is kept)
#   DROPPED  the number of bytes dropped so far, rewritten each time a segment is deleted
# At the FIFO's end (QEMU exited) it exits 0. If a write fails (the host's disk is full), it reads on
# and drops the rest: QEMU must never find its output blocked or broken.
set -u
umask 077
conf=$1 fifo=$2 file=$3 head_bytes=$4 segment=$5 prefix=$6 lag=$7 dropped_file=$8
head_argv= rm_argv= cat_argv=
while IFS= read -r line || [ -n "$line" ]; do
  case ${line%% *} in
    head) head_argv=${line#* } ;;
    rm) rm_argv=${line#* } ;;
    cat) cat_argv=${line#* } ;;
  esac
done < "$conf"

# a restarted VM's writer starts its files anew: the last run's segments and count are not this run's
# shellcheck disable=SC2086
$rm_argv -f -- "$dropped_file" "$prefix".[1-9]*
exec < "$fifo"
drain() { # the disk is full or gone: keep QEMU's writes flowing, keep nothing
  echo "bootc-ephemeral: writing $1 failed: the rest of this output is dropped" >&2
  # shellcheck disable=SC2086
  exec $cat_argv > /dev/null
}
# shellcheck disable=SC2086
$head_argv -c "$head_bytes" > "$file" || drain "$file"
n=1
dropped=0
while :; do
  seg=$prefix.$n
  # shellcheck disable=SC2086
  $head_argv -c "$segment" > "$seg" || drain "$seg"
  if [ ! -s "$seg" ]; then
    # shellcheck disable=SC2086
    $rm_argv -f -- "$seg"
    exit 0
  fi
  old=$((n - lag))
  if [ "$old" -ge 1 ]; then
    # shellcheck disable=SC2086
    $rm_argv -f -- "$prefix.$old"
    dropped=$((dropped + segment))
    echo "$dropped" > "$dropped_file" || drain "$dropped_file"
  fi
  n=$((n + 1))
done
