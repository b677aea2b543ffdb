#!/bin/bash
# Real engines run containers on slirp4j, unchanged, with their default options (issue 10): Debian's podman,
# rootlesskit and buildah, rootless, inside private namespaces. One PASS or FAIL line per check; exit 0 only if
# every check passed (1 otherwise, or when set-up fails); logs kept in /tmp/s4e-logs-* on failure.
# Usage (root): tests/engines/check.sh
#
# The helper is $SLIRP4J_BIN (default: the built distribution, src/target/slirp4j/bin/slirp4j; e.g. /usr/bin/slirp4j
# for the Debian package), given to the engines as it is:
#  - podman: containers.conf's `[engine] network_cmd_path` names it, and nothing else about the network (no
#    network_cmd_options): podman's defaults, so it passes --enable-sandbox --enable-seccomp --enable-ipv6 (it
#    passes each flag that the helper's --help mentions) and starts the helper in a mount namespace of its own;
#  - rootlesskit: --slirp4netns-binary=HELPER --slirp4netns-sandbox=true --slirp4netns-seccomp=true --ipv6
#    --port-driver=slirp4netns;
#  - buildah: runs the first `slirp4netns` on PATH: a directory whose slirp4netns is a symlink to the helper comes
#    first (buildah 1.28 passes `--mtu 65520 -r 3 -c PID tap0`, no exit fd, no sandbox flags).
# Checks:
#  podman, default network: ping -c1 10.0.2.2 (busybox ping: --cap-add NET_RAW); an fd00:: address (SLAAC from the
#    helper's router advertisements); the helper confined and its root not the host's (below); the helper gone
#    <= EXIT_MS (100) ms after the container's process exits (pids from /proc, polled every ms);
#  podman, allow_host_loopback=true: TCP from the container to 10.0.2.2:18000, a busybox httpd on the private
#    host's 127.0.0.1: the server sees 127.0.0.1, bytes both ways checked (SHA-256 of 108 KB up and 168 KB down);
#  podman, -p 18080:8080 port_handler=slirp4netns: an httpd in the container sees a client on 198.51.100.2 (a veth
#    address in the private namespace) as itself and a client on 127.0.0.1 as 10.0.2.2, bytes checked; confinement;
#  podman, -p 18081:8080 with the default handler (rootlessport): bytes checked;
#  rootlesskit: -p 127.0.0.1:18082:8080/tcp reaches an httpd that COMMAND runs (bytes checked, client seen as
#    10.0.2.2); tap0 in the child has 10.0.2.100 and an fd00:: address (--ipv6); confinement; rootlesskit exits 0;
#  buildah: `buildah run --cap-add CAP_NET_RAW CTR ping -c1 10.0.2.2` BUILDAH_RUNS (10) times in a row, all must
#    pass (buildah gives up when the ready byte takes more than ~1 s); then one `ping; sleep 2` run for confinement.
#  Confinement, while the container runs, for every thread in /proc/PID/task: `Seccomp: 2`, `NoNewPrivs: 1`, and
#  CapEff, CapPrm, CapBnd, CapAmb with no capability but CAP_NET_BIND_SERVICE (bit 10); and /proc/PID/root is
#  not the host's / (device and inode compared; its listing printed). Each engine's argv to the helper is printed.
#
# Environment: SLIRP4J_BIN (above); KEEP_LOGS=1; CMD_TIMEOUT (s, default 90) bounds each engine command;
# ENGINES_USER; SLIRP4J_ENV="NAME=VALUE ..." adds to the engines' environment, which they pass to the helper (e.g.
# SLIRP4J_TRACE_STARTUP=1: its lines reach rootlesskit's --debug log; podman and buildah keep no stderr of the
# helper's); EXIT_MS; BUILDAH_RUNS; CHECK_TIMEOUT (s, default 360) bounds the whole. Needs (installs nothing): podman
# buildah rootlesskit uidmap runc busybox-static socat.
# Safety and clean-up: lib.sh (shared with run.sh): nothing leaves the private network namespace (lo and a veth
# pair whose both ends stay in it); all servers listen there; every process started is stopped by pid at exit.
set -euo pipefail
export LC_ALL=C    # EPOCHREALTIME with a '.'
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
exit_ms=${EXIT_MS:-100}
buildah_runs=${BUILDAH_RUNS:-10}
t_start=$EPOCHREALTIME

engines_preflight podman buildah rootlesskit uidmap busybox-static socat
engines_slirp4j
engines_user
engines_usable "$slirp4j"
helper_env=${SLIRP4J_ENV:-}
engines_workdir "network_cmd_path = \"$slirp4j\""
engines_netns
# a non-loopback address for port-forward clients: a veth pair whose two ends both stay in the private namespace
nsenter -t "$init" -n sh -ec 'ip link add s4j0 type veth peer name s4j1
    ip addr add 198.51.100.1/24 dev s4j0; ip addr add 198.51.100.2/24 dev s4j1; ip link set s4j0 up; ip link set s4j1 up'
engines_image
engines_www "$work/www"
mkdir -p "$work/rk"; chown "$uid:$gid" "$work/rk"
engines_slirp4netns_on_path "$slirp4j"    # for buildah
mkfifo "$work/tick"; exec {tick}<>"$work/tick"    # `read -t 0.001 -u $tick`: a 1 ms sleep without a fork
# the request every HTTP check sends, and the SHA-256 of what must go up and come down
{ printf 'POST /cgi-bin/s4j HTTP/1.0\r\nContent-Length: %s\r\n\r\n' "$(seq 1 20000 | wc -c)"; seq 1 20000; } >"$work/request"
up_sha=$(seq 1 20000 | sha256sum | cut -d' ' -f1)
down_sha=$(seq 1 30000 | sha256sum | cut -d' ' -f1)
t_setup=$EPOCHREALTIME
set +e
# a bound on the whole: after CHECK_TIMEOUT s, TERM (the trap cleans up once the running command, itself bounded by
# CMD_TIMEOUT, returns)
( sleep "${CHECK_TIMEOUT:-360}"; echo "engines: check.sh ran over ${CHECK_TIMEOUT:-360} s: stopping" >&2; kill -TERM $$ ) &
engines_bg_pids+=($!)

# --- reporting --------------------------------------------------------------------------------------------------
passed=0; failed=0
pass() { echo "PASS $1${2:+ ($2)}"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
check() { if [ "$2" = ok ]; then pass "$1" "${3:-}"; else fail "$1" "$2"; fi; }
info() { echo "     $*"; }
ms_between() { local a=${1/./} b=${2/./}; echo $(( (10#$b - 10#$a) / 1000 )); }
# last_lines FILE: the last lines of FILE on one line, for a failure's reason
last_lines() { tail -n "${2:-3}" "$1" 2>/dev/null | tr -s '\n\t' '  ' | cut -c1-400; }
section_t=$EPOCHREALTIME
section() { local now=$EPOCHREALTIME; echo "== $1"; section_t=$now; }
section_done() { info "($(ms_between "$section_t" "$EPOCHREALTIME") ms)"; }

# --- the helper's process -------------------------------------------------------------------------------------
# find_helper: the helper's pid (newest if several): a process of the private namespaces whose comm is java or
# slirp4netns, whose argv ends in tap0 and does not start with a shell (the launcher execs), and
# whose parent is not such a process (slirp4j's short-lived namespace child).
find_helper() {
    local p c a best= parent st f
    local -A cand=()
    for p in $(engines_pids); do
        { read -r c <"/proc/$p/comm"; } 2>/dev/null || continue
        case $c in java|slirp4netns) ;; *) continue ;; esac
        { mapfile -d '' -t a <"/proc/$p/cmdline"; } 2>/dev/null || continue
        [ ${#a[@]} -gt 1 ] && [ "${a[-1]}" = tap0 ] || continue
        case ${a[0]##*/} in sh|dash|bash) continue ;; esac
        cand[$p]=1
    done
    for p in "${!cand[@]}"; do
        { read -r st <"/proc/$p/stat"; } 2>/dev/null || continue
        read -r -a f <<<"${st##*) }"; parent=${f[1]}
        [ -n "${cand[$parent]:-}" ] && continue
        { [ -z "$best" ] || [ "$p" -gt "$best" ]; } && best=$p
    done
    [ -n "$best" ] && echo "$best"
}
# wait_helper SECONDS: find_helper, retried
wait_helper() {
    local deadline=$((SECONDS + $1)) p
    until p=$(find_helper); do [ $SECONDS -lt $deadline ] || return 1; sleep 0.05; done
    echo "$p"
}
# helper_argv PID: the arguments the helper got (after the launcher's `-jar .../slirp4j.jar`, or after argv[0])
helper_argv() {
    local a i
    mapfile -d '' -t a <"/proc/$1/cmdline" 2>/dev/null || return 1
    for ((i = 0; i < ${#a[@]}; i++)); do
        if [ "${a[$i]}" = -jar ]; then echo "${a[*]:$((i + 2))}"; return; fi
    done
    echo "${a[*]:1}"
}
# confined TAG PID: the two confinement checks, and the argv (engines started the helper as PID)
confined() {
    local tag=$1 pid=$2 t k v n=0 bad=0 first= line seccomp nnp caps
    info "$tag: helper pid $pid, argv: $(helper_argv "$pid")"
    local state try
    for t in /proc/"$pid"/task/*; do
        # a thread that is ending (the JVM ends compiler threads it no longer needs) can show a status cut short:
        # read again, and skip it once it is gone or dead
        for try in 1 2 3; do
            seccomp=?; nnp=?; caps=; state=?
            while IFS=$':\t ' read -r k v; do
                case $k in
                    State) state=$v ;;
                    Seccomp) seccomp=$v ;;
                    NoNewPrivs) nnp=$v ;;
                    CapEff|CapPrm|CapBnd|CapAmb) (( (16#$v & ~(1 << 10)) != 0 )) && caps+=" $k=$v" ;;
                esac
            done <"$t/status" 2>/dev/null
            [ "$seccomp" != "?" ] && [ "$nnp" != "?" ] && break
            sleep 0.05
        done
        [ -e "$t" ] || continue
        case $state in Z*|X*) continue ;; esac
        n=$((n + 1))
        if [ "$seccomp" != 2 ] || [ "$nnp" != 1 ] || [ -n "$caps" ]; then
            bad=$((bad + 1))
            [ -z "$first" ] && first="thread ${t##*/} ($(<"$t/comm")) $state: Seccomp $seccomp, NoNewPrivs $nnp,${caps:- caps ok}"
        fi
    done
    if [ $n = 0 ]; then fail "$tag: helper confined" "helper $pid vanished before it could be inspected"
    elif [ $bad = 0 ]; then pass "$tag: helper confined" "$n threads: Seccomp 2, NoNewPrivs 1, no capability but NET_BIND_SERVICE"
    else fail "$tag: helper confined" "$bad of $n threads are not; first: $first"; fi
    local host_id root_id listing
    host_id=$(stat -L -c '%d:%i' /); root_id=$(stat -L -c '%d:%i' "/proc/$pid/root/" 2>/dev/null)
    listing=$(ls -A "/proc/$pid/root/" 2>&1 | tr '\n' ' ' | cut -c1-200)
    if [ -z "$root_id" ]; then fail "$tag: helper's root is not the host's" "cannot stat /proc/$pid/root"
    elif [ "$root_id" = "$host_id" ]; then fail "$tag: helper's root is not the host's" "it is the host's / (dev:inode $root_id): $listing"
    else pass "$tag: helper's root is not the host's" "dev:inode $root_id, host's $host_id; it holds: $listing"; fi
}
# stop_procs TEXT: stop (TERM) the processes of the private namespaces whose argv holds TEXT
stop_procs() {
    local p a
    for p in $(engines_pids); do
        { mapfile -d '' -t a <"/proc/$p/cmdline"; } 2>/dev/null || continue
        [[ "${a[*]}" == *"$1"* ]] && kill -TERM "$p" 2>/dev/null
    done
    return 0
}
# container_pid MARKER: the process of a container (another pid namespace inside ours) whose argv holds MARKER
container_pid() {
    local p a
    for p in $(engines_pids); do
        [ "/proc/$p/ns/pid" -ef "/proc/$init/ns/pid" ] && continue
        { mapfile -d '' -t a <"/proc/$p/cmdline"; } 2>/dev/null || continue
        [[ "${a[*]}" == *"$1"* ]] && { echo "$p"; return 0; }
    done
    return 1
}
# wait_dead PID MS: until PID has exited (gone or a zombie), polled every ~1 ms; EPOCHREALTIME then in $dead_at
wait_dead() {
    local deadline=$(( ${EPOCHREALTIME/./} + $2 * 1000 ))
    while alive "$1"; do
        [ "${EPOCHREALTIME/./}" -lt "$deadline" ] || return 1
        read -r -t 0.001 -u "$tick" _
    done
    dead_at=$EPOCHREALTIME
}
# exit_timing NAME CPID HPID: the check NAME: HPID (the helper) exits <= $exit_ms ms after CPID (the container's
# process) does. Both polled every ~1 ms, and CPID's parent (conmon, which holds the other end of podman's exit fd)
# too, to tell the engine's share from the helper's.
exit_timing() {
    local c=$2 h=$3 m= st f now t_c= t_m= t_h= deadline=$(( ${EPOCHREALTIME/./} + 40000000 )) conmon
    { read -r st <"/proc/$c/stat"; } 2>/dev/null && { read -r -a f <<<"${st##*) }"; m=${f[1]}; }
    while :; do
        now=$EPOCHREALTIME
        [ -z "$t_c" ] && ! alive "$c" && t_c=$now
        [ -z "$t_m" ] && [ -n "$m" ] && ! alive "$m" && t_m=$now
        [ -z "$t_h" ] && ! alive "$h" && t_h=$now
        [ -n "$t_c" ] && [ -n "$t_h" ] && break
        [ "${now/./}" -lt "$deadline" ] || break
        read -r -t 0.001 -u "$tick" _
    done
    if [ -z "$t_c" ]; then fail "$1" "the container ($c) did not exit in 40 s"; return; fi
    if [ -z "$t_h" ]; then fail "$1" "helper $h still there $(ms_between "$t_c" "$EPOCHREALTIME") ms after the container exited"; return; fi
    conmon="its parent (conmon, pid $m): $([ -n "$t_m" ] && echo "$(ms_between "$t_c" "$t_m") ms" || echo "still there")"
    local d; d=$(ms_between "$t_c" "$t_h")
    if [ "$d" -le "$exit_ms" ]; then pass "$1" "$d ms after the container's process exited; $conmon"
    else fail "$1" "$d ms after the container's process exited; $conmon"; fi
}
# wait_log FILE TEXT SECONDS [PID]: until FILE holds TEXT; fails early if PID (the engine command) ended
wait_log() {
    local deadline=$((SECONDS + $3))
    until grep -q -- "$2" "$1" 2>/dev/null; do
        [ $SECONDS -lt $deadline ] || return 1
        [ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null && { grep -q -- "$2" "$1" 2>/dev/null; return; }
        sleep 0.05
    done
}

# --- HTTP checks ------------------------------------------------------------------------------------------------
# http_verdict RESPONSE EXPECTED_PEER: $verdict := "ok" or what is wrong with a response of /cgi-bin/s4j; $peer := the
# client's address as the server saw it
http_verdict() {
    local got down
    peer=$(grep -a -m1 '^peer=' "$1" | cut -d= -f2 | tr -d '\r[]')
    peer=${peer#::ffff:}    # (busybox httpd listening on IPv6 names IPv4 clients [::ffff:a.b.c.d])
    got=$(grep -a -m1 '^got-sha=' "$1" | cut -d= -f2 | tr -d '\r')
    down=$(sed '1,/^down:/d' "$1" | sha256sum | cut -d' ' -f1)
    if ! grep -aq '^down:' "$1"; then verdict="no answer from the server: $(last_lines "$1.err" 2) $(head -c 200 "$1" | tr '\r\n' '  ')"
    elif [ "$got" != "$up_sha" ]; then verdict="the server received other bytes than sent (SHA-256 $got, sent $up_sha)"
    elif [ "$down" != "$down_sha" ]; then verdict="other bytes came back than the server sent (SHA-256 $down, sent $down_sha)"
    elif [ -n "$2" ] && [ "$peer" != "$2" ]; then verdict="the server saw the client as $peer, not $2"
    else verdict=ok; fi
}
# http_from NAME SRC DST PORT: the request from the private host (source SRC, or the kernel's choice if empty) to
# DST:PORT, retried for 10 s while the server in the container is not up yet; the response in $logs/http-NAME
http_from() {
    local out=$logs/http-$1 deadline=$((SECONDS + 10))
    while :; do
        nsenter -t "$init" -n timeout 15 socat -t 5 -T 10 - "TCP:$3:$4${2:+,bind=$2}" <"$work/request" >"$out" 2>"$out.err"
        grep -aq '^down:' "$out" && return 0
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.2
    done
}

# === podman, default network options ===========================================================================
section "podman $(podman --version | awk '{print $3}'), containers.conf: network_cmd_path = $slirp4j"
mark=S4J-READY-$$
log=$logs/podman-default.log
script="ping -c1 -W5 10.0.2.2; echo ping-rc=\$?; i=0
while [ \$i -lt 100 ] && ! ip -6 addr show | grep -q 'inet6 fd00:'; do sleep 0.05; i=\$((i+1)); done
ip addr; echo $mark; sleep 3; echo S4J-BYE"    # (the last echo: busybox sh would exec sleep, losing the marker)
USER_ENV=$helper_env \
    as_user podman run --rm --cap-add NET_RAW "$image" sh -c "$script" >"$log" 2>"$log.err" &
bg=$!
if wait_log "$log" "$mark" 60 "$bg"; then
    hpid=$(wait_helper 5); cpid=$(container_pid "$mark")
    if [ -n "$hpid" ]; then confined podman "$hpid"
    else fail "podman: helper confined" "no helper process found"; fail "podman: helper's root is not the host's" "no helper process found"; fi
    if [ -z "$hpid" ] || [ -z "$cpid" ]; then
        fail "podman: helper gone <= $exit_ms ms after the container exits" "helper pid '${hpid:-}', container pid '${cpid:-}': not found"
    else
        exit_timing "podman: helper gone <= $exit_ms ms after the container exits" "$cpid" "$hpid"
    fi
fi
wait "$bg"; rc=$?
why="podman run failed (exit $rc): $(last_lines "$log.err" 4)"
if grep -q "$mark" "$log"; then
    if grep -q 'ping-rc=0' "$log" && grep -q '1 packets received' "$log"; then pass "podman: ping -c1 10.0.2.2" "$(grep -m1 'bytes from' "$log")"
    else fail "podman: ping -c1 10.0.2.2" "$(grep -E 'packets|ping-rc|ping:' "$log" | tr '\n' ' ')"; fi
    addr6=$(grep -m1 -o 'inet6 fd00:[^ ]*' "$log")
    check "podman: fd00:: address by SLAAC" "$([ -n "$addr6" ] && echo ok || echo "none: $(grep inet6 "$log" | tr -s ' \n' '  ')")" "$addr6"
    [ $rc = 0 ] || fail "podman run (default network) exits 0" "$why"
else
    for c in "ping -c1 10.0.2.2" "fd00:: address by SLAAC" "helper confined" "helper's root is not the host's" \
             "helper gone <= $exit_ms ms after the container exits"; do fail "podman: $c" "$why"; done
fi
section_done

# === podman, host loopback ======================================================================================
section "podman --network slirp4netns:allow_host_loopback=true: the container to 10.0.2.2:18000 = 127.0.0.1:18000"
USER_ENV= as_user busybox httpd -f -p 127.0.0.1:18000 -h "$work/www" >"$logs/httpd-host.log" 2>&1 &
wait_listening "$init" -t 18000 10 >/dev/null 2>&1
log=$logs/podman-loopback.log
USER_ENV=$helper_env \
    as_user podman run --rm --network slirp4netns:allow_host_loopback=true "$image" sh -c \
    "{ printf 'POST /cgi-bin/s4j HTTP/1.0\r\nContent-Length: %s\r\n\r\n' \$(seq 1 20000 | wc -c); seq 1 20000; } | nc 10.0.2.2 18000" \
    >"$log" 2>"$log.err"
rc=$?
if [ $rc = 0 ]; then
    http_verdict "$log" 127.0.0.1; check "podman: TCP to the host's loopback via 10.0.2.2" "$verdict" "server saw $peer, 108894 bytes up and 168894 down, SHA-256 equal"
else
    fail "podman: TCP to the host's loopback via 10.0.2.2" "podman run exit $rc: $(last_lines "$log.err")"
fi
stop_procs 'httpd -f -p 127.0.0.1:18000'
section_done

# === podman, -p with port_handler=slirp4netns ====================================================================
section "podman --network slirp4netns:port_handler=slirp4netns -p 18080:8080 (an httpd in the container)"
log=$logs/podman-fwd.log
if USER_ENV=$helper_env \
    as_user podman run -d --name s4j-fwd --network slirp4netns:port_handler=slirp4netns -p 18080:8080 \
        "$image" httpd -f -p 8080 -h /www >"$log" 2>&1; then
    http_from fwd-veth 198.51.100.2 198.51.100.1 18080
    http_verdict "$logs/http-fwd-veth" 198.51.100.2
    check "podman: -p (port_handler=slirp4netns): a client on 198.51.100.2 is seen as itself" "$verdict" "bytes checked"
    http_from fwd-lo "" 127.0.0.1 18080
    http_verdict "$logs/http-fwd-lo" 10.0.2.2
    check "podman: -p (port_handler=slirp4netns): a loopback client is seen as 10.0.2.2" "$verdict" "bytes checked"
    if hpid=$(wait_helper 5); then confined "podman -p (port_handler=slirp4netns, API socket)" "$hpid"
    else fail "podman -p (port_handler=slirp4netns, API socket): helper confined" "no helper process found"; fi
else
    why="podman run -d failed: $(last_lines "$log" 4)"
    fail "podman: -p (port_handler=slirp4netns): a client on 198.51.100.2 is seen as itself" "$why"
    fail "podman: -p (port_handler=slirp4netns): a loopback client is seen as 10.0.2.2" "$why"
fi
as_user podman rm -f -t 0 s4j-fwd >>"$log" 2>&1
section_done

# === podman, -p with the default port handler (rootlessport) ====================================================
section "podman -p 18081:8080 (default port handler: rootlessport)"
log=$logs/podman-rootlessport.log
if USER_ENV=$helper_env \
    as_user podman run -d --name s4j-rlp -p 18081:8080 "$image" httpd -f -p 8080 -h /www >"$log" 2>&1; then
    http_from rootlessport "" 127.0.0.1 18081
    http_verdict "$logs/http-rootlessport" ""
    check "podman: -p (rootlessport): bytes through" "$verdict" "server saw $peer"
else
    fail "podman: -p (rootlessport): bytes through" "podman run -d failed: $(last_lines "$log")"
fi
as_user podman rm -f -t 0 s4j-rlp >>"$log" 2>&1
section_done

# === rootlesskit ================================================================================================
section "$(rootlesskit --version) --net=slirp4netns --slirp4netns-sandbox=true --slirp4netns-seccomp=true --ipv6 --port-driver=slirp4netns -p 127.0.0.1:18082:8080/tcp"
log=$logs/rootlesskit.log
rk_script="i=0
while [ \$i -lt 100 ] && ! ip -6 addr show dev tap0 | grep -q 'inet6 fd00:'; do sleep 0.05; i=\$((i+1)); done
ip addr show dev tap0 >$work/rk/addr.tmp; mv $work/rk/addr.tmp $work/rk/addr
busybox httpd -f -p 8080 -h $work/www & h=\$!
while [ ! -e $work/rk/stop ]; do sleep 0.05; done
kill \$h"
USER_ENV=$helper_env \
    as_user rootlesskit --debug --state-dir="$run/rk" --net=slirp4netns --slirp4netns-binary="$slirp4j" \
        --slirp4netns-sandbox=true --slirp4netns-seccomp=true --ipv6 --port-driver=slirp4netns \
        -p 127.0.0.1:18082:8080/tcp -- /bin/sh -c "$rk_script" >"$log" 2>&1 &
bg=$!
deadline=$((SECONDS + 60))
until [ -e "$work/rk/addr" ] || ! kill -0 "$bg" 2>/dev/null || [ $SECONDS -ge $deadline ]; do sleep 0.05; done
if [ -e "$work/rk/addr" ]; then
    if hpid=$(wait_helper 5); then confined rootlesskit "$hpid"
    else fail "rootlesskit: helper confined" "no helper process found"; fi
    http_from rootlesskit "" 127.0.0.1 18082
    http_verdict "$logs/http-rootlesskit" 10.0.2.2
    check "rootlesskit: -p 127.0.0.1:18082:8080/tcp (port driver slirp4netns): bytes through" "$verdict" "server saw $peer"
    a4=$(grep -o 'inet 10\.0\.2\.100/24' "$work/rk/addr"); a6=$(grep -m1 -o 'inet6 fd00:[^ ]*' "$work/rk/addr")
    check "rootlesskit: tap0 has 10.0.2.100 and an fd00:: address" \
        "$([ -n "$a4" ] && [ -n "$a6" ] && echo ok || echo "tap0: $(tr -s ' \n' '  ' <"$work/rk/addr")")" "$a4, $a6"
    touch "$work/rk/stop"
    wait "$bg"; rc=$?
    check "rootlesskit: exits 0 when COMMAND does" "$([ $rc = 0 ] && echo ok || echo "exit $rc: $(last_lines "$log")")"
    [ -n "$hpid" ] && { wait_dead "$hpid" 5000 || fail "rootlesskit: helper stopped with rootlesskit" "helper $hpid still there 5 s later"; }
else
    kill -0 "$bg" 2>/dev/null && touch "$work/rk/stop"
    wait "$bg"; rc=$?
    # rootlesskit's error names the helper's argv; with --debug the helper's stderr is in the log too
    why=$(grep -o 'waiting for ready fd.*' "$log" | head -n1 | cut -c1-300; grep -o 'slirp4j: .*' "$log" | head -n2 | cut -c1-200)
    why="rootlesskit failed (exit $rc): $(echo "${why:-$(last_lines "$log" 3)}" | tr '\n' ' ')"
    for c in "helper confined" "helper's root is not the host's" "-p 127.0.0.1:18082:8080/tcp (port driver slirp4netns): bytes through" \
             "tap0 has 10.0.2.100 and an fd00:: address"; do fail "rootlesskit: $c" "$why"; done
fi
section_done

# === buildah ====================================================================================================
section "$(buildah --version | cut -d' ' -f1-3): slirp4netns on PATH -> $slirp4j"
log=$logs/buildah.log
bpath=$slirp4netns_path
benv=$helper_env
if ctr=$(USER_PATH=$bpath as_user buildah from --pull-never --quiet "$image" 2>>"$log"); then
    ok=0; times=
    for i in $(seq "$buildah_runs"); do
        t0=$EPOCHREALTIME
        if USER_PATH=$bpath USER_ENV=$benv as_user buildah run --cap-add CAP_NET_RAW "$ctr" ping -c1 -W5 10.0.2.2 >>"$log" 2>&1; then
            ok=$((ok + 1)); times+="$(ms_between "$t0" "$EPOCHREALTIME") "
        else
            times+="FAILED "; echo "(run $i failed)" >>"$log"
        fi
    done
    check "buildah: run ... ping -c1 10.0.2.2, $buildah_runs times in a row" \
        "$([ $ok = "$buildah_runs" ] && echo ok || echo "$ok of $buildah_runs passed: $(grep -iE 'error|fail' "$log" | tail -n 2 | tr '\n' ' ' | cut -c1-500)")" \
        "$ok/$buildah_runs, ms: $times"
    mark=S4J-BUILDAH-$$
    USER_PATH=$bpath USER_ENV=$benv as_user buildah run --cap-add CAP_NET_RAW "$ctr" \
        sh -c "ping -c1 -W5 10.0.2.2 >/dev/null && echo $mark && sleep 2" >"$log.inspect" 2>&1 &
    bg=$!
    if wait_log "$log.inspect" "$mark" 30 "$bg" && hpid=$(wait_helper 2); then
        [[ " $(helper_argv "$hpid") " == *" --enable-sandbox "* ]] \
            || info "buildah: (buildah passed neither --enable-sandbox nor --enable-seccomp: confined only if the helper is by default)"
        confined buildah "$hpid"
    else why="no helper found during 'buildah run ... sleep 2': $(last_lines "$log.inspect")"
        fail "buildah: helper confined" "$why"; fail "buildah: helper's root is not the host's" "$why"; fi
    wait "$bg"
    USER_PATH=$bpath as_user buildah rm "$ctr" >>"$log" 2>&1
else
    fail "buildah: run ... ping -c1 10.0.2.2, $buildah_runs times in a row" "buildah from failed: $(last_lines "$log")"
fi
section_done

# --- summary ----------------------------------------------------------------------------------------------------
t_end=$EPOCHREALTIME
echo "engines: set-up $(ms_between "$t_start" "$t_setup") ms, checks $(ms_between "$t_setup" "$t_end") ms, total $(ms_between "$t_start" "$t_end") ms"
echo "engines: $passed checks passed, $failed failed"
[ "$failed" = 0 ]
