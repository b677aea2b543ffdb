package io.slirp4j.stack;

import io.slirp4j.stack.wire.InAny;

/**
 * The IPv6 side of the virtual network (with {@code --enable-ipv6}), slirp4netns's addressing on a /64 prefix P
 * (fd00::/64 unless {@code --cidr6} picks another): the gateway P::2 (the host), the DNS forwarder P::3, the router's
 * link-local address fe80::2 (source of Router Advertisements), and the guest anywhere else in P, configured by SLAAC
 * from the advertised prefix. Addresses are {@link InAny} halves; the prefix is the high half.
 *
 * @param prefix the /64 prefix's 64 bits (the high half of every address in it)
 */
public record Ipv6Network(long prefix) {
    /** fd00::/64, slirp4netns's prefix. */
    public static final long DEFAULT_PREFIX = 0xFD00_0000_0000_0000L;
    public static final long LINK_LOCAL_PREFIX = 0xFE80_0000_0000_0000L;
    /** The interface identifiers of the stack's own addresses in the prefix (and fe80::2). */
    public static final long GATEWAY_ID = 2;
    public static final long DNS_ID = 3;

    public Ipv6Network {
        if (!isUsablePrefix(prefix)) {
            throw new IllegalArgumentException("IPv6 prefix needs to be a unicast /64 outside fe80::/10 and ::/8");
        }
    }

    public static Ipv6Network defaults() {
        return new Ipv6Network(DEFAULT_PREFIX);
    }

    /** A prefix the guest can use as its own network: not link-local, multicast, or in ::/8 (loopback, mapped). */
    public static boolean isUsablePrefix(long prefix) {
        int top = (int) (prefix >>> 56);
        return top != 0 && top != 0xFF && (prefix & 0xFFC0_0000_0000_0000L) != LINK_LOCAL_PREFIX;
    }

    public long gatewayHi() {
        return prefix;
    }

    public long gatewayLo() {
        return GATEWAY_ID;
    }

    public long dnsHi() {
        return prefix;
    }

    public long dnsLo() {
        return DNS_ID;
    }

    public long routerHi() {
        return LINK_LOCAL_PREFIX;
    }

    public long routerLo() {
        return GATEWAY_ID;
    }

    public boolean inPrefix(long hi) {
        return hi == prefix;
    }

    /**
     * The MAC the stack answers Neighbor Solicitations with for one of its IPv6 addresses: 52:56 followed by the
     * address's last four bytes, as libslirp's {@code in6_compute_ethaddr} (52:56:00:00:00:02 for P::2 and
     * fe80::2).
     */
    public static long macFor(long lo) {
        return 0x5256_0000_0000L | (lo & 0xFFFF_FFFFL);
    }

    /** "fd00::/64". */
    @Override
    public String toString() {
        return InAny.format(prefix, 0) + "/64";
    }
}
