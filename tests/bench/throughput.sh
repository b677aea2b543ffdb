#!/bin/bash
# Benchmark (not a test: it never fails on speed): slirp4j side by side with slirp4netns and pasta, in one run,
# alternating, ROUNDS times, and one table of medians with min..max. Per helper, mode and MTU:
#  - up / down: iperf3 in the guest to `iperf3 -s` on the private host's 127.0.0.1 (the guest reaches it as the
#    helper's gateway: 10.0.2.2, or for pasta the host's own gateway address, which pasta maps to the host's
#    loopback), guest->host and host->guest (iperf3 -R);
#  - fwd-in / fwd-out: a TCP forward 127.0.0.1:FWD_PORT -> guest:5201 (add_hostfwd through the API socket; pasta's
#    -t FWD_PORT:5201), `iperf3 -s` in the guest, the client on the private host, host->guest and guest->host;
#  - p16: 16 parallel streams guest->host (the sum);
#  - udp-up / udp-down: 1 Gbit/s offered in 1,400-byte datagrams; received Gbit/s and the loss in percent;
#  - rr / crr: one-byte request/response over one connection, and over a new connection per transaction
#    (transactions per second; perl-base client and server, like netperf's TCP_RR and TCP_CRR).
# CPU s/GB: the helper's utime+stime (all threads) per 10^9 bytes received.
# Everything stays on this machine: the helper runs in a private "host" namespace whose only way out is a veth to
# a private "internet" namespace with nothing behind it (pasta needs an interface with a default route to copy).
# Modes: root (the helpers run as root, the guest namespace belongs to root) and rootless (the guest namespace is
# in a user namespace of nobody's, and the helper runs as nobody, as under rootless podman). pasta runs rootless
# only: as root it drops to nobody and then cannot join a root-owned namespace.
# Usage: tests/bench/throughput.sh [SECONDS]     (root; SECONDS per measured run, default 5)
# Environment: HELPERS="slirp4j slirp4netns pasta", MODES="root rootless", MTUS="1500 65520", ROUNDS=3,
#              TESTS="up down fwd-in fwd-out p16 udp-up udp-down rr crr", WARMUP=2 (unmeasured seconds of up and
#              down, of crr when rr or crr is measured, and of udp-up and udp-down when UDP is, per helper start;
#              0: none), SLIRP4J=path/to/bin/slirp4j, SLIRP4NETNS=..., PASTA=...,
#              SLIRP4J_ARGS="" (extra arguments, e.g. --disable-offloads), FWD_PORT=15201,
#              KEEP_LOGS=1 (keep the work directory and print its path).
set -euo pipefail
secs=${1:-${T:-5}}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/netns.sh"
slirp4j=${SLIRP4J:-$here/../../src/target/slirp4j/bin/slirp4j}
slirp4netns=${SLIRP4NETNS:-$(command -v slirp4netns || true)}
pasta=${PASTA:-$(command -v pasta || true)}
helpers=${HELPERS:-slirp4j slirp4netns pasta}
modes=${MODES:-root rootless}
mtus=${MTUS:-1500 65520}
rounds=${ROUNDS:-3}
tests=${TESTS:-up down fwd-in fwd-out p16 udp-up udp-down rr crr}
warmup=${WARMUP:-2}
fwd_port=${FWD_PORT:-15201}
rr_port=5202
nobody=65534
for tool in unshare nsenter setpriv ip ss iperf3 jq awk timeout perl socat; do
    command -v "$tool" >/dev/null || { echo "throughput: $tool is missing (apt-get install iproute2 iperf3 jq socat util-linux)"; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "throughput: needs root (it creates network namespaces)"; exit 1; }

work=$(mktemp -d)
chmod 755 "$work"
mkdir -m 1777 "$work/run"   # API sockets, writable by the rootless helpers
pids=()          # every long-lived process we started, killed by PID on exit (never by name)
holders=()       # "PID NETNS" of each namespace holder still alive, swept on exit (see sweep_netns)
tun_mode=$(stat -c %a /dev/net/tun)

cleanup() {
    trap '' INT TERM
    sweep_netns "${holders[@]}"
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    sleep 0.3
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    chmod "$tun_mode" /dev/net/tun
    if [ "${KEEP_LOGS:-0}" = 1 ]; then echo "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hz=$(getconf CLK_TCK)
# utime+stime of the whole process (all threads), in seconds; fields after the last ')' (comm may hold spaces)
cpu_seconds() {
    awk -v hz="$hz" '{ s = $0; sub(/.*\) /, "", s); split(s, f, " "); printf "%.2f", (f[12] + f[13]) / hz }' \
        "/proc/$1/stat"
}

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

# new_netns [rootless]: a process holding a fresh network namespace (for rootless, in a user namespace that
# nobody owns, as rootless podman's); sets $ns_pid. setpriv and unshare exec, so $! is the holder itself.
new_netns() {
    if [ "${1:-}" = rootless ]; then
        setpriv --reuid=$nobody --regid=$nobody --clear-groups unshare --user --map-root-user --net sleep infinity &
    else
        unshare --net sleep infinity &
    fi
    ns_pid=$!; pids+=($ns_pid)
    wait_own_netns "$ns_pid"
    holders+=("$ns_pid $(readlink "/proc/$ns_pid/ns/net")")
}

# guest_link_counters: "rx_packets rx_bytes tx_packets tx_bytes" of the guest's interface (tap0, or pasta's copy of
# the host's), seen from the guest: rx is what the helper wrote, tx what it read. ip -j, as /sys shows our netns.
guest_link_counters() {
    nsenter -t "$guest" -n ip -j -s link show dev "$guest_if" |
        jq -r '.[0].stats64 | "\(.rx.packets) \(.rx.bytes) \(.tx.packets) \(.tx.bytes)"'
}

# frame_sizes BEFORE AFTER: "frames to guest N of A bytes, from guest M of B bytes" (averages; super-frames count once)
frame_sizes() {
    awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ")
        rp = y[1] - x[1]; rb = y[2] - x[2]; tp = y[3] - x[3]; tb = y[4] - x[4]
        printf "frames to guest %d of %.0f B, from guest %d of %.0f B", rp, (rp ? rb / rp : 0), tp, (tp ? tb / tp : 0) }'
}

helper_stderr() { tail -c "${2:-600}" "$work/helper-$1.err" | tr '\n' ' '; }

# start_helper HELPER MODE MTU TAG: fresh namespaces (host with a veth to an empty "internet", guest) and the
# helper, with the forward 127.0.0.1:FWD_PORT -> guest:5201; sets $host $guest $inet $hpid $target.
start_helper() {
    local helper=$1 mode=$2 mtu=$3 tag=$4 asuser=
    new_netns; host=$ns_pid
    new_netns; inet=$ns_pid
    new_netns "$mode"; guest=$ns_pid
    nsenter -t "$host" -n sh -c "ip link set lo up
        ip link add veth0 type veth peer name veth1 netns /proc/$inet/ns/net
        ip addr add 10.99.0.1/24 dev veth0; ip -6 addr add fd99::1/64 dev veth0 nodad; ip link set veth0 up
        ip route add default via 10.99.0.254; ip -6 route add default via fd99::fe"
    nsenter -t "$inet" -n sh -c "ip link set lo up; ip addr add 10.99.0.254/24 dev veth1
        ip -6 addr add fd99::fe/64 dev veth1 nodad; ip link set veth1 up"
    [ "$mode" = rootless ] && asuser="setpriv --reuid=$nobody --regid=$nobody --clear-groups"
    local sock=$work/run/api-$tag.sock
    case $helper in
        pasta)
            # -f: pasta stays in the foreground, so $! is pasta; ready once the guest has its default route
            nsenter -t "$host" -n -- $asuser "$pasta" -f --config-net -m "$mtu" -t "$fwd_port:5201" -u none -T none \
                -U none "$guest" >"$work/helper-$tag.out" 2>"$work/helper-$tag.err" & hpid=$!; pids+=($hpid)
            target=10.99.0.254
            guest_if=veth0
            local ok=0
            for _ in $(seq 100); do
                alive "$hpid" || break
                nsenter -t "$guest" -n ip -4 route show default 2>/dev/null | grep -q . && { ok=1; break; }
                sleep 0.1
            done
            if [ "$ok" != 1 ]; then
                notes+=("$tag: not ready within 10 s; stderr: $(helper_stderr "$tag")"); stop_helper quiet; return 1
            fi
            wait_listening "$host" -t "$fwd_port" 5 || { notes+=("$tag: no forward"); stop_helper quiet; return 1; }
            ;;
        *)
            local bin=$slirp4j extra=${SLIRP4J_ARGS:-}
            [ "$helper" = slirp4netns ] && { bin=$slirp4netns; extra=; }
            mkfifo "$work/ready-$tag"
            # nsenter (no --fork), bash, setpriv and slirp4j's launcher exec in place: $! is the helper's PID
            nsenter -t "$host" -n -- bash -c "exec 3>'$work/ready-$tag'; exec $asuser '$bin' -c --mtu=$mtu -r 3 \
                --api-socket '$sock' $extra $guest tap0" >"$work/helper-$tag.out" 2>"$work/helper-$tag.err" &
            hpid=$!; pids+=($hpid)
            target=10.0.2.2
            guest_if=tap0
            local byte
            byte=$(timeout 30 head -c 1 "$work/ready-$tag" || true)
            if [ "$byte" != 1 ]; then
                notes+=("$tag: no ready byte; stderr: $(helper_stderr "$tag")"); stop_helper quiet; return 1
            fi
            add_forward "$tag" "$sock" || { stop_helper quiet; return 1; }
            ;;
    esac
    echo "# $tag ready: pid $hpid ($(cat /proc/$hpid/comm)), guest $(nsenter -t "$guest" -n ip -o link show | grep -o 'mtu [0-9]*' | tail -1)"
}

# stop_helper [quiet]: the helper, anything left in its namespaces, then the namespace holders
stop_helper() {
    stop "$hpid"
    local h
    for h in "$host" "$inet" "$guest"; do
        sweep_netns "$(printf '%s\n' "${holders[@]}" | grep "^$h ")"
    done
    stop "$guest"; stop "$inet"; stop "$host"
}

# add_forward TAG SOCKET: add_hostfwd 127.0.0.1:$fwd_port -> guest:5201 through the API socket
add_forward() {
    local tag=$1 sock=$2 req answer
    req='{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_addr":"127.0.0.1","host_port":'$fwd_port',"guest_addr":"","guest_port":5201}}'
    for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
    answer=$(printf '%s' "$req" | timeout 10 socat -t 5 - "UNIX-CONNECT:$sock" 2>&1 || true)
    if ! jq -e 'has("return")' <<<"$answer" >/dev/null 2>&1; then
        notes+=("$tag: add_hostfwd answered '$(head -c 300 <<<"$answer" | tr '\n' ' ')'"); return 1
    fi
    wait_listening "$host" -t "$fwd_port" 5 || { notes+=("$tag: nothing listens on $fwd_port"); return 1; }
}

# perl-base only: a one-byte echo server (one connection at a time) and a client that counts transactions
rr_server='use IO::Socket::INET; use Socket qw(IPPROTO_TCP TCP_NODELAY);
my $l = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $ARGV[0], Listen => 128, ReuseAddr => 1) or die "listen: $!";
while (my $c = $l->accept) { setsockopt($c, IPPROTO_TCP, TCP_NODELAY, 1); my $b;
    while (sysread($c, $b, 1) == 1) { syswrite($c, $b) == 1 or last } close $c }'
rr_client='use IO::Socket::INET; use Socket qw(IPPROTO_TCP TCP_NODELAY);
my ($host, $port, $crr, $secs) = @ARGV; my ($stop, $n, $b) = (0, 0);
$SIG{ALRM} = sub { $stop = 1 }; alarm $secs;
# the alarm may interrupt a call (EINTR): then the run is over, and the transaction in flight does not count
sub conn { my $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port);
    $s or $stop or die "connect: $!"; setsockopt($s, IPPROTO_TCP, TCP_NODELAY, 1) if $s; $s }
my $s = $crr ? undef : conn();
until ($stop) { my $c = $crr ? conn() : $s; last unless $c;
    if ((syswrite($c, "x") // -1) != 1) { last if $stop; die "write: $!" }
    if ((sysread($c, $b, 1) // -1) != 1) { last if $stop; die "read: $!" }
    close $c if $crr; $n++ }
print "$n\n";'

# measure TEST HELPER MODE MTU TAG SECONDS: one run through the running helper; appends to $work/results
# "test helper mode mtu value unit cpu_s_per_GB extra" (extra: UDP loss %, or -). Returns 2 when the helper is gone.
measure() {
    local test=$1 helper=$2 mode=$3 mtu=$4 tag=$5 t=$6
    local base=$work/$tag-$test-$RANDOM srv_ns=$host cli_ns=$guest dest=$target port=5201 args=() cpu0 cpu1 rc=0 spid
    if ! alive "$hpid"; then notes+=("$tag $test: helper gone; stderr: $(helper_stderr "$tag")"); return 2; fi
    case $test in
        up) ;;
        down) args=(-R) ;;
        fwd-in) srv_ns=$guest; cli_ns=$host; dest=127.0.0.1; port=$fwd_port ;;
        fwd-out) srv_ns=$guest; cli_ns=$host; dest=127.0.0.1; port=$fwd_port; args=(-R) ;;
        p16) args=(-P 16) ;;
        udp-up) args=(-u -b 1G -l 1400) ;;
        udp-down) args=(-u -b 1G -l 1400 -R) ;;
        rr|crr) ;;
        *) echo "throughput: unknown test $test"; exit 1 ;;
    esac
    local bind=127.0.0.1; [ "$srv_ns" = "$guest" ] && bind=0.0.0.0
    if [ "$test" = rr ] || [ "$test" = crr ]; then
        # a new connection per transaction leaves one TIME_WAIT each in the guest: past some 14,000 (half the port
        # range: connect() takes even ports first) its connect() crawls, for every helper alike. Capping them
        # makes crr measure the helpers.
        [ "$test" = crr ] && nsenter -t "$guest" -n sysctl -qw net.ipv4.tcp_max_tw_buckets=1000
        nsenter -t "$host" -n perl -e "$rr_server" "$rr_port" 2>"$base.server.err" & spid=$!; pids+=($spid)
        wait_listening "$host" -t "$rr_port" 5 || true
        cpu0=$(cpu_seconds "$hpid")
        local t0=$EPOCHREALTIME n
        n=$(nsenter -t "$guest" -n timeout -k 5 $((t + 20)) perl -e "$rr_client" "$target" "$rr_port" \
            "$([ "$test" = crr ] && echo 1 || echo 0)" "$t" 2>"$base.err") || rc=$?
        local t1=$EPOCHREALTIME
        cpu1=$(alive "$hpid" && cpu_seconds "$hpid" || true)
        stop "$spid"
        if [ "$rc" != 0 ] || [ -z "$n" ] || [ -z "$cpu1" ]; then
            notes+=("$tag $test: rc=$rc $(tail -c 200 "$base.err" | tr '\n' ' ')"); [ -n "$cpu1" ] && return 1; return 2
        fi
        local rate; rate=$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
        [ "$record" = 1 ] && echo "$test $helper $mode $mtu $rate txn/s - -" >>"$work/results"
        echo "# $tag $test: $rate transactions/s, helper CPU $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')s"
        return 0
    fi
    # a one-off server per run: a server left half-way through a failed run would refuse the next one
    nsenter -t "$srv_ns" -n iperf3 -s -1 -B "$bind" -p 5201 >"$base.server.log" 2>&1 & spid=$!; pids+=($spid)
    wait_listening "$srv_ns" -t 5201 5 || true
    cpu0=$(cpu_seconds "$hpid")
    local link0 link1; link0=$(guest_link_counters)
    [ "${args[*]}" != "${args[*]/-R/}" ] && args+=(--rcv-timeout 15000)
    nsenter -t "$cli_ns" -n timeout -k 5 $((t + 30)) iperf3 -c "$dest" -p "$port" -t "$t" -J --connect-timeout 5000 \
        "${args[@]}" >"$base.json" 2>"$base.err" || rc=$?
    cpu1=$(alive "$hpid" && cpu_seconds "$hpid" || true)
    link1=$(guest_link_counters)
    stop "$spid"
    local bps bytes loss=
    bps=$(jq -r '.end.sum_received.bits_per_second // empty' "$base.json" 2>/dev/null || true)
    bytes=$(jq -r '.end.sum_received.bytes // empty' "$base.json" 2>/dev/null || true)
    case $test in udp-*) loss=$(jq -r '.end.sum_received.lost_percent // empty | . * 100 | round / 100' "$base.json" 2>/dev/null || true) ;; esac
    if [ "$rc" != 0 ] || [ -z "$bps" ] || [ -z "$cpu1" ]; then
        notes+=("$tag $test: iperf3 rc=$rc $(jq -r '.error // empty' "$base.json" 2>/dev/null | head -c 200)$(tail -c 200 "$base.err" | tr '\n' ' ')")
        [ -n "$cpu1" ] && return 1; return 2
    fi
    local cpu; cpu=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')
    local row; row=$(awk -v bps="$bps" -v by="$bytes" -v c="$cpu" 'BEGIN { printf "%.2f Gbit/s %.2f", bps / 1e9, (by > 0 ? c / (by / 1e9) : 0) }')
    [ "$record" = 1 ] && echo "$test $helper $mode $mtu $row ${loss:--}" >>"$work/results"
    echo "# $tag $test: $row CPU s/GB, helper CPU ${cpu}s${loss:+, loss $loss%}; $(frame_sizes "$link0" "$link1")"
    return 0
}

echo "# nproc=$(nproc)  load(1/5/15 min)=$(cut -d' ' -f1-3 /proc/loadavg)  kernel=$(uname -r)  run=${secs}s  warmup=${warmup}s  rounds=$rounds"
echo "# $(iperf3 --version | head -1); $("$slirp4netns" --version 2>/dev/null | head -1); pasta: $(dpkg-query -W -f='${Version}' passt 2>/dev/null || echo '?'); java: $(java -version 2>&1 | head -1)"
chmod 666 /dev/net/tun   # rootless helpers open it (Debian's usual mode; restored on exit)
: >"$work/results"
notes=()
record=1   # measure appends its row to the results (0 for warm-up runs)
read -r -a helper_list <<<"$helpers"
for round in $(seq "$rounds"); do
    # alternate: each round starts with the next helper, so none always runs first (or on a warmer machine)
    order=("${helper_list[@]:$(( (round - 1) % ${#helper_list[@]} ))}" "${helper_list[@]:0:$(( (round - 1) % ${#helper_list[@]} ))}")
    for mode in $modes; do
        for mtu in $mtus; do
            for helper in "${order[@]}"; do
                [ "$helper" = pasta ] && [ "$mode" = root ] && continue
                case $helper in slirp4j) bin=$slirp4j ;; slirp4netns) bin=$slirp4netns ;; pasta) bin=$pasta ;;
                    *) echo "throughput: unknown helper $helper"; exit 1 ;; esac
                [ -x "$bin" ] || { notes+=("$helper: '$bin' not executable, skipped"); continue; }
                tag=$helper-$mode-$mtu-r$round
                start_helper "$helper" "$mode" "$mtu" "$tag" || continue
                if [ "$warmup" -gt 0 ]; then
                    # unmeasured: the JVM's first seconds go to the interpreter and the JIT. Each kind of test
                    # measured gets its own warm-up: connection set-up and UDP are code paths of their own (with a
                    # bulk-only warm-up, C2 still took half the helper's CPU 5 s into crr, a fifth into udp-up)
                    record=0
                    warm=(up down)
                    case " $tests " in *" rr "*|*" crr "*) warm+=(crr) ;; esac
                    case " $tests " in *" udp-up "*|*" udp-down "*) warm+=(udp-up udp-down) ;; esac
                    for w in "${warm[@]}"; do measure "$w" "$helper" "$mode" "$mtu" "$tag-warmup" "$warmup" >/dev/null || true; done
                    record=1
                fi
                for test in $tests; do
                    st=0; measure "$test" "$helper" "$mode" "$mtu" "$tag" "$secs" || st=$?
                    [ "$st" = 2 ] && break
                done
                stop_helper
            done
        done
    done
done

echo
echo "# Medians over $rounds alternating rounds (min..max); Gbit/s received (UDP: 1 Gbit/s offered; the loss in %),"
echo "# CPU s/GB = helper CPU seconds per 10^9 bytes received; txn/s = one-byte transactions per second"
awk -v helpers="$helpers" '
function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function minmax(list,   n, a, i, lo, hi) {
    n = split(list, a, " "); lo = hi = a[1]
    for (i = 2; i <= n; i++) { if (a[i] + 0 < lo + 0) lo = a[i]; if (a[i] + 0 > hi + 0) hi = a[i] }
    return lo ".." hi
}
{
    key = $3 " " $4 " " $1; h = $2
    if (!(key in seen)) { seen[key] = 1; keys[++nk] = key }
    val[key, h] = val[key, h] " " $5; unit[key] = $6
    if ($7 != "-") cpu[key, h] = cpu[key, h] " " $7
    if ($8 != "-") loss[key, h] = loss[key, h] " " $8
}
END {
    nh = split(helpers, hs, " ")
    printf "%-9s %5s %-8s", "mode", "MTU", "test"
    for (i = 1; i <= nh; i++) printf " | %-30s", hs[i]
    printf " | %s\n", "slirp4j / slirp4netns, / pasta"
    for (k = 1; k <= nk; k++) {
        key = keys[k]; split(key, f, " ")
        printf "%-9s %5s %-8s", f[1], f[2], f[3]
        for (i = 1; i <= nh; i++) {
            h = hs[i]
            if (!((key, h) in val)) { printf " | %-30s", "-"; continue }
            cell = median(val[key, h]) " (" minmax(val[key, h]) ")"
            if ((key, h) in cpu) cell = cell " " sprintf("%.2f", median(cpu[key, h])) "s/GB"
            if ((key, h) in loss) cell = cell " " median(loss[key, h]) "%"
            printf " | %-30s", cell
            med[h] = median(val[key, h]); mc[h] = ((key, h) in cpu) ? median(cpu[key, h]) : ""
        }
        r = ""
        if (("slirp4j" in med) && ((key, "slirp4j") in val)) {
            if ((key, "slirp4netns") in val && med["slirp4netns"] > 0)
                r = sprintf("%.2fx", med["slirp4j"] / med["slirp4netns"]) (mc["slirp4j"] != "" && mc["slirp4netns"] > 0 ? sprintf(" cpu %.2fx", mc["slirp4j"] / mc["slirp4netns"]) : "")
            if ((key, "pasta") in val && med["pasta"] > 0) r = r ", " sprintf("%.2fx", med["slirp4j"] / med["pasta"])
        }
        printf " | %s %s\n", r, unit[key]
        delete med; delete mc
    }
}' "$work/results"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${notes[@]}"; do echo "note: $n"; done
