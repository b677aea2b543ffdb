package io.slirp4j;

import io.slirp4j.stack.NetworkConfig;

/** The start-up line on stderr that engines show in their logs when something goes wrong. */
final class NetworkConfigLog {
    private NetworkConfigLog() {}

    static String ipv4(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }

    static void print(Launch l, int tapFd) {
        NetworkConfig n = l.network();
        String where = l.netns() != null ? l.tapName() + " in " + l.netns() : "inherited tap fd";
        System.err.printf("slirp4j: %s (fd %d), MTU %d, network %s/%d, gateway %s, dns %s%s%s%n", where, tapFd,
            n.mtu(), ipv4(n.network()), n.prefixLength(), ipv4(n.gateway()),
            n.dnsEnabled() ? ipv4(n.dns()) : "disabled",
            n.hostLoopback() ? "" : ", host loopback disabled",
            l.configure() ? ", configured " + ipv4(n.recommendedGuest()) : "");
    }
}
