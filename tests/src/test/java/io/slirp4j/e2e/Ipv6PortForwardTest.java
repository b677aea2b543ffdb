package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Port forwards to the guest's IPv6 address, which slirp4netns cannot do: the guest (helper started with
 * {@code -c --enable-ipv6}) configures its address by SLAAC and serves on it; a forward added over the API with that
 * guest_addr takes clients from the private host's 127.0.0.1 and [::1] (and from an IPv6 "internet" namespace) to
 * it, byte-exactly. The guest sees loopback and IPv4 clients as the gateway fd00::2 and outside IPv6 clients as
 * themselves.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class Ipv6PortForwardTest {
    static final long BULK = 16L << 20;
    static final int GUEST_PORT = 8000;
    static final String INTERNET6 = "2001:db8::1";
    static final String INTERNET6_HOST_SIDE = "2001:db8::2";

    /** What the guest's server saw of one connection. */
    record Session(InetSocketAddress client, TcpPeers.Transfer got, TcpPeers.Transfer sent) {}

    /** Gives the veth pair to the "internet" IPv6 addresses (no duplicate address detection: usable at once). */
    static void internetIpv6(TestNetwork net) {
        net.host("ip", "addr", "add", INTERNET6_HOST_SIDE + "/64", "dev", "veth-h", "nodad").check();
        net.internet("ip", "addr", "add", INTERNET6 + "/64", "dev", "veth-i", "nodad").check();
    }

    /** A guest server on [::]:8000: per connection, 16 MiB each way at once, recorded by the client's port. */
    static void bulkServerInGuest(PortForwardTest.Setup s, Map<Integer, Session> sessions) {
        s.net.closeLater(new TcpPeers.Server(s.net.guestNetns(), new InetSocketAddress("::", GUEST_PORT), c -> {
            try {
                InetSocketAddress client = (InetSocketAddress) c.getRemoteAddress();
                CompletableFuture<TcpPeers.Transfer> rx = TcpPeers.inThread(() -> TcpTest.receive(c));
                TcpPeers.Transfer sent = TcpPeers.send(c, BULK, client.getPort());
                c.shutdownOutput();
                sessions.put(client.getPort(), new Session(client, rx.get(150, TimeUnit.SECONDS), sent));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }));
    }

    /** One client's 16 MiB each way through the forward at {@code to}, checked against what the guest saw. */
    static void bulkThrough(PortForwardTest.Setup s, java.nio.file.Path clientNetns, InetSocketAddress to,
        Map<Integer, Session> sessions, String guestSees, String what) throws Exception {
        TcpPeers.Transfer sent;
        TcpPeers.Transfer got;
        int port;
        try (SocketChannel c = TcpPeers.socketIn(clientNetns)) {
            c.connect(to);
            port = ((InetSocketAddress) c.getLocalAddress()).getPort();
            CompletableFuture<TcpPeers.Transfer> rx = TcpPeers.inThread(() -> TcpTest.receive(c));
            sent = TcpPeers.send(c, BULK, ~port);
            c.shutdownOutput();
            got = rx.get(150, TimeUnit.SECONDS);
        }
        TcpTest.awaitTrue(() -> sessions.containsKey(port), 30_000);
        Session session = sessions.get(port);
        assertEquals(InetAddress.getByName(guestSees), session.client().getAddress(), what + ": the guest sees");
        assertEquals(BULK, session.got().bytes(), what + ": bytes host -> guest");
        assertEquals(sent.sha256(), session.got().sha256(), what + ": SHA-256 host -> guest");
        assertEquals(BULK, got.bytes(), what + ": bytes guest -> host");
        assertEquals(session.sent().sha256(), got.sha256(), what + ": SHA-256 guest -> host");
        System.out.printf("[%s] 16 MiB each way through a forward to the guest's IPv6 address: host->guest %.2f "
            + "Gbit/s, guest->host %.2f Gbit/s%n", what, session.got().gbitPerSecond(), got.gbitPerSecond());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void tcpFromLoopbackOfBothFamiliesAndFromAnIpv6Outsider(Mode mode) throws Exception {
        try (PortForwardTest.Setup s = new PortForwardTest.Setup(mode, "--enable-ipv6")) {
            internetIpv6(s.net);
            String guest = Ipv6Test.awaitSlaacAddress(s.net, "fd00::");
            Map<Integer, Session> sessions = new ConcurrentHashMap<>();
            bulkServerInGuest(s, sessions);
            int v4 = Api.id(Api.add(s.socket, "tcp", "127.0.0.1", 8080, guest, GUEST_PORT));
            int v6 = Api.id(Api.add(s.socket, "tcp", "::", 8081, guest, GUEST_PORT));
            String list = Api.list(s.socket);
            assertTrue(list.contains("{\"id\":" + v4 + ",\"proto\":\"tcp\",\"host_addr\":\"127.0.0.1\",\"host_port\":8080,"
                + "\"guest_addr\":\"" + guest + "\",\"guest_port\":" + GUEST_PORT + "}"), list);
            assertTrue(list.contains("\"host_addr\":\"::\",\"host_port\":8081,\"guest_addr\":\"" + guest + "\""), list);

            bulkThrough(s, s.net.hostNetns(), new InetSocketAddress("127.0.0.1", 8080), sessions, Ipv6Test.GATEWAY,
                mode + " 127.0.0.1");
            bulkThrough(s, s.net.hostNetns(), new InetSocketAddress("::1", 8081), sessions, Ipv6Test.GATEWAY,
                mode + " [::1]");
            bulkThrough(s, s.net.internetNetns(), new InetSocketAddress(INTERNET6_HOST_SIDE, 8081), sessions,
                INTERNET6, mode + " [" + INTERNET6 + "]");
            assertEquals(v6, v4 + 1);
            s.assertHealthy();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void udpFromLoopbackOfBothFamilies(Mode mode) throws Exception {
        try (PortForwardTest.Setup s = new PortForwardTest.Setup(mode, "--enable-ipv6")) {
            String guest = Ipv6Test.awaitSlaacAddress(s.net, "fd00::");
            Udp.Server echo = s.net.closeLater(Udp.Server.echo(s.net.guestNetns(),
                new InetSocketAddress(guest, 5300)));
            Api.id(Api.add(s.socket, "udp", "127.0.0.1", 5353, guest, echo.port()));
            Api.id(Api.add(s.socket, "udp", "::1", 5354, guest, echo.port()));
            for (InetSocketAddress forward : new InetSocketAddress[] {new InetSocketAddress("127.0.0.1", 5353),
                new InetSocketAddress("::1", 5354)}) {
                try (DatagramSocket client = Udp.socketIn(s.net.hostNetns())) {
                    for (int size : new int[] {1, 512, 1400, 3000}) {
                        byte[] data = Udp.payload(new Random(size), size);
                        client.send(new DatagramPacket(data, data.length, forward));
                        DatagramPacket p = Udp.receive(client, Duration.ofSeconds(5));
                        assertNotNull(p, () -> "no echo of " + size + " bytes through " + forward + "\n"
                            + s.helper.describe());
                        assertEquals(forward.getPort(), p.getPort(), "the echo comes from the forward's port");
                        assertArrayEquals(data, Arrays.copyOfRange(p.getData(), p.getOffset(),
                            p.getOffset() + p.getLength()), size + " bytes through " + forward);
                    }
                }
            }
            assertTrue(echo.peers().stream().allMatch(p -> p.getAddress().equals(ipv6(Ipv6Test.GATEWAY))),
                () -> "loopback peers appear as fd00::2: " + echo.peers());
            s.assertHealthy();
        }
    }

    @Test
    void ipv6GuestAddressesAreRefusedClearly() throws Exception {
        try (PortForwardTest.Setup s = new PortForwardTest.Setup(Mode.ROOT)) {
            assertEquals(Api.error("add_hostfwd: bad arguments.guest_addr (an IPv6 guest_addr needs --enable-ipv6)"),
                Api.add(s.socket, "tcp", "", 8080, "fd00::100", 80).strip());
        }
        try (PortForwardTest.Setup s = new PortForwardTest.Setup(Mode.ROOT, "--enable-ipv6")) {
            String outside = Api.error("add_hostfwd: bad arguments.guest_addr (an IPv6 guest_addr must be a guest "
                + "address in fd00::/64, not ::, ::2 or ::3 of it)");
            assertEquals(outside, Api.add(s.socket, "tcp", "", 8080, "fd01::100", 80).strip());
            assertEquals(outside, Api.add(s.socket, "tcp", "", 8080, "fd00::2", 80).strip());
            assertTrue(Api.list(s.socket).contains("\"entries\":[]"));
            s.assertHealthy();
        }
    }

    private static InetAddress ipv6(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
