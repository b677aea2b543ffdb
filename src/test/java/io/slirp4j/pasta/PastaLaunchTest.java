package io.slirp4j.pasta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slirp4j.Launch;
import io.slirp4j.stack.HostMirror;
import io.slirp4j.stack.HostMirror6;
import io.slirp4j.stack.forward.ForwardProtocol;
import io.slirp4j.stack.forward.ForwardRequest;
import io.slirp4j.stack.nat.IpAddress;
import io.slirp4j.stack.wire.Ipv4Address;
import io.slirp4j.tap.HostRoutes;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engines' command lines turned into what the helper does, on a made-up host (no I/O). */
class PastaLaunchTest {
    /** A host like the end-to-end tests': veth-h with 198.51.100.2/24 and 2001:db8:1::2/64, routers at ::1 and .1. */
    static final PastaLaunch.HostView HOST = new PastaLaunch.HostView() {
        @Override
        public HostRoutes.DefaultRoute defaultRoute4(String onlyIface) {
            return onlyIface == null || onlyIface.equals("veth-h")
                ? new HostRoutes.DefaultRoute("veth-h", address("198.51.100.1"), 0) : null;
        }

        @Override
        public HostRoutes.DefaultRoute defaultRoute6(String onlyIface) {
            return onlyIface == null || onlyIface.equals("veth-h")
                ? new HostRoutes.DefaultRoute("veth-h", address("2001:db8:1::1"), 1024) : null;
        }

        @Override
        public List<HostRoutes.Address> addresses(String iface, boolean ipv4) {
            return List.of(ipv4 ? new HostRoutes.Address(address("198.51.100.2"), 24)
                : new HostRoutes.Address(address("2001:db8:1::2"), 64));
        }

        @Override
        public List<HostRoutes.Route> gatewayRoutes(String iface, boolean ipv4) {
            return List.of(ipv4 ? new HostRoutes.Route(address("10.8.0.0"), 16, address("198.51.100.254"))
                : new HostRoutes.Route(address("2001:db8:9::"), 48, address("2001:db8:1::fe")));
        }
    };

    /** A host without IPv6. */
    static final PastaLaunch.HostView HOST4 = new PastaLaunch.HostView() {
        @Override
        public HostRoutes.DefaultRoute defaultRoute4(String onlyIface) throws IOException {
            return HOST.defaultRoute4(onlyIface);
        }

        @Override
        public HostRoutes.DefaultRoute defaultRoute6(String onlyIface) {
            return null;
        }

        @Override
        public List<HostRoutes.Address> addresses(String iface, boolean ipv4) throws IOException {
            return ipv4 ? HOST.addresses(iface, true) : List.of();
        }
    };

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static int ip(String literal) {
        return Ipv4Address.fromInetAddress((java.net.Inet4Address) address(literal));
    }

    static PastaLaunch.Plan plan(PastaLaunch.HostView host, int detachFd, String... args) throws IOException {
        PastaResult parsed = PastaCli.parse("pasta", args);
        assertTrue(parsed instanceof PastaResult.Run, () -> String.valueOf(parsed));
        return PastaLaunch.plan(((PastaResult.Run) parsed).settings(), host, detachFd);
    }

    static final String[] PODMAN = {"--config-net", "-t", "8080-8080:80-80", "-u", "5353-5353:53-53",
        "--dns-forward", "169.254.1.1", "-T", "none", "-U", "none", "--no-map-gw", "--quiet",
        "--netns", "/run/user/1000/netns/netns-x", "--map-guest-addr", "169.254.1.2", "--pid", "/run/p.pid"};

    @Test
    void podman6() throws IOException {
        PastaLaunch.Plan plan = plan(HOST, 3, PODMAN);
        Launch l = plan.launch();
        assertEquals(Path.of("/run/user/1000/netns/netns-x"), l.netns());
        assertNull(l.userns(), "a netns path alone: the caller's user namespace");
        assertEquals("veth-h", l.tapName(), "named like the host's interface");
        assertTrue(l.configure());
        assertEquals(65520, l.network().mtu());
        HostMirror m = l.network().mirror();
        assertEquals(ip("198.51.100.2"), m.guest());
        assertEquals(24, m.prefixLength());
        assertEquals(ip("198.51.100.1"), m.gateway());
        assertEquals(HostMirror.NONE, m.hostLoopback(), "--no-map-gw");
        assertEquals(ip("169.254.1.2"), m.hostAddressAlias());
        assertEquals(ip("198.51.100.2"), m.hostAddress());
        assertEquals(ip("169.254.1.1"), m.dnsForward());
        HostMirror6 six = m.ipv6();
        assertEquals(IpAddress.of(address("2001:db8:1::2")), six.guest());
        assertEquals(IpAddress.of(address("2001:db8:1::1")), six.gateway());
        assertNull(six.hostLoopback(), "--no-map-gw");
        assertNull(six.dnsForward(), "--dns-forward named only an IPv4 address");
        assertEquals(List.of(
            new ForwardRequest(ForwardProtocol.TCP, address("0.0.0.0"), 8080, IpAddress.of4(ip("198.51.100.2")), 80),
            new ForwardRequest(ForwardProtocol.TCP, address("::"), 8080, six.guest(), 80),
            new ForwardRequest(ForwardProtocol.UDP, address("0.0.0.0"), 5353, IpAddress.of4(ip("198.51.100.2")), 53),
            new ForwardRequest(ForwardProtocol.UDP, address("::"), 5353, six.guest(), 53)), l.publish());
        assertEquals(Path.of("/run/p.pid"), l.pasta().pidFile());
        assertEquals(3, l.pasta().detachFd());
        assertTrue(l.pasta().quiet());
        assertEquals(-1, l.pasta().targetPid());
        assertEquals(List.of(), plan.warnings(), "--quiet");
    }

    @Test
    void rootlessKit() throws IOException {
        PastaLaunch.Plan plan = plan(HOST, 3, "--stderr", "--ns-ifname=tap0", "--mtu=65520", "--config-net",
            "--address=10.0.2.100", "--netmask=24", "--gateway=10.0.2.2", "--dns-forward=10.0.2.3", "--no-map-gw",
            "--ipv4-only", "--tcp-ports=none", "--udp-ports=none", "--host-lo-to-ns-lo", "4242");
        Launch l = plan.launch();
        assertEquals(Path.of("/proc/4242/ns/net"), l.netns());
        assertEquals(Path.of("/proc/4242/ns/user"), l.userns());
        assertEquals(4242, l.pasta().targetPid());
        assertEquals("tap0", l.tapName());
        HostMirror m = l.network().mirror();
        assertEquals(ip("10.0.2.100"), m.guest());
        assertEquals(ip("10.0.2.2"), m.gateway());
        assertEquals(ip("198.51.100.2"), m.hostAddress(), "the host's own address stays the host's");
        assertEquals(ip("10.0.2.3"), m.dnsForward());
        assertNull(m.ipv6(), "--ipv4-only");
        assertEquals(List.of(), l.publish());
        assertTrue(l.pasta().outbound().hasAuto(), "no -T/-U: pasta's default, auto");
        assertEquals(List.of(), plan.warnings(), "nothing left out: -t/-u none, -T/-U auto");
    }

    @Test
    void theHostsOtherRoutesAreCopiedWithConfigNetOnly() throws IOException {
        assertEquals(List.of(new HostRoutes.Route(address("10.8.0.0"), 16, address("198.51.100.254")),
            new HostRoutes.Route(address("2001:db8:9::"), 48, address("2001:db8:1::fe"))),
            plan(HOST, -1, PODMAN).launch().routes());
        assertEquals(1, plan(HOST, -1, "--config-net", "-4", "--netns", "/x").launch().routes().size(), "-4");
        assertEquals(List.of(), plan(HOST, -1, "--config-net", "--no-copy-routes", "--netns", "/x").launch().routes());
        assertEquals(List.of(), plan(HOST, -1, "--netns", "/x").launch().routes(), "without --config-net");
    }

    @Test
    void optionsNotActedOnAreNamedAndOutboundAddressesKept() throws IOException {
        PastaLaunch.Plan plan = plan(HOST, -1, "--netns", "/x", "-t", "none", "-u", "none", "-T", "none", "-U",
            "none", "--no-icmp", "-D", "192.0.2.53", "-o", "2001:db8:1::2", "--outbound-if4", "veth-h");
        assertEquals(List.of("--dns is accepted and not honoured by slirp4j's pasta mode",
            "--no-icmp is accepted and not honoured by slirp4j's pasta mode"), plan.warnings());
        assertEquals(new io.slirp4j.cli.OutboundAddress.Literal(address("2001:db8:1::2")), plan.launch().outbound6());
        assertEquals(new io.slirp4j.cli.OutboundAddress.Interface("veth-h"), plan.launch().outbound4());
    }

    @Test
    void theConfigurationServicesCanBeTurnedOff() throws IOException {
        assertEquals(HostMirror.Services.ALL, plan(HOST, -1, "--netns", "/x").launch().network().mirror().services());
        assertEquals(new HostMirror.Services(false, false, false, false), plan(HOST, -1, "--netns", "/x", "--no-dhcp",
            "--no-dhcpv6", "--no-ndp", "--no-ra").launch().network().mirror().services());
        assertEquals(List.of(), plan(HOST, -1, "--netns", "/x", "--no-ra", "-t", "none", "-u", "none").warnings());
    }

    @Test
    void theOptionsUsersAdd() throws IOException {
        Launch l = plan(HOST, 3, "--config-net", "-I", "eth7", "--ns-mac-addr", "02:00:00:00:00:2a", "-m", "9000",
            "--map-host-loopback", "169.254.1.9", "-P", "/run/x.pid", "-a", "192.0.2.7", "-n", "28", "-g",
            "192.0.2.1", "--netns", "/x", "-t", "none", "-u", "none").launch();
        assertEquals("eth7", l.tapName());
        assertEquals(List.of((byte) 2, (byte) 0, (byte) 0, (byte) 0, (byte) 0, (byte) 0x2a),
            java.util.stream.IntStream.range(0, 6).mapToObj(i -> l.mac()[i]).toList());
        assertEquals(9000, l.network().mtu());
        HostMirror m = l.network().mirror();
        assertEquals(ip("169.254.1.9"), m.hostLoopback());
        assertEquals(ip("192.0.2.7"), m.guest());
        assertEquals(28, m.prefixLength());
        assertEquals(ip("192.0.2.1"), m.gateway());
        assertEquals(Path.of("/run/x.pid"), l.pasta().pidFile());
    }

    @Test
    void pastasDefaultsMapTheGatewayToTheHostsLoopback() throws IOException {
        HostMirror m = plan(HOST, -1, "--config-net", "-f", "-t", "none", "-u", "none", "1234").launch()
            .network().mirror();
        assertEquals(ip("198.51.100.1"), m.hostLoopback());
        assertEquals(IpAddress.of(address("2001:db8:1::1")), m.ipv6().hostLoopback());
    }

    @Test
    void theForegroundHasNoDetachFd() throws IOException {
        assertEquals(-1, plan(HOST, 3, "-f", "--netns", "/x", "-t", "none").launch().pasta().detachFd());
        assertEquals(-1, plan(HOST, 3, "--debug", "--netns", "/x", "-t", "none").launch().pasta().detachFd());
    }

    @Test
    void aHostWithoutIpv6GivesAnIpv4OnlyGuest() throws IOException {
        assertNull(plan(HOST4, -1, "--netns", "/x").launch().network().mirror().ipv6());
        assertFalse(plan(HOST4, -1, "--netns", "/x").launch().network().ipv6Enabled());
    }

    @Test
    void addressBoundForwardsGoToTheirFamilysGuestAddress() throws IOException {
        List<ForwardRequest> f = plan(HOST, -1, "--netns", "/x", "-t", "127.0.0.1/80", "-t", "::1/443").launch()
            .publish();
        assertEquals(2, f.size());
        assertEquals(address("127.0.0.1"), f.get(0).hostAddress());
        assertTrue(f.get(0).guestAddress().isIpv4());
        assertEquals(address("::1"), f.get(1).hostAddress());
        assertFalse(f.get(1).guestAddress().isIpv4());
    }

    @Test
    void interfaceBoundForwardsCarryTheInterface() throws IOException {
        List<ForwardRequest> f = plan(HOST, -1, "--netns", "/x", "-t", "%eth0/80", "-u", "127.0.0.1%lo/53")
            .launch().publish();
        assertEquals(List.of("eth0", "eth0", "lo"), f.stream().map(ForwardRequest::hostInterface).toList());
        assertEquals(address("127.0.0.1"), f.get(2).hostAddress());
    }

    @Test
    void ipv6OnlyLeavesIpv4Out() throws IOException {
        Launch l = plan(HOST, -1, "--config-net", "-6", "--netns", "/x", "-t", "8080:80", "-u", "none").launch();
        HostMirror m = l.network().mirror();
        assertFalse(m.ipv4());
        assertEquals(IpAddress.of(address("2001:db8:1::2")), m.ipv6().guest());
        assertFalse(m.services().dhcp());
        assertEquals(List.of(new ForwardRequest(ForwardProtocol.TCP, address("::"), 8080, m.ipv6().guest(), 80)),
            l.publish());
        assertEquals(1, l.routes().size(), "only the IPv6 routes");
        assertTrue(assertThrows(IOException.class, () -> plan(HOST4, -1, "--netns", "/x", "-6")).getMessage()
            .contains("-6"), "a host without IPv6");
        assertTrue(PastaCli.parse("pasta", "--netns", "/x", "-6", "-t", "127.0.0.1/80") instanceof PastaResult.Fail,
            "pasta's own refusal: IPv4 is disabled");
    }

    @Test
    void whatThisModeCannotDoIsRefusedByName() {
        assertTrue(assertThrows(PastaLaunch.Unsupported.class, () -> plan(HOST, -1))
            .getMessage().contains("PID"), "no PID or --netns: pasta would start a shell");
        assertTrue(assertThrows(PastaLaunch.Unsupported.class, () -> plan(HOST, -1, "--netns", "/x", "-t",
            "all")).getMessage().contains("all"));
    }

    @Test
    void aHostWithoutRouteNeedsTheAddressAndGatewayGiven() throws IOException {
        PastaLaunch.HostView none = new PastaLaunch.HostView() {
            @Override
            public HostRoutes.DefaultRoute defaultRoute4(String onlyIface) {
                return null;
            }

            @Override
            public HostRoutes.DefaultRoute defaultRoute6(String onlyIface) {
                return null;
            }

            @Override
            public List<HostRoutes.Address> addresses(String iface, boolean ipv4) {
                return List.of();
            }
        };
        assertTrue(assertThrows(IOException.class, () -> plan(none, -1, "--netns", "/x")).getMessage()
            .contains("-a"));
        HostMirror m = plan(none, -1, "--netns", "/x", "-a", "10.1.2.3", "-g", "10.1.2.1").launch().network()
            .mirror();
        assertEquals(ip("10.1.2.3"), m.guest());
        assertEquals(8, m.prefixLength(), "class A without -n, as pasta");
    }
}
