package io.slirp4j.stack.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP address literals, read without any name lookup: a parser does no I/O, and a host name where an address
 * belongs is an error rather than a DNS query.
 */
public final class IpLiterals {
    private IpLiterals() {
    }

    /** A dotted quad as inet_pton(AF_INET) reads it (the {@link Ipv4Address#parse} rule), or null. */
    public static Inet4Address ipv4(String text) {
        try {
            return Ipv4Address.toInetAddress(Ipv4Address.parse(text));
        } catch (IllegalArgumentException notAnAddress) {
            return null;
        }
    }

    /**
     * An IPv6 literal as inet_pton(AF_INET6) reads it, or null.
     *
     * <p>Java 17 has no literal-only parser. InetAddress.getByName parses a literal without any lookup only when
     * the text contains ':' and starts with a hex digit or ':' (".:1", for one, goes to getaddrinfo), so the text
     * is checked for that and restricted to hex digits, ':' and '.' first. '%zone' and '[...]' are refused as
     * inet_pton refuses them; an IPv4-mapped address comes back as Inet4Address and is refused too.
     */
    public static Inet6Address ipv6(String text) {
        if (text.indexOf(':') < 0 || text.charAt(0) == '.') {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
                return null;
            }
        }
        try {
            return InetAddress.getByName(text) instanceof Inet6Address address ? address : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** An IPv4 or IPv6 literal, as {@link #ipv4} or {@link #ipv6} reads it, or null. */
    public static InetAddress parse(String text) {
        Inet4Address ipv4 = ipv4(text);
        return ipv4 != null ? ipv4 : ipv6(text);
    }

    /**
     * An address as inet_ntop(3) writes it: a dotted quad, or IPv6 in the RFC 5952 form (lower case, the longest run
     * of two or more zero groups, the first of equals, as "::"), where Java's getHostAddress writes every group.
     */
    public static String format(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
