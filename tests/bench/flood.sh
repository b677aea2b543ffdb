#!/bin/bash
# Benchmark (never fails on speed): issue 13's first flood, helper by helper. 2,000 guest connections with the
# guest's default socket buffers each send 1 MiB to a host server that never reads; once nothing moves (or after
# 90 s), a new connection and a small echo, then three `iperf3 -t 3` and three 32 MiB transfers, against the same
# before the flood (after two unmeasured iperf3 runs). Also the guest's tap0 TX counters (dropped frames) and the
# kernel's TCP memory (/proc/net/sockstat, in pages): past tcp_mem's pressure mark every TCP socket on the machine
# slows, which the guest's own sockets can cause whatever the helper does.
# Everything stays on this machine: the helper runs in a private "host" namespace with only a loopback, where the
# servers listen on 127.0.0.1 (the guest reaches them as 10.0.2.2).
# Usage: tests/bench/flood.sh      (root; needs python3, iperf3, jq, unshare, nsenter, ip)
# Environment: HELPERS="slirp4j slirp4netns", SLIRP4J=path/to/bin/slirp4j, SLIRP4NETNS=slirp4netns, N=2000,
#              SENDBUF= (SO_SNDBUF of the flood's sockets; empty: the kernel's default, as in the issue).
set -u
here=$(cd "$(dirname "$0")" && pwd)
helpers=${HELPERS:-slirp4j slirp4netns}
n=${N:-2000}
work=$(mktemp -d)
holders=()
cleanup() {
    for p in "${holders[@]}"; do
        ns=$(readlink /proc/$p/ns/net 2>/dev/null) || continue
        for q in $(ls /proc | grep -E '^[0-9]+$'); do
            [ "$q" != "$p" ] && [ "$(readlink /proc/$q/ns/net 2>/dev/null)" = "$ns" ] && kill -9 $q 2>/dev/null
        done
        kill $p 2>/dev/null
    done
    holders=()
}
trap 'cleanup; rm -rf "$work"' EXIT

cat > "$work/servers.py" <<'EOF'
# host: 9000 accepts and never reads (4 KiB receive buffers); 9001 echoes; 9002 reads and discards
import socket, threading
def listener(port, rcvbuf=None):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf: s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind(('127.0.0.1', port)); s.listen(4096); return s
def sink():
    s = listener(9000, 4096); held = []
    while True:
        c, _ = s.accept(); held.append(c)
def serve(port, fn):
    s = listener(port)
    while True:
        c, _ = s.accept(); threading.Thread(target=fn, args=(c,), daemon=True).start()
def echo(c):
    while True:
        d = c.recv(65536)
        if not d: break
        c.sendall(d)
    c.close()
def discard(c):
    while c.recv(1 << 20): pass
    c.close()
threading.Thread(target=sink, daemon=True).start()
threading.Thread(target=serve, args=(9002, discard), daemon=True).start()
serve(9001, echo)
EOF
cat > "$work/flood.py" <<'EOF'
# guest: N connections to 10.0.2.2:9000, each sending 1 MiB; prints "stalled" once nothing moved for 3 s
import socket, sys, time, resource, os
h = resource.getrlimit(resource.RLIMIT_NOFILE)[1]; resource.setrlimit(resource.RLIMIT_NOFILE, (h, h))
n = int(sys.argv[1]); sndbuf = os.environ.get("SENDBUF"); socks = []; left = {}; buf = b"x" * 65536; total = 0
for i in range(n):
    s = socket.socket()
    # closed with RST when killed: a socket closed with data queued would linger as an orphan for minutes
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    if sndbuf: s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, int(sndbuf))
    s.setblocking(False)
    try: s.connect(('10.0.2.2', 9000))
    except BlockingIOError: pass
    socks.append(s); left[s] = 1 << 20
t0 = time.time(); quiet = 0
while quiet < 3:
    moved = 0
    for s in socks:
        if left[s] == 0: continue
        try:
            k = s.send(buf[:left[s]]); moved += k; left[s] -= k
        except OSError: pass
    total += moved
    print("t=%.1f s: %d MiB sent" % (time.time() - t0, total >> 20), flush=True)
    quiet = quiet + 1 if moved == 0 else 0
    time.sleep(1)
print("stalled", flush=True)
time.sleep(100000)
EOF
cat > "$work/bulk.py" <<'EOF'
# guest: 32 MiB to the discard server; prints MB/s (start to the server's close)
import socket, time
s = socket.create_connection(('10.0.2.2', 9002), timeout=30); buf = b'y' * (1 << 20); t = time.time()
for i in range(32): s.sendall(buf)
s.shutdown(socket.SHUT_WR); s.recv(1); print("%.0f" % (32 / (time.time() - t)))
EOF
cat > "$work/echo.py" <<'EOF'
# guest: a new connection to the echo server and one small echo; prints ms
import socket, time
t = time.time(); s = socket.create_connection(('10.0.2.2', 9001), timeout=30); s.sendall(b'room for one more?')
b = b''
while len(b) < 18: b += s.recv(100)
print("%.0f" % ((time.time() - t) * 1000))
EOF

for helper in $helpers; do
    case $helper in
        slirp4j) bin=${SLIRP4J:-$here/../../src/target/slirp4j/bin/slirp4j} ;;
        slirp4netns) bin=${SLIRP4NETNS:-slirp4netns} ;;
        *) echo "unknown helper $helper" >&2; exit 2 ;;
    esac
    unshare --net sleep infinity & host=$!
    disown
    unshare --net sleep infinity & guest=$!
    disown
    holders=($host $guest)
    sleep 0.3
    nsenter -t $host -n ip link set lo up
    (nsenter -t $host -n python3 "$work/servers.py" > "$work/servers.log" 2>&1 &)
    (nsenter -t $host -n iperf3 -s > /dev/null 2>&1 &)
    (nsenter -t $host -n "$bin" --configure --mtu 1500 $guest tap0 > "$work/$helper.log" 2>&1 &)
    sleep 3
    ip3() { nsenter -t $guest -n timeout 30 iperf3 -c 10.0.2.2 -t 3 -J | jq -r '.end.sum_received.bits_per_second/8e6|floor' 2>/dev/null || echo failed; }
    bulk() { nsenter -t $guest -n timeout 60 python3 "$work/bulk.py" 2>/dev/null || echo failed; }
    ip3 > /dev/null; ip3 > /dev/null
    before="iperf3 MB/s: $(for i in 1 2 3; do ip3; done | tr '\n' ' ')| 32 MiB MB/s: $(for i in 1 2 3; do bulk; done | tr '\n' ' ')"
    (SENDBUF=${SENDBUF:-} nsenter -t $guest -n python3 "$work/flood.py" $n > "$work/flood.log" 2>&1 &)
    for i in $(seq 1 90); do sleep 1; grep -q stalled "$work/flood.log" && break; done
    pushed=$(grep -v stalled "$work/flood.log" | tail -1)
    mem=$(grep TCP /proc/net/sockstat)
    echo_ms=$(nsenter -t $guest -n timeout 30 python3 "$work/echo.py" 2>/dev/null || echo "failed:")
    beside="iperf3 MB/s: $(for i in 1 2 3; do ip3; done | tr '\n' ' ')| 32 MiB MB/s: $(for i in 1 2 3; do bulk; done | tr '\n' ' ')"
    tx=$(nsenter -t $guest -n ip -s link show tap0 | awk '/TX:/{getline; print "packets " $2 ", dropped " $4}')
    echo "== $helper ($bin), $n connections x 1 MiB"
    echo "before the flood: $before"
    echo "flood: $pushed; kernel $mem"
    echo "beside it: new connection and echo $echo_ms ms; $beside"
    echo "guest tap0 TX: $tx"
    grep -i "limit\|budget" "$work/$helper.log" | tail -1
    cleanup
    sleep 2
done
