#!/bin/bash
# Benchmark (not a test: it never fails on speed): TCP throughput through the helper, and the helper's CPU cost,
# for slirp4j and slirp4netns at MTU 1500 and 65520, guest->host (upload) and host->guest (download, iperf3 -R).
# Everything stays on this machine: the helper runs in a private "host" namespace whose only interface is lo,
# and iperf3's server listens on that namespace's 127.0.0.1 (the guest reaches it as 10.0.2.2).
# Usage: tests/bench/throughput.sh [SECONDS]     (root; SECONDS per iperf3 run, default 10)
# Environment: HELPERS="slirp4j slirp4netns", MTUS="1500 65520", SLIRP4J=path/to/bin/slirp4j,
#              SLIRP4NETNS=path/to/slirp4netns, WARMUP=3 (unmeasured seconds per direction first; 0: none),
#              KEEP_LOGS=1 (keep the work directory and print its path).
set -euo pipefail
secs=${1:-${T:-10}}
here=$(cd "$(dirname "$0")" && pwd)
slirp4j=${SLIRP4J:-$here/../../src/target/slirp4j/bin/slirp4j}
slirp4netns=${SLIRP4NETNS:-$(command -v slirp4netns || true)}
helpers=${HELPERS:-slirp4j slirp4netns}
mtus=${MTUS:-1500 65520}
warmup=${WARMUP:-3}
for tool in unshare nsenter ip ss iperf3 jq awk timeout; do
    command -v "$tool" >/dev/null || { echo "throughput: $tool is missing (apt-get install iproute2 iperf3 jq)"; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "throughput: needs root (it creates network namespaces)"; exit 1; }

work=$(mktemp -d)
pids=()          # every long-lived process we started, killed by PID on exit (never by name)
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    # the JVM may take a moment on SIGTERM; do not leave it behind
    sleep 0.3
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ "${KEEP_LOGS:-0}" = 1 ]; then echo "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hz=$(getconf CLK_TCK)
# utime+stime of the whole process (all threads: the JVM's GC/JIT/Netty threads count too), in seconds.
# Fields are counted after the last ')' because comm may contain spaces.
cpu_seconds() {
    awk -v hz="$hz" '{ s = $0; sub(/.*\) /, "", s); split(s, f, " "); printf "%.2f", (f[12] + f[13]) / hz }' \
        "/proc/$1/stat"
}

stop() {   # stop one of our processes, escalating, bounded
    local p=$1
    kill "$p" 2>/dev/null || return 0
    for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
    # forget it, so the exit trap cannot signal a recycled PID
    local keep=() q; for q in "${pids[@]}"; do [ "$q" = "$p" ] || keep+=("$q"); done; pids=("${keep[@]}")
}

echo "# nproc=$(nproc)  load(1/5/15 min)=$(cut -d' ' -f1-3 /proc/loadavg)  kernel=$(uname -r)  run=${secs}s  warmup=${warmup}s"
echo "# $(iperf3 --version | head -1); $("$slirp4netns" --version 2>/dev/null | head -1); java: $(java -version 2>&1 | head -1)"
rows=()
notes=()

for helper in $helpers; do
    case $helper in
        slirp4j) bin=$slirp4j ;;
        slirp4netns) bin=$slirp4netns ;;
        *) echo "throughput: unknown helper $helper"; exit 1 ;;
    esac
    if [ ! -x "$bin" ]; then notes+=("$helper: $bin not found/executable, skipped"); continue; fi
    for mtu in $mtus; do
        tag=$helper-$mtu
        # fresh namespaces per configuration, so one configuration's leftovers cannot skew the next
        unshare --net sleep infinity & host=$!; pids+=($host)
        unshare --net sleep infinity & guest=$!; pids+=($guest)
        sleep 0.2
        nsenter -t "$host" -n ip link set lo up

        mkfifo "$work/ready-$tag"
        # nsenter (no --fork) and bash exec in place, and slirp4j's launcher execs java, so $! is the helper's PID
        # (the JVM, or slirp4netns itself) -- the process whose /proc/PID/stat we read.
        nsenter -t "$host" -n -- bash -c "exec 3>'$work/ready-$tag'; exec '$bin' -c --mtu=$mtu -r 3 $guest tap0" \
            >"$work/helper-$tag.out" 2>"$work/helper-$tag.err" & hpid=$!; pids+=($hpid)
        byte=$(timeout 30 head -c 1 "$work/ready-$tag" || true)
        if [ "$byte" != 1 ]; then
            notes+=("$helper mtu $mtu: no ready byte within 30 s; stderr: $(tail -c 600 "$work/helper-$tag.err" | tr '\n' ' ')")
            stop "$hpid"; stop "$guest"; stop "$host"; continue
        fi
        echo "# $tag ready: pid $hpid ($(cat /proc/$hpid/comm)), guest $(nsenter -t "$guest" -n ip -o link show tap0 | grep -o 'mtu [0-9]*')"

        # Optional unmeasured warm-up runs (both directions) first: the JVM's first seconds are spent in the
        # interpreter and JIT, which would otherwise be charged to whichever measured run comes first.
        runs="up down"; [ "$warmup" -gt 0 ] && runs="warmup-up warmup-down $runs"
        for dir in $runs; do
            t=$secs; [ "${dir#warmup-}" != "$dir" ] && t=$warmup
            # iperf3 accepts --rcv-timeout on the client only when it is the receiver
            rflag=(); [ "${dir#warmup-}" = down ] && rflag=(-R --rcv-timeout 15000)
            # a one-off server per run: a server left half-way through a failed test would refuse the next one
            nsenter -t "$host" -n iperf3 -s -1 -B 127.0.0.1 --rcv-timeout 15000 \
                >"$work/server-$tag-$dir.log" 2>&1 & spid=$!; pids+=($spid)
            for _ in $(seq 50); do nsenter -t "$host" -n ss -Hltn 'sport = 5201' | grep -q . && break; sleep 0.1; done
            if ! kill -0 "$hpid" 2>/dev/null; then
                notes+=("$helper mtu $mtu $dir: helper exited before the run; stderr: $(tail -c 600 "$work/helper-$tag.err" | tr '\n' ' ')")
                stop "$spid"; continue
            fi
            cpu0=$(cpu_seconds "$hpid")
            # hard bound: iperf3 itself gives up on a stalled connection only after long timeouts
            rc=0
            nsenter -t "$guest" -n timeout -k 5 $((t + 30)) \
                iperf3 -c 10.0.2.2 -t "$t" -J --connect-timeout 5000 "${rflag[@]}" \
                >"$work/client-$tag-$dir.json" 2>"$work/client-$tag-$dir.err" || rc=$?
            if kill -0 "$hpid" 2>/dev/null; then cpu1=$(cpu_seconds "$hpid"); else cpu1=; fi
            stop "$spid"
            bps=$(jq -r '.end.sum_received.bits_per_second // empty' "$work/client-$tag-$dir.json" 2>/dev/null || true)
            bytes=$(jq -r '.end.sum_received.bytes // empty' "$work/client-$tag-$dir.json" 2>/dev/null || true)
            if [ "$rc" != 0 ] || [ -z "$bps" ] || [ -z "$cpu1" ]; then
                err=$(jq -r '.error // empty' "$work/client-$tag-$dir.json" 2>/dev/null || true)
                # per-second receiver/sender progress helps tell a stall from a slow start
                ivals=$(jq -r '[.intervals[]?.sum.bytes] | map(tostring) | join(",")' \
                    "$work/client-$tag-$dir.json" 2>/dev/null || true)
                notes+=("$helper mtu $mtu $dir: iperf3 rc=$rc error='${err:-$(tail -c 300 "$work/client-$tag-$dir.err" | tr '\n' ' ')}' \
interval bytes=[${ivals}] helper alive=$([ -n "$cpu1" ] && echo yes || echo no); \
helper stderr: $(tail -c 800 "$work/helper-$tag.err" | tr '\n' ' ')")
                rows+=("$helper $mtu $dir FAILED -")
                if [ -z "$cpu1" ]; then break; fi
                continue
            fi
            # per-second receiver rates: a low minimum with a good mean means stalls, not a slow path
            span=$(jq -r '[.intervals[].sum.bits_per_second / 1e9] | "\(min * 100 | floor / 100)..\(max * 100 | floor / 100)"' \
                "$work/client-$tag-$dir.json")
            cpu=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')
            [ "${dir#warmup-}" = "$dir" ] && rows+=("$(awk -v h="$helper" -v m="$mtu" -v d="$dir" -v bps="$bps" -v by="$bytes" -v c="$cpu" \
                'BEGIN { printf "%s %s %s %.2f %.2f %.2f %.2f", h, m, d, bps / 1e9, c / (by / 1e9), c, by / 1e9 }')")
            retr=$(jq -r '.end.sum_sent.retransmits // "-"' "$work/client-$tag-$dir.json")
            echo "# $tag $dir: $(awk -v b="$bps" 'BEGIN { printf "%.2f", b / 1e9 }') Gbit/s, helper CPU ${cpu}s, per-second $span, sender retransmits $retr"
        done
        stop "$hpid"; stop "$guest"; stop "$host"
        # surface anything beyond the helpers' usual start-up chatter (warnings, exceptions)
        odd=$(grep -viE 'ready|tapfd|configured' "$work/helper-$tag.err" | tail -c 400 | tr '\n' ' ' || true)
        [ -z "$odd" ] || notes+=("$helper mtu $mtu: helper stderr: $odd")
    done
done

echo
echo "# direction: up = guest sends to host (iperf3 -c), down = host sends to guest (iperf3 -c -R)"
echo "# Gbit/s = receiver's bits_per_second; CPU s/GB = helper utime+stime per 10^9 bytes received"
printf '%-12s %6s %5s %9s %10s %8s %8s\n' helper MTU dir Gbit/s "CPU s/GB" "CPU s" GB
for r in "${rows[@]}"; do
    # shellcheck disable=SC2086
    printf '%-12s %6s %5s %9s %10s %8s %8s\n' $r
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${notes[@]}"; do echo "note: $n"; done
