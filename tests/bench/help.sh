#!/bin/bash
# Wall time of `slirp4j --help`, which podman runs before every container and rootlesskit twice per start:
# median, min and max of RUNS runs, each timed with bash's $EPOCHREALTIME (no fork of its own), stdout discarded.
# Usage: tests/bench/help.sh [RUNS] [HELPER] [ARG...]   (HELPER defaults to the built distribution, ARG to --help)
set -euo pipefail
runs=${1:-50}
here=$(cd "$(dirname "$0")" && pwd)
helper=${2:-$here/../../src/target/slirp4j/bin/slirp4j}
shift $(($# < 2 ? $# : 2))
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--help)
"$helper" "${args[@]}" >/dev/null # one untimed run: page cache, and a failing command stops here (set -e)
times=()
for _ in $(seq "$runs"); do
    start=$EPOCHREALTIME
    "$helper" "${args[@]}" >/dev/null
    end=$EPOCHREALTIME
    times+=($((10#${end/[.,]/} - 10#${start/[.,]/}))) # microseconds
done
printf '%s\n' "${times[@]}" | sort -n | awk -v what="$helper ${args[*]}" '
    { t[NR] = $1 }
    END {
        median = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
        printf "%s: median %.2f ms, min %.2f ms, max %.2f ms (%d runs)\n", what, median / 1000, t[1] / 1000, t[NR] / 1000, NR
    }'
