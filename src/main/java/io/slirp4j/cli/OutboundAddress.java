package io.slirp4j.cli;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The source of outbound host sockets ({@code --outbound-addr}, {@code --outbound-addr6}): an address literal,
 * or the name of a host interface whose address is looked up when the feature starts (not while parsing: the
 * parser does no I/O).
 */
public sealed interface OutboundAddress {

    record Literal(InetAddress address) implements OutboundAddress {}

    record Interface(String name) implements OutboundAddress {}

    static OutboundAddress parseIpv4(String text) throws UsageException {
        Integer address = Ipv4Cidr.parseAddress(text);
        if (address != null) {
            return new Literal(fromInt(address));
        }
        if (looksNumeric(text) || !InterfaceName.isValid(text)) {
            throw UsageException.invalid("--outbound-addr must be an IPv4 address or an interface name (got '" + text + "')");
        }
        return new Interface(text);
    }

    static OutboundAddress parseIpv6(String text) throws UsageException {
        if (text.indexOf(':') >= 0) {
            // interface names cannot contain ':', so this must be an IPv6 literal
            InetAddress address = ipv6Literal(text);
            if (address != null) {
                return new Literal(address);
            }
        } else if (!looksNumeric(text) && InterfaceName.isValid(text)) {
            return new Interface(text);
        }
        throw UsageException.invalid("--outbound-addr6 must be an IPv6 address or an interface name (got '" + text + "')");
    }

    /** Digits and dots only: meant as an IPv4 address, so not taken for an interface name. */
    private static boolean looksNumeric(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    private static InetAddress fromInt(int address) {
        byte[] bytes = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return Inet4Address.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always an IPv4 address", e);
        }
    }

    /**
     * Java 17 has no literal-only parser. InetAddress.getByName parses a literal without any lookup only when the
     * text starts with a hex digit or ':' (otherwise it asks DNS), so the text is restricted to hex digits, ':'
     * and '.' first. '%zone' and '[...]' are refused as inet_pton refuses them; an IPv4-mapped address comes
     * back as Inet4Address and is refused too.
     */
    private static InetAddress ipv6Literal(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
                return null;
            }
        }
        try {
            InetAddress address = InetAddress.getByName(text);
            return address instanceof Inet6Address ? address : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
