#!/bin/bash
# Benchmark (not a test: it never fails on speed): TCP throughput through the helper, and the helper's CPU cost,
# for slirp4j and slirp4netns at MTU 1500 and 65520, in two tables:
#  - outbound: iperf3 in the guest to `iperf3 -s` on the private host's 127.0.0.1 (the guest reaches it as
#    10.0.2.2), guest->host (up) and host->guest (down, iperf3 -R);
#  - port forward: a TCP forward 127.0.0.1:FWD_PORT -> guest:5201 added through the helper's API socket
#    (add_hostfwd), `iperf3 -s` in the guest, the client in the private host namespace against 127.0.0.1:FWD_PORT,
#    host->guest (fwd-in) and guest->host (fwd-out, iperf3 -R).
# Everything stays on this machine: the helper runs in a private "host" namespace whose only interface is lo.
# Usage: tests/bench/throughput.sh [SECONDS]     (root; SECONDS per iperf3 run, default 10)
# Environment: HELPERS="slirp4j slirp4netns", MTUS="1500 65520", SLIRP4J=path/to/bin/slirp4j,
#              SLIRP4NETNS=path/to/slirp4netns, WARMUP=3 (unmeasured seconds per direction first; 0: none),
#              FORWARDS=0 (skip the port-forward table), OUTBOUND=0 (skip the outbound table),
#              FWD_PORT=15201 (host port of the forward, in the private host namespace),
#              KEEP_LOGS=1 (keep the work directory and print its path).
set -euo pipefail
secs=${1:-${T:-10}}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/netns.sh"
slirp4j=${SLIRP4J:-$here/../../src/target/slirp4j/bin/slirp4j}
slirp4netns=${SLIRP4NETNS:-$(command -v slirp4netns || true)}
helpers=${HELPERS:-slirp4j slirp4netns}
mtus=${MTUS:-1500 65520}
warmup=${WARMUP:-3}
forwards=${FORWARDS:-1}
outbound=${OUTBOUND:-1}
fwd_port=${FWD_PORT:-15201}
tools=(unshare nsenter ip ss iperf3 jq awk timeout)
[ "$forwards" = 1 ] && tools+=(socat)
for tool in "${tools[@]}"; do
    command -v "$tool" >/dev/null || { echo "throughput: $tool is missing (apt-get install iproute2 iperf3 jq socat)"; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "throughput: needs root (it creates network namespaces)"; exit 1; }

work=$(mktemp -d)
pids=()          # every long-lived process we started, killed by PID on exit (never by name)
holders=()       # "PID NETNS" of each namespace holder still alive, swept on exit (see sweep_netns)

# sweep_netns, alive: tests/lib/netns.sh
cleanup() {
    trap '' INT TERM
    # first everything inside our namespaces, while their holders still pin them
    sweep_netns "${holders[@]}"
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

# running (not a zombie: a child of ours that died stays signalable until it is waited for)
forget() {   # drop a PID from the lists, so the exit trap cannot signal a recycled PID
    local keep=() q
    for q in "${pids[@]}"; do [ "$q" = "$1" ] || keep+=("$q"); done; pids=("${keep[@]}")
    keep=(); for q in "${holders[@]}"; do [ "${q%% *}" = "$1" ] || keep+=("$q"); done; holders=("${keep[@]}")
}

stop() {   # stop one of our processes, escalating, bounded
    local p=$1
    if kill "$p" 2>/dev/null; then
        for _ in $(seq 30); do alive "$p" || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    fi
    forget "$p"
}

new_netns() {   # a process holding a fresh network namespace; sets $ns_pid
    unshare --net sleep infinity & ns_pid=$!; pids+=($ns_pid)
    wait_own_netns "$ns_pid"
    holders+=("$ns_pid $(readlink "/proc/$ns_pid/ns/net")")
}

helper_stderr() { tail -c "${2:-600}" "$work/helper-$1.err" | tr '\n' ' '; }

# start_helper HELPER BIN MTU TAG [API_SOCKET]: fresh namespaces and the helper; sets $host $guest $hpid.
# Fresh namespaces per configuration, so one configuration's leftovers cannot skew the next.
start_helper() {
    local helper=$1 bin=$2 mtu=$3 tag=$4 api=${5:-} apiopt=
    new_netns; host=$ns_pid
    new_netns; guest=$ns_pid
    nsenter -t "$host" -n ip link set lo up
    [ -n "$api" ] && apiopt="--api-socket '$api'"
    mkfifo "$work/ready-$tag"
    # nsenter (no --fork) and bash exec in place, and slirp4j's launcher execs java, so $! is the helper's PID
    # (the JVM, or slirp4netns itself) -- the process whose /proc/PID/stat we read.
    nsenter -t "$host" -n -- bash -c "exec 3>'$work/ready-$tag'; exec '$bin' -c --mtu=$mtu -r 3 $apiopt $guest tap0" \
        >"$work/helper-$tag.out" 2>"$work/helper-$tag.err" & hpid=$!; pids+=($hpid)
    local byte
    byte=$(timeout 30 head -c 1 "$work/ready-$tag" || true)
    if [ "$byte" != 1 ]; then
        local how="no ready byte within 30 s"
        if ! alive "$hpid"; then
            local st=0; wait "$hpid" 2>/dev/null || st=$?
            how="exited with status $st before its ready byte"
        fi
        notes+=("$helper mtu $mtu ($tag): $how; stderr: $(helper_stderr "$tag")")
        stop_helper "$helper" "$mtu" "$tag" quiet
        return 1
    fi
    echo "# $tag ready: pid $hpid ($(cat /proc/$hpid/comm)), guest $(nsenter -t "$guest" -n ip -o link show tap0 | grep -o 'mtu [0-9]*')"
    return 0
}

# stop_helper HELPER MTU TAG [quiet]: the helper, anything left in its namespaces, then the namespace holders
stop_helper() {
    stop "$hpid"
    sweep_netns "$(printf '%s\n' "${holders[@]}" | grep "^$host ")" "$(printf '%s\n' "${holders[@]}" | grep "^$guest ")"
    stop "$guest"; stop "$host"
    # surface anything beyond the helpers' usual start-up chatter (warnings, exceptions)
    [ "${4:-}" = quiet ] && return 0
    local odd
    odd=$(grep -viE 'ready|tapfd|configured|^apifd event$|^api_handler: got request' "$work/helper-$3.err" | tail -c 400 | tr '\n' ' ' || true)
    [ -z "$odd" ] || notes+=("$1 mtu $2 ($3): helper stderr: $odd")
    return 0
}

# add_forward TAG SOCKET: add_hostfwd 127.0.0.1:$fwd_port -> guest:5201 through the API socket
add_forward() {
    local tag=$1 sock=$2 req answer
    req='{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_addr":"127.0.0.1","host_port":'$fwd_port',"guest_addr":"","guest_port":5201}}'
    for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
    answer=$(printf '%s' "$req" | timeout 10 socat -t 5 - "UNIX-CONNECT:$sock" 2>&1 || true)
    echo "$answer" >"$work/api-$tag.answer"
    if ! jq -e 'has("return")' <<<"$answer" >/dev/null 2>&1; then
        fwd_error="add_hostfwd answered '$(head -c 300 <<<"$answer" | tr '\n' ' ')'"
        return 1
    fi
    if ! wait_listening "$host" -t "$fwd_port" 5; then
        fwd_error="add_hostfwd answered '$answer' but nothing listens on 127.0.0.1:$fwd_port"
        return 1
    fi
    echo "# $tag forward 127.0.0.1:$fwd_port -> guest:5201: $answer"
    return 0
}

# measure KIND HELPER MTU TAG DIR SECONDS: one iperf3 run through the running helper ($host $guest $hpid).
#   KIND out: server on the host's 127.0.0.1, client in the guest to 10.0.2.2; DIR up = guest sends, down = -R
#   KIND fwd: server in the guest, client on the host to 127.0.0.1:$fwd_port; DIR fwd-in = host sends, fwd-out = -R
# DIR may carry a "warmup-" prefix (no row). Sets $row (empty for warm-ups); returns 1 when the run failed
# and 2 when the helper is gone (no point in further runs).
measure() {
    local kind=$1 helper=$2 mtu=$3 tag=$4 dir=$5 t=$6 d=${5#warmup-}
    local srv_ns cli_ns target port=5201 reverse=0 rflag=() spid cpid cpu0 cpu1 rc bps bytes err ivals span cpu retr
    row=
    case $kind/$d in
        out/up)       srv_ns=$host;  cli_ns=$guest; target=10.0.2.2 ;;
        out/down)     srv_ns=$host;  cli_ns=$guest; target=10.0.2.2; reverse=1 ;;
        fwd/fwd-in)   srv_ns=$guest; cli_ns=$host;  target=127.0.0.1; port=$fwd_port ;;
        fwd/fwd-out)  srv_ns=$guest; cli_ns=$host;  target=127.0.0.1; port=$fwd_port; reverse=1 ;;
        *) echo "throughput: bad run $kind/$dir"; exit 1 ;;
    esac
    # iperf3 accepts --rcv-timeout on the client only when it is the receiver
    [ "$reverse" = 1 ] && rflag=(-R --rcv-timeout 15000)
    local bind=127.0.0.1; [ "$kind" = fwd ] && bind=0.0.0.0
    local base=$work/$kind-$tag-$dir
    # a one-off server per run: a server left half-way through a failed test would refuse the next one
    nsenter -t "$srv_ns" -n iperf3 -s -1 -B "$bind" -p 5201 --rcv-timeout 15000 >"$base.server.log" 2>&1 & spid=$!
    pids+=($spid)
    wait_listening "$srv_ns" -t 5201 5 || true
    if ! alive "$hpid"; then
        notes+=("$helper mtu $mtu $dir: helper exited before the run; stderr: $(helper_stderr "$tag")")
        stop "$spid"; row="$helper $mtu $dir FAILED -"; return 2
    fi
    cpu0=$(cpu_seconds "$hpid")
    # hard bound: iperf3 itself gives up on a stalled connection only after long timeouts. In the background
    # with `wait`, so that Ctrl-C/SIGTERM reach the trap at once instead of after the client ends.
    rc=0
    local t0=$EPOCHREALTIME
    nsenter -t "$cli_ns" -n timeout -k 5 $((t + 30)) \
        iperf3 -c "$target" -p "$port" -t "$t" -J --connect-timeout 5000 "${rflag[@]}" \
        >"$base.json" 2>"$base.err" & cpid=$!
    pids+=($cpid)
    wait "$cpid" || rc=$?
    forget "$cpid"
    local wall; wall=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
    if alive "$hpid"; then cpu1=$(cpu_seconds "$hpid"); else cpu1=; fi
    stop "$spid"
    bps=$(jq -r '.end.sum_received.bits_per_second // empty' "$base.json" 2>/dev/null || true)
    bytes=$(jq -r '.end.sum_received.bytes // empty' "$base.json" 2>/dev/null || true)
    if [ "$rc" != 0 ] || [ -z "$bps" ] || [ -z "$cpu1" ]; then
        err=$(jq -r '.error // empty' "$base.json" 2>/dev/null || true)
        # per-second receiver/sender progress helps tell a stall from a slow start
        ivals=$(jq -r '[.intervals[]?.sum.bytes] | map(tostring) | join(",")' "$base.json" 2>/dev/null || true)
        notes+=("$helper mtu $mtu $dir: iperf3 rc=$rc error='${err:-$(tail -c 300 "$base.err" | tr '\n' ' ')}' \
interval bytes=[${ivals}] helper alive=$([ -n "$cpu1" ] && echo yes || echo no); \
helper stderr: $(helper_stderr "$tag" 800)")
        row="$helper $mtu $dir FAILED -"
        [ -n "$cpu1" ] && return 1
        return 2
    fi
    # per-second receiver rates: a low minimum with a good mean means stalls, not a slow path
    span=$(jq -r '[.intervals[].sum.bits_per_second / 1e9] | "\(min * 100 | floor / 100)..\(max * 100 | floor / 100)"' \
        "$base.json")
    cpu=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')
    # The CPU window is the client's whole life. When the sender went on well past the receiver's measured
    # seconds (its end-of-test message was held up on the way), the helper carried and was charged for bytes
    # that "received" does not count: flag the CPU s/GB cell with "!" and say what was carried.
    local ssecs rsecs sbytes flag=
    ssecs=$(jq -r '.end.sum_sent.seconds // 0' "$base.json")
    rsecs=$(jq -r '.end.sum_received.seconds // 0' "$base.json")
    sbytes=$(jq -r '.end.sum_sent.bytes // 0' "$base.json")
    if awk -v s="$ssecs" -v r="$rsecs" 'BEGIN { exit !(s > r + 1) }'; then
        flag='!'
        [ "$d" = "$dir" ] && notes+=("$helper mtu $mtu $dir: the sender sent for ${ssecs%.*}s ($(awk -v b="$sbytes" 'BEGIN { printf "%.2f", b / 1e9 }') GB) \
while the receiver measured ${rsecs%.*}s; client wall ${wall}s; helper CPU per GB sent: \
$(awk -v c="$cpu" -v b="$sbytes" 'BEGIN { printf "%.2f", c / (b / 1e9) }') s/GB (the table's ! cell counts only bytes received)")
    fi
    [ "$d" = "$dir" ] && row=$(awk -v h="$helper" -v m="$mtu" -v d="$dir" -v bps="$bps" -v by="$bytes" -v c="$cpu" -v f="$flag" \
        'BEGIN { printf "%s %s %s %.2f %.2f%s %.2f %.2f", h, m, d, bps / 1e9, c / (by / 1e9), f, c, by / 1e9 }')
    retr=$(jq -r '.end.sum_sent.retransmits // "-"' "$base.json")
    echo "# $tag $kind $dir: $(awk -v b="$bps" 'BEGIN { printf "%.2f", b / 1e9 }') Gbit/s, helper CPU ${cpu}s, per-second $span, sender retransmits $retr, client wall ${wall}s, sender ${ssecs%.*}s"
    return 0
}

# run_series KIND HELPER MTU TAG DIR...: optional unmeasured warm-up runs (every direction) first: the JVM's first
# seconds are spent in the interpreter and JIT, which would otherwise be charged to whichever measured run comes
# first. Appends rows to out_rows or fwd_rows.
run_series() {
    local kind=$1 helper=$2 mtu=$3 tag=$4; shift 4
    local runs=("$@") dir t st
    [ "$warmup" -gt 0 ] && runs=("${@/#/warmup-}" "$@")
    for dir in "${runs[@]}"; do
        t=$secs; [ "${dir#warmup-}" != "$dir" ] && t=$warmup
        st=0; measure "$kind" "$helper" "$mtu" "$tag" "$dir" "$t" || st=$?
        if [ -n "$row" ]; then
            if [ "$kind" = out ]; then out_rows+=("$row"); else fwd_rows+=("$row"); fi
        fi
        [ "$st" = 2 ] && break
    done
    return 0
}

print_table() {   # print_table DIR_WIDTH ROW...
    local fmt="%-12s %6s %${1}s %9s %10s %8s %8s\n" r; shift
    # shellcheck disable=SC2059
    printf "$fmt" helper MTU dir Gbit/s "CPU s/GB" "CPU s" GB
    for r in "$@"; do
        # shellcheck disable=SC2059,SC2086
        printf "$fmt" $r
    done
}

echo "# nproc=$(nproc)  load(1/5/15 min)=$(cut -d' ' -f1-3 /proc/loadavg)  kernel=$(uname -r)  run=${secs}s  warmup=${warmup}s"
echo "# $(iperf3 --version | head -1); $("$slirp4netns" --version 2>/dev/null | head -1); java: $(java -version 2>&1 | head -1)"
out_rows=()
fwd_rows=()
notes=()

for helper in $helpers; do
    case $helper in
        slirp4j) bin=$slirp4j ;;
        slirp4netns) bin=$slirp4netns ;;
        *) echo "throughput: unknown helper $helper"; exit 1 ;;
    esac
    if [ ! -x "$bin" ]; then notes+=("$helper: $bin not found/executable, skipped"); continue; fi
    for mtu in $mtus; do
        if [ "$outbound" = 1 ]; then
            tag=$helper-$mtu
            if start_helper "$helper" "$bin" "$mtu" "$tag"; then
                run_series out "$helper" "$mtu" "$tag" up down
                stop_helper "$helper" "$mtu" "$tag"
            else
                out_rows+=("$helper $mtu up FAILED -" "$helper $mtu down FAILED -")
            fi
        fi
        if [ "$forwards" = 1 ]; then
            # a separate helper instance, started with --api-socket, so the outbound rows stay as they were
            tag=$helper-$mtu-fwd
            sock=$work/api-$tag.sock
            if start_helper "$helper" "$bin" "$mtu" "$tag" "$sock"; then
                fwd_error=
                if add_forward "$tag" "$sock"; then
                    run_series fwd "$helper" "$mtu" "$tag" fwd-in fwd-out
                else
                    notes+=("$helper mtu $mtu: $fwd_error; helper alive=$(alive "$hpid" && echo yes || echo no); \
helper stderr: $(helper_stderr "$tag" 800)")
                    fwd_rows+=("$helper $mtu fwd-in FAILED -" "$helper $mtu fwd-out FAILED -")
                fi
                stop_helper "$helper" "$mtu" "$tag"
            else
                fwd_rows+=("$helper $mtu fwd-in FAILED -" "$helper $mtu fwd-out FAILED -")
            fi
        fi
    done
done

if [ "$outbound" = 1 ]; then
    echo
    echo "# Outbound (guest client -> server on the host's 127.0.0.1, reached as 10.0.2.2)"
    echo "# direction: up = guest sends to host (iperf3 -c), down = host sends to guest (iperf3 -c -R)"
    echo "# Gbit/s = receiver's bits_per_second; CPU s/GB = helper utime+stime per 10^9 bytes received"
    print_table 5 "${out_rows[@]}"
fi
if [ "$forwards" = 1 ]; then
    echo
    echo "# Through a port forward (host client -> guest server; add_hostfwd 127.0.0.1:$fwd_port -> guest:5201)"
    echo "# direction: fwd-in = host sends to guest (iperf3 -c), fwd-out = guest sends to host (iperf3 -c -R)"
    echo "# Gbit/s = receiver's bits_per_second; CPU s/GB = helper utime+stime per 10^9 bytes received"
    echo "# (a '!' after CPU s/GB: the sender ran on past the measured seconds, see the notes)"
    print_table 7 "${fwd_rows[@]}"
fi
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${notes[@]}"; do echo "note: $n"; done
