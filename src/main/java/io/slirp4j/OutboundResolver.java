package io.slirp4j;

import io.slirp4j.cli.OutboundAddress;
import io.slirp4j.stack.wire.IpLiterals;
import io.slirp4j.tap.Interfaces;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.List;

/**
 * Turns {@code --outbound-addr} and {@code --outbound-addr6} into the addresses host sockets bind to, in the
 * helper's own network namespace (where its host sockets live), before anything else starts: an interface name
 * becomes that interface's first address of the family (as slirp4netns does; for IPv6 the first that is not
 * link-local, which could only reach the interface's own link), and every address must be one this host can bind.
 * Anything else is a start-up error, so that a typo fails at once and not on every connection.
 *
 * <p>The errors start with slirp4netns's text for a bad value ({@code outbound-addr has to be valid ipv4 address or
 * interface name.}) and say why in brackets. slirp4netns does not check literals at start-up at all (the guest's
 * connections then fail with "Network is unreachable"), and for {@code --outbound-addr6} with an interface name it
 * reads the IPv4 option by mistake.
 */
final class OutboundResolver {
    private OutboundResolver() {}

    /** The start-up error for a value that does not name a usable address. */
    static final class Unusable extends IOException {
        Unusable(boolean ipv4, String why) {
            super(ipv4 ? "outbound-addr has to be valid ipv4 address or interface name. (" + why + ")"
                : "outbound-addr6 has to be valid ipv6 address or interface name. (" + why + ")");
        }
    }

    /** The address to bind for {@code spec} (null: nothing to bind, the spec was null or a wildcard). */
    static InetAddress resolve(OutboundAddress spec, boolean ipv4) throws IOException {
        if (spec == null) {
            return null;
        }
        InetAddress address;
        if (spec instanceof OutboundAddress.Literal literal) {
            address = literal.address();
            if (address.isAnyLocalAddress()) {
                return null; // binding the wildcard is what the kernel does anyway
            }
        } else {
            String name = ((OutboundAddress.Interface) spec).name();
            if (!Interfaces.exists(name)) {
                throw new Unusable(ipv4, "there is no interface " + name + " in the helper's network namespace");
            }
            List<InetAddress> all = Interfaces.addresses(name, ipv4);
            address = all.stream().filter(a -> ipv4 || !a.isLinkLocalAddress()).findFirst().orElseThrow(() ->
                new Unusable(ipv4, "interface " + name + " has no " + (ipv4 ? "IPv4 address" : all.isEmpty()
                    ? "IPv6 address" : "IPv6 address other than link-local ones")));
        }
        if ((address instanceof Inet4Address) != ipv4) {
            throw new Unusable(ipv4, IpLiterals.format(address) + " is not an " + (ipv4 ? "IPv4" : "IPv6") + " address");
        }
        checkBindable(address, ipv4);
        return address;
    }

    /** Binds a datagram socket to {@code address} port 0 and lets it go: the kernel's word that the address is ours. */
    private static void checkBindable(InetAddress address, boolean ipv4) throws IOException {
        try (DatagramChannel probe = DatagramChannel.open(ipv4 ? StandardProtocolFamily.INET
            : StandardProtocolFamily.INET6)) {
            probe.bind(new InetSocketAddress(address, 0));
        } catch (BindException e) {
            throw new Unusable(ipv4, IpLiterals.format(address) + " is not an address of this host: bind: "
                + e.getMessage());
        } catch (java.net.SocketException e) {
            // EINVAL and the like: e.g. a link-local IPv6 address, which needs a scope this option cannot give
            throw new Unusable(ipv4, IpLiterals.format(address) + " cannot be bound: " + e.getMessage());
        }
    }
}
