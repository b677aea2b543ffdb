# shellcheck shell=bash
# Sourced by tests/package/*.sh, and by any test that wants slirp4j installed from its Debian packages. Bash, root.
#
#   source tests/package/lib.sh
#   pkg_install "$(pkg_deb slirp4j)"          # for real: /usr/bin/slirp4j, /usr/lib/slirp4j (tests/package/install.sh)
#   ...                                       # run engines against /usr/bin/slirp4j
#   pkg_purge slirp4j && pkg_leftovers        # for real, and check nothing is left (tests/package/uninstall.sh)
#
#   pkg_throwaway CMD ARG...                  # CMD in a view of the machine whose /usr, /etc and /var changes vanish
#                                             # with it: there, pkg_install "$(pkg_deb slirp4j-slirp4netns)" may
#                                             # replace Debian's slirp4netns without touching the real one
#
# The packages are the newest src/target/NAME_*.deb that `mvn -B -DskipTests package` made (SLIRP4J_DEB_DIR names
# another folder). apt-get waits for dpkg's lock rather than failing when someone else's apt runs.

pkg_dir=${SLIRP4J_DEB_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/src/target}

# pkg_deb NAME: the newest NAME_*.deb in $pkg_dir (slirp4j or slirp4j-slirp4netns); fails if there is none.
pkg_deb() {
    local deb
    deb=$(ls -t "$pkg_dir/$1"_*.deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] || { echo "package: no $pkg_dir/$1_*.deb (build it: mvn -B -DskipTests package)" >&2; return 1; }
    echo "$deb"
}

# pkg_status NAME: dpkg's status of NAME ("install ok installed", ...), or nothing when dpkg has no record of it.
pkg_status() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -v 'not-installed$' || true
}

# pkg_apt ARG...: apt-get, non-interactive, without recommends, waiting up to 5 min for dpkg's lock.
pkg_apt() {
    LC_ALL=C DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0 --no-install-recommends "$@"
}

# pkg_install DEB...: installs these package files (again, if the same version is installed) and what they depend on.
# apt-get reads them from a copy that its unprivileged _apt user may read.
pkg_install() {
    local dir f rc=0 files=()
    dir=$(mktemp -d) || return 1
    chmod 755 "$dir"
    for f in "$@"; do
        install -m 644 "$f" "$dir/" || { rm -rf "$dir"; return 1; }
        files+=("$dir/$(basename "$f")")
    done
    pkg_apt install --reinstall "${files[@]}" || rc=$?
    rm -rf "$dir"
    return $rc
}

# pkg_purge NAME...: purges those of the packages that dpkg knows.
pkg_purge() {
    local p known=()
    for p in "$@"; do [ -z "$(pkg_status "$p")" ] || known+=("$p"); done
    [ ${#known[@]} -eq 0 ] || pkg_apt purge "${known[@]}"
}

# pkg_leftovers: prints what slirp4j's packages left on the machine (files, dpkg records) and fails if anything.
pkg_leftovers() {
    local p left=()
    for p in slirp4j slirp4j-slirp4netns; do
        [ -z "$(pkg_status "$p")" ] || left+=("dpkg: $p $(pkg_status "$p")")
    done
    for p in /usr/lib/slirp4j /usr/bin/slirp4j /var/lib/dpkg/info/slirp4j.* /var/lib/dpkg/info/slirp4j-slirp4netns.*; do
        if [ -e "$p" ] || [ -L "$p" ]; then left+=("file: $p"); fi
    done
    if [ -L /usr/bin/slirp4netns ] && [ "$(readlink -f /usr/bin/slirp4netns)" = /usr/lib/slirp4j/bin/slirp4j ]; then
        left+=("file: /usr/bin/slirp4netns -> slirp4j")
    fi
    # the alternative "pasta" that slirp4j's postinst registers where no other pasta is
    if [ -L /usr/bin/pasta ] && [ "$(readlink -f /usr/bin/pasta)" = /usr/lib/slirp4j/bin/pasta ]; then
        left+=("file: /usr/bin/pasta -> slirp4j's pasta")
    fi
    if [ -L /etc/alternatives/pasta ] && [[ $(readlink /etc/alternatives/pasta) == /usr/lib/slirp4j/* ]]; then
        left+=("file: /etc/alternatives/pasta -> $(readlink /etc/alternatives/pasta)")
    fi
    if grep -qs '^/usr/lib/slirp4j/' /var/lib/dpkg/alternatives/pasta; then
        left+=("alternative: /var/lib/dpkg/alternatives/pasta names slirp4j's pasta")
    fi
    [ ${#left[@]} -eq 0 ] && return 0
    printf 'package: left behind: %s\n' "${left[@]}" >&2
    return 1
}

# pkg_throwaway CMD ARG...: runs CMD in a mount namespace of its own where /usr, /etc and /var are overlays on the
# real ones: CMD sees the machine as it is and may install and remove packages, but its changes go to a tmpfs that
# vanishes when CMD ends. Nothing else on the machine sees them (the real dpkg database and files stay as they were).
# The network namespace is the caller's: run slirp4j inside namespaces of CMD's own, as tests/demo.sh does.
pkg_throwaway() {
    local top rc=0
    top=$(mktemp -d /tmp/slirp4j-throwaway.XXXXXX) || return 1
    # shellcheck disable=SC2016
    unshare --mount --propagation private -- bash -c '
        set -e
        top=$1; shift
        mount -t tmpfs -o mode=0700 slirp4j-throwaway "$top"
        for d in usr etc var; do
            mkdir "$top/$d" "$top/$d.work"
            mount -t overlay slirp4j-throwaway -o "lowerdir=/$d,upperdir=$top/$d,workdir=$top/$d.work" "/$d"
        done
        exec "$@"' throwaway "$top" "$@" || rc=$?
    rmdir "$top" 2>/dev/null || true
    return $rc
}
