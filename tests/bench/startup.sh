#!/bin/bash
# Benchmark (not a test: it never fails on speed): start-up of slirp4j beside the real slirp4netns, in one run.
# Each round launches both helpers (their order swaps every round), as root and rootless, with the command line
# an engine uses:   HELPER -c -r 3 --mtu=65520 --api-socket PATH [-e 4] PID tap0
# and times, from the fork of the launch:
#  - tap0 appearing in the target namespace (seen in /proc/GUEST/net/dev),
#  - the API socket path appearing (a socket at PATH), and its distance from tap0,
#  - the ready byte on fd 3 (a FIFO; the read returns the moment the byte arrives).
# One bash loop watches all three from a single launch without forking: `read -t 0.001` on the ready FIFO is
# both the wait for the byte and a ~1 ms sleep, after which it reads /proc/GUEST/net/dev and tests PATH with
# builtins. The loop's real period is measured and printed, with how late each tap0/socket sighting can be.
# Then: `--help` wall time (median of HELP_RUNS) and the idle RSS of each helper (its whole process tree),
# IDLE seconds after its ready byte, root and rootless.
# Output: progress on stderr, a Markdown table (paste-able into README.md) and notes on stdout.
#
# Usage: tests/bench/startup.sh [ROUNDS]       (root; ROUNDS default 10)
# Environment: HELPER=path to slirp4j (default: the built distribution src/target/slirp4j/bin/slirp4j),
#              REF=path to slirp4netns (default: slirp4netns on PATH; `apt-get install -y slirp4netns`),
#              MODES="root rootless", HELP_RUNS=20, IDLE=3 (seconds), WARMUP=1 (unmeasured rounds first),
#              TIMEOUT=10 (seconds any launch may take to show all three events), EXIT_FD=1 (add `-e 4`),
#              POLL_PRIO=rt (the polling shell runs SCHED_FIFO, what it starts does not; nice, none: see below),
#              KEEP_LOGS=1 (keep the work directory and print its path), DEBUG=1 (raw values and gaps of the
#              polling loop over 10 ms on stderr).
# Rootless: the helper runs as uid 65534 (setpriv) against a target made with `unshare --user --map-root-user
# --net` by uid 65534; /dev/net/tun is made mode 0666 for that (left so). Everything runs in a private "host"
# network namespace whose only interface is lo, and private guest namespaces: no packet leaves the machine.
# Any failure (no ready byte, a wrong byte, a helper that dies, a timeout) ends the run with status 1 and a
# message; every wait is bounded; every process and namespace started here is stopped on exit.
set -euo pipefail
export LC_ALL=C          # '.' in $EPOCHREALTIME, bytes in read -N
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/netns.sh"

rounds=${1:-10}
helper=${HELPER:-$here/../../src/target/slirp4j/bin/slirp4j}
ref=${REF:-$(command -v slirp4netns || true)}
modes=${MODES:-root rootless}
help_runs=${HELP_RUNS:-20}
idle=${IDLE:-3}
warmup=${WARMUP:-1}
limit=${TIMEOUT:-10}
exit_fd=${EXIT_FD:-0}

die() { echo "startup: $*" >&2; exit 1; }
for v in rounds help_runs idle warmup limit; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number, not '${!v}'"
done
[ "$rounds" -ge 1 ] && [ "$help_runs" -ge 1 ] && [ "$limit" -ge 1 ] || die "ROUNDS, HELP_RUNS and TIMEOUT must be at least 1"
[ "${BASH_VERSINFO[0]}" -ge 5 ] || die "needs bash >= 5 (\$EPOCHREALTIME)"
[ "$(id -u)" = 0 ] || die "needs root (it creates network namespaces)"
for tool in unshare nsenter setpriv ip timeout mkfifo readlink awk sort; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install util-linux iproute2 coreutils gawk)"
done
[ -x "$helper" ] || die "slirp4j not found at $helper (build: mvn -B -q -DskipTests package; or set HELPER)"
[ -n "$ref" ] && [ -x "$ref" ] || die "slirp4netns not found (apt-get install -y slirp4netns; or set REF)"
helper=$(readlink -f "$helper"); ref=$(readlink -f "$ref")
for m in $modes; do [ "$m" = root ] || [ "$m" = rootless ] || die "MODES may hold root and rootless, not '$m'"; done

work=$(mktemp -d); chmod 755 "$work"
pids=()          # every process we started and have not stopped yet, by PID (never by name)
holders=()       # "PID NETNS" of each namespace holder, swept on exit
fds=()           # FIFO descriptors held open by this shell

cleanup() {
    local rc=$? p f
    trap '' INT TERM
    for f in "${fds[@]}"; do { exec {f}>&-; } 2>/dev/null || true; done
    # first everything inside our namespaces (helpers included: they run in the private host namespace), while
    # the holders still pin them; then the holders and anything else we started
    sweep_netns "${holders[@]}"
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    if [ ${#pids[@]} -gt 0 ]; then sleep 0.3; fi
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ "${KEEP_LOGS:-0}" = 1 ]; then echo "startup: logs kept in $work" >&2; else rm -rf "$work"; fi
    return "$rc"
}
trap cleanup EXIT
# A signal only raises a flag, which the loops below check: bash 5.2 crashes ("longjmp causes uninitialized stack
# frame") when a trap exits from inside `read -t` and the EXIT trap then runs while read's timer is still armed.
interrupted=
trap 'interrupted=1' INT TERM HUP
check_interrupt() { [ -z "$interrupted" ] || { echo "startup: interrupted" >&2; exit 130; }; }
# nap SECONDS: sleep without forking (reads a FIFO nobody writes), then honour a pending signal
nap() { read -t "$1" -N 1 _z <&"$sleeper" || true; check_interrupt; }

close_fd() {   # close_fd FD: close a descriptor this shell holds and drop it from fds
    local keep=() q fd=$1
    exec {fd}>&-
    for q in "${fds[@]}"; do [ "$q" = "$1" ] || keep+=("$q"); done; fds=("${keep[@]}")
}

forget() {   # drop a PID from the lists, so the exit trap cannot signal a recycled PID
    local keep=() q
    for q in "${pids[@]}"; do [ "$q" = "$1" ] || keep+=("$q"); done; pids=("${keep[@]}")
    keep=(); for q in "${holders[@]}"; do [ "${q%% *}" = "$1" ] || keep+=("$q"); done; holders=("${keep[@]}")
}

# stop_tree PID: PID (our child) and its descendants: SIGTERM, up to 3 s, then SIGKILL; reaped.
stop_tree() {
    local all p i left
    all=("$1" $(descendants "$1"))
    for p in "${all[@]}"; do kill "$p" 2>/dev/null || true; done
    for i in $(seq 300); do
        left=0; for p in "${all[@]}"; do alive "$p" && left=1; done
        [ "$left" = 1 ] || break
        nap 0.01
    done
    for p in "${all[@]}"; do alive "$p" && kill -9 "$p" 2>/dev/null; done
    wait "$1" 2>/dev/null || true
    forget "$1"
}

# tree_rss_kb PID: VmRSS of PID and its descendants, in kB
tree_rss_kb() {
    local p sum=0 k v u
    for p in "$1" $(descendants "$1"); do
        { while read -r k v u; do if [ "$k" = VmRSS: ]; then sum=$((sum + v)); fi; done < "/proc/$p/status"; } 2>/dev/null || true
    done
    echo "$sum"
}

as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
helper_rootless=$helper
copy_note=
if [[ " $modes " == *" rootless "* ]]; then
    # uid 65534 must be able to read the helper. A copy would lose the class-data archive (it records the jars'
    # paths): copy only when uid 65534 cannot read it, and only a slirp4j distribution's bin/ and lib/.
    if ! "${as_user[@]}" test -r "$helper" 2>/dev/null; then
        dist=$(dirname "$(dirname "$helper")")
        [ "$dist" != / ] && [ -f "$dist/lib/slirp4j.jar" ] && [ "$dist/bin/$(basename "$helper")" -ef "$helper" ] ||
            die "uid 65534 cannot read $helper, which is not in a slirp4j distribution (DIST/bin, DIST/lib) to copy"
        mkdir "$work/dist"; cp -r "$dist/bin" "$dist/lib" "$work/dist/"; chmod -R a+rX "$work/dist"
        helper_rootless=$work/dist/bin/$(basename "$helper")
        copy_note=" Rootless slirp4j ran from a copy of the distribution (uid 65534 cannot read it where it is), without its class-data archive."
        echo "startup: note: rootless runs use a copy of the distribution, without its class-data archive" >&2
    fi
    [ "$(stat -c %a /dev/net/tun)" = 666 ] || chmod 666 /dev/net/tun
fi

# The polling shell must wake on time while a JVM and whatever else runs on this machine keep both cores busy
# (at plain priority its 1 ms naps overran by up to ~100 ms under load; nice -20 did not cure it). By default
# (POLL_PRIO=rt) it runs SCHED_FIFO with SCHED_RESET_ON_FORK, so every process it starts (helpers included) is
# back to SCHED_OTHER at nice 0; it sleeps between checks, so it takes ~5% of a core. POLL_PRIO=nice runs it at
# nice -20 and starts timed commands through `nice` back to the caller's niceness; POLL_PRIO=none changes nothing.
poll_prio=${POLL_PRIO:-rt}
base_nice=$(nice)
child_nice=$base_nice
lower=()
case $poll_prio in
    rt)   chrt --reset-on-fork -f -p 10 $$ || die "chrt failed (POLL_PRIO=nice or none avoids it)"
          child_nice=0;;
    nice) renice -n -20 -p $$ >/dev/null || die "renice failed"
          lower=(nice -n $((base_nice + 20)));;
    none) ;;
    *)    die "POLL_PRIO is rt, nice or none, not '$poll_prio'";;
esac

# The helpers run in an empty directory of ours, so that whatever they leave in their working directory is
# seen (and reported below) rather than left in the caller's.
mkdir -m 1777 "$work/cwd"; cd "$work/cwd"

# a FIFO nobody writes: `read -t` on it is a sleep without a fork
mkfifo "$work/sleep"; exec {sleeper}<>"$work/sleep"; fds+=("$sleeper")

unshare --net --mount --propagation private sleep infinity & host=$!; pids+=($host)
wait_own_netns "$host"
holders+=("$host $(readlink "/proc/$host/ns/net")")
nsenter -t "$host" -n ip link set lo up

poll_n=0 poll_sum=0 poll_max=0   # every gap between two checks of the loop, in µs
late=()                          # for each sighting of an event, the time since the previous check that missed it
launch_n=0
slirp4j_exe= ref_exe=

# launch BIN MODE: fresh target namespace, then the helper with the engine's command line; waits (bounded) for
# tap0, the API socket and the ready byte. Sets t_tap t_api t_ready (µs from the launch), $h (the helper's PID,
# left running) and $guest.
launch() {
    local bin=$1 mode=$2 as=() target=(unshare --net sleep infinity)
    if [ "$mode" = rootless ]; then
        as=("${as_user[@]}"); target=(unshare --user --map-root-user --net sleep infinity)
        if [ "$bin" = "$helper" ]; then bin=$helper_rootless; fi
    fi
    check_interrupt
    launch_n=$((launch_n + 1))
    local dir=$work/$launch_n-$(basename "$bin")-$mode
    mkdir "$dir"
    if [ "$mode" = rootless ]; then chown 65534:65534 "$dir"; fi
    "${as[@]}" "${target[@]}" & guest=$!; pids+=($guest)
    wait_own_netns "$guest"
    holders+=("$guest $(readlink "/proc/$guest/ns/net")")
    check_interrupt
    [ -r "/proc/$guest/net/dev" ] || die "cannot read /proc/$guest/net/dev"
    local sock=$dir/api.sock log=$dir/log rfd efd=
    mkfifo "$dir/ready"
    exec {rfd}<>"$dir/ready"; fds+=("$rfd")      # read-write: opening never blocks, and never EOF
    local -a cmd=("$bin" -c -r 3 --mtu=65520 --api-socket "$sock")
    if [ "$exit_fd" = 1 ]; then
        mkfifo "$dir/exit"; exec {efd}<>"$dir/exit"; fds+=("$efd")
        cmd+=(-e 4)
    fi
    cmd+=("$guest" tap0)
    local t0=${EPOCHREALTIME/./}
    if [ -n "$efd" ]; then
        "${lower[@]}" nsenter -t "$host" -n -m -- "${as[@]}" "${cmd[@]}" 3>"$dir/ready" 4<"$dir/exit" \
            {rfd}>&- {efd}>&- {sleeper}>&- >"$log" 2>&1 &
    else
        "${lower[@]}" nsenter -t "$host" -n -m -- "${as[@]}" "${cmd[@]}" 3>"$dir/ready" {rfd}>&- {sleeper}>&- >"$log" 2>&1 &
    fi
    h=$!; pids+=($h)
    exit_fifo_fd=$efd ready_fd=$rfd
    local deadline=$((t0 + limit * 1000000)) prev=$t0 now gap byte dev
    t_tap= t_api= t_ready=
    while :; do
        # bash may report a timeout (status > 128) for a read that did get the byte, which it then keeps in the
        # variable: so the variable tells, not the status
        byte=
        read -t 0.001 -N 1 byte <&"$rfd" || true
        check_interrupt
        if [ -n "$byte" ]; then
            now=${EPOCHREALTIME/./}
            [ -z "$t_ready" ] || die "$(basename "$bin") ($mode) wrote a second byte on the ready fd: '$byte'"
            [ "$byte" = 1 ] || die "$(basename "$bin") ($mode) wrote '$byte' on the ready fd, not '1'; log: $(tail -c 600 "$log")"
            t_ready=$((now - t0)); late+=($((now - prev)))
        fi
        now=${EPOCHREALTIME/./}
        if [ -z "$t_tap" ]; then
            dev=
            { read -r -d '' dev < "/proc/$guest/net/dev"; } 2>/dev/null || true
            if [[ $dev == *" tap0:"* ]]; then t_tap=$((now - t0)); late+=($((now - prev))); fi
        fi
        if [ -z "$t_api" ] && [ -S "$sock" ]; then t_api=$((now - t0)); late+=($((now - prev))); fi
        gap=$((now - prev)); poll_n=$((poll_n + 1)); poll_sum=$((poll_sum + gap))
        [ "$gap" -le "$poll_max" ] || poll_max=$gap
        if [ "$gap" -gt 10000 ] && [ "${DEBUG:-0}" = 1 ]; then echo "gap $gap us at $((now - t0)) us, $dir, tap=$t_tap api=$t_api ready=$t_ready" >&2; fi
        prev=$now
        [ -n "$t_tap" ] && [ -n "$t_api" ] && [ -n "$t_ready" ] && break
        if ! alive "$h"; then
            local st=0; wait "$h" || st=$?; forget "$h"
            die "$(basename "$bin") ($mode) exited (status $st); still missing: $(missing); log: $(tail -c 600 "$log")"
        fi
        alive "$guest" || die "the target namespace's holder (pid $guest) died"
        if [ "$now" -ge "$deadline" ]; then
            die "$(basename "$bin") ($mode): timeout after ${limit} s, still missing: $(missing); log: $(tail -c 600 "$log")"
        fi
    done
    # The helper is the launched PID: nsenter, setpriv and the launcher script all exec. Check it, so that the RSS
    # and the stop below concern the helper and not a wrapper still waiting for it.
    local exe
    exe=$(readlink "/proc/$h/exe") || die "helper pid $h is gone"
    case $(basename "$exe") in
        nsenter|setpriv|sh|dash|bash|env) die "launched pid $h is still $exe: the helper is not the launched process";;
    esac
    if [ "$bin" = "$ref" ]; then ref_exe=$exe; else slirp4j_exe=$exe; fi
    local st f
    read -r st < "/proc/$h/stat"; read -r -a f <<< "${st##*) }"   # f[16] nice (field 19), f[38] policy (41)
    [ "${f[16]}" = "$child_nice" ] && [ "${f[38]}" = 0 ] ||
        die "the helper runs at nice ${f[16]} with scheduling policy ${f[38]}, not nice $child_nice with SCHED_OTHER"
}

missing() {   # what launch still waits for
    local m=()
    [ -n "$t_tap" ] || m+=("tap0 in the target namespace")
    [ -n "$t_api" ] || m+=("the API socket")
    [ -n "$t_ready" ] || m+=("the ready byte")
    local IFS=,; echo "${m[*]}" | sed 's/,/, /g'
}

# finish: stop the helper started by launch (by closing its exit fd first, with EXIT_FD=1), and its target
finish() {
    local i
    if [ -n "$exit_fifo_fd" ]; then
        close_fd "$exit_fifo_fd"
        for i in $(seq 300); do alive "$h" || break; nap 0.01; done
        if alive "$h"; then echo "startup: warning: pid $h still runs 3 s after its exit fd closed" >&2; fi
    fi
    stop_tree "$h"
    close_fd "$ready_fd"
    kill "$guest" 2>/dev/null || true; wait "$guest" 2>/dev/null || true; forget "$guest"
}

declare -A vals   # "KEY" -> space-separated µs (or kB) values; KEY = measure|who|mode
add() { vals[$1]="${vals[$1]:-} $2"; }
who_of() { if [ "$1" = "$ref" ]; then echo ref; else echo j; fi; }

echo "startup: $rounds rounds (+$warmup warm-up), modes: $modes; slirp4j: $helper; slirp4netns: $ref" >&2
for r in $(seq $((warmup + rounds))); do
    if [ $((r % 2)) = 1 ]; then order=("$helper" "$ref"); else order=("$ref" "$helper"); fi
    for mode in $modes; do
        for bin in "${order[@]}"; do
            launch "$bin" "$mode"
            finish
            [ "$r" -gt "$warmup" ] || continue
            w=$(who_of "$bin")
            add "tap|$w|$mode" "$t_tap"; add "api|$w|$mode" "$t_api"; add "ready|$w|$mode" "$t_ready"
            add "tap2api|$w|$mode" "$((t_api - t_tap))"
        done
    done
    if [ "$r" -gt "$warmup" ]; then echo "startup: round $((r - warmup))/$rounds done" >&2; fi
done

echo "startup: idle RSS ($idle s after the ready byte)" >&2
for mode in $modes; do
    for bin in "$helper" "$ref"; do
        launch "$bin" "$mode"
        end=$(( ${EPOCHREALTIME/./} + idle * 1000000 ))
        while [ "${EPOCHREALTIME/./}" -lt "$end" ]; do nap 0.05; done
        alive "$h" || die "$(basename "$bin") ($mode) exited while idle"
        add "rss|$(who_of "$bin")|$mode" "$(tree_rss_kb "$h")"
        finish
    done
done

echo "startup: --help x $help_runs" >&2
for i in $(seq "$help_runs"); do
    if [ $((i % 2)) = 1 ]; then order=("$helper" "$ref"); else order=("$ref" "$helper"); fi
    for bin in "${order[@]}"; do
        check_interrupt
        t0=${EPOCHREALTIME/./}
        "${lower[@]}" timeout 10 "$bin" --help >"$work/help.out" 2>&1 || die "$bin --help failed or took over 10 s: $(tail -c 300 "$work/help.out")"
        t1=${EPOCHREALTIME/./}
        [ -s "$work/help.out" ] || die "$bin --help printed nothing"
        add "help|$(who_of "$bin")|-" "$((t1 - t0))"
    done
    t0=${EPOCHREALTIME/./}; "${lower[@]}" timeout 10 true; t1=${EPOCHREALTIME/./}; add "help|true|-" "$((t1 - t0))"
done

# What the launch chain alone costs, part of every launch figure: the same fork, nice, nsenter [and setpriv]
# exec'ing printf, which writes one byte to a FIFO as a helper writes its ready byte.
mkfifo "$work/chain"; exec {cfd}<>"$work/chain"; fds+=("$cfd")
for i in $(seq "$rounds"); do
    for mode in $modes; do
        as=(); if [ "$mode" = rootless ]; then as=("${as_user[@]}"); fi
        t0=${EPOCHREALTIME/./}
        "${lower[@]}" nsenter -t "$host" -n -m -- "${as[@]}" printf 1 >"$work/chain" {cfd}>&- {sleeper}>&- & p=$!
        byte=; t1=
        for j in $(seq 10000); do
            byte=; read -t 0.001 -N 1 byte <&"$cfd" || true
            check_interrupt
            if [ -n "$byte" ]; then t1=${EPOCHREALTIME/./}; break; fi
            if ! alive "$p"; then   # it may have written just after the read gave up
                byte=; read -t 0.01 -N 1 byte <&"$cfd" || true
                if [ -n "$byte" ]; then t1=${EPOCHREALTIME/./}; fi
                break
            fi
        done
        [ -n "$t1" ] || die "the launch chain (nsenter into the private host namespace) wrote nothing"
        stop_tree "$p"
        add "chain|printf|$mode" "$((t1 - t0))"
    done
done

# stats VALUES SCALE: "median (min–max)" of the values divided by SCALE; integers from 100 up, else one decimal
stats() {
    printf '%s\n' $1 | sort -n | awk -v s="$2" '
        { v[NR] = $1 / s }
        END {
            if (NR == 0) { print "–"; exit }
            m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            f = (m >= 100 || m <= -100) ? "%.0f" : "%.1f"
            if (NR == 1) { printf f "\n", m; exit }
            printf f " (" f "–" f ")\n", m, v[1], v[NR]
        }'
}
median() { stats "$1" "$2" | awk '{ print $1 }'; }

jdk=unknown
if [ -n "$slirp4j_exe" ] && [ "$(basename "$slirp4j_exe")" = java ]; then
    jdk=$("$slirp4j_exe" -version 2>&1 | sed -n 's/.*(build \([^,)]*\).*/\1/p' | head -1)
fi
jver=$("$helper" --version 2>/dev/null | head -1 | sed 's/^slirp4j version //') || true
jcommit=$("$helper" --version 2>/dev/null | sed -n 's/^commit: //p' | grep -v '^unknown$' | cut -c1-10) || jcommit=
rver=$("$ref" --version 2>/dev/null | head -1 | sed 's/^slirp4netns version //') || true
e4=; if [ "$exit_fd" = 1 ]; then e4=" -e 4"; fi

echo
echo "Start-up, \`tests/bench/startup.sh $rounds\`: rounds: $rounds, alternating the helpers, median (min–max); $(date -u +%Y-%m-%d), kernel $(uname -r), $(nproc) CPUs, JDK $jdk; slirp4j $jver${jcommit:+ ($jcommit)}, slirp4netns $rver; both run as \`-c -r 3 --mtu=65520 --api-socket PATH$e4 PID tap0\` in private namespaces:"
echo
echo "| measure | slirp4j median | slirp4netns median |"
echo "|---|---|---|"
for mode in $modes; do
    echo "| $mode: launch → tap0 in the target namespace, ms | $(stats "${vals[tap|j|$mode]}" 1000) | $(stats "${vals[tap|ref|$mode]}" 1000) |"
    echo "| $mode: launch → API socket path exists, ms | $(stats "${vals[api|j|$mode]}" 1000) | $(stats "${vals[api|ref|$mode]}" 1000) |"
    echo "| $mode: tap0 → API socket, ms | $(stats "${vals[tap2api|j|$mode]}" 1000) | $(stats "${vals[tap2api|ref|$mode]}" 1000) |"
    echo "| $mode: launch → ready byte, ms | $(stats "${vals[ready|j|$mode]}" 1000) | $(stats "${vals[ready|ref|$mode]}" 1000) |"
done
echo "| \`--help\` wall time ($help_runs runs), ms | $(stats "${vals[help|j|-]}" 1000) | $(stats "${vals[help|ref|-]}" 1000) |"
for mode in $modes; do
    echo "| $mode: idle RSS ${idle} s after the ready byte (process tree), MiB | $(stats "${vals[rss|j|$mode]}" 1024) | $(stats "${vals[rss|ref|$mode]}" 1024) |"
done
echo
lates=$(printf '%s ' "${late[@]}")
chain=; for mode in $modes; do chain+="${chain:+, }$mode $(median "${vals[chain|printf|$mode]}" 1000) ms"; done
if [ "${DEBUG:-0}" = 1 ]; then declare -p vals >&2; fi
left=$(ls -A "$work/cwd" | head -5 | tr '\n' ' ')
if [ -n "$left" ]; then
    echo "startup: warning: the helpers left files in their working directory: $left" >&2
    copy_note+=" The helpers left files in their working directory: $left"
fi
echo "Notes: launch = the fork of \`[nice] nsenter -t HOST -n -m [setpriv --reuid=65534 …] HELPER …\` (all exec, so the launched PID is the helper: $(basename "${slirp4j_exe:-?}") for slirp4j, $(basename "${ref_exe:-?}") for slirp4netns); that chain alone, exec'ing printf to write one byte, takes $chain. \`--help\` runs under \`timeout\`, which alone takes $(median "${vals[help|true|-]}" 1000) ms. Events are watched by a fork-free bash loop (priority: $poll_prio; \`read -t 0.001\` on the ready FIFO, then /proc/GUEST/net/dev and a test of PATH): one pass every $(awk -v s="$poll_sum" -v n="$poll_n" 'BEGIN { printf "%.2f", s / n / 1000 }') ms on average over $poll_n passes, longest gap $(awk -v m="$poll_max" 'BEGIN { printf "%.1f", m / 1000 }') ms; each event was seen $(median "$lates" 1000) ms (median; max $(printf '%s\n' "${late[@]}" | sort -n | tail -1 | awk '{ printf "%.1f", $1 / 1000 }') ms) after the previous pass that had not seen it, which bounds how late each figure can be (the ready byte ends a pass's wait when it arrives).$copy_note"
