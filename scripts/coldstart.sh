#!/usr/bin/env bash
# coldstart.sh BINARY [RUNS] — cold start of SAMO's window: the time from
# starting BINARY under a fresh Xvfb to its window being mapped (visible),
# on a journal of 200 entries; prints each run and the median, in ms.
set -euo pipefail
bin=$(realpath "$1"); runs=${2:-5}
home=$(mktemp -d); fifo=$home/display
mkfifo "$fifo"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$fifo" >/dev/null 2>&1 & xpid=$!
trap 'rm -rf "$home"; kill $xpid 2>/dev/null || true' EXIT
read -r n <"$fifo"; export DISPLAY=":$n" LANG=en_US.UTF-8
for i in $(seq 200); do echo "Entry $i: a walk by the river, and a quiet joy."; done | while read -r line; do "$bin" --home "$home" add "$line" >/dev/null 2>&1; done
times=()
for r in $(seq "$runs"); do
  start=$(date +%s%N)
  "$bin" --home "$home" >/dev/null 2>&1 & pid=$!
  until xdotool search --onlyvisible --name '^SAMO$' >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "samo exited before its window showed" >&2; exit 1; }
    sleep 0.01
  done
  end=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  ms=$(( (end - start) / 1000000 )); times+=("$ms"); echo "run $r: $ms ms"
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "median: " a[int((NR+1)/2)] " ms"}'
