package io.slirp4j.stack.wire;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IPv6 addresses as two big-endian {@code long}s, {@code hi} (bytes 0-7) and {@code lo} (bytes 8-15).
 *
 * <p>Why two longs: an address is then two register-sized values that tables, flow keys and comparisons use
 * without allocating, the way {@link Ipv4Address} uses an {@code int} and {@link MacAddress} a {@code long}.
 * The same pair holds IPv4 addresses too, IPv4-mapped as {@code ::ffff:a.b.c.d} (RFC 4291 2.5.5.2; passt's
 * {@code inany}), so code that must handle both families (flow keys, NAT rules) keeps one representation:
 * {@link #mappedHi()} is always 0 and {@link #mappedLo(int)} carries the IPv4 address in its low 32 bits.
 *
 * <p>Everything here is static and allocation-free except the conversions to and from {@link InetAddress} and
 * text, which belong to configuration and logging, not to the data path. Those return a pair as
 * {@code long[] {hi, lo}}.
 */
public final class Ipv6Address {
    public static final int LENGTH = 16;
    /** fe80::/64, the link-local prefix; a link-local address is {@code (LINK_LOCAL_HI, eui64(mac))} or similar. */
    public static final long LINK_LOCAL_HI = 0xFE80_0000_0000_0000L;
    /** ff02::1, all nodes on the link (where unsolicited router advertisements go). */
    public static final long ALL_NODES_HI = 0xFF02_0000_0000_0000L;
    public static final long ALL_NODES_LO = 1L;
    /** ff02::2, all routers on the link (where router solicitations go). */
    public static final long ALL_ROUTERS_HI = 0xFF02_0000_0000_0000L;
    public static final long ALL_ROUTERS_LO = 2L;
    /** ff02::1:2, All_DHCP_Relay_Agents_and_Servers (RFC 8415 7.1), where DHCPv6 clients send. */
    public static final long ALL_DHCP_SERVERS_HI = 0xFF02_0000_0000_0000L;
    public static final long ALL_DHCP_SERVERS_LO = 0x0000_0000_0001_0002L;
    /** ff02::1:ff00:0/104: the solicited-node multicast addresses (RFC 4291 2.7.1). */
    public static final long SOLICITED_NODE_HI = 0xFF02_0000_0000_0000L;
    private static final long SOLICITED_NODE_LO_PREFIX = 0x0000_0001_FF00_0000L;
    private static final long LOW_24_BITS = 0xFF_FFFFL;
    private static final long MAPPED_LO_PREFIX = 0x0000_FFFF_0000_0000L;
    /** 33:33:xx:xx:xx:xx, the Ethernet group addresses that IPv6 multicast maps onto (RFC 2464 7). */
    public static final long MULTICAST_MAC_PREFIX = 0x3333_0000_0000L;
    /** The universal/local bit of an interface identifier, inverted from the MAC's (RFC 4291 appendix A). */
    private static final long EUI64_UNIVERSAL_LOCAL_BIT = 0x0200_0000_0000_0000L;
    private static final long EUI64_FILLER = 0xFFFEL << 24;

    private Ipv6Address() {
    }

    public static long readHi(ByteBuf buf, int offset) {
        return buf.getLong(offset);
    }

    public static long readLo(ByteBuf buf, int offset) {
        return buf.getLong(offset + 8);
    }

    public static void write(ByteBuf buf, int offset, long hi, long lo) {
        buf.setLong(offset, hi);
        buf.setLong(offset + 8, lo);
    }

    /** ::, the source of a node that has no address yet (duplicate address detection, DHCPv6 is not it). */
    public static boolean isUnspecified(long hi, long lo) {
        return hi == 0 && lo == 0;
    }

    /** ::1. */
    public static boolean isLoopback(long hi, long lo) {
        return hi == 0 && lo == 1;
    }

    /** ff00::/8. */
    public static boolean isMulticast(long hi) {
        return (hi >>> 56) == 0xFF;
    }

    /** fe80::/10. */
    public static boolean isLinkLocal(long hi) {
        return (hi >>> 54) == (0xFE80L >>> 6);
    }

    /** The solicited-node multicast group of an address: ff02::1:ff plus its low 24 bits; the high half is {@link #SOLICITED_NODE_HI}. */
    public static long solicitedNodeLo(long lo) {
        return SOLICITED_NODE_LO_PREFIX | (lo & LOW_24_BITS);
    }

    public static boolean isSolicitedNode(long hi, long lo) {
        return hi == SOLICITED_NODE_HI && (lo & ~LOW_24_BITS) == SOLICITED_NODE_LO_PREFIX;
    }

    /** The Ethernet destination for a multicast address: 33:33 and its low 32 bits. Only the low half matters. */
    public static long multicastMac(long lo) {
        return MULTICAST_MAC_PREFIX | (lo & 0xFFFF_FFFFL);
    }

    /**
     * The modified EUI-64 interface identifier of a MAC address (RFC 4291 appendix A): the MAC split in the middle
     * by ff:fe, with the universal/local bit inverted. {@code (LINK_LOCAL_HI, eui64(mac))} is the link-local
     * address a host with that MAC forms (RFC 4862 5.3).
     */
    public static long eui64(long mac) {
        long upper = (mac >>> 24) & LOW_24_BITS;
        long lower = mac & LOW_24_BITS;
        return ((upper << 40) | EUI64_FILLER | lower) ^ EUI64_UNIVERSAL_LOCAL_BIT;
    }

    /**
     * True when the first {@code prefixLength} bits (0..128) of the address equal those of the prefix; the prefix's
     * other bits are ignored.
     */
    public static boolean inPrefix(long hi, long lo, long prefixHi, long prefixLo, int prefixLength) {
        if (prefixLength < 0 || prefixLength > 128) {
            throw new IllegalArgumentException("prefix length " + prefixLength);
        }
        if (prefixLength <= 64) {
            return ((hi ^ prefixHi) & highBits(prefixLength)) == 0;
        }
        return hi == prefixHi && ((lo ^ prefixLo) & highBits(prefixLength - 64)) == 0;
    }

    /** A mask of the top {@code n} (0..64) bits; Java masks shift counts to 6 bits, so 0 and 64 are spelled out. */
    private static long highBits(int n) {
        return n == 0 ? 0 : n == 64 ? -1L : ~(-1L >>> n);
    }

    /** The high half of every IPv4-mapped address. */
    public static long mappedHi() {
        return 0;
    }

    /** The low half of the IPv4-mapped address {@code ::ffff:a.b.c.d} for the IPv4 address {@code v4}. */
    public static long mappedLo(int v4) {
        return MAPPED_LO_PREFIX | (v4 & 0xFFFF_FFFFL);
    }

    public static boolean isIpv4Mapped(long hi, long lo) {
        return hi == 0 && (lo >>> 32) == 0xFFFF;
    }

    /** The IPv4 address inside a mapped address (meaningful only when {@link #isIpv4Mapped} holds). */
    public static int ipv4Of(long lo) {
        return (int) lo;
    }

    /** {@code {hi, lo}} of an address: IPv6 as is (scope dropped), IPv4 as IPv4-mapped. */
    public static long[] fromInetAddress(InetAddress address) {
        return new long[] {hiOf(address), loOf(address)};
    }

    /** The high half of {@link #fromInetAddress}, without the array. */
    public static long hiOf(InetAddress address) {
        return address instanceof Inet4Address ? mappedHi() : bytesToLong(address.getAddress(), 0);
    }

    /** The low half of {@link #fromInetAddress}, without the array. */
    public static long loOf(InetAddress address) {
        if (address instanceof Inet4Address v4) {
            return mappedLo(Ipv4Address.fromInetAddress(v4));
        }
        return bytesToLong(address.getAddress(), 8);
    }

    /**
     * The JDK's address for {@code (hi, lo)}: an {@link Inet6Address}, except that an IPv4-mapped address comes back
     * as {@link Inet4Address} (the JDK does that itself, and it is what a host socket for that peer needs).
     */
    public static InetAddress toInetAddress(long hi, long lo) {
        byte[] b = new byte[LENGTH];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("16 bytes are always an IPv6 address", e);
        }
    }

    private static long bytesToLong(byte[] b, int from) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[from + i] & 0xFF);
        }
        return v;
    }

    /**
     * RFC 5952 text: lower-case hex without leading zeros, the longest run of two or more zero groups (the first of
     * equal runs) as "::", and IPv4-mapped addresses as {@code ::ffff:a.b.c.d}.
     */
    public static String format(long hi, long lo) {
        if (isIpv4Mapped(hi, lo)) {
            return "::ffff:" + Ipv4Address.format(ipv4Of(lo));
        }
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (hi >>> (48 - 16 * i)) & 0xFFFF;
            g[4 + i] = (int) (lo >>> (48 - 16 * i)) & 0xFFFF;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLength - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }

    /**
     * Parses an IPv6 literal as inet_pton(AF_INET6) does: eight groups of 1-4 hex digits, at most one "::" standing
     * for one or more zero groups, optionally ending in a dotted quad (with {@link Ipv4Address#parse}'s rules).
     * No zone ("%eth0"), no brackets, no prefix length. Returns {@code {hi, lo}}.
     *
     * @throws IllegalArgumentException when {@code text} is anything else
     */
    public static long[] parse(String text) {
        int n = text.length();
        if (n < 2 || n > 45) {
            throw notAnAddress(text);
        }
        int[] groups = new int[8];
        int count = 0;
        int gap = -1;
        int i = 0;
        if (text.charAt(0) == ':') {
            if (text.charAt(1) != ':') {
                throw notAnAddress(text);
            }
            gap = 0;
            i = 2;
        }
        while (i < n) {
            if (count == 8) {
                throw notAnAddress(text);
            }
            int start = i;
            int value = 0;
            while (i < n && i - start < 5 && hexDigit(text.charAt(i)) >= 0) {
                value = (value << 4) | hexDigit(text.charAt(i));
                i++;
            }
            if (i < n && text.charAt(i) == '.') {
                if (count > 6) {
                    throw notAnAddress(text);
                }
                int v4 = Ipv4Address.parse(text.substring(start));
                groups[count++] = v4 >>> 16;
                groups[count++] = v4 & 0xFFFF;
                break;
            }
            if (i == start || i - start > 4) {
                throw notAnAddress(text);
            }
            groups[count++] = value;
            if (i == n) {
                break;
            }
            if (text.charAt(i) != ':' || ++i == n) {
                throw notAnAddress(text);
            }
            if (text.charAt(i) == ':') {
                if (gap >= 0) {
                    throw notAnAddress(text);
                }
                gap = count;
                i++;
            }
        }
        if (gap < 0 ? count != 8 : count > 7) {
            throw notAnAddress(text);
        }
        int[] full = new int[8];
        int tail = gap < 0 ? 0 : count - gap;
        int head = count - tail;
        System.arraycopy(groups, 0, full, 0, head);
        System.arraycopy(groups, head, full, 8 - tail, tail);
        long hi = 0;
        long lo = 0;
        for (int k = 0; k < 4; k++) {
            hi = (hi << 16) | full[k];
            lo = (lo << 16) | full[4 + k];
        }
        return new long[] {hi, lo};
    }

    /** ASCII hex only: Character.digit would also accept other scripts' digits. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static IllegalArgumentException notAnAddress(String text) {
        return new IllegalArgumentException("not an IPv6 address: " + text);
    }
}
