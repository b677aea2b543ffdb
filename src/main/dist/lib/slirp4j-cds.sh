#!/bin/sh
# Makes the class-data archive lib/slirp4j.jsa that the launcher maps (see bin/slirp4j), and its key
# lib/slirp4j.jsa.key, for the java binary JAVA (default: java on PATH) and the lib/ this script lives in.
# Usage: sh lib/slirp4j-cds.sh [JAVA]
# The build runs it on src/target/slirp4j/; the Debian package's postinst on /usr/lib/slirp4j/ (and again when a
# JDK package changes /usr/lib/jvm), because the archive is valid only for the JVM and the lib/ it was made with.
#
# A training run of the start-up path (io.slirp4j.CdsTraining) lists the classes it loads, and a static dump
# archives exactly those (the JDK's ones included) in one file, which the launcher maps instead of the JDK's default
# archive: idle RSS 3 MB below the JDK's archive plus a dynamic one on top (the JVM relocates and so dirties the whole
# of every archive it maps, used classes or not). The training runs with the launcher's flags that change which
# classes load (Netty's direct memory access). It sends no packet and makes no device (see CdsTraining).
#
# Beside the archive, the key the launcher compares before using it: the java binary's device, inode, size and time
# (a JDK update changes them) and this lib/ as the launcher sees it (canonical: the archive records the class path).
# A static archive that does not match is refused by the JVM, which then runs without any archive (~0.3 s slower):
# the key lets the launcher fall back to the JDK's own archive instead. The key is written last, after the archive
# is complete, and removed first. Exits non-zero, leaving neither file, if no archive could be made.
set -u
umask 022
lib=$(dirname "$(readlink -f "$0")") || exit 1
java=${1:-$(command -v java)} || { echo "slirp4j-cds: no java on PATH" >&2; exit 1; }
rm -f "$lib/slirp4j.jsa.key" "$lib/slirp4j.jsa"
[ -f "$lib/slirp4j.jar" ] || { echo "slirp4j-cds: no $lib/slirp4j.jar" >&2; exit 1; }
[ -x "$java" ] || { echo "slirp4j-cds: $java is not executable" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/slirp4j-cds.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
# As root, the training runs in a network namespace of its own with lo up (where `unshare` and `ip` work), like the
# helper's own: with no interface at all Netty would take another path and load other classes.
own_netns() { "$@"; }
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null && unshare --net ip link set lo up 2>/dev/null; then
    own_netns() { unshare --net sh -c 'ip link set lo up && exec "$@"' sh "$@"; }
fi
# The training's own exit status does not matter: whatever classes it loaded before a failure are worth archiving.
own_netns "$java" -XX:DumpLoadedClassList="$tmp/classlist" -XX:+UseSerialGC \
    --add-opens=java.base/java.nio=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true \
    -Dio.netty.allocator.numHeapArenas=0 -Dio.netty.allocator.numDirectArenas=1 \
    -Dslirp4j.native="$lib/libslirp4j.so" -Djava.library.path="$lib" \
    -cp "$lib/slirp4j.jar" io.slirp4j.CdsTraining ||
    echo "slirp4j-cds: the training run exited with status $?" >&2
[ -s "$tmp/classlist" ] || { echo "slirp4j-cds: the training run listed no classes" >&2; exit 1; }
if "$java" -Xshare:dump -XX:+UseSerialGC -XX:SharedClassListFile="$tmp/classlist" \
        -XX:SharedArchiveFile="$lib/slirp4j.jsa" -cp "$lib/slirp4j.jar" &&
    key=$(stat -L -c '%d %i %s %Y' "$java") && echo "$key $lib" >"$lib/slirp4j.jsa.key.new" &&
    mv -f "$lib/slirp4j.jsa.key.new" "$lib/slirp4j.jsa.key"
then
    exit 0
fi
echo "slirp4j-cds: no class-data archive made" >&2
rm -f "$lib/slirp4j.jsa.key" "$lib/slirp4j.jsa.key.new" "$lib/slirp4j.jsa"
exit 1
