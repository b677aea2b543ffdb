package io.slirp4j.cli;

import io.slirp4j.stack.wire.Ipv4Address;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP address literals, read without any name lookup: the parser does no I/O, and a host name where an address
 * belongs is an error rather than a DNS query.
 */
final class AddressLiterals {
    private AddressLiterals() {}

    /** A dotted quad as inet_pton(AF_INET) reads it (see {@link Ipv4Cidr#parseAddress}), or null. */
    static Inet4Address ipv4(String text) {
        Integer address = Ipv4Cidr.parseAddress(text);
        return address == null ? null : Ipv4Address.toInetAddress(address);
    }


    /**
     * An IPv6 literal as inet_pton(AF_INET6) reads it, or null.
     *
     * <p>Java 17 has no literal-only parser. InetAddress.getByName parses a literal without any lookup only when
     * the text contains ':' and starts with a hex digit or ':' (".:1", for one, goes to getaddrinfo), so the text
     * is checked for that and restricted to hex digits, ':' and '.' first. '%zone' and '[...]' are refused as
     * inet_pton refuses them; an IPv4-mapped address comes back as Inet4Address and is refused too.
     */
    static Inet6Address ipv6(String text) {
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
}
