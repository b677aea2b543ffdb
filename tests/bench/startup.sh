#!/bin/bash
# Measures slirp4j's time from launch to the ready byte (-r) and its idle RSS, in private namespaces.
# Usage: tests/bench/startup.sh [RUNS] [HELPER]   (root; HELPER defaults to the built distribution)
# Set ROOTLESS=1 to run the helper as uid 65534 against a target in its own user namespace; API=1 adds
# --api-socket (the ready byte then also waits for the API socket to listen).
set -euo pipefail
runs=${1:-10}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/netns.sh"
helper=${2:-$here/../../src/target/slirp4j/bin/slirp4j}
work=$(mktemp -d); chmod 755 "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
as_user=()
if [ "${ROOTLESS:-0}" = 1 ]; then
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    # a copy would lose the class-data archive (it records the jars' paths): copy only if uid 65534 cannot read it
    if ! "${as_user[@]}" test -r "$helper"; then
        cp -r "$(dirname "$(dirname "$(readlink -f "$helper")")")" "$work/dist"; chmod -R a+rX "$work/dist"
        helper=$work/dist/bin/slirp4j
        echo "note: running a copy of the distribution, without its class-data archive"
    fi
    chmod 666 /dev/net/tun
fi
unshare --net --mount --propagation private sleep infinity & host=$!; pids+=($host)
wait_own_netns "$host"
nsenter -t "$host" -n ip link set lo up
times=()
for i in $(seq "$runs"); do
    "${as_user[@]}" unshare ${ROOTLESS:+--user --map-root-user} --net sleep infinity & guest=$!; pids+=($guest)
    wait_own_netns "$guest"
    mkfifo "$work/ready$i"; chmod 666 "$work/ready$i"
    start=$(date +%s%N)
    api=""; [ "${API:-0}" = 1 ] && api="--api-socket $work/api$i.sock"
    nsenter -t "$host" -n -m -- "${as_user[@]}" bash -c "exec 3>'$work/ready$i'; exec '$helper' $api -c -r 3 $guest tap0" \
        2>"$work/log$i" & h=$!
    byte=$(head -c 1 "$work/ready$i")
    end=$(date +%s%N)
    [ "$byte" = 1 ] || { echo "run $i: no ready byte"; cat "$work/log$i"; exit 1; }
    times+=($(( (end - start) / 1000000 )))
    if [ "$i" = "$runs" ]; then
        sleep 3
        jpid=$(pgrep -f "slirp4j.jar.* -c -r 3 $guest" | head -1)
        echo "idle RSS after 3 s: $(awk '/VmRSS/ {print $2, $3}' /proc/$jpid/status)"
    fi
    pkill -f "slirp4j.jar.* -c -r 3 $guest" || true
    wait "$h" 2>/dev/null || true
    kill "$guest"
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "launch to ready byte (ms): ${times[*]}"
echo "median: ${sorted[$(( runs / 2 ))]} ms over $runs runs"
