package io.slirp4j.stack.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address in two longs, the way passt's {@code inany} holds them: an IPv6 address as its high and
 * low 64 bits, an IPv4 address a.b.c.d as the IPv4-mapped {@code ::ffff:a.b.c.d} (high 0, low
 * {@code 0x0000ffff_aabbccdd}). Flow keys, the NAT policy and the engines carry addresses this way so one code path
 * serves both families without allocating per packet; {@link java.net.InetAddress} appears only where a host socket
 * is opened or answers.
 */
public final class InAny {
    private static final long MAPPED_PREFIX = 0x0000_FFFF_0000_0000L;
    private static final long MAPPED_MASK = 0xFFFF_FFFF_0000_0000L;

    private InAny() {
    }

    /** The high half of any IPv4-mapped address. */
    public static long hiOf4() {
        return 0;
    }

    /** The low half of the IPv4-mapped form of {@code v4}. */
    public static long loOf4(int v4) {
        return MAPPED_PREFIX | (v4 & 0xFFFF_FFFFL);
    }

    /** True if (hi, lo) is an IPv4-mapped address, that is an IPv4 address. */
    public static boolean is4(long hi, long lo) {
        return hi == 0 && (lo & MAPPED_MASK) == MAPPED_PREFIX;
    }

    /** The IPv4 address of an IPv4-mapped (hi, lo); meaningless for other addresses. */
    public static int v4(long lo) {
        return (int) lo;
    }

    /** A hash of an address for table keys (IPv4 addresses hash to themselves in the low 32 bits). */
    public static long mix(long hi, long lo) {
        return lo ^ (hi * 0x9E37_79B9_7F4A_7C15L);
    }

    /** The high half of {@code address} (an {@link Inet4Address} becomes IPv4-mapped). */
    public static long hiOf(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            return bytesToLong(b, 0);
        }
        return 0;
    }

    /** The low half of {@code address} (an {@link Inet4Address} becomes IPv4-mapped). */
    public static long loOf(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return loOf4(Ipv4Address.fromInetAddress((Inet4Address) address));
        }
        return bytesToLong(b, 8);
    }

    /** The address as Java sees it: an {@link Inet4Address} for IPv4-mapped addresses, else an Inet6Address. */
    public static InetAddress toInetAddress(long hi, long lo) {
        if (is4(hi, lo)) {
            return Ipv4Address.toInetAddress(v4(lo));
        }
        byte[] b = new byte[16];
        longToBytes(hi, b, 0);
        longToBytes(lo, b, 8);
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Dotted quad for IPv4(-mapped) addresses, RFC 5952 text for the others. */
    public static String format(long hi, long lo) {
        if (is4(hi, lo)) {
            return Ipv4Address.format(v4(lo));
        }
        return toInetAddress(hi, lo).getHostAddress();
    }

    private static long bytesToLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    private static void longToBytes(long v, byte[] b, int at) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }
}
