#!/bin/bash
# Benchmark (never fails on size): the helper's resident memory, idle and holding N idle TCP connections, in
# private namespaces. The helper is started as an engine starts it (-c --mtu=65520 --api-socket PATH -r 3 PID
# tap0); RSS is the JVM's VmRSS (with RssAnon/RssFile split) read IDLE seconds after the ready byte, and again
# once N guest connections to a server on the private host's 127.0.0.1 (the guest reaches it as 10.0.2.2) are
# established and have been idle IDLE seconds. Then, unless NMT=0, the same again in a second helper run with
# -XX:NativeMemoryTracking=summary, printing `jcmd VM.native_memory summary` at both points, the threads, and
# the largest file mappings (smaps) -- NMT itself costs a few MB, which is why the figures come from the first run.
# Usage: tests/bench/memory.sh [CONNS]    (root; CONNS default 1000; 0 measures idle only)
# Environment: SLIRP4J=path/to/bin/slirp4j, SLIRP4J_JAVA_OPTS (extra JVM flags, passed on to the launcher),
#              IDLE=3 (seconds idle before each reading), RUNS=1 (idle-only rounds before the connection run;
#              their median is printed), NMT=1, MTU=65520.
# Everything stays on this machine: the helper's "host" namespace has only lo, the guest's only tap0.
set -euo pipefail
conns=${1:-1000}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/netns.sh"
helper=${SLIRP4J:-$here/../../src/target/slirp4j/bin/slirp4j}
idle=${IDLE:-3}
runs=${RUNS:-1}
nmt=${NMT:-1}
mtu=${MTU:-65520}
port=15300
for tool in unshare nsenter ip python3 timeout awk; do
    command -v "$tool" >/dev/null || { echo "memory: $tool is missing"; exit 1; }
done
[ "$nmt" = 0 ] || command -v jcmd >/dev/null || { echo "memory: jcmd is missing (NMT=0 to skip the breakdown)"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "memory: needs root (it creates network namespaces)"; exit 1; }
[ -x "$helper" ] || { echo "memory: $helper is not executable (build first)"; exit 1; }
py=$(command -v /usr/bin/python3 || command -v python3)

work=$(mktemp -d)
pids=()   # every process we started, killed by PID on exit (never by name)

alive() {   # running, not a zombie
    local st
    st=$(awk '{ s = $0; sub(/.*\) /, "", s); print substr(s, 1, 1) }' "/proc/$1/stat" 2>/dev/null) && [ -n "$st" ] && [ "$st" != Z ]
}
stop() {    # TERM, up to 3 s, then KILL; reaped
    local p=$1
    if kill "$p" 2>/dev/null; then
        for _ in $(seq 30); do alive "$p" || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null || true
    fi
    wait "$p" 2>/dev/null || true
}
cleanup() {
    trap '' INT TERM
    local i
    # newest first: clients and servers, the helper, then the namespace holders
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop "${pids[$i]}"; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The server (private host namespace) accepts and holds connections; the client (guest) opens N and holds them.
# Each writes how many it holds to a file; both end after 600 s at the latest, whatever happens to this script.
cat >"$work/hold.py" <<'EOF'
import os, resource, selectors, socket, sys, time
role, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
resource.setrlimit(resource.RLIMIT_NOFILE, (n + 64, max(n + 64, resource.getrlimit(resource.RLIMIT_NOFILE)[1])))
def report(k):
    with open(out + ".tmp", "w") as f: f.write(str(k))
    os.replace(out + ".tmp", out)
end = time.monotonic() + 600
held = []
if role == "server":
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(sys.argv[4]))); s.listen(4096); report(0)
    while time.monotonic() < end:
        s.settimeout(1)
        try: c, _ = s.accept()
        except socket.timeout: continue
        held.append(c); report(len(held))
else:
    sel = selectors.DefaultSelector(); pending = 0; target = (sys.argv[4], int(sys.argv[5]))
    def start():
        global pending
        c = socket.socket(); c.setblocking(False); c.connect_ex(target); sel.register(c, selectors.EVENT_WRITE); pending += 1
    opened = 0
    while time.monotonic() < end:
        while opened < n and pending < 64: start(); opened += 1   # at most 64 handshakes in flight
        if not pending:
            report(len(held)); time.sleep(1); continue
        for key, _ in sel.select(1):
            c = key.fileobj; sel.unregister(c); pending -= 1
            if c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0: held.append(c)
            else: c.close(); opened -= 1; time.sleep(0.05)   # retried
        report(len(held))
EOF

wait_count() {   # wait_count FILE N SECONDS: until FILE says N
    local deadline=$((SECONDS + $3)) k
    while :; do
        k=$(cat "$1" 2>/dev/null || echo 0)
        [ "$k" -ge "$2" ] && return 0
        [ $SECONDS -lt $deadline ] || { echo "memory: only $k of $2 after $3 s ($1)"; return 1; }
        sleep 0.2
    done
}

# VmRSS of PID in MB, with RssAnon / RssFile, the private part (pages no other process maps: what its exit would
# free, less the page cache; libjvm.so's pages count as shared while any other JVM runs on the machine) and the
# thread count
rss() {
    local priv
    priv=$(awk '/^Private_(Clean|Dirty):/ { p += $2 } END { printf "%.1f", p / 1024 }' "/proc/$1/smaps_rollup")
    awk -v t="$(ls "/proc/$1/task" | wc -l)" -v p="$priv" '
        /^VmRSS/ { r = $2 } /^RssAnon/ { a = $2 } /^RssFile/ { f = $2 }
        END { printf "%.1f MB (anon %.1f, file %.1f; private %s; %d threads)", r / 1024, a / 1024, f / 1024, p, t }' \
        "/proc/$1/status"
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

new_netns() {   # sets $ns_pid
    unshare --net sleep infinity & ns_pid=$!; pids+=($ns_pid)
    wait_own_netns "$ns_pid"
}

# start TAG [JVM OPTS]: fresh namespaces and the helper; sets $host $guest $hpid and $ready_ms
start() {
    local tag=$1 opts=${2:-} byte t0
    new_netns; host=$ns_pid
    new_netns; guest=$ns_pid
    nsenter -t "$host" -n ip link set lo up
    mkfifo "$work/ready-$tag"
    t0=$EPOCHREALTIME
    # nsenter (no fork), bash exec and the launcher's exec: $! is the JVM
    SLIRP4J_JAVA_OPTS="${SLIRP4J_JAVA_OPTS:-} $opts" nsenter -t "$host" -n -- bash -c \
        "exec 3>'$work/ready-$tag'; exec '$helper' -c --mtu=$mtu --api-socket '$work/api-$tag.sock' -r 3 $guest tap0" \
        >"$work/helper-$tag.out" 2>"$work/helper-$tag.err" & hpid=$!; pids+=($hpid)
    byte=$(timeout 30 head -c 1 "$work/ready-$tag" || true)
    [ "$byte" = 1 ] || { echo "memory: no ready byte within 30 s; stderr:"; tail -c 1000 "$work/helper-$tag.err"; exit 1; }
    ready_ms=$(( (10#${EPOCHREALTIME/[.,]/} - 10#${t0/[.,]/}) / 1000 ))
}

finish() {   # the helper and its namespaces (and whatever else was started since), newest first
    local i
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop "${pids[$i]}"; done
    pids=()
}

# connect TAG: N connections from the guest to the server on the host's 127.0.0.1:$port, established and held
connect() {
    local tag=$1
    nsenter -t "$host" -n timeout 900 "$py" "$work/hold.py" server "$conns" "$work/server-$tag" "$port" \
        >"$work/server-$tag.log" 2>&1 & pids+=($!)
    wait_count "$work/server-$tag" 0 10
    local t0=$SECONDS
    nsenter -t "$guest" -n timeout 900 "$py" "$work/hold.py" client "$conns" "$work/client-$tag" 10.0.2.2 "$port" \
        >"$work/client-$tag.log" 2>&1 & pids+=($!)
    wait_count "$work/client-$tag" "$conns" 120 || { cat "$work/client-$tag.log"; exit 1; }
    wait_count "$work/server-$tag" "$conns" 30 || { cat "$work/server-$tag.log"; exit 1; }
    echo "# $conns connections established in $((SECONDS - t0)) s (guest and server both hold $conns;" \
        "the helper has $(ls "/proc/$hpid/fd" | wc -l) fds open)"
}

nmt_summary() {   # the JVM's NMT summary, committed figures only
    timeout 20 jcmd "$1" VM.native_memory summary scale=KB 2>&1 |
        awk '/^Total:/ || /^-  *[A-Z]/ { sub(/^-  */, ""); print "   " $0 }' |
        sed -E 's/reserved=[0-9]+KB, //' | grep -v 'committed=0KB' || echo "   (jcmd failed)"
}

maps() {   # file mappings by resident size (smaps), the largest first
    awk '/^[0-9a-f]+-[0-9a-f]+ / { f = $6 } /^Rss:/ && f ~ /^\// { r[f] += $2 }
         END { for (f in r) if (r[f] >= 256) printf "   %7.1f MB  %s\n", r[f] / 1024, f }' "/proc/$1/smaps" | sort -rn | head -8
}

threads() {   # thread names, counted
    for t in /proc/"$1"/task/*; do cat "$t/comm"; done | sed -E 's/[0-9]+$/N/' | sort | uniq -c |
        awk '{ c = $1; $1 = ""; printf "%s x%d,", $0, c }' | sed 's/,$//'
}

echo "# $(date -u +%FT%TZ)  nproc=$(nproc)  load=$(cut -d' ' -f1-3 /proc/loadavg)  $(java -version 2>&1 | head -1)"
echo "# helper: $helper -c --mtu=$mtu --api-socket PATH -r 3 PID tap0; SLIRP4J_JAVA_OPTS='${SLIRP4J_JAVA_OPTS:-}'"
idles=()
for i in $(seq "$runs"); do
    start "idle$i"
    sleep "$idle"
    echo "idle $i: $(rss "$hpid"), ready byte after $ready_ms ms"
    idles+=($(rss_kb "$hpid"))
    if [ "$i" -lt "$runs" ] || [ "$conns" = 0 ]; then finish; fi
done
if [ "$runs" -gt 1 ]; then
    printf '%s\n' "${idles[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "idle median: %.1f MB over %d runs (min %.1f, max %.1f)\n", v[int((NR + 1) / 2)] / 1024, NR, v[1] / 1024, v[NR] / 1024 }'
fi
if [ "$conns" != 0 ]; then
    connect figures
    sleep "$idle"
    echo "with $conns idle TCP connections: $(rss "$hpid")"
    finish
fi
if [ "$nmt" != 0 ]; then
    echo
    echo "# NMT run (-XX:NativeMemoryTracking=summary; NMT's own bookkeeping is in the figures below)"
    start nmt -XX:NativeMemoryTracking=summary
    sleep "$idle"
    echo "idle: $(rss "$hpid")"
    echo "  threads: $(threads "$hpid")"
    echo "  NMT committed (KB):"
    nmt_summary "$hpid"
    echo "  file mappings resident:"
    maps "$hpid"
    if [ "$conns" != 0 ]; then
        connect nmt
        sleep "$idle"
        echo "with $conns idle TCP connections: $(rss "$hpid")"
        echo "  NMT committed (KB):"
        nmt_summary "$hpid"
    fi
    finish
fi
