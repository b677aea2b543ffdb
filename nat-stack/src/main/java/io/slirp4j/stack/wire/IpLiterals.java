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
}
