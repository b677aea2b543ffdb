# Sourced (bash) by tests/engines/run.sh (the benchmark) and tests/engines/check.sh (the checks): the set-up both
# need to run Debian's engines rootless inside private namespaces, and the cleanup that stops everything started.
#
# Safety: everything runs inside a private network + mount + pid namespace made here (lo only, plus whatever the
# calling script adds inside it: no packet can leave the machine); /etc/resolv.conf there names 127.0.0.1, so
# a helper's DNS forwarder never reaches the machine's resolver. The image is busybox-static's binary, tarred and
# `podman import`ed (no registry). Engines run as the unprivileged user $ENGINES_USER (default s4j-engines;
# created if missing, with its own /etc/subuid and /etc/subgid range, and kept), with storage (vfs), runtime dir
# and configuration of their own under a fresh /tmp/s4e.XXXX (removed at exit; logs kept in /tmp/s4e-logs-* on
# failure or with KEEP_LOGS=1). /dev/net/tun is set to mode 0666 (and left so). Every process started here lives
# in that pid namespace or descends from one that does: on exit (trap) each one is killed by pid (podman's pause
# process, conmon, rootlessport, the helpers, ...), then the namespace's init, which takes anything left with it.
# Every engine command runs under `timeout` ($CMD_TIMEOUT s, default 90).
#
# Variables the functions set and the scripts use: engines_dir, repo_root, user, uid, gid, runtime, slirp4j,
# work, home, run, logs, init, image, cmd_timeout, engines_path, slirp4netns_path.

engines_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$engines_dir/../.." && pwd)
source "$repo_root/tests/lib/netns.sh"
user=${ENGINES_USER:-s4j-engines}
cmd_timeout=${CMD_TIMEOUT:-90}
image=localhost/s4j-busybox
engines_path=/usr/sbin:/usr/bin:/sbin:/bin    # as_user's PATH unless USER_PATH says otherwise
work=; logs=; holder=; init=
engines_bg_pids=()    # helpers of the calling script outside the namespaces (a watchdog): stopped first at exit

die() { echo "engines: $*" >&2; exit 1; }

# engines_preflight PACKAGE...: root, a real /dev/null, and the Debian packages named (podman buildah rootlesskit
# uidmap busybox-static slirp4netns socat); sets $runtime (runc, or crun where cgroups are not hybrid). Dies
# naming every missing package.
engines_preflight() {
    [ "$(id -u)" = 0 ] || die "run me as root"
    # conmon and the engines need a real /dev/null. On these shared machines it was once found replaced by an
    # empty regular file of mode 0444, the mode in which a JVM writes a class-data archive (-XX:ArchiveClassesAtExit=
    # /dev/null does exactly that: it removes the device and creates a file).
    [ -c /dev/null ] || die "/dev/null is not a character device (fix: mknod -m 666 /dev/.n c 1 3 && mv /dev/.n /dev/null)"
    local missing=() p
    for p in "$@"; do
        case $p in
            uidmap) { command -v newuidmap && command -v newgidmap; } >/dev/null || missing+=(uidmap) ;;
            busybox-static) dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' \
                                || missing+=(busybox-static) ;;
            slirp4netns) [ -x /usr/bin/slirp4netns ] || missing+=(slirp4netns) ;;
            *) command -v "$p" >/dev/null || missing+=("$p") ;;
        esac
    done
    # crun refuses hybrid cgroups (v1 controllers + /sys/fs/cgroup/unified), as on these machines; runc copes
    if command -v runc >/dev/null; then runtime=runc
    elif command -v crun >/dev/null && [ ! -d /sys/fs/cgroup/unified ]; then runtime=crun
    else missing+=(runc); fi
    [ ${#missing[@]} = 0 ] || die "missing: ${missing[*]} (apt-get install -y ${missing[*]})"
}

# engines_slirp4j: $slirp4j := SLIRP4J_BIN, default the built distribution.
engines_slirp4j() {
    slirp4j=${SLIRP4J_BIN:-$repo_root/src/target/slirp4j/bin/slirp4j}
    [ -x "$slirp4j" ] || die "no slirp4j at $slirp4j (build it: mvn -B -q -o -DskipTests package)"
}

as_test_user_plain() { setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$@"; }

# engines_user: the test user, its subordinate id ranges, /dev/net/tun 0666.
engines_user() {
    if ! id -u "$user" >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user"
    fi
    uid=$(id -u "$user"); gid=$(id -g "$user")
    local sub_start=$((1000000 + uid * 65536))    # one range per uid: no overlap with another test user made so
    grep -q "^$user:" /etc/subuid 2>/dev/null || usermod --add-subuids "$sub_start-$((sub_start + 65535))" "$user"
    grep -q "^$user:" /etc/subgid 2>/dev/null || usermod --add-subgids "$sub_start-$((sub_start + 65535))" "$user"
    chmod 0666 /dev/net/tun
}

# engines_usable HELPER...: each file readable by the test user where it is (and executable if it is slirp4j or a
# symlink to it), plus the class-data archive of a slirp4j distribution: a copy elsewhere would lose its archive,
# which records the jars' paths.
engines_usable() {
    local f jsa
    for f in "$@"; do
        as_test_user_plain test -r "$f" || die "user $user cannot read $f: make its directories o+rx"
        as_test_user_plain test -x "$f" || die "user $user cannot execute $f"
    done
    jsa=$(dirname "$(dirname "$(readlink -f "$slirp4j")")")/lib/slirp4j.jsa
    if [ -f "$jsa" ]; then as_test_user_plain test -r "$jsa" || die "user $user cannot read $jsa"
    elif [ "$(basename "$slirp4j")" = slirp4j ]; then echo "engines: note: no class-data archive at $jsa: slirp4j starts slower" >&2; fi
}

# engines_pids: the processes of the private pid namespace (orphans were reparented to init; those that `nsenter -p`
# started have an nsenter outside as parent) and all their descendants (containers have pid namespaces of their
# own), one a line, init excepted; zombies left out (they go with init: `sleep` reaps nothing).
engines_pids() {
    [ -n "$init" ] && [ -d "/proc/$init" ] || return 0
    local -A parent=() state=() mine=()
    local st f p cur
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        { read -r st <"/proc/$p/stat"; } 2>/dev/null || continue
        read -r -a f <<<"${st##*) }"    # after the command name: state, ppid, ...
        state[$p]=${f[0]}; parent[$p]=${f[1]}
        # -ef: the same namespace (device and inode of the ns link's target); builtins only, no fork per process
        [ "$p" != "$init" ] && [ "/proc/$p/ns/pid" -ef "/proc/$init/ns/pid" ] && mine[$p]=1
    done
    local todo=("$init" "${!mine[@]}")
    while [ ${#todo[@]} -gt 0 ]; do
        cur=${todo[0]}; todo=("${todo[@]:1}")
        for p in "${!parent[@]}"; do
            [ "${parent[$p]}" = "$cur" ] && [ -z "${mine[$p]:-}" ] && { mine[$p]=1; todo+=("$p"); }
        done
    done
    for p in "${!mine[@]}"; do
        [ "${state[$p]}" = Z ] || echo "$p"
    done
}

engines_cleanup() {
    local rc=$? p pids=() i alive kids
    set +e
    trap '' INT TERM    # once: nothing interrupts the clean-up
    for p in "${engines_bg_pids[@]}"; do    # each, then its children (a watchdog subshell's sleep), not the reverse:
        kids=$(cat /proc/"$p"/task/*/children 2>/dev/null)    # its sleep ending first would let it act
        kill "$p" 2>/dev/null; [ -n "$kids" ] && kill $kids 2>/dev/null
    done
    if [ -n "$init" ] && [ -d "/proc/$init" ]; then
        mapfile -t pids < <(engines_pids)
        if [ ${#pids[@]} -gt 0 ]; then
            echo "engines: stopping ${#pids[@]} leftover process(es): ${pids[*]}" >&2
            for p in "${pids[@]}"; do echo "  $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-100)" >&2; done
            kill -TERM "${pids[@]}" 2>/dev/null
            for i in $(seq 50); do
                alive=0; for p in "${pids[@]}"; do [ -d "/proc/$p" ] && alive=1; done
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
        local kept; kept=/tmp/s4e-logs-$(date +%Y%m%d-%H%M%S)-$$
        cp -r "$logs" "$kept" 2>/dev/null && echo "engines: logs kept in $kept" >&2
    fi
    rm -rf "$work"
    exit "$rc"
}

# engines_workdir [ENGINE_LINE...]: $work with the user's home, runtime dir, logs, storage, and a containers.conf
# whose [engine] table holds what these machines need plus the lines given (e.g. network_cmd_path = "...").
# Installs the cleanup trap.
engines_workdir() {
    trap engines_cleanup EXIT
    trap 'exit 130' INT TERM
    work=$(mktemp -d /tmp/s4e.XXXX); chmod 755 "$work"
    home=$work/h; run=$work/r; logs=$work/logs
    mkdir -p "$home/.config/containers" "$run" "$logs" "$work/s"
    {
        echo "[engine]"
        echo "cgroup_manager = \"cgroupfs\""
        echo "events_logger = \"file\""
        echo "events_logfile_path = \"$run/events.log\""
        echo "runtime = \"$runtime\""
        local line; for line in "$@"; do echo "$line"; done
    } >"$home/.config/containers/containers.conf"
    cat >"$home/.config/containers/storage.conf" <<EOF
[storage]
driver = "vfs"
runroot = "$run/storage"
graphroot = "$work/s"
EOF
    chown -R "$uid:$gid" "$home" "$run" "$work/s"; chmod 700 "$run"
    chmod 777 "$logs"
    printf 'nameserver 127.0.0.1\n' >"$work/resolv.conf"; chmod 644 "$work/resolv.conf"
}

# engines_slirp4netns_on_path HELPER: $slirp4netns_path := a PATH (for USER_PATH) whose first `slirp4netns` is
# HELPER: $work/bin/slirp4netns, a symlink to it, then $engines_path. buildah has no option naming its helper: it
# runs the first slirp4netns on PATH. Call after engines_workdir.
engines_slirp4netns_on_path() {
    mkdir -p "$work/bin"
    ln -sfn "$1" "$work/bin/slirp4netns"
    slirp4netns_path=$work/bin:$engines_path
}

# engines_netns: the private network + mount + pid namespace ($init is its pid 1), lo up, resolv.conf bound.
engines_netns() {
    # (stderr dropped: killing init makes util-linux 2.38's unshare print "sigprocmask unblock failed")
    unshare --net --mount --pid --fork --mount-proc --propagation private sleep infinity 2>/dev/null & holder=$!
    local deadline=$((SECONDS + 10))
    until init=$(cat "/proc/$holder/task/$holder/children" 2>/dev/null) && [ -n "${init// /}" ]; do
        [ $SECONDS -lt $deadline ] || die "the namespace holder has no child"
        sleep 0.02
    done
    init=${init// /}
    wait_own_netns "$init"
    nsenter -t "$init" -n ip link set lo up
    nsenter -t "$init" -m mount --bind "$work/resolv.conf" /etc/resolv.conf
    [ "$(nsenter -t "$init" -n ip -o link | wc -l)" = 1 ] || die "the private network namespace has more than lo"
}

# as_user CMD...: CMD as the test user inside the private namespaces, bounded by $cmd_timeout; USER_PATH and
# USER_ENV ("NAME=VALUE ...") add to its environment.
as_user() {
    nsenter -t "$init" -n -m -p --wd="$work" -- \
        setpriv --reuid="$uid" --regid="$gid" --clear-groups -- \
        env -i HOME="$home" XDG_RUNTIME_DIR="$run" XDG_CONFIG_HOME="$home/.config" USER="$user" LOGNAME="$user" \
            PATH="${USER_PATH:-$engines_path}" ${USER_ENV:-} \
            timeout -k 5 "$cmd_timeout" "$@"
}

# engines_www DIR: a web root for busybox httpd whose /cgi-bin/s4j answers a POST with the client's address as the
# server saw it (peer=), the SHA-256 of the body it received (got-sha=), then "down:" and `seq 1 30000`.
engines_www() {
    mkdir -p "$1/cgi-bin"
    cat >"$1/cgi-bin/s4j" <<'EOF'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
echo "peer=$REMOTE_ADDR"
echo "got-sha=$(head -c "${CONTENT_LENGTH:-0}" | sha256sum | cut -d' ' -f1)"
echo "down:"
seq 1 30000
EOF
    chmod 755 "$1" "$1/cgi-bin" "$1/cgi-bin/s4j"
}

# engines_image: busybox-static's binary with all its applets (and engines_www at /www), imported as $image.
engines_image() {
    local rootfs=$work/rootfs app
    mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp"
    cp /bin/busybox "$rootfs/bin/busybox"
    for app in $(/bin/busybox --list); do [ "$app" = busybox ] || ln -s busybox "$rootfs/bin/$app"; done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
    printf 'root:x:0:\nnobody:x:65534:\n' >"$rootfs/etc/group"
    engines_www "$rootfs/www"
    tar -C "$rootfs" -cf "$work/rootfs.tar" .; chmod 644 "$work/rootfs.tar"
    as_user podman import --quiet "$work/rootfs.tar" "$image" >"$logs/import.log" 2>&1 \
        || { cat "$logs/import.log" >&2; die "podman import failed"; }
}
