#!/bin/bash
# Real engines against slirp4j and against the real slirp4netns, rootless, in private namespaces (issue 8).
# Usage (root): tests/engines/run.sh [ROUNDS]   (default 10)
#  1. podman: `podman run --rm --network slirp4netns --cap-add NET_RAW IMAGE ping -c1 10.0.2.2` (podman's
#     defaults, IPv6 included: it passes --enable-ipv6), wall time, ROUNDS rounds, the two helpers alternating
#     (order flipped every round), after one untimed warm-up each (the first run also starts podman's pause
#     process); medians and their difference. The helper is chosen with podman's global `--network-cmd-path`
#     (= `[engine] network_cmd_path` in containers.conf).
#  2. buildah: `buildah from IMAGE` + `buildah run --cap-add CAP_NET_RAW CTR ping -c1 10.0.2.2` + `buildah rm`,
#     ROUNDS times per helper, alternating; successes counted. buildah runs the first `slirp4netns` on PATH
#     (`--mtu 65520 -r 3 -c PID tap0`) and, through a bug in its wait loop (WNOHANG's zero status reads as
#     "exited"), fails the run if the ready byte has not come 1 s after the start.
# Prints a Markdown table. Exit 0: every run passed and slirp4j's extra median podman time is <= MAX_EXTRA_MS
# (default 250); 1: a run failed, or set-up failed; 2: only that time limit was exceeded.
# Options (environment): TRACE=1 has slirp4j report its launch-to-ready time (SLIRP4J_TRACE_STARTUP) and prints
# the medians; LOAD=N adds N busy loops competing for the CPU; KEEP_LOGS=1 keeps the logs (kept anyway on
# failure) in /tmp/s4e-logs-*; CMD_TIMEOUT (s, default 90) bounds each engine command; ENGINES_USER;
# SLIRP4J_ENV="NAME=VALUE ..." adds variables to slirp4j's environment (e.g. SLIRP4J_JAVA_OPTS=-XX:...).
#
# Needs (installs nothing): podman buildah uidmap busybox-static slirp4netns, and runc where cgroups are hybrid
# (crun refuses them, as on these machines), and the built distribution (mvn -B -q -o -DskipTests package):
# src/target/slirp4j/bin/slirp4j, or SLIRP4J_BIN; the test user must be able to read it where it is (a copy
# elsewhere would lose its class-data archive). The engines run slirp4j through tests/engines/wrapper/slirp4netns,
# a stop-gap until issue 10 (see that file).
#
# Safety: everything runs inside a private network + mount + pid namespace created here (lo only: no packet can
# leave the machine); /etc/resolv.conf there names 127.0.0.1, where nothing listens, so the helpers' DNS
# forwarders never reach the machine's resolver, and the containers only ping the gateway address, which the
# helper answers itself. The image is busybox-static's binary, tarred and `podman import`ed.
# Engines run as the unprivileged user $ENGINES_USER (default s4j-engines; created if missing, with its own
# /etc/subuid and /etc/subgid range, and kept), with storage (vfs), runtime dir and configuration of their own
# under a fresh /tmp/s4e.XXXX (removed at exit). /dev/net/tun is set to mode 0666 (and left so).
# Every process started here lives in that pid namespace or descends from one that does: on exit (trap) each
# one is killed by pid (podman's pause process, conmon, the helpers, ...), then the namespace's init, which
# takes anything left with it. Every engine command runs under `timeout`.
set -euo pipefail
rounds=${1:-10}
max_extra_ms=${MAX_EXTRA_MS:-250}
user=${ENGINES_USER:-s4j-engines}
cmd_timeout=${CMD_TIMEOUT:-90}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$root/tests/lib/netns.sh"
wrapper_dir=$here/wrapper
real_helper=/usr/bin/slirp4netns
image=localhost/s4j-busybox

die() { echo "engines: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run me as root"
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive number"
# conmon and the engines need a real /dev/null. On these shared machines it was once found replaced by an empty
# regular file of mode 0444, the mode in which a JVM writes a class-data archive (-XX:ArchiveClassesAtExit=
# /dev/null does exactly that: it removes the device and creates a file).
[ -c /dev/null ] || die "/dev/null is not a character device (fix: mknod -m 666 /dev/.n c 1 3 && mv /dev/.n /dev/null)"

missing=()
command -v podman >/dev/null || missing+=(podman)
command -v buildah >/dev/null || missing+=(buildah)
{ command -v newuidmap && command -v newgidmap; } >/dev/null || missing+=(uidmap)
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || missing+=(busybox-static)
[ -x "$real_helper" ] || missing+=(slirp4netns)
# crun refuses hybrid cgroups (v1 controllers + /sys/fs/cgroup/unified), as on these machines; runc copes
if command -v runc >/dev/null; then runtime=runc
elif command -v crun >/dev/null && [ ! -d /sys/fs/cgroup/unified ]; then runtime=crun
else missing+=(runc); fi
[ ${#missing[@]} = 0 ] || die "missing: ${missing[*]} (apt-get install -y ${missing[*]})"
slirp4j=${SLIRP4J_BIN:-$root/src/target/slirp4j/bin/slirp4j}
[ -x "$slirp4j" ] || die "no slirp4j at $slirp4j (build it: mvn -B -q -o -DskipTests package)"
export SLIRP4J_BIN=$slirp4j

# --- the test user -------------------------------------------------------------------------------------------
if ! id -u "$user" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user"
fi
uid=$(id -u "$user"); gid=$(id -g "$user")
sub_start=$((1000000 + uid * 65536))    # one range per uid: no overlap with another test user made this way
grep -q "^$user:" /etc/subuid 2>/dev/null || usermod --add-subuids "$sub_start-$((sub_start + 65535))" "$user"
grep -q "^$user:" /etc/subgid 2>/dev/null || usermod --add-subgids "$sub_start-$((sub_start + 65535))" "$user"
chmod 0666 /dev/net/tun
# slirp4j must be readable and executable by the user (and by podman's user namespace, mapped to it) where it
# is: a copy elsewhere would lose its class-data archive, which records the jars' paths.
as_test_user_plain() { setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$@"; }
for f in "$slirp4j" "$wrapper_dir/slirp4netns"; do
    as_test_user_plain test -r "$f" || die "user $user cannot read $f: make its directories o+rx"
done
jsa=$(dirname "$(dirname "$(readlink -f "$slirp4j")")")/lib/slirp4j.jsa
if [ -f "$jsa" ]; then as_test_user_plain test -r "$jsa" || die "user $user cannot read $jsa"
else echo "engines: note: no class-data archive at $jsa: slirp4j starts slower" >&2; fi
as_test_user_plain test -x "$slirp4j" || die "user $user cannot execute $slirp4j"

work=; logs=; holder=; init=
cleanup() {
    local rc=$? p pids=() i
    set +e
    if [ -n "$init" ] && [ -d "/proc/$init" ]; then
        # the processes of our pid namespace (orphans were reparented to init; those that `nsenter -p` started
        # have an nsenter outside as parent) and all their descendants (containers have pid namespaces of
        # their own); zombies are left to go with init (`sleep` reaps nothing)
        local -A parent=() state=() mine=()
        local ns st f; ns=$(readlink "/proc/$init/ns/pid")
        for p in /proc/[0-9]*; do
            p=${p#/proc/}
            { st=$(<"/proc/$p/stat"); } 2>/dev/null || continue
            read -r -a f <<<"${st##*) }"    # after the command name: state, ppid, ...
            state[$p]=${f[0]}; parent[$p]=${f[1]}
            [ "$p" != "$init" ] && [ "$(readlink "/proc/$p/ns/pid" 2>/dev/null)" = "$ns" ] && mine[$p]=1
        done
        local todo=("$init" "${!mine[@]}")
        while [ ${#todo[@]} -gt 0 ]; do
            local cur=${todo[0]}; todo=("${todo[@]:1}")
            for p in "${!parent[@]}"; do
                [ "${parent[$p]}" = "$cur" ] && [ -z "${mine[$p]:-}" ] && { mine[$p]=1; todo+=("$p"); }
            done
        done
        for p in "${!mine[@]}"; do
            [ "${state[$p]}" = Z ] || pids+=("$p")
        done
        if [ ${#pids[@]} -gt 0 ]; then
            echo "engines: stopping ${#pids[@]} leftover process(es): ${pids[*]}" >&2
            for p in "${pids[@]}"; do echo "  $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-100)" >&2; done
            kill -TERM "${pids[@]}" 2>/dev/null
            for i in $(seq 50); do
                local alive=0; for p in "${pids[@]}"; do [ -d "/proc/$p" ] && alive=1; done
                [ $alive = 0 ] && break; sleep 0.1
            done
            kill -KILL "${pids[@]}" 2>/dev/null
        fi
        kill -KILL "$init" 2>/dev/null
    fi
    if [ -n "$holder" ]; then    # unshare --fork exits once its child (init) is gone
        for i in $(seq 50); do [ -d "/proc/$holder" ] || break; sleep 0.1; done
        kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
    fi
    [ -n "$work" ] || exit "$rc"
    if [ "$rc" != 0 ] || [ -n "${KEEP_LOGS:-}" ]; then
        local kept=/tmp/s4e-logs-$(date +%Y%m%d-%H%M%S)
        cp -r "$logs" "$kept" 2>/dev/null && echo "engines: logs kept in $kept" >&2
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- work directory, configuration ----------------------------------------------------------------------------
work=$(mktemp -d /tmp/s4e.XXXX); chmod 755 "$work"
home=$work/h; run=$work/r; logs=$work/logs
mkdir -p "$home/.config/containers" "$run" "$logs" "$work/s"
cat >"$home/.config/containers/containers.conf" <<EOF
[containers]
netns = "slirp4netns"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$run/events.log"
runtime = "$runtime"
EOF
cat >"$home/.config/containers/storage.conf" <<EOF
[storage]
driver = "vfs"
runroot = "$run/storage"
graphroot = "$work/s"
EOF
chown -R "$uid:$gid" "$home" "$run" "$work/s"; chmod 700 "$run"
chmod 777 "$logs"
printf 'nameserver 127.0.0.1\n' >"$work/resolv.conf"; chmod 644 "$work/resolv.conf"

# --- the private namespaces --------------------------------------------------------------------------------
# (stderr dropped: killing init makes util-linux 2.38's unshare print "sigprocmask unblock failed")
unshare --net --mount --pid --fork --mount-proc --propagation private sleep infinity 2>/dev/null & holder=$!
deadline=$((SECONDS + 10))
until init=$(cat "/proc/$holder/task/$holder/children" 2>/dev/null) && [ -n "${init// /}" ]; do
    [ $SECONDS -lt $deadline ] || die "the namespace holder has no child"
    sleep 0.02
done
init=${init// /}
wait_own_netns "$init"
nsenter -t "$init" -n ip link set lo up
nsenter -t "$init" -m mount --bind "$work/resolv.conf" /etc/resolv.conf
[ "$(nsenter -t "$init" -n ip -o link | wc -l)" = 1 ] || die "the private network namespace has more than lo"

# as_user CMD...: CMD as the test user inside the private namespaces, bounded by $cmd_timeout.
as_user() {
    nsenter -t "$init" -n -m -p --wd="$work" -- \
        setpriv --reuid="$uid" --regid="$gid" --clear-groups -- \
        env -i HOME="$home" XDG_RUNTIME_DIR="$run" XDG_CONFIG_HOME="$home/.config" USER="$user" LOGNAME="$user" \
            PATH="${USER_PATH:-/usr/sbin:/usr/bin:/sbin:/bin}" ${USER_ENV:-} \
            timeout -k 5 "$cmd_timeout" "$@"
}

# --- the image ---------------------------------------------------------------------------------------------
rootfs=$work/rootfs
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp"
cp /bin/busybox "$rootfs/bin/busybox"
for app in $(/bin/busybox --list); do [ "$app" = busybox ] || ln -s busybox "$rootfs/bin/$app"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' >"$rootfs/etc/group"
tar -C "$rootfs" -cf "$work/rootfs.tar" .; chmod 644 "$work/rootfs.tar"
as_user podman import --quiet "$work/rootfs.tar" "$image" >"$logs/import.log" 2>&1 \
    || { cat "$logs/import.log" >&2; die "podman import failed"; }

# --- optional: slirp4j start-up trace, CPU load ----------------------------------------------------------------
trace_env=; [ "${TRACE:-0}" = 1 ] && trace_env=" SLIRP4J_TRACE_STARTUP=1"
[ -n "${SLIRP4J_ENV:-}" ] && trace_env+=" $SLIRP4J_ENV"
for i in $(seq "${LOAD:-0}"); do    # busy loops in the private pid namespace: the cleanup stops them
    nsenter -t "$init" -p -- nice -n 0 sh -c 'while :; do :; done' >/dev/null 2>&1 &
done

# --- podman --------------------------------------------------------------------------------------------------
helper_path() { if [ "$1" = slirp4j ]; then echo "$wrapper_dir/slirp4netns"; else echo "$real_helper"; fi; }
failures=0
declare -A podman_ms=([slirp4j]="" [slirp4netns]="") podman_ok=([slirp4j]=0 [slirp4netns]=0) ptime=() btime=()
# podman_once HELPER TAG: one timed run; appends the wall time (ms) on success.
podman_once() {
    local h=$1 tag=$2 t0 t1 log="$logs/podman-$1-$2.log"
    local env=; [ "$h" = slirp4j ] && env="SLIRP4J_BIN=$slirp4j SLIRP4NETNS_WRAPPER_LOG=$logs/podman-$h-$tag.helper.log$trace_env"
    t0=$(date +%s%N)
    if USER_ENV=$env as_user podman --network-cmd-path="$(helper_path "$h")" run --rm --network slirp4netns \
            --cap-add NET_RAW "$image" ping -c1 -W 5 10.0.2.2 >"$log" 2>&1; then
        t1=$(date +%s%N)
        [ "$tag" = warmup ] && return 0
        ptime[$h:$tag]=$(( (t1 - t0) / 1000000 ))
        podman_ms[$h]+="${ptime[$h:$tag]} "; podman_ok[$h]=$((podman_ok[$h] + 1))
    else
        echo "engines: podman run with $h failed ($tag):" >&2; tail -n 20 "$log" >&2
        [ -f "$logs/podman-$h-$tag.helper.log" ] && { echo "  helper log:" >&2; tail -n 20 "$logs/podman-$h-$tag.helper.log" >&2; }
        [ "$tag" = warmup ] || failures=$((failures + 1))
    fi
}
podman_once slirp4netns warmup; podman_once slirp4j warmup
for i in $(seq "$rounds"); do
    if [ $((i % 2)) = 1 ]; then order=(slirp4j slirp4netns); else order=(slirp4netns slirp4j); fi
    for h in "${order[@]}"; do podman_once "$h" "$i"; done
done

# --- buildah -----------------------------------------------------------------------------------------------
declare -A buildah_ok=([slirp4j]=0 [slirp4netns]=0) buildah_ms=([slirp4j]="" [slirp4netns]="")
buildah_once() {
    local h=$1 i=$2 ctr t0 t1 log="$logs/buildah-$1-$2.log" path=/usr/sbin:/usr/bin:/sbin:/bin env=
    if [ "$h" = slirp4j ]; then
        path=$wrapper_dir:$path
        env="SLIRP4J_BIN=$slirp4j SLIRP4NETNS_WRAPPER_LOG=$logs/buildah-$h-$i.helper.log$trace_env"
    fi
    ctr=$(USER_PATH=$path as_user buildah from --pull-never --quiet "$image" 2>>"$log") \
        || { echo "engines: buildah from failed:" >&2; cat "$log" >&2; failures=$((failures + 1)); return; }
    t0=$(date +%s%N)
    if USER_PATH=$path USER_ENV=$env as_user buildah run --cap-add CAP_NET_RAW "$ctr" ping -c1 -W 5 10.0.2.2 \
            >>"$log" 2>&1; then
        t1=$(date +%s%N)
        btime[$h:$i]=$(( (t1 - t0) / 1000000 ))
        buildah_ok[$h]=$((buildah_ok[$h] + 1)); buildah_ms[$h]+="${btime[$h:$i]} "
    else
        echo "engines: buildah run with $h failed (round $i):" >&2; tail -n 20 "$log" >&2
        [ -f "$logs/buildah-$h-$i.helper.log" ] && { echo "  helper log:" >&2; tail -n 20 "$logs/buildah-$h-$i.helper.log" >&2; }
        failures=$((failures + 1))
    fi
    USER_PATH=$path as_user buildah rm "$ctr" >>"$log" 2>&1 || true
}
for i in $(seq "$rounds"); do
    if [ $((i % 2)) = 1 ]; then order=(slirp4j slirp4netns); else order=(slirp4netns slirp4j); fi
    for h in "${order[@]}"; do buildah_once "$h" "$i"; done
done

# --- report ------------------------------------------------------------------------------------------------
median() { tr ' ' '\n' | { grep . || true; } | sort -n | awk '{v[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print v[(NR+1)/2]; else print int((v[NR/2]+v[NR/2+1])/2)}'; }
pj=$(echo "${podman_ms[slirp4j]}" | median); pn=$(echo "${podman_ms[slirp4netns]}" | median)
bj=$(echo "${buildah_ms[slirp4j]}" | median); bn=$(echo "${buildah_ms[slirp4netns]}" | median)
diff=-; [ "$pj" != - ] && [ "$pn" != - ] && diff=$((pj - pn))
bdiff=-; [ "$bj" != - ] && [ "$bn" != - ] && bdiff=$((bj - bn))
# the same round's two runs are seconds apart: their difference is less exposed to the machine's load drifting
pairs=; bpairs=
for i in $(seq "$rounds"); do
    [ -n "${ptime[slirp4j:$i]:-}" ] && [ -n "${ptime[slirp4netns:$i]:-}" ] && pairs+="$((ptime[slirp4j:$i] - ptime[slirp4netns:$i])) "
    [ -n "${btime[slirp4j:$i]:-}" ] && [ -n "${btime[slirp4netns:$i]:-}" ] && bpairs+="$((btime[slirp4j:$i] - btime[slirp4netns:$i])) "
done
pdiff=$(echo "$pairs" | median); bpdiff=$(echo "$bpairs" | median)
echo
echo "engines: $(podman --version), $(buildah --version | cut -d' ' -f1-3), runtime $runtime, $(date -u +%Y-%m-%dT%H:%MZ), $rounds rounds"
echo
echo "| | slirp4j (wrapper) | slirp4netns $("$real_helper" --version | awk 'NR==1 {print $3}') | difference |"
echo "|---|---|---|---|"
echo "| podman run … ping -c1 10.0.2.2, median wall (ms) | $pj | $pn | $diff |"
echo "| podman run, median of the rounds' differences (ms) | | | $pdiff |"
echo "| podman run successes | ${podman_ok[slirp4j]}/$rounds | ${podman_ok[slirp4netns]}/$rounds | |"
echo "| buildah run … ping -c1 10.0.2.2 successes | ${buildah_ok[slirp4j]}/$rounds | ${buildah_ok[slirp4netns]}/$rounds | |"
echo "| buildah run, median wall of successes (ms) | $bj | $bn | $bdiff |"
echo "| buildah run, median of the rounds' differences (ms) | | | $bpdiff |"
echo
echo "podman wall times (ms): slirp4j: ${podman_ms[slirp4j]}; slirp4netns: ${podman_ms[slirp4netns]}"
echo "buildah wall times (ms): slirp4j: ${buildah_ms[slirp4j]}; slirp4netns: ${buildah_ms[slirp4netns]}"
if [ -n "$trace_env" ]; then
    for e in podman buildah; do
        ready=$(cat "$logs/$e-slirp4j-"[0-9]*.helper.log 2>/dev/null | sed -n 's/^slirp4j: startup \([0-9]*\) ms: tap open$/\1/p' | tr '\n' ' ')
        echo "slirp4j under $e, launch to ready byte (ms, SLIRP4J_TRACE_STARTUP): median $(echo "$ready" | median); all: $ready"
    done
fi
[ "${LOAD:-0}" = 0 ] || echo "(with ${LOAD} busy loop(s) competing for the CPU)"
if [ "$failures" != 0 ]; then echo "engines: $failures run(s) failed"; exit 1; fi
if [ "$diff" = - ] || [ "$diff" -gt "$max_extra_ms" ]; then
    echo "engines: slirp4j's podman run costs ${diff} ms more than slirp4netns's (limit $max_extra_ms)"; exit 2
fi
echo "engines: all runs passed; slirp4j's podman run costs $diff ms more (limit $max_extra_ms)"
