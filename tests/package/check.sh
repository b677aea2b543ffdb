#!/bin/bash
# The Debian packages, checked as built and as installed. Root. Exit 0: all good; 77: this machine cannot run the
# check (not root, a tool missing, slirp4j already installed); anything else: a failure.
#  1. Both .deb files: control fields, owners and modes, the same files as the distribution src/target/slirp4j/
#     (less the build's class-data archive).
#  2. slirp4j installed FOR REAL with `apt-get install ./slirp4j_….deb`: dpkg -L, /usr/bin/slirp4j --help and
#     --version, the class-data archive its postinst made for the installed JVM (and that the JVM maps it, as root and
#     as an unprivileged user), and tests/demo.sh against /usr/bin/slirp4j (in private namespaces, as always); with
#     ENGINES=1 also tests/engines/check.sh (podman, rootlesskit, buildah) against /usr/bin/slirp4j.
#     slirp4j's pasta: /usr/lib/slirp4j/bin/pasta --version is lib/pasta-version.txt; where passt is installed (its
#     /usr/bin/pasta is a symbolic link, which update-alternatives would replace without a word), the install leaves
#     /usr/bin/pasta as it was, owned by passt, and registers no alternative "pasta"; where no pasta is, /usr/bin/pasta
#     becomes slirp4j's through the alternative.
#  3. slirp4j-slirp4netns, which replaces Debian's slirp4netns (installed here, used by benchmarks and engines), only
#     in a throwaway view of the machine (pkg_throwaway in lib.sh): `apt-get install` removes slirp4netns (announced)
#     and takes over /usr/bin/slirp4netns, slirp4netns --help is slirp4j's, tests/demo.sh runs through /usr/bin/slirp4netns,
#     a JDK trigger remakes the class-data archive, and purging leaves no slirp4netns. In the same view, the alternative
#     pasta: `apt-get remove passt` fires slirp4j's trigger on /usr/bin/pasta, which makes /usr/bin/pasta slirp4j's
#     (pasta --version, update-alternatives --query pasta); purging slirp4j removes the link and the alternative;
#     installing slirp4j where no pasta is makes it slirp4j's again; installing passt after it (from apt's cache, if
#     there) gives /usr/bin/pasta back to passt and drops the alternative; purging then leaves passt's pasta alone.
#     Nobody else sees any of it.
#  4. slirp4j purged for real: nothing left (files, the postinst's archive, dpkg's records), and the machine's package
#     list, apt's manual marks, /usr/bin, /usr/lib, /usr/bin/slirp4netns, /usr/bin/pasta (link, bytes, owner) and the
#     alternatives (/etc/alternatives, /var/lib/dpkg/alternatives) as they were before step 2.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/package/lib.sh
source "$here/lib.sh"

fail() { echo "package check: FAILED: $*" >&2; exit 1; }
cannot() { echo "package check: cannot run: $*" >&2; exit 77; }
step() { echo "== $* ($(( SECONDS - t0 )) s)"; }
t0=$SECONDS

# expect_same WHAT EXPECTED ACTUAL
expect_same() { [ "$2" = "$3" ] || fail "$1: expected [$2], got [$3]"; }

# help_and_version NAME: NAME (looked up on PATH) answers --help and --version with slirp4j's texts.
help_and_version() {
    local lib=/usr/lib/slirp4j/lib
    expect_same "$1 --help" "$(cat $lib/slirp4j-help.txt)" "$(PATH=/usr/bin:/bin "$1" --help)"
    expect_same "$1 --version" "$(cat $lib/slirp4j-version.txt)" "$(PATH=/usr/bin:/bin "$1" --version)"
    [[ $(PATH=/usr/bin:/bin "$1" --help) == "Usage: slirp4j "* ]] || fail "$1 --help does not start with slirp4j's usage"
}

# archive_used [setpriv ARG...]: the installed launcher's JVM maps the class-data archive (run as given).
archive_used() {
    local out
    out=$("$@" env SLIRP4J_TRACE_STARTUP=1 SLIRP4J_JAVA_OPTS=-Xlog:class+load=info /usr/bin/slirp4j --version 2>&1) ||
        fail "slirp4j --version through the JVM ($*): $out"
    grep -q 'io\.slirp4j\.Main source: shared objects file' <<<"$out" ||
        fail "the JVM did not take io.slirp4j.Main from the class-data archive ($*): $(grep 'io.slirp4j.Main ' <<<"$out")"
}

# archive_keyed: postinst made lib/slirp4j.jsa and its key for the java on PATH and /usr/lib/slirp4j/lib.
archive_keyed() {
    local lib=/usr/lib/slirp4j/lib java
    java=$(command -v java)
    [ -f $lib/slirp4j.jsa ] && [ -f $lib/slirp4j.jsa.key ] || fail "postinst made no class-data archive in $lib"
    expect_same "the archive's key" "$(stat -L -c '%d %i %s %Y' "$java") $lib" "$(cat $lib/slirp4j.jsa.key)"
    expect_same "the archive's mode" "444 644" "$(stat -c %a $lib/slirp4j.jsa) $(stat -c %a $lib/slirp4j.jsa.key)"
}

# pasta_state: /usr/bin/pasta as ls, readlink -f, sha256sum and dpkg -S see it (or "no /usr/bin/pasta").
pasta_state() {
    if [ -e /usr/bin/pasta ] || [ -L /usr/bin/pasta ]; then
        echo "link: $(readlink /usr/bin/pasta || echo '(not a link)')"
        echo "file: $(readlink -f /usr/bin/pasta)"
        sha256sum < /usr/bin/pasta
        dpkg-query -S /usr/bin/pasta 2>/dev/null || echo "owner: none"
    else
        echo "no /usr/bin/pasta"
    fi
}

# pasta_is_slirp4j: /usr/bin/pasta is the alternatives link to slirp4j's pasta, and pasta (on PATH) answers as it.
pasta_is_slirp4j() {
    expect_same "/usr/bin/pasta" /etc/alternatives/pasta "$(readlink /usr/bin/pasta)"
    expect_same "/etc/alternatives/pasta" /usr/lib/slirp4j/bin/pasta "$(readlink /etc/alternatives/pasta)"
    grep -qx 'Value: /usr/lib/slirp4j/bin/pasta' <<<"$(update-alternatives --query pasta 2>&1)" ||
        fail "update-alternatives --query pasta: $(update-alternatives --query pasta 2>&1)"
    expect_same "pasta --version" "$(cat /usr/lib/slirp4j/lib/pasta-version.txt)" "$(PATH=/usr/bin:/bin pasta --version)"
    [[ $(PATH=/usr/bin:/bin pasta --version | head -n 1) == "pasta slirp4j-"* ]] || fail "pasta --version is not slirp4j's"
}

# no_pasta_alternative: no alternative "pasta" names slirp4j's, and no link leads to it.
no_pasta_alternative() {
    [ -z "$(update-alternatives --query pasta 2>/dev/null | grep /usr/lib/slirp4j || true)" ] ||
        fail "the alternative pasta still names slirp4j's: $(update-alternatives --query pasta 2>&1)"
    [ "$(readlink -f /usr/bin/pasta 2>/dev/null)" != /usr/lib/slirp4j/bin/pasta ] || fail "/usr/bin/pasta leads to slirp4j's pasta"
    [ ! -L /etc/alternatives/pasta ] || [[ $(readlink /etc/alternatives/pasta) != /usr/lib/slirp4j/* ]] ||
        fail "/etc/alternatives/pasta leads to slirp4j's pasta"
}

demo() {
    local out
    out=$(bash "$repo/tests/demo.sh" "$1" 2>&1) || fail "tests/demo.sh $1: $out"
    [[ $out == *"== demo OK" ]] || fail "tests/demo.sh $1 did not end with '== demo OK': $out"
    echo "   tests/demo.sh $1: OK ($(grep -o 'ready after [0-9]* ms' <<<"$out"))"
}

# Step 3, run by step 2 as `check.sh --throwaway SLIRP4NETNS_DEB SLIRP4J_DEB` inside pkg_throwaway.
if [ "${1:-}" = --throwaway ]; then
    link=$2
    main=$3
    [ "$(pkg_status slirp4j)" = "install ok installed" ] || fail "throwaway: slirp4j is not installed"
    had=$(pkg_status slirp4netns)
    out=$(pkg_install "$link" 2>&1) || fail "apt-get install $link: $out"
    if [ "$had" = "install ok installed" ]; then
        # Conflicts + Replaces: the one way Debian lets a package take over another's file, by removing that package,
        # which apt announces (and asks about, without -y); never by overwriting a file slirp4netns still owns
        grep -A1 'packages will be REMOVED' <<<"$out" | grep -qx ' *slirp4netns' ||
            fail "apt-get did not announce the removal of slirp4netns: $out"
    fi
    expect_same "slirp4j-slirp4netns" "install ok installed" "$(pkg_status slirp4j-slirp4netns)"
    [ -z "$(pkg_status slirp4netns)" ] || fail "slirp4netns is still there: $(pkg_status slirp4netns)"
    expect_same "dpkg -S /usr/bin/slirp4netns" "slirp4j-slirp4netns: /usr/bin/slirp4netns" "$(dpkg -S /usr/bin/slirp4netns)"
    expect_same "/usr/bin/slirp4netns" "../lib/slirp4j/bin/slirp4j" "$(readlink /usr/bin/slirp4netns)"
    expect_same "dpkg -L slirp4j-slirp4netns" "$(printf '/usr\n/usr/bin\n/usr/bin/slirp4netns')" \
        "$(dpkg -L slirp4j-slirp4netns)"
    help_and_version slirp4netns
    step "throwaway: apt-get install slirp4j-slirp4netns replaced slirp4netns; slirp4netns --help is slirp4j's"
    demo /usr/bin/slirp4netns
    # a JDK package's files in /usr/lib/jvm change: the trigger runs postinst, which makes the archive anew
    rm /usr/lib/slirp4j/lib/slirp4j.jsa /usr/lib/slirp4j/lib/slirp4j.jsa.key
    dpkg-trigger --no-await /usr/lib/jvm && dpkg --triggers-only --pending >/dev/null
    archive_keyed
    step "throwaway: a /usr/lib/jvm trigger remade the class-data archive"
    out=$(pkg_purge slirp4j-slirp4netns 2>&1) || fail "apt-get purge slirp4j-slirp4netns: $out"
    [ ! -e /usr/bin/slirp4netns ] && [ ! -L /usr/bin/slirp4netns ] || fail "/usr/bin/slirp4netns is still there"
    [ -z "$(pkg_status slirp4j-slirp4netns)" ] || fail "dpkg still knows slirp4j-slirp4netns"
    step "throwaway: purged slirp4j-slirp4netns: no slirp4netns left (until Debian's is installed again)"
    # the alternative pasta, as passt comes and goes
    if [ "$(pkg_status passt)" = "install ok installed" ]; then
        out=$(pkg_apt remove passt 2>&1) || fail "apt-get remove passt: $out"
        grep -q "Processing triggers for slirp4j" <<<"$out" || fail "removing passt did not fire slirp4j's trigger: $out"
        grep -q "^slirp4j: pasta is now slirp4j's" <<<"$out" || fail "postinst (triggered) did not say pasta is now slirp4j's: $out"
        pasta_is_slirp4j
        step "throwaway: apt-get remove passt: slirp4j's trigger made /usr/bin/pasta slirp4j's (the alternative pasta)"
    fi
    [ "$(pkg_status passt)" != "install ok installed" ] || fail "passt is still installed"
    out=$(pkg_purge slirp4j 2>&1) || fail "apt-get purge slirp4j: $out"
    [ ! -e /usr/bin/pasta ] && [ ! -L /usr/bin/pasta ] || fail "purging slirp4j left /usr/bin/pasta: $(pasta_state)"
    [ ! -e /etc/alternatives/pasta ] && [ ! -L /etc/alternatives/pasta ] || fail "purging slirp4j left /etc/alternatives/pasta"
    [ ! -e /var/lib/dpkg/alternatives/pasta ] || fail "purging slirp4j left /var/lib/dpkg/alternatives/pasta"
    ! update-alternatives --query pasta >/dev/null 2>&1 || fail "the alternative pasta is still there"
    pkg_leftovers || fail "purging slirp4j (in a throwaway view) left files behind"
    step "throwaway: purged slirp4j: no /usr/bin/pasta, /etc/alternatives/pasta or alternative pasta left"
    out=$(pkg_install "$main" 2>&1) || fail "apt-get install $main (no pasta): $out"
    grep -q "^slirp4j: pasta is now slirp4j's" <<<"$out" || fail "postinst did not say pasta is now slirp4j's: $out"
    pasta_is_slirp4j
    step "throwaway: apt-get install slirp4j where no pasta is: /usr/bin/pasta is slirp4j's"
    passt_deb=$(ls -t /var/cache/apt/archives/passt_*.deb 2>/dev/null | head -n 1)
    if [ -n "$passt_deb" ]; then
        # passt installed after slirp4j: dpkg writes passt's /usr/bin/pasta over the alternatives link (no package
        # owns that), and slirp4j's trigger then drops its alternative without touching passt's link
        out=$(pkg_install "$passt_deb" 2>&1) || fail "apt-get install $passt_deb: $out"
        expect_same "dpkg -S /usr/bin/pasta" "passt: /usr/bin/pasta" "$(dpkg-query -S /usr/bin/pasta)"
        expect_same "/usr/bin/pasta" passt "$(readlink /usr/bin/pasta)"
        grep -q "^slirp4j: /usr/bin/pasta stays passt's" <<<"$out" || fail "postinst (triggered) did not say passt's pasta stays: $out"
        no_pasta_alternative
        out=$(pkg_purge slirp4j 2>&1) || fail "apt-get purge slirp4j: $out"
        expect_same "/usr/bin/pasta after purging slirp4j" passt "$(readlink /usr/bin/pasta)"
        pkg_leftovers || fail "purging slirp4j (in a throwaway view) left files behind"
        step "throwaway: apt-get install passt after slirp4j: /usr/bin/pasta is passt's again, the alternative gone; purging slirp4j left it"
    else
        echo "   (no passt package in /var/cache/apt/archives: passt installed after slirp4j not checked)"
    fi
    exit 0
fi

[ "$(id -u)" = 0 ] || cannot "needs root"
for tool in dpkg dpkg-deb dpkg-query dpkg-trigger apt-get apt-mark unshare nsenter mount setpriv ip ss ping socat sha256sum java; do
    command -v "$tool" >/dev/null || cannot "$tool is missing"
done
main=$(pkg_deb slirp4j) || fail "no slirp4j package built"
link=$(pkg_deb slirp4j-slirp4netns) || fail "no slirp4j-slirp4netns package built"
dist=$pkg_dir/slirp4j
[ -f "$dist/lib/slirp4j-version.txt" ] || fail "no distribution at $dist"

# 1. the files as built
version=$(sed -n '1s/^slirp4j version //p' "$dist/lib/slirp4j-version.txt")
debversion=${version/-SNAPSHOT/\~SNAPSHOT}
field() { dpkg-deb -f "$1" "$2"; }
for deb in "$main" "$link"; do
    expect_same "Version of $deb" "$debversion" "$(field "$deb" Version)"
    dpkg --validate-version "$(field "$deb" Version)" || fail "$deb: invalid version"
    expect_same "Section of $deb" net "$(field "$deb" Section)"
    expect_same "Priority of $deb" optional "$(field "$deb" Priority)"
    [[ $(field "$deb" Maintainer) == ?*" <"?*@?*">" ]] || fail "$deb: Maintainer is not NAME <EMAIL>"
    [ -n "$(field "$deb" Description)" ] || fail "$deb: no Description"
    # owners root/root; directories 0755, files 0644 but the launcher 0755; symlinks
    bad=$(dpkg-deb -c "$deb" | awk '
        $2 != "root/root" { print; next }
        /^d/ && $1 != "drwxr-xr-x" { print; next }
        /^-/ && $6 ~ /^\.\/usr\/lib\/slirp4j\/bin\// { if ($1 != "-rwxr-xr-x") print; next }
        /^-/ && $1 != "-rw-r--r--" { print; next }
        !/^[-dl]/ { print }')
    [ -z "$bad" ] || fail "$deb: entries with other owners or modes: $bad"
done
expect_same "Package" slirp4j "$(field "$main" Package)"
expect_same "Architecture" "$(dpkg --print-architecture)" "$(field "$main" Architecture)"
[[ $(field "$main" Depends) == *java17-runtime-headless* && $(field "$main" Depends) == *util-linux* ]] ||
    fail "Depends: $(field "$main" Depends)"
expect_same "Package" slirp4j-slirp4netns "$(field "$link" Package)"
expect_same "Architecture" all "$(field "$link" Architecture)"
expect_same "Depends" "slirp4j (= $debversion)" "$(field "$link" Depends)"
[[ $(field "$link" Provides) == "slirp4netns (= "*")" ]] || fail "Provides: $(field "$link" Provides)"
expect_same "Conflicts" slirp4netns "$(field "$link" Conflicts)"
expect_same "Replaces" slirp4netns "$(field "$link" Replaces)"
contents() { dpkg-deb -c "$1" | awk '{ p = $6; sub(/^\./, "", p); sub(/\/$/, "", p); print p ($1 ~ /^l/ ? " -> " $8 : "") }'; }
expected=$( (printf '/usr\n/usr/lib\n/usr/lib/slirp4j\n/usr/bin\n/usr/bin/slirp4j -> ../lib/slirp4j/bin/slirp4j\n'
    cd "$dist" && find bin lib ! -name slirp4j.jsa ! -name slirp4j.jsa.key | sed 's|^|/usr/lib/slirp4j/|') | sort)
expect_same "the files of $main" "$expected" "$(contents "$main" | sort)"
dpkg-deb -c "$main" | awk '$6 == "./usr/lib/slirp4j/bin/pasta" && $1 == "-rwxr-xr-x" { ok = 1 } END { exit !ok }' ||
    fail "$main has no /usr/lib/slirp4j/bin/pasta with mode 755"
expect_same "the files of $link" "$(printf '/usr\n/usr/bin\n/usr/bin/slirp4netns -> ../lib/slirp4j/bin/slirp4j')" \
    "$(contents "$link")"
step "built: $(basename "$main") ($(stat -c %s "$main") bytes), $(basename "$link"): fields, owners, modes, files"

# 2. installed for real
for p in slirp4j slirp4j-slirp4netns; do
    [ -z "$(pkg_status "$p")" ] || cannot "$p is installed already ($(pkg_status "$p")): this check installs and purges it, and would not leave the machine as it found it (tests/package/uninstall.sh removes it)"
done
pkg_leftovers || cannot "files of an earlier slirp4j install are on the machine"
snapshot() {
    dpkg-query -W -f='${Package}:${Architecture} ${Version} ${Status}\n' | sort
    echo "manual: $(apt-mark showmanual | sort | tr '\n' ' ')"
    ls -A /usr/bin /usr/lib
    if [ -e /usr/bin/slirp4netns ]; then sha256sum /usr/bin/slirp4netns; fi
    pasta_state
    ls -A /etc/alternatives /var/lib/dpkg/alternatives
}
before=$(snapshot)
pasta_before=$(pasta_state)
had_passt=$(pkg_status passt)
installed=
cleanup() { if [ -n "$installed" ]; then pkg_purge slirp4j-slirp4netns slirp4j >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT
installed=1
out=$(pkg_install "$main" 2>&1) || fail "apt-get install $main: $out"
expect_same "dpkg's status of slirp4j" "install ok installed" "$(pkg_status slirp4j)"
step "installed: apt-get install ./$(basename "$main")"
expect_same "dpkg -L slirp4j" "$(contents "$main" | sed 's/ -> .*//' | sort)" "$(dpkg -L slirp4j | sort)"
expect_same "/usr/bin/slirp4j" "/usr/lib/slirp4j/bin/slirp4j" "$(readlink -f /usr/bin/slirp4j)"
help_and_version slirp4j
# slirp4j's pasta, and /usr/bin/pasta: passt's stays as it was; with no pasta, slirp4j's becomes it
expect_same "/usr/lib/slirp4j/bin/pasta --version" "$(cat /usr/lib/slirp4j/lib/pasta-version.txt)" \
    "$(/usr/lib/slirp4j/bin/pasta --version)"
[[ $(/usr/lib/slirp4j/bin/pasta --version | head -n 1) == "pasta slirp4j-"* ]] || fail "slirp4j's pasta --version: $(/usr/lib/slirp4j/bin/pasta --version)"
if [ "$had_passt" = "install ok installed" ]; then
    expect_same "/usr/bin/pasta (passt's) after installing slirp4j" "$pasta_before" "$(pasta_state)"
    grep -q "passt: /usr/bin/pasta" <<<"$pasta_before" || fail "passt is installed but does not own /usr/bin/pasta: $pasta_before"
    grep -q "^slirp4j: /usr/bin/pasta stays passt's" <<<"$out" || fail "postinst did not say passt's pasta stays: $out"
    no_pasta_alternative
    pasta_note="/usr/bin/pasta still passt's, no alternative"
elif [ "$pasta_before" = "no /usr/bin/pasta" ]; then
    pasta_is_slirp4j
    pasta_note="/usr/bin/pasta now slirp4j's (the alternative)"
else
    pasta_note="/usr/bin/pasta: $(head -n 1 <<<"$pasta_before")"
fi
archive_keyed
archive_used
archive_used setpriv --reuid=65534 --regid=65534 --clear-groups
step "installed: dpkg -L, --help, --version, pasta --version ($pasta_note), the postinst's class-data archive (used as root and as nobody)"
demo /usr/bin/slirp4j
step "installed: tests/demo.sh /usr/bin/slirp4j"
if [ "${ENGINES:-0}" = 1 ]; then
    # podman (network_cmd_path), rootlesskit (--slirp4netns-binary) and buildah (slirp4netns on PATH) with their
    # default options, on the installed copy, confined
    out=$(SLIRP4J_BIN=/usr/bin/slirp4j bash "$repo/tests/engines/check.sh" 2>&1) \
        || fail "tests/engines/check.sh with /usr/bin/slirp4j: $out"
    grep -c '^PASS' <<<"$out" | sed 's/^/   engine checks passed: /'
    step "installed: tests/engines/check.sh with /usr/bin/slirp4j"
fi

# 3. slirp4j-slirp4netns in a throwaway view
if ! pkg_throwaway bash "$0" --throwaway "$link" "$main" 2>&1 | sed 's/^/   /'; then fail "slirp4j-slirp4netns (in a throwaway view)"; fi

# 4. purged for real
out=$(pkg_purge slirp4j 2>&1) || fail "apt-get purge slirp4j: $out"
installed=
pkg_leftovers || fail "apt-get purge slirp4j left files or records behind"
after=$(snapshot)
[ "$before" = "$after" ] || fail "the machine is not as it was: $(diff <(echo "$before") <(echo "$after"))"
step "purged: nothing left; packages, manual marks, /usr/bin, /usr/lib, /usr/bin/slirp4netns, /usr/bin/pasta and the alternatives as before"
echo "== package check OK"
