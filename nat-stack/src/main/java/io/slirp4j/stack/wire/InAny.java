package io.slirp4j.stack.wire;

import java.net.InetAddress;

/**
 * An IPv4 or IPv6 address in two longs, the way passt's {@code inany} holds them: an IPv6 address as its high and
 * low 64 bits, an IPv4 address a.b.c.d as the IPv4-mapped {@code ::ffff:a.b.c.d} (high 0, low
 * {@code 0x0000ffff_aabbccdd}). Flow keys, the NAT policy and the engines carry addresses this way so one code path
 * serves both families without allocating per packet; {@link java.net.InetAddress} appears only where a host socket
 * is opened or answers. The arithmetic is {@link Ipv6Address}'s; this class names what the family-neutral code
 * asks of it.
 */
public final class InAny {
    private InAny() {
    }

    /** The high half of any IPv4-mapped address. */
    public static long hiOf4() {
        return Ipv6Address.mappedHi();
    }

    /** The low half of the IPv4-mapped form of {@code v4}. */
    public static long loOf4(int v4) {
        return Ipv6Address.mappedLo(v4);
    }

    /** True if (hi, lo) is an IPv4-mapped address, that is an IPv4 address. */
    public static boolean is4(long hi, long lo) {
        return Ipv6Address.isIpv4Mapped(hi, lo);
    }

    /** The IPv4 address of an IPv4-mapped (hi, lo); meaningless for other addresses. */
    public static int v4(long lo) {
        return Ipv6Address.ipv4Of(lo);
    }

    /** A hash of an address for table keys (IPv4 addresses hash to themselves in the low 32 bits). */
    public static long mix(long hi, long lo) {
        return lo ^ (hi * 0x9E37_79B9_7F4A_7C15L);
    }

    /** The high half of {@code address} (an {@link java.net.Inet4Address} becomes IPv4-mapped). */
    public static long hiOf(InetAddress address) {
        return Ipv6Address.hiOf(address);
    }

    /** The low half of {@code address} (an {@link java.net.Inet4Address} becomes IPv4-mapped). */
    public static long loOf(InetAddress address) {
        return Ipv6Address.loOf(address);
    }

    /** The address as Java sees it: an Inet4Address for IPv4-mapped addresses, else an Inet6Address. */
    public static InetAddress toInetAddress(long hi, long lo) {
        return Ipv6Address.toInetAddress(hi, lo);
    }

    /** Dotted quad for IPv4(-mapped) addresses, RFC 5952 text for the others. */
    public static String format(long hi, long lo) {
        return is4(hi, lo) ? Ipv4Address.format(v4(lo)) : Ipv6Address.format(hi, lo);
    }
}
