package io.slirp4j.e2e;

import static io.slirp4j.e2e.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --outbound-addr} and {@code --outbound-addr6}: the guest's connections and datagrams leave the private
 * host from the address given (or the named interface's), as a server in the "internet" namespace sees them. The
 * private host has 198.51.100.2 (primary) and 198.51.100.3 on its veth, and a second interface {@code out0} (one end of
 * a veth pair of its own, up, no link) with 198.51.100.9/32 and 2001:db8::9/128: the kernel would pick 198.51.100.2
 * by itself, so any other source the server sees is the helper's doing. Unlike slirp4netns, which binds only
 * what libslirp binds and checks nothing at start-up, a value naming no usable address is an error (exit 1).
 */
class OutboundAddressTest {
    static final String SECOND = "198.51.100.3";
    static final String OUT0_V4 = "198.51.100.9";
    static final String OUT0_V6 = "2001:db8::9";
    static final String INTERNET_V6 = "2001:db8::1";
    static final Duration WAIT = Duration.ofSeconds(10);

    /** The internet namespace plus the private host's extra addresses and {@code out0}. */
    static TestNetwork network(Mode mode) {
        TestNetwork net = TestNetwork.create(mode, true);
        try {
            net.host("ip", "addr", "add", SECOND + "/24", "dev", "veth-h").check();
            net.host("ip", "link", "add", "out0", "type", "veth", "peer", "name", "out0-peer").check();
            net.host("ip", "addr", "add", OUT0_V4 + "/32", "dev", "out0").check();
            net.host("ip", "-6", "addr", "add", OUT0_V6 + "/128", "dev", "out0", "nodad").check();
            net.host("ip", "link", "set", "out0", "up").check();
            net.host("ip", "link", "set", "out0-peer", "up").check();
            net.host("ip", "-6", "addr", "add", "2001:db8::2/64", "dev", "veth-h", "nodad").check();
            net.internet("ip", "-6", "addr", "add", INTERNET_V6 + "/64", "dev", "veth-i", "nodad").check();
            // IPv6 neighbour discovery answers only for the receiving interface's own addresses (IPv4's ARP answers
            // for any of the host's): out0's address needs a route through veth-h
            net.internet("ip", "-6", "route", "add", OUT0_V6 + "/128", "via", "2001:db8::2").check();
            return net;
        } catch (RuntimeException | Error e) {
            net.close();
            throw e;
        }
    }

    /** Where a TCP connection and a UDP datagram from the guest to the internet namespace come from. */
    static List<InetAddress> sourcesSeen(TestNetwork net) throws IOException {
        List<InetAddress> tcpPeers = new CopyOnWriteArrayList<>();
        InetSocketAddress tcpBind = new InetSocketAddress(TestNetwork.INTERNET_ADDRESS, 7000);
        try (TcpPeers.Server tcp = new TcpPeers.Server(net.internetNetns(), tcpBind, c -> {
                try {
                    tcpPeers.add(((InetSocketAddress) c.getRemoteAddress()).getAddress());
                    c.write(ByteBuffer.wrap(new byte[] {42}));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
             Udp.Server udp = Udp.Server.echo(net.internetNetns(),
                 new InetSocketAddress(TestNetwork.INTERNET_ADDRESS, 7001));
             SocketChannel s = TcpPeers.connectFromGuest(net, tcpBind);
             DatagramSocket u = Udp.socketIn(net.guestNetns())) {
            ByteBuffer one = ByteBuffer.allocate(1);
            s.read(one);
            assertArrayEquals(new byte[] {42}, one.array(), "the server's byte through the connection");
            byte[] hello = "hello".getBytes();
            u.send(new DatagramPacket(hello, hello.length, new InetSocketAddress(TestNetwork.INTERNET_ADDRESS, 7001)));
            DatagramPacket echo = Udp.receive(u, WAIT);
            assertNotNull(echo, "UDP echo from the internet namespace");
            assertEquals(1, tcpPeers.size());
            assertEquals(1, udp.peers().size());
            return List.of(tcpPeers.get(0), udp.peers().get(0).getAddress());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void tcpAndUdpLeaveFromTheOutboundAddress(Mode mode) throws IOException {
        try (TestNetwork net = network(mode)) {
            Helper h = net.startHelper("-c", "--outbound-addr=" + SECOND);
            InetAddress second = InetAddress.getByName(SECOND);
            assertEquals(List.of(second, second), sourcesSeen(net), h::describe);
            assertTrue(h.stderr().contains("outbound " + SECOND), h::describe);
            h.assertHealthy();
        }
    }

    /**
     * The guest's own IPv6 (with {@code --enable-ipv6}): its TCP connection and UDP datagram to [2001:db8::1] leave
     * from --outbound-addr6's address, not from 2001:db8::2, the one the kernel would pick.
     */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void guestIpv6LeavesFromTheOutboundAddress6(Mode mode) throws IOException {
        try (TestNetwork net = network(mode)) {
            Helper h = net.startHelper("-c", "--enable-ipv6", "--outbound-addr6=" + OUT0_V6);
            Ipv6Test.awaitSlaacAddress(net, "fd00::");
            List<InetAddress> tcpPeers = new CopyOnWriteArrayList<>();
            InetSocketAddress tcpBind = new InetSocketAddress(INTERNET_V6, 7000);
            try (TcpPeers.Server tcp = new TcpPeers.Server(net.internetNetns(), tcpBind, c -> {
                    try {
                        tcpPeers.add(((InetSocketAddress) c.getRemoteAddress()).getAddress());
                        c.write(ByteBuffer.wrap(new byte[] {42}));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                 Udp.Server udp = Udp.Server.echo(net.internetNetns(), new InetSocketAddress(INTERNET_V6, 7001));
                 SocketChannel s = TcpPeers.connectFromGuest(net, tcpBind);
                 DatagramSocket u = Udp.socketIn(net.guestNetns())) {
                ByteBuffer one = ByteBuffer.allocate(1);
                s.read(one);
                assertArrayEquals(new byte[] {42}, one.array(), "the server's byte through the connection");
                byte[] hello = "hello".getBytes();
                u.send(new DatagramPacket(hello, hello.length, new InetSocketAddress(INTERNET_V6, 7001)));
                assertNotNull(Udp.receive(u, WAIT), "UDP echo from [2001:db8::1]");
                InetAddress out0 = InetAddress.getByName(OUT0_V6);
                assertEquals(List.of(out0, out0), List.of(tcpPeers.get(0), udp.peers().get(0).getAddress()),
                    h::describe);
            }
            h.assertHealthy();
        }
    }

    /** The guest's ping of the internet namespace leaves from the outbound address too (seen on the wire there). */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void icmpEchoLeavesFromTheOutboundAddress(Mode mode) {
        Requirements.forMode(mode, "ping", "sysctl");
        try (TestNetwork net = network(mode)) {
            PingTest.pingGroupRange(net, PingTest.ALL_GROUPS);
            Helper h = net.startHelper("-c", "--outbound-addr=" + SECOND);
            byte[] request;
            try (RawFrames wire = RawFrames.open(net.internetNetns(), "veth-i")) {
                Checks.ping(net, TestNetwork.INTERNET_ADDRESS);
                request = wire.receive(Duration.ofSeconds(3), f -> f.length >= 42 && f[12] == 0x08 && f[13] == 0
                    && f[23] == 1 && f[34] == 8);
            }
            assertNotNull(request, "no echo request seen in the internet namespace");
            assertArrayEquals(Frames.ip(SECOND), java.util.Arrays.copyOfRange(request, 26, 30), h::describe);
        }
    }

    /** The guest's ping -6 of the internet namespace leaves from --outbound-addr6's address (seen on the wire). */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void icmpv6EchoLeavesFromTheOutboundAddress6(Mode mode) throws IOException {
        Requirements.forMode(mode, "ping", "sysctl");
        try (TestNetwork net = network(mode)) {
            PingTest.pingGroupRange(net, PingTest.ALL_GROUPS);
            Helper h = net.startHelper("-c", "--enable-ipv6", "--outbound-addr6=" + OUT0_V6);
            Ipv6Test.awaitSlaacAddress(net, "fd00::");
            byte[] request;
            try (RawFrames wire = RawFrames.open(net.internetNetns(), "veth-i")) {
                Cmd.Result r = PingTest.ping6(net, "-c", "3", "-i", "0.2", "-W", "3", INTERNET_V6);
                assertTrue(r.out().contains("3 received"), r::describe);
                // EtherType 0x86DD, next header ICMPv6, type echo request
                request = wire.receive(Duration.ofSeconds(3), f -> f.length >= 62 && f[12] == (byte) 0x86
                    && f[13] == (byte) 0xDD && f[20] == 58 && f[54] == (byte) 128);
            }
            assertNotNull(request, "no ICMPv6 echo request seen in the internet namespace");
            assertArrayEquals(InetAddress.getByName(OUT0_V6).getAddress(),
                java.util.Arrays.copyOfRange(request, 22, 38), h::describe);
        }
    }

    /** Without the option, the kernel chooses: the primary address. The test's premise, checked. */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT"})
    void withoutTheOptionTheKernelChooses(Mode mode) throws IOException {
        try (TestNetwork net = network(mode)) {
            net.startHelper("-c");
            InetAddress primary = InetAddress.getByName(TestNetwork.INTERNET_HOST_SIDE);
            assertEquals(List.of(primary, primary), sourcesSeen(net));
        }
    }

    /** An interface name means its first address of the family: out0's, though packets leave through veth-h. */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void interfaceNameMeansItsAddress(Mode mode) throws IOException {
        try (TestNetwork net = network(mode)) {
            Helper h = net.startHelper("-c", "--outbound-addr=out0", "--outbound-addr6=out0");
            InetAddress out0 = InetAddress.getByName(OUT0_V4);
            assertEquals(List.of(out0, out0), sourcesSeen(net), h::describe);
            assertTrue(h.stderr().contains("outbound6 " + OUT0_V6), h::describe);
        }
    }

    /**
     * IPv6 works now where the stack already speaks it to the host: DNS forwarding to an IPv6 nameserver. The
     * guest asks 10.0.2.3, the helper asks 2001:db8::1 from out0's 2001:db8::9 (and not from 2001:db8::2, the
     * address the kernel would pick).
     */
    @ParameterizedTest
    @ValueSource(strings = {"--outbound-addr6=" + OUT0_V6, "--outbound-addr6=out0"})
    void ipv6NameserverIsAskedFromTheOutboundAddress6(String option) throws IOException {
        try (TestNetwork net = network(Mode.ROOT);
             Udp.Server dns = Dns.responder(net.internetNetns(), new InetSocketAddress(INTERNET_V6, 53),
                 Frames.ip("192.0.2.1"), false);
             DatagramSocket u = Udp.socketIn(net.guestNetns())) {
            net.resolvConf("nameserver " + INTERNET_V6 + "\n");
            Helper h = net.startHelper("-c", option);
            byte[] query = Dns.query(0x5151, "example.test", Dns.TYPE_A);
            // as a resolver does, ask again when no answer comes: the very first exchange with an IPv6 nameserver
            // in a fresh network goes unanswered now and then, with or without the option (seen with dig too)
            DatagramPacket answer = null;
            for (int attempt = 0; attempt < 3 && answer == null; attempt++) {
                u.send(new DatagramPacket(query, query.length, new InetSocketAddress("10.0.2.3", 53)));
                answer = Udp.receive(u, Duration.ofSeconds(3));
            }
            DatagramPacket got = answer;
            assertNotNull(got, () -> "no DNS answer; the server saw " + dns.count() + " from " + dns.peers() + "\n"
                + h.describe());
            assertEquals(0x5151, Dns.id(java.util.Arrays.copyOf(got.getData(), got.getLength())));
            assertEquals(List.of(InetAddress.getByName(OUT0_V6)),
                dns.peers().stream().map(InetSocketAddress::getAddress).distinct().toList());
        }
    }

    /** Values that name no usable address end the helper at start-up, before the tap exists. */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void unusableValuesAreStartUpErrors(Mode mode) {
        try (TestNetwork net = network(mode)) {
            net.host("ip", "link", "add", "bare0", "type", "veth", "peer", "name", "bare0-peer").check();
            net.host("ip", "link", "set", "bare0", "up").check();
            net.host("ip", "link", "set", "bare0-peer", "up").check();
            String v4 = "outbound-addr has to be valid ipv4 address or interface name. (";
            String v6 = "outbound-addr6 has to be valid ipv6 address or interface name. (";
            expectError(net, "--outbound-addr=nosuch0", v4 + "there is no interface nosuch0");
            expectError(net, "--outbound-addr=bare0", v4 + "interface bare0 has no IPv4 address)");
            expectError(net, "--outbound-addr=203.0.113.9", v4 + "203.0.113.9 is not an address of this host: bind: ");
            expectError(net, "--outbound-addr6=nosuch0", v6 + "there is no interface nosuch0");
            // bare0 is up, so it has a link-local address, which cannot reach beyond its own link
            expectError(net, "--outbound-addr6=bare0", v6 + "interface bare0 has no IPv6 address other than link-local");
            expectError(net, "--outbound-addr6=2001:db8::77", v6 + "2001:db8::77 is not an address of this host: bind: ");
        }
    }

    private static void expectError(TestNetwork net, String option, String text) {
        Cmd.Result r = net.runHelper(Checks.ARG_ERROR_TIMEOUT, "-c", option, Long.toString(net.guestPid()), "tap0");
        assertError(r, text);
        Checks.assertNoTap(net);
    }
}
