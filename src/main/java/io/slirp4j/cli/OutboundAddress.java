package io.slirp4j.cli;

import io.slirp4j.stack.wire.IpLiterals;
import java.net.InetAddress;

/**
 * The source of outbound host sockets ({@code --outbound-addr}, {@code --outbound-addr6}): an address literal,
 * or the name of a host interface whose address is looked up when the feature starts (not while parsing: the
 * parser does no I/O).
 */
public sealed interface OutboundAddress {

    record Literal(InetAddress address) implements OutboundAddress {}

    record Interface(String name) implements OutboundAddress {}

    static OutboundAddress parseIpv4(String text) throws UsageException {
        InetAddress address = IpLiterals.ipv4(text);
        if (address != null) {
            return new Literal(address);
        }
        if (looksNumeric(text) || !InterfaceName.isValid(text)) {
            throw UsageException.invalid("--outbound-addr must be an IPv4 address or an interface name (got '" + text + "')");
        }
        return new Interface(text);
    }

    static OutboundAddress parseIpv6(String text) throws UsageException {
        if (text.indexOf(':') >= 0) {
            // interface names cannot contain ':', so this must be an IPv6 literal
            InetAddress address = IpLiterals.ipv6(text);
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
}
