package io.slirp4j;

import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.wire.IpLiterals;
import io.slirp4j.stack.wire.Ipv4Address;

/** The start-up line on stderr that engines show in their logs when something goes wrong. */
final class NetworkConfigLog {
    private NetworkConfigLog() {}

    static void print(Launch l, int tapFd, String tapMode) {
        System.err.println(line(l, tapFd, tapMode));
    }

    /** Concatenation, not printf: java.util.Formatter loads the locale data, ~10 ms of start-up. */
    static String line(Launch l, int tapFd, String tapMode) {
        NetworkConfig n = l.network();
        String where = l.bessSocket() != null ? "BESS peer on " + l.bessSocket()
            : l.netns() != null ? l.tapName() + " in " + l.netns() : "inherited tap fd";
        return "slirp4j: " + where + " (fd " + tapFd + ", " + tapMode + "), MTU " + n.mtu() + ", network "
            + Ipv4Address.format(n.network()) + "/" + n.prefixLength() + ", gateway " + Ipv4Address.format(n.gateway())
            + ", dns " + (n.dnsEnabled() ? Ipv4Address.format(n.dns()) : "disabled")
            + (n.hostLoopback() ? "" : ", host loopback disabled")
            + (l.configure() ? ", configured " + Ipv4Address.format(n.recommendedGuest()) : "")
            + (n.outboundAddress4() != null ? ", outbound " + IpLiterals.format(n.outboundAddress4()) : "")
            + (n.outboundAddress6() != null ? ", outbound6 " + IpLiterals.format(n.outboundAddress6()) : "");
    }
}
