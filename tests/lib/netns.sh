# Sourced by the scripts under tests/. Bash.

# wait_own_netns PID: until PID (just started with `unshare --net`) is in a network namespace of its own.
# Before that, `nsenter -t PID -n` would enter this machine's namespace, so a script must wait, never guess.
wait_own_netns() {
    local deadline=$((SECONDS + 10)) id
    while :; do
        id=$(readlink "/proc/$1/ns/net" 2>/dev/null) || { echo "netns: pid $1 is gone" >&2; exit 1; }
        [ "$id" != "$(readlink /proc/self/ns/net)" ] && return 0
        [ $SECONDS -lt $deadline ] || { echo "netns: pid $1 has no network namespace of its own" >&2; exit 1; }
        sleep 0.02
    done
}

# wait_listening PID -t|-u PORT [SECONDS]: until a TCP (-t) or UDP (-u) socket on PORT is listening in PID's
# namespace; returns 1 after SECONDS (default 10), which ends a script under `set -e`.
wait_listening() {
    local deadline=$((SECONDS + ${4:-10}))
    until nsenter -t "$1" -n ss -Hln "$2" "sport = :$3" | grep -q .; do
        [ $SECONDS -lt $deadline ] || { echo "netns: nothing listens on port $3 in pid $1's namespace" >&2; return 1; }
        sleep 0.02
    done
}
