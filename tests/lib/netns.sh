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

# alive PID: PID runs (not gone, not a zombie: a child that died stays signalable until it is waited for).
# A zombie thread-group leader with other threads is alive: the leader shows Z while its threads run on, e.g. for
# a moment while a JVM's non-main thread calls execve (slirp4j's rootless re-exec) and the exec'ing thread takes
# over the PID. A dead process shows Z with one thread. Builtins only, so it can run in a polling loop.
alive() {
    local s f
    { read -r s < "/proc/$1/stat"; } 2>/dev/null || return 1
    s=${s##*) }            # fields after the last ')': comm may contain spaces and parentheses
    [ -n "$s" ] || return 1
    [ "${s:0:1}" = Z ] || return 0
    read -r -a f <<< "$s"  # f[0] is the state (field 3), f[17] num_threads (field 20)
    [ "${f[17]:-1}" -gt 1 ]
}

# descendants PID: prints the PIDs of PID's children, grandchildren, ... (any thread's), one a line. Builtins only.
descendants() {
    local f c kids
    for f in /proc/"$1"/task/*/children; do
        { read -r kids < "$f"; } 2>/dev/null || continue
        for c in $kids; do echo "$c"; descendants "$c"; done
    done
}

# sweep_netns "PID NETNS"...: kill (TERM, then KILL) every process inside the network namespaces of the given
# holders, the holders excepted: whatever slipped past a script's PID list (an orphaned server, a helper's child)
# cannot outlive it. A holder is used only while /proc/PID/ns/net still names the namespace recorded at its start,
# so neither a recycled PID nor a recycled namespace inode can make us signal someone else's process.
sweep_netns() {
    local ids=() hpids=() h p d id
    for h in "$@"; do
        set -- $h
        [ "$(readlink "/proc/$1/ns/net" 2>/dev/null)" = "$2" ] && { hpids+=("$1"); ids+=("$2"); }
    done
    [ ${#ids[@]} -gt 0 ] || return 0
    local sig
    for sig in TERM KILL; do
        local found=0
        for d in /proc/[0-9]*; do
            p=${d#/proc/}
            [ "$p" = $$ ] && continue
            id=$(readlink "$d/ns/net" 2>/dev/null) || continue
            for h in "${ids[@]}"; do
                if [ "$id" = "$h" ] && [[ " ${hpids[*]} " != *" $p "* ]]; then kill -"$sig" "$p" 2>/dev/null || true; found=1; fi
            done
        done
        [ "$found" = 1 ] || break
        [ "$sig" = TERM ] && sleep 0.5
    done
    return 0
}
