package io.slirp4j.stack.nat;

import static io.slirp4j.stack.nat.NatPolicyTest.addr;
import static io.slirp4j.stack.nat.NatPolicyTest.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slirp4j.stack.HostMirror;
import io.slirp4j.stack.HostMirror6;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.iface.AddressPolicy;
import io.slirp4j.stack.nat.NatPolicy.Route;
import io.slirp4j.stack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/** pasta's addressing: the guest holds the host's address; only the mapped addresses are translated. */
class MirroredNatPolicyTest {
    static final int HOST = ip(198, 51, 100, 2);
    static final int GATEWAY = ip(198, 51, 100, 1);
    static final int NEIGHBOUR = ip(198, 51, 100, 7);
    static final int OUTSIDE = ip(203, 0, 113, 9);
    static final int DNS_FORWARD = ip(169, 254, 1, 1);
    static final int HOST_ALIAS = ip(169, 254, 1, 2);

    /** Podman 6's: --dns-forward 169.254.1.1 --no-map-gw --map-guest-addr 169.254.1.2. */
    static HostMirror podman() {
        return new HostMirror(HOST, 24, GATEWAY, HOST, HostMirror.NONE, HOST_ALIAS, DNS_FORWARD);
    }

    /** pasta's defaults: the gateway is the host's loopback; no alias, no DNS forwarder. */
    static HostMirror defaults() {
        return new HostMirror(HOST, 24, GATEWAY, HOST, GATEWAY, HostMirror.NONE, HostMirror.NONE);
    }

    static NatPolicy policy(HostMirror mirror) {
        NetworkConfig config = NetworkConfig.mirroring(mirror, 65520);
        return new NatPolicy(config, new AddressPolicy(config));
    }

    @Test
    void podmansMappings() {
        NatPolicy nat = policy(podman());
        assertEquals(Route.NAMESERVER, nat.route(DNS_FORWARD, 53));
        assertEquals(Route.CLOSED, nat.route(DNS_FORWARD, 80));
        assertEquals(Route.HOST, nat.route(HOST_ALIAS, 8080));
        assertEquals(HOST, nat.hostAddress(HOST_ALIAS));
        // --no-map-gw: the gateway is the real gateway, and the subnet's neighbours are themselves
        assertEquals(Route.HOST, nat.route(GATEWAY, 80));
        assertEquals(GATEWAY, nat.hostAddress(GATEWAY));
        assertEquals(Route.HOST, nat.route(NEIGHBOUR, 80));
        assertEquals(NEIGHBOUR, nat.hostAddress(NEIGHBOUR));
        assertEquals(Route.HOST, nat.route(OUTSIDE, 443));
        assertEquals(Route.FILTERED, nat.route(HOST, 80));
        assertEquals(Route.FILTERED, nat.route(Ipv4Address.LOOPBACK, 80));
        assertEquals(DNS_FORWARD, nat.nameserverSource());
    }

    @Test
    void repliesShowThePeerOrItsMapping() {
        NatPolicy nat = policy(podman());
        assertEquals(OUTSIDE, nat.replySource(addr(203, 0, 113, 9)));
        assertEquals(GATEWAY, nat.replySource(addr(198, 51, 100, 1)));
        assertEquals(HOST_ALIAS, nat.replySource(addr(198, 51, 100, 2)));
        assertEquals(NatPolicy.NONE, nat.replySource(addr(127, 0, 0, 1)), "no host-loopback mapping");
        NatPolicy defaults = policy(defaults());
        assertEquals(GATEWAY, defaults.replySource(addr(127, 0, 0, 1)));
        assertEquals(NatPolicy.NONE, defaults.replySource(addr(198, 51, 100, 2)), "the guest's own address");
    }

    @Test
    void forwardedClientsKeepTheirAddress() {
        NatPolicy nat = policy(podman());
        assertEquals(ip(198, 51, 100, 1), nat.forwardClientSource(addr(198, 51, 100, 1)));
        assertEquals(OUTSIDE, nat.forwardClientSource(addr(203, 0, 113, 9)));
        assertEquals(HOST_ALIAS, nat.forwardClientSource(addr(198, 51, 100, 2)), "the host's own address");
        assertEquals(GATEWAY, nat.forwardClientSource(addr(127, 0, 0, 1)), "no loopback mapping: the gateway");
        assertEquals(GATEWAY, policy(defaults()).forwardClientSource(addr(127, 0, 0, 1)));
        assertEquals(GATEWAY, policy(defaults()).forwardClientSource(addr(198, 51, 100, 2)));
    }

    @Test
    void defaultGatewayIsTheHostsLoopback() {
        NatPolicy nat = policy(defaults());
        assertEquals(Route.HOST, nat.route(GATEWAY, 80));
        assertEquals(Ipv4Address.LOOPBACK, nat.hostAddress(GATEWAY));
        assertEquals(Route.HOST, nat.route(DNS_FORWARD, 53), "169.254.1.1 is an ordinary address here");
    }

    @Test
    void addressRoles() {
        AddressPolicy a = new AddressPolicy(NetworkConfig.mirroring(podman(), 65520));
        assertTrue(a.isGuest(HOST));
        assertFalse(a.isGuest(NEIGHBOUR));
        assertTrue(a.isOutside(GATEWAY));
        assertTrue(a.isOutside(NEIGHBOUR));
        assertFalse(a.isOutside(HOST));
        assertFalse(a.isOutside(ip(198, 51, 100, 255)), "the subnet's broadcast");
        assertTrue(a.isOwn(DNS_FORWARD));
        assertTrue(a.isOwn(HOST_ALIAS));
        assertFalse(a.isOwn(GATEWAY));
        assertTrue(a.answersArp(GATEWAY));
        assertTrue(a.answersArp(NEIGHBOUR));
        assertFalse(a.answersArp(HOST), "the guest's own address");
        assertFalse(a.answersArp(ip(198, 51, 100, 255)));
    }

    @Test
    void aSlash32HasNoDirectedBroadcast() {
        HostMirror single = new HostMirror(HOST, 32, GATEWAY, HOST, GATEWAY, HostMirror.NONE, HostMirror.NONE);
        AddressPolicy a = new AddressPolicy(NetworkConfig.mirroring(single, 1500));
        assertTrue(a.isGuest(HOST));
        assertFalse(a.isBroadcast(HOST));
        assertTrue(a.answersArp(GATEWAY));
    }

    static IpAddress v6(String text) {
        try {
            return IpAddress.of(java.net.InetAddress.getByName(text));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static final IpAddress HOST6 = v6("2001:db8:1::2");
    static final IpAddress GATEWAY6 = v6("fe80::1");
    static final IpAddress NEIGHBOUR6 = v6("2001:db8:1::7");
    static final IpAddress OUTSIDE6 = v6("2001:db8:9::9");
    static final IpAddress ALIAS6 = v6("fd00::2");
    static final IpAddress DNS6 = v6("fd00::1");

    /** Podman's IPv6 half with pasta's default mapping of the (link-local) gateway to the host's ::1. */
    static HostMirror dualStack() {
        HostMirror6 six = new HostMirror6(HOST6, 64, GATEWAY6, HOST6, GATEWAY6, ALIAS6, DNS6);
        return new HostMirror(HOST, 24, GATEWAY, HOST, GATEWAY, HOST_ALIAS, DNS_FORWARD, six);
    }

    @Test
    void ipv6FollowsTheSameRules() {
        NetworkConfig config = NetworkConfig.mirroring(dualStack(), 65520);
        AddressPolicy a = new AddressPolicy(config);
        NatPolicy nat = new NatPolicy(config, a);
        assertTrue(a.isGuest6(HOST6.hi(), HOST6.lo()));
        assertTrue(a.isGuest6(GATEWAY6.hi(), 0x1234), "the guest's link-local addresses");
        assertFalse(a.isGuest6(NEIGHBOUR6.hi(), NEIGHBOUR6.lo()), "the prefix's other addresses are outside");
        assertTrue(a.isOutside6(NEIGHBOUR6.hi(), NEIGHBOUR6.lo()));
        assertTrue(a.answersNdp6(NEIGHBOUR6.hi(), NEIGHBOUR6.lo()));
        assertTrue(a.answersNdp6(GATEWAY6.hi(), GATEWAY6.lo()));
        assertFalse(a.answersNdp6(HOST6.hi(), HOST6.lo()), "the guest's own address");
        assertEquals(Route.HOST, nat.route(GATEWAY6.hi(), GATEWAY6.lo(), 80));
        assertEquals(new IpAddress(0, 1), nat.hostAddress(GATEWAY6.hi(), GATEWAY6.lo()), "the host's ::1");
        assertEquals(Route.HOST, nat.route(ALIAS6.hi(), ALIAS6.lo(), 80));
        assertEquals(HOST6, nat.hostAddress(ALIAS6.hi(), ALIAS6.lo()));
        assertEquals(Route.NAMESERVER, nat.route(DNS6.hi(), DNS6.lo(), 53));
        assertEquals(Route.HOST, nat.route(NEIGHBOUR6.hi(), NEIGHBOUR6.lo(), 80));
        assertEquals(NEIGHBOUR6, nat.hostAddress(NEIGHBOUR6.hi(), NEIGHBOUR6.lo()));
        assertEquals(Route.FILTERED, nat.route(HOST6.hi(), HOST6.lo(), 80));
        assertEquals(DNS6, nat.nameserverSource(true));
        assertEquals(OUTSIDE6, nat.replySource(OUTSIDE6.toInetAddress(), true));
        assertEquals(ALIAS6, nat.replySource(HOST6.toInetAddress(), true), "the host's own address");
        assertEquals(GATEWAY6, nat.replySource(v6("::1").toInetAddress(), true), "the host's loopback");
        assertEquals(OUTSIDE6, nat.forwardClientSource(OUTSIDE6.toInetAddress(), true));
        assertEquals(GATEWAY6, nat.forwardClientSource(v6("::1").toInetAddress(), true));
        assertEquals(ALIAS6, nat.forwardClientSource(HOST6.toInetAddress(), true));
    }

    @Test
    void theGuestsAddressCannotAlsoBeMapped() {
        assertThrows(IllegalArgumentException.class,
            () -> new HostMirror(HOST, 24, GATEWAY, HOST, HOST, HostMirror.NONE, HostMirror.NONE));
    }
}
