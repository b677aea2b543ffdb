#!/bin/bash
# Installs slirp4j FOR REAL from the package `mvn -B -DskipTests package` made (src/target/slirp4j_*.deb, or
# SLIRP4J_DEB_DIR), with apt-get (again, if the same version is installed), and prints the installed program's path.
# Root. Undo with tests/package/uninstall.sh. The slirp4j-slirp4netns package is not installed here: it replaces
# Debian's slirp4netns, so install it only in a throwaway view (pkg_throwaway in lib.sh), as check.sh does.
set -euo pipefail
# shellcheck source=tests/package/lib.sh
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "install: needs root" >&2; exit 1; }
deb=$(pkg_deb slirp4j)
out=$(pkg_install "$deb" 2>&1) || { echo "$out" >&2; echo "install: apt-get install $deb failed" >&2; exit 1; }
[ "$(pkg_status slirp4j)" = "install ok installed" ] || { echo "install: slirp4j is not installed" >&2; exit 1; }
[ -f /usr/lib/slirp4j/lib/slirp4j.jsa.key ] ||
    echo "install: note: postinst made no class-data archive: slirp4j starts slower" >&2
echo /usr/bin/slirp4j
