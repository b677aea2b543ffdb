#!/bin/bash
# Real engines against slirp4j and against the real slirp4netns, rootless, in private namespaces (issue 8).
# Usage (root): tests/engines/run.sh [ROUNDS]   (default 10)
# Both engines run slirp4j itself, unchanged, as they run slirp4netns:
#  1. podman: `podman run --rm --network slirp4netns --cap-add NET_RAW IMAGE ping -c1 10.0.2.2` (podman's
#     defaults: it passes --enable-sandbox --enable-seccomp --enable-ipv6 to both helpers, whose --help mention
#     them), wall time, ROUNDS rounds, the two helpers alternating (order flipped every round), after one untimed
#     warm-up each (the first run also starts podman's pause process); medians and their difference. The helper is
#     chosen with podman's global `--network-cmd-path` (= `[engine] network_cmd_path` in containers.conf): the
#     slirp4j launcher, or /usr/bin/slirp4netns.
#  2. buildah: `buildah from IMAGE` + `buildah run --cap-add CAP_NET_RAW CTR ping -c1 10.0.2.2` + `buildah rm`,
#     ROUNDS times per helper, alternating; successes counted. buildah runs the first `slirp4netns` on PATH
#     (`--mtu 65520 -r 3 -c PID tap0`): for slirp4j, a directory whose slirp4netns is a symlink to the launcher
#     comes first (lib.sh's engines_slirp4netns_on_path). Through a bug in its wait loop (WNOHANG's zero status
#     reads as "exited"), buildah fails the run if the ready byte has not come 1 s after the start.
# Prints a Markdown table. Exit 0: every run passed and slirp4j's extra median podman time is <= MAX_EXTRA_MS
# (default 250); 1: a run failed, or set-up failed; 2: only that time limit was exceeded.
# Options (environment): TRACE=1 has slirp4j report its launch-to-ready time (SLIRP4J_TRACE_STARTUP) and prints
# the medians: neither engine keeps the helper's stderr (podman unlinks its log file at once, buildah sends it to
# /dev/null), so with TRACE=1 only, the engines run $work/slirp4j-trace instead, a shim that appends slirp4j's
# stderr to a log and execs it with the same arguments (`--help` untraced: the launcher's shortcut, no JVM);
# LOAD=N adds N busy loops competing for the CPU; KEEP_LOGS=1 keeps the logs (kept anyway on failure) in
# /tmp/s4e-logs-*; CMD_TIMEOUT (s, default 90) bounds each engine command; ENGINES_USER;
# SLIRP4J_ENV="NAME=VALUE ..." adds variables to slirp4j's environment (e.g. SLIRP4J_JAVA_OPTS=-XX:...).
#
# Needs (installs nothing): podman buildah uidmap busybox-static slirp4netns, and runc where cgroups are hybrid
# (crun refuses them, as on these machines), and the built distribution (mvn -B -q -o -DskipTests package):
# src/target/slirp4j/bin/slirp4j, or SLIRP4J_BIN; the test user must be able to read it where it is (a copy
# elsewhere would lose its class-data archive).
#
# Safety and clean-up: tests/engines/lib.sh (shared with check.sh): engines run as an unprivileged test user in a
# private network + mount + pid namespace (lo only), every process started is stopped by pid at exit. The containers
# here only ping the gateway address, which the helper answers itself.
set -euo pipefail
rounds=${1:-10}
max_extra_ms=${MAX_EXTRA_MS:-250}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"    # the test user, the private namespaces, the image, the cleanup (shared with check.sh)
real_helper=/usr/bin/slirp4netns

[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive number"
engines_preflight podman buildah uidmap busybox-static slirp4netns
engines_slirp4j
engines_user
engines_usable "$slirp4j"
engines_workdir
engines_netns
engines_image

# --- the slirp4j the engines run; optional: its start-up trace, CPU load ----------------------------------------
s4j_cmd=$slirp4j
trace_env=
tracing=${TRACE:-0}
if [ "$tracing" = 1 ]; then
    trace_env=" SLIRP4J_TRACE_STARTUP=1"
    s4j_cmd=$work/slirp4j-trace
    cat >"$s4j_cmd" <<EOF
#!/bin/sh
# run.sh TRACE=1: slirp4j with its stderr appended to \$S4E_TRACE_LOG; --help untraced (the launcher's shortcut)
[ "\$*" = --help ] && { unset SLIRP4J_TRACE_STARTUP; exec "$slirp4j" --help; }
exec "$slirp4j" "\$@" 2>>"\${S4E_TRACE_LOG:-/dev/null}"
EOF
    chmod 755 "$s4j_cmd"
fi
[ -n "${SLIRP4J_ENV:-}" ] && trace_env+=" $SLIRP4J_ENV"
engines_slirp4netns_on_path "$s4j_cmd"    # for buildah
for i in $(seq "${LOAD:-0}"); do    # busy loops in the private pid namespace: the cleanup stops them
    nsenter -t "$init" -p -- nice -n 0 sh -c 'while :; do :; done' >/dev/null 2>&1 &
done

# --- podman --------------------------------------------------------------------------------------------------
helper_path() { if [ "$1" = slirp4j ]; then echo "$s4j_cmd"; else echo "$real_helper"; fi; }
failures=0
declare -A podman_ms=([slirp4j]="" [slirp4netns]="") podman_ok=([slirp4j]=0 [slirp4netns]=0) ptime=() btime=()
# podman_once HELPER TAG: one timed run; appends the wall time (ms) on success.
podman_once() {
    local h=$1 tag=$2 t0 t1 log="$logs/podman-$1-$2.log"
    local env=; [ "$h" = slirp4j ] && env=$trace_env
    [ "$h" = slirp4j ] && [ "$tracing" = 1 ] && env="S4E_TRACE_LOG=$logs/podman-$h-$tag.helper.log$env"
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
    local h=$1 i=$2 ctr t0 t1 log="$logs/buildah-$1-$2.log" path=$engines_path env=
    if [ "$h" = slirp4j ]; then
        path=$slirp4netns_path
        env=$trace_env
        [ "$tracing" = 1 ] && env="S4E_TRACE_LOG=$logs/buildah-$h-$i.helper.log$env"
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
echo "| | slirp4j | slirp4netns $("$real_helper" --version | awk 'NR==1 {print $3}') | difference |"
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
if [ "$tracing" = 1 ]; then
    for e in podman buildah; do
        # the last start-up mark before the ready byte: tap open, or seccomp once confined
        ready=$(for f in "$logs/$e-slirp4j-"[0-9]*.helper.log; do
                    [ -f "$f" ] && awk '/^slirp4j: startup [0-9]+ ms: / {t = $3} /^slirp4j: ready$/ {print t; exit}' "$f"
                done | tr '\n' ' ')
        echo "slirp4j under $e, launch to ready byte (ms, SLIRP4J_TRACE_STARTUP): median $(echo "$ready" | median); all: $ready"
    done
fi
[ "${LOAD:-0}" = 0 ] || echo "(with ${LOAD} busy loop(s) competing for the CPU)"
if [ "$failures" != 0 ]; then echo "engines: $failures run(s) failed"; exit 1; fi
if [ "$diff" = - ] || [ "$diff" -gt "$max_extra_ms" ]; then
    echo "engines: slirp4j's podman run costs ${diff} ms more than slirp4netns's (limit $max_extra_ms)"; exit 2
fi
echo "engines: all runs passed; slirp4j's podman run costs $diff ms more (limit $max_extra_ms)"
