#!/bin/bash
# Demo: slirp4j giving a fresh network namespace its network, entirely inside namespaces this script makes.
# A private "host" namespace (loopback only) runs slirp4j and UDP and TCP echo servers on 127.0.0.1:7777; the
# guest namespace gets tap0 configured by slirp4j (-c), pings the gateway and talks UDP and TCP to the host
# through 10.0.2.2; then a port forward (-p 8080:80) carries a TCP connection from the host into the guest, and
# `slirp4j api` lists the forwards over the API socket.
# Needs root (to make namespaces), socat, iproute2 (ip, ss) and ping. Nothing leaves the machine.
set -euo pipefail
source "$(dirname "$0")/lib/netns.sh"
helper=${1:-$(cd "$(dirname "$0")/.." && pwd)/src/target/slirp4j/bin/slirp4j}
for tool in unshare nsenter ip ss ping socat; do
    command -v "$tool" >/dev/null || { echo "demo: $tool is missing (apt-get install iproute2 iputils-ping socat)"; exit 1; }
done
[ -x "$helper" ] || { echo "demo: $helper not built (mvn -B -q -DskipTests package)"; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

unshare --net sleep infinity & host=$!; pids+=($host)
unshare --net sleep infinity & guest=$!; pids+=($guest)
wait_own_netns "$host"
wait_own_netns "$guest"
nsenter -t "$host" -n ip link set lo up
nsenter -t "$host" -n socat -T 20 UDP4-RECVFROM:7777,bind=127.0.0.1 EXEC:cat & pids+=($!)
nsenter -t "$host" -n socat TCP4-LISTEN:7777,bind=127.0.0.1,reuseaddr,fork EXEC:cat & pids+=($!)
nsenter -t "$guest" -n socat TCP4-LISTEN:80,reuseaddr,fork SYSTEM:'echo served by the guest to \$SOCAT_PEERADDR' & pids+=($!)
wait_listening "$host" -u 7777
wait_listening "$host" -t 7777
wait_listening "$guest" -t 80

mkfifo "$work/ready"
nsenter -t "$host" -n -- bash -c "exec 3>'$work/ready'; exec '$helper' --configure --ready-fd=3 \
    --publish 8080:80 --api-socket '$work/api.sock' $guest tap0" & pids+=($!)
start=$(date +%s%N)
[ "$(head -c 1 "$work/ready")" = 1 ] || { echo "demo: slirp4j did not become ready"; exit 1; }
echo "== slirp4j ready after $(( ($(date +%s%N) - start) / 1000000 )) ms"
echo "== guest addresses and routes"
nsenter -t "$guest" -n ip -brief addr show tap0
nsenter -t "$guest" -n ip route
echo "== guest pings the gateway"
nsenter -t "$guest" -n ping -c 3 -i 0.2 -W 2 10.0.2.2
echo "== guest sends UDP to 10.0.2.2:7777, which is the host's 127.0.0.1:7777 (an echo server)"
reply=$(echo "hello from the guest" | nsenter -t "$guest" -n socat -t 3 - UDP4:10.0.2.2:7777)
echo "echoed: $reply"
[ "$reply" = "hello from the guest" ]
echo "== guest connects over TCP to 10.0.2.2:7777, the host's 127.0.0.1:7777 (an echo server)"
reply=$(echo "hello over TCP" | nsenter -t "$guest" -n socat -t 3 - TCP4:10.0.2.2:7777)
echo "echoed: $reply"
[ "$reply" = "hello over TCP" ]
echo "== a host client connects to 127.0.0.1:8080, forwarded to the guest's port 80 (-p 8080:80)"
reply=$(nsenter -t "$host" -n socat -t 3 - TCP4:127.0.0.1:8080 </dev/null)
echo "$reply   (the guest sees the host's loopback client as the gateway)"
[ "$reply" = "served by the guest to 10.0.2.2" ]
echo "== slirp4j api --socket $work/api.sock list"
"$helper" api --socket "$work/api.sock" list
echo "== demo OK"
