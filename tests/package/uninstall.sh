#!/bin/bash
# Purges slirp4j (and slirp4j-slirp4netns, if installed) and checks that nothing of them is left: files, the
# class-data archive postinst made, dpkg's records. Root. Exit 0 also when neither was installed.
# Debian's slirp4netns, if slirp4j-slirp4netns had replaced it, is not brought back: apt-get install slirp4netns.
set -euo pipefail
# shellcheck source=tests/package/lib.sh
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "uninstall: needs root" >&2; exit 1; }
out=$(pkg_purge slirp4j-slirp4netns slirp4j 2>&1) || { echo "$out" >&2; echo "uninstall: apt-get purge failed" >&2; exit 1; }
pkg_leftovers
