package io.slirp4j.stack.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.slirp4j.stack.Ipv6Network;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.iface.AddressPolicy;
import io.slirp4j.stack.nat.NatPolicy.Route;
import io.slirp4j.stack.wire.InAny;
import io.slirp4j.stack.wire.Ipv4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

class NatPolicyTest {
    static final int GATEWAY = ip(10, 0, 2, 2);
    static final int DNS = ip(10, 0, 2, 3);
    static final int GUEST = ip(10, 0, 2, 100);
    static final int OUTSIDE = ip(93, 184, 216, 34);
    static final InetSocketAddress NS1 = new InetSocketAddress(addr(192, 0, 2, 53), 53);
    static final InetSocketAddress NS2 = new InetSocketAddress(addr(198, 51, 100, 53), 53);
    static final InetSocketAddress NS3 = new InetSocketAddress(addr(203, 0, 113, 53), 53);

    static int ip(int a, int b, int c, int d) {
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    static InetAddress addr(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static NatPolicy policy(boolean hostLoopback, boolean dns) {
        NetworkConfig config = new NetworkConfig(NetworkConfig.DEFAULT_NETWORK, 24, 1500, hostLoopback, dns);
        return new NatPolicy(config, new AddressPolicy(config));
    }

    @Test
    void defaults() {
        NatPolicy nat = policy(true, true);
        assertEquals(Route.HOST, nat.route(GATEWAY, 8080));
        assertEquals(Ipv4Address.LOOPBACK, nat.hostAddress(GATEWAY));
        assertEquals(Route.NAMESERVER, nat.route(DNS, 53));
        assertEquals(Route.CLOSED, nat.route(DNS, 80));
        assertEquals(Route.HOST, nat.route(OUTSIDE, 443));
        assertEquals(OUTSIDE, nat.hostAddress(OUTSIDE));
        assertEquals(Route.FILTERED, nat.route(GUEST, 80));
        assertEquals(Route.FILTERED, nat.route(ip(127, 0, 0, 1), 80));
        assertEquals(DNS, nat.nameserverSource());
    }

    @Test
    void disabledHostLoopbackAndDns() {
        NatPolicy nat = policy(false, false);
        assertEquals(Route.NET_UNREACHABLE, nat.route(GATEWAY, 8080));
        assertEquals(Route.HOST, nat.route(DNS, 53), "N+3 is an ordinary outside address");
        assertEquals(DNS, nat.hostAddress(DNS));
        assertEquals(DNS, nat.replySource(addr(10, 0, 2, 3)), "and its answers come from it");
    }

    @Test
    void echoRoutesOfBothFamilies() {
        NetworkConfig config = NetworkConfig.defaults().withIpv6(Ipv6Network.defaults());
        NatPolicy nat = new NatPolicy(config, new AddressPolicy(config));
        assertEquals(Route.HOST, nat.routeEcho(InAny.hiOf4(), InAny.loOf4(OUTSIDE)));
        assertEquals(Route.FILTERED, nat.routeEcho(InAny.hiOf4(), InAny.loOf4(GUEST)));
        long doc = 0x2001_0db8_0001_0000L;
        assertEquals(Route.HOST, nat.routeEcho(doc, 1), "an outside IPv6 address is itself");
        assertEquals(Route.FILTERED, nat.routeEcho(Ipv6Network.DEFAULT_PREFIX, 0x99), "the guest's prefix");
        assertEquals(Route.FILTERED, nat.routeEcho(Ipv6Network.LINK_LOCAL_PREFIX, 1), "link-local");
        assertEquals(Route.FILTERED, nat.routeEcho(0xFF0E_0000_0000_0000L, 1), "multicast");
        assertEquals(Route.FILTERED, nat.routeEcho(0, 1), "the host's ::1 is not reached by echo");
        NetworkConfig noDns = new NetworkConfig(NetworkConfig.DEFAULT_NETWORK, 24, 1500, true, false)
            .withIpv6(Ipv6Network.defaults());
        assertEquals(Route.HOST, new NatPolicy(noDns, new AddressPolicy(noDns)).routeEcho(Ipv6Network.DEFAULT_PREFIX,
            Ipv6Network.DNS_ID), "P::3 with DNS disabled, like N+3");
    }

    @Test
    void replySources() {
        NatPolicy nat = policy(true, true);
        assertEquals(GATEWAY, nat.replySource(addr(127, 0, 0, 1)));
        assertEquals(GATEWAY, nat.replySource(addr(127, 1, 2, 3)));
        assertEquals(OUTSIDE, nat.replySource(addr(93, 184, 216, 34)));
        assertEquals(NatPolicy.NONE, nat.replySource(addr(10, 0, 2, 7)), "inside the virtual network");
        assertEquals(NatPolicy.NONE, nat.replySource(addr(10, 0, 2, 3)), "N+3 while DNS is enabled");
        assertEquals(NatPolicy.NONE, nat.replySource(v6Loopback()), "IPv6 cannot be shown to an IPv4 guest");
    }

    @Test
    void forwardClientSources() {
        NatPolicy nat = policy(true, true);
        assertEquals(GATEWAY, nat.forwardClientSource(addr(127, 0, 0, 1)));
        assertEquals(GATEWAY, nat.forwardClientSource(addr(0, 0, 0, 0)));
        assertEquals(GATEWAY, nat.forwardClientSource(addr(10, 0, 2, 7)));
        assertEquals(GATEWAY, nat.forwardClientSource(v6Loopback()));
        assertEquals(OUTSIDE, nat.forwardClientSource(addr(93, 184, 216, 34)));
    }

    @Test
    void nameserverOrder() {
        List<InetSocketAddress> servers = List.of(NS1, NS2, NS3);
        assertEquals(0, NatPolicy.firstNameserver(servers, null));
        assertEquals(1, NatPolicy.firstNameserver(servers, NS2));
        assertEquals(0, NatPolicy.firstNameserver(servers, new InetSocketAddress(addr(192, 0, 2, 1), 53)),
            "a preferred server no longer listed");
        assertEquals(NS2, NatPolicy.nameserver(servers, 1, 0));
        assertEquals(NS3, NatPolicy.nameserver(servers, 1, 1));
        assertEquals(NS1, NatPolicy.nameserver(servers, 1, 2), "wraps around");
        assertNull(NatPolicy.nameserver(servers, 1, 3), "each had its turn");
    }

    static InetAddress v6Loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void outboundAddressByTheRemotesFamily() throws Exception {
        InetAddress out4 = InetAddress.getByName("198.51.100.3");
        InetAddress out6 = InetAddress.getByName("2001:db8::3");
        NetworkConfig config = NetworkConfig.defaults().withOutboundAddresses(out4, out6);
        NatPolicy nat = new NatPolicy(config, new AddressPolicy(config));
        assertEquals(out4, nat.outboundAddress(addr(93, 184, 216, 34)));
        assertEquals(out6, nat.outboundAddress(InetAddress.getByName("2001:db8::1")));
        assertEquals(new InetSocketAddress(out4, 0), nat.outboundBind(true));
        assertEquals(new InetSocketAddress(out6, 0), nat.outboundBind(false));

        NatPolicy none = policy(true, true);
        assertNull(none.outboundAddress(addr(93, 184, 216, 34)));
        assertNull(none.outboundAddress(InetAddress.getByName("2001:db8::1")));
        assertEquals(new InetSocketAddress("0.0.0.0", 0), none.outboundBind(true));
        assertEquals(new InetSocketAddress("::", 0), none.outboundBind(false));
    }

    @Test
    void outboundAddressesMustBeOfTheirFamily() throws Exception {
        InetAddress v4 = InetAddress.getByName("198.51.100.3");
        InetAddress v6 = InetAddress.getByName("2001:db8::3");
        NetworkConfig d = NetworkConfig.defaults();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> d.withOutboundAddresses(v6, null));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> d.withOutboundAddresses(null, v4));
        assertEquals(v4, d.withOutboundAddresses(v4, v6).outboundAddress(true));
        assertEquals(v6, d.withOutboundAddresses(v4, v6).outboundAddress(false));
    }

    @Test
    void forwardClientsAreShownInTheGuestAddressesFamily() throws Exception {
        NetworkConfig config = NetworkConfig.defaults().withIpv6(io.slirp4j.stack.Ipv6Network.defaults());
        NatPolicy nat = new NatPolicy(config, new AddressPolicy(config));
        IpAddress gateway6 = IpAddress.of(InetAddress.getByName("fd00::2"));
        for (String shownAsGateway : new String[] {"::1", "::", "127.0.0.1", "198.51.100.1", "fd00::99",
            "fe80::1", "::ffff:198.51.100.1"}) {
            assertEquals(gateway6, nat.forwardClientSource(InetAddress.getByName(shownAsGateway), true),
                shownAsGateway);
        }
        for (String shownAsItself : new String[] {"2001:db8::7", "fd01::1"}) {
            InetAddress client = InetAddress.getByName(shownAsItself);
            assertEquals(IpAddress.of(client), nat.forwardClientSource(client, true), shownAsItself);
        }
        // an IPv4 guest address: as before, whatever the client's family
        assertEquals(IpAddress.of4(GATEWAY), nat.forwardClientSource(InetAddress.getByName("2001:db8::7"), false));
        assertEquals(IpAddress.of4(OUTSIDE), nat.forwardClientSource(addr(93, 184, 216, 34), false));
        assertEquals(GATEWAY, nat.forwardClientSource(addr(127, 0, 0, 1)));
    }
}
