package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real {@code ping} from the guest: to the helper's own addresses, and to the test's "internet" namespace through the
 * helper's host ping sockets, over IPv4 and IPv6 ({@code ping -6} from the guest's SLAAC address). A fresh network
 * namespace's {@code net.ipv4.ping_group_range} is "1 0" (no group may open ping sockets, not even root's; the one
 * sysctl governs IPv6 ping sockets too), so the tests that want ping sockets open the range in the private host
 * namespace, and the refused cases keep the default.
 */
class PingTest {

    @ParameterizedTest
    @EnumSource(Mode.class)
    void pingGatewayAndDns(Mode mode) {
        Requirements.forMode(mode, "ping");
        try (TestNetwork net = TestNetwork.create(mode)) {
            net.startHelper("-c");
            // slirp4netns's echo replies carry TTL 255 (libslirp's MAXTTL); ping prints it for each reply
            assertTtl(Checks.ping(net, "10.0.2.2"), 255);
            assertTtl(Checks.ping(net, "10.0.2.3"), 255);
            // bigger than the MTU: the request is fragmented by the guest, the reply by the helper
            assertTtl(Checks.ping(net, "10.0.2.2", "-s", "4000"), 255);
            Checks.ping(net, "10.0.2.3", "-s", "1472");
            Checks.ping(net, "10.0.2.3", "-s", "1473");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void pingAtMtu65520(Mode mode) {
        Requirements.forMode(mode, "ping");
        try (TestNetwork net = TestNetwork.create(mode)) {
            net.startHelper("-c", "--mtu=65520");
            Checks.ping(net, "10.0.2.2", "-s", "65000");
            Checks.ping(net, "10.0.2.3", "-s", "65507");
            Checks.ping(net, "10.0.2.2", "-s", "1");
        }
    }

    /** Every reply line of ping's output ({@code 64 bytes from ...: icmp_seq=1 ttl=255 ...}) shows {@code ttl}. */
    static void assertTtl(Cmd.Result ping, int ttl) {
        List<String> replies = ping.out().lines().filter(l -> l.contains(" bytes from ")).toList();
        assertEquals(3, replies.size(), ping::describe);
        assertTrue(replies.stream().allMatch(l -> l.contains(" ttl=" + ttl + " ")),
            () -> "expected ttl=" + ttl + " on every reply:\n" + ping.describe());
    }

    /**
     * Makes the internet namespace a router one hop past the host: with {@code forwarding} (a sysctl) on, it
     * forwards to a veth pair of its own (these kernels have no dummy device) whose near end has {@code address}
     * (an IPv6 one without duplicate address detection), with nobody at the far end.
     */
    static void routerPastTheHost(TestNetwork net, String forwarding, String address) {
        net.internet("sysctl", "-q", "-w", forwarding + "=1").check();
        net.internet("ip", "link", "add", "d0", "type", "veth", "peer", "name", "d1").check();
        if (address.contains(":")) {
            net.internet("ip", "-6", "addr", "add", address, "dev", "d0", "nodad").check();
        } else {
            net.internet("ip", "addr", "add", address, "dev", "d0").check();
        }
        net.internet("ip", "link", "set", "d0", "up").check();
        net.internet("ip", "link", "set", "d1", "up").check();
    }

    static final String ALL_GROUPS = "0 2147483647";
    static final String REFUSED_MESSAGE = "net.ipv4.ping_group_range";

    /** The private host namespace's ping_group_range, which governs the helper's ping sockets. */
    static void pingGroupRange(TestNetwork net, String range) {
        net.host("sysctl", "-q", "-w", "net.ipv4.ping_group_range=" + range).check();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void pingAnOutsideHostThroughPingSockets(Mode mode) {
        Requirements.forMode(mode, "ping", "sysctl");
        try (TestNetwork net = TestNetwork.create(mode, true)) {
            pingGroupRange(net, ALL_GROUPS);
            Helper h = net.startHelper("-c");
            // ping checks the identifier of every reply (its own socket's) and prints the sequence numbers
            Cmd.Result r = Checks.ping(net, TestNetwork.INTERNET_ADDRESS, "-s", "100");
            assertTtl(r, 255);
            for (int seq = 1; seq <= 3; seq++) {
                int s = seq;
                assertTrue(r.out().contains("from " + TestNetwork.INTERNET_ADDRESS + ": icmp_seq=" + s + " "),
                    r::describe);
            }
            // another run: another identifier and flow, and replies larger than the MTU (fragmented both ways)
            Cmd.Result big = Checks.ping(net, TestNetwork.INTERNET_ADDRESS, "-s", "3000");
            assertTrue(big.out().contains("3008 bytes from"), big::describe);
            assertFalse(h.stderr().contains(REFUSED_MESSAGE), h::describe);
            h.assertHealthy();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void unreachableHostsAndExpiredTtlComeBackAsIcmpErrors(Mode mode) {
        Requirements.forMode(mode, "ping", "sysctl");
        try (TestNetwork net = TestNetwork.create(mode, true)) {
            pingGroupRange(net, ALL_GROUPS);
            routerPastTheHost(net, "net.ipv4.ip_forward", "203.0.113.254/24");
            net.host("ip", "route", "add", "203.0.113.0/24", "via", TestNetwork.INTERNET_ADDRESS).check();
            net.startHelper("-c");

            // nobody at .77 on the host's veth subnet: the host's neighbour discovery fails, it says host unreachable
            Cmd.Result unreachable = net.guest(Duration.ofSeconds(20), "ping", "-n", "-c", "1", "-W", "8",
                "198.51.100.77");
            assertTrue(unreachable.out().contains("Destination Host Unreachable"), unreachable::describe);

            // TTL 2: one hop to the helper, one to the host, and the router past it says time exceeded
            Cmd.Result router = net.guest("ping", "-n", "-c", "1", "-W", "3", "-t", "2", "203.0.113.1");
            assertTrue(router.out().contains("From " + TestNetwork.INTERNET_ADDRESS + " icmp_seq=1 Time to live "
                + "exceeded"), router::describe);
            // TTL 1: the helper itself is the hop that says so
            Cmd.Result gateway = net.guest("ping", "-n", "-c", "1", "-W", "3", "-t", "1",
                TestNetwork.INTERNET_ADDRESS);
            assertTrue(gateway.out().contains("From 10.0.2.2 icmp_seq=1 Time to live exceeded"), gateway::describe);
            // and TTL 3 gets through to the router's own far address
            Checks.ping(net, "203.0.113.254", "-t", "3");
        }
    }

    /**
     * ping_group_range left at "1 0": the helper says so once on stderr and does what slirp4netns (libslirp 4.7)
     * does: a raw ICMP socket where it may open one (root outside the sandbox: in it, as in slirp4netns's, only
     * CAP_NET_BIND_SERVICE is left), else each request as a UDP datagram to port 7 of the destination, whose ICMP
     * port unreachable (no echo service there) the guest sees.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void refusedPingSocketsAreSaidOnceAndFallBackAsSlirp4netnsDoes(Mode mode) {
        Requirements.forMode(mode, "ping", "sysctl");
        try (TestNetwork net = TestNetwork.create(mode, true)) {
            pingGroupRange(net, "1 0");
            Helper h = net.startHelper("-c");
            boolean raw = mode == Mode.ROOT && h.argv().contains("--disable-sandbox");
            if (raw) {
                Checks.ping(net, TestNetwork.INTERNET_ADDRESS);
                Checks.ping(net, TestNetwork.INTERNET_ADDRESS, "-s", "1000");
            } else {
                for (int i = 0; i < 2; i++) {
                    Cmd.Result r = net.guest("ping", "-n", "-c", "2", "-i", "0.2", "-W", "3",
                        TestNetwork.INTERNET_ADDRESS);
                    assertTrue(r.out().contains("From " + TestNetwork.INTERNET_ADDRESS
                        + " icmp_seq=1 Destination Port Unreachable"), r::describe);
                }
            }
            String err = h.stderr();
            assertEquals(1, err.lines().filter(l -> l.contains(REFUSED_MESSAGE)).count(), h::describe);
            String line = err.lines().filter(l -> l.contains(REFUSED_MESSAGE)).findFirst().orElseThrow();
            // the range as the helper's user namespace maps it: "1 0", or unmapped ids as 65534 in the guest's, where
            // podman starts it and the launcher starts a rootless one for the sandbox
            boolean inGuestUserns = mode == Mode.PODMAN
                || (mode == Mode.ROOTLESS && !h.argv().contains("--disable-sandbox"));
            assertTrue(line.startsWith("slirp4j: ") && line.contains("ping_group_range (" + (inGuestUserns
                ? "65534 65534)" : "1 0)")), line);
            assertTrue(line.contains(raw ? "raw ICMP socket instead" : "UDP datagram to port 7"), line);
            h.assertHealthy();
        }
    }

    // ---- IPv6

    /** Starts a helper with IPv6 and waits for the guest's SLAAC address. */
    static Helper startWithIpv6(TestNetwork net) {
        Helper h = net.startHelper("-c", "--enable-ipv6");
        Ipv6Test.awaitSlaacAddress(net, "fd00::");
        return h;
    }

    static Cmd.Result ping6(TestNetwork net, String... args) {
        return net.guest(Duration.ofSeconds(20), Checks.concat(new String[] {"ping", "-6", "-n"}, args));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void pingAnOutsideIpv6HostThroughPingSockets(Mode mode) {
        Requirements.forMode(mode, "ping", "sysctl");
        try (TestNetwork net = TestNetwork.create(mode, true)) {
            pingGroupRange(net, ALL_GROUPS);
            Helper h = startWithIpv6(net);
            Cmd.Result r = ping6(net, "-c", "3", "-i", "0.2", "-W", "3", "-s", "100", TestNetwork.INTERNET_ADDRESS6);
            assertEquals(0, r.exit(), r::describe);
            assertTtl(r, 255);
            for (int seq = 1; seq <= 3; seq++) {
                int s = seq;
                assertTrue(r.out().contains("from " + TestNetwork.INTERNET_ADDRESS6 + ": icmp_seq=" + s + " "),
                    r::describe);
            }
            // another run: another identifier and flow, and messages larger than the MTU (fragmented both ways)
            Cmd.Result big = ping6(net, "-c", "3", "-i", "0.2", "-W", "3", "-s", "3000",
                TestNetwork.INTERNET_ADDRESS6);
            assertTrue(big.out().contains("3 received") && big.out().contains("3008 bytes from"), big::describe);
            // the host's own address on the internet link answers too (from itself, not as the gateway)
            Cmd.Result hostSide = ping6(net, "-c", "1", "-W", "3", TestNetwork.INTERNET_HOST_SIDE6);
            assertTrue(hostSide.out().contains("from " + TestNetwork.INTERNET_HOST_SIDE6 + ": icmp_seq=1 "),
                hostSide::describe);
            assertFalse(h.stderr().contains(REFUSED_MESSAGE), h::describe);
            h.assertHealthy();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void unreachableIpv6HostsAndExpiredHopLimitsComeBackAsIcmpv6Errors(Mode mode) {
        Requirements.forMode(mode, "ping", "sysctl");
        try (TestNetwork net = TestNetwork.create(mode, true)) {
            pingGroupRange(net, ALL_GROUPS);
            // (the host's IPv6 default route leads to the internet namespace)
            routerPastTheHost(net, "net.ipv6.conf.all.forwarding", "2001:db8:2::254/64");
            startWithIpv6(net);

            // nobody at ::77 on the host's veth subnet: the host's neighbour discovery fails, it says so
            Cmd.Result unreachable = ping6(net, "-c", "1", "-W", "8", "2001:db8:1::77");
            assertTrue(unreachable.out().contains("From " + TestNetwork.INTERNET_HOST_SIDE6 + " icmp_seq=1 "
                + "Destination unreachable: Address unreachable"), unreachable::describe);

            // hop limit 2: one hop to the helper, one to the host, and the router past it says time exceeded
            Cmd.Result router = ping6(net, "-c", "1", "-W", "3", "-t", "2", "2001:db8:2::1");
            assertTrue(router.out().contains("From " + TestNetwork.INTERNET_ADDRESS6 + " icmp_seq=1 Time exceeded: "
                + "Hop limit"), router::describe);
            // hop limit 1: the helper itself is the hop that says so, from its router address
            Cmd.Result helper = ping6(net, "-c", "1", "-W", "3", "-t", "1", TestNetwork.INTERNET_ADDRESS6);
            assertTrue(helper.out().contains("From fe80::2") && helper.out().contains("icmp_seq=1 Time exceeded: "
                + "Hop limit"), helper::describe);
            // and hop limit 2 reaches the router's own address
            Cmd.Result through = ping6(net, "-c", "3", "-i", "0.2", "-W", "3", "-t", "2", "2001:db8:2::254");
            assertTrue(through.out().contains("3 received"), through::describe);
        }
    }

    /** No IPv6 route on the host at all: the guest hears "no route" from the helper at once. */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT"})
    void anIpv6DestinationTheHostHasNoRouteForIsUnreachable(Mode mode) {
        Requirements.forMode(mode, "ping", "sysctl");
        try (TestNetwork net = TestNetwork.create(mode)) {
            pingGroupRange(net, ALL_GROUPS);
            startWithIpv6(net);
            Cmd.Result r = ping6(net, "-c", "1", "-W", "3", "2001:db8:1::1");
            assertTrue(r.out().contains("From fe80::2") && r.out().contains("Destination unreachable: No route"),
                r::describe);
        }
    }

    /**
     * ping_group_range "1 0" refuses IPv6 ping sockets too: one stderr line for both families (the sysctl is
     * shared), and the same fallbacks as for IPv4 (a raw ICMPv6 socket for root, else UDP port 7 probes).
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void refusedIpv6PingSocketsAreSaidOnceAndFallBackAsForIpv4(Mode mode) {
        Requirements.forMode(mode, "ping", "sysctl");
        try (TestNetwork net = TestNetwork.create(mode, true)) {
            pingGroupRange(net, "1 0");
            Helper h = startWithIpv6(net);
            boolean raw = mode == Mode.ROOT && h.argv().contains("--disable-sandbox");
            if (raw) {
                Cmd.Result r = ping6(net, "-c", "3", "-i", "0.2", "-W", "3", "-s", "1000",
                    TestNetwork.INTERNET_ADDRESS6);
                assertTrue(r.out().contains("3 received"), r::describe);
                Checks.ping(net, TestNetwork.INTERNET_ADDRESS);
            } else {
                Cmd.Result r = ping6(net, "-c", "2", "-i", "0.2", "-W", "3", TestNetwork.INTERNET_ADDRESS6);
                assertTrue(r.out().contains("From " + TestNetwork.INTERNET_ADDRESS6
                    + " icmp_seq=1 Destination unreachable: Port unreachable"), r::describe);
                Cmd.Result r4 = net.guest("ping", "-n", "-c", "1", "-W", "3", TestNetwork.INTERNET_ADDRESS);
                assertTrue(r4.out().contains("Destination Port Unreachable"), r4::describe);
            }
            String err = h.stderr();
            assertEquals(1, err.lines().filter(l -> l.contains(REFUSED_MESSAGE)).count(), h::describe);
            String line = err.lines().filter(l -> l.contains(REFUSED_MESSAGE)).findFirst().orElseThrow();
            assertTrue(line.contains("socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6)"), line);
            assertTrue(line.contains(raw ? "raw ICMP socket instead" : "UDP datagram to port 7"), line);
            h.assertHealthy();
        }
    }
}
