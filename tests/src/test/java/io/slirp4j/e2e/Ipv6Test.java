package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code --enable-ipv6} end to end with the guest kernel's own IPv6: it configures itself by SLAAC from the
 * helper's router advertisements (as with slirp4netns, {@code -c} does no IPv6 configuration), pings the gateway
 * and DNS addresses, and reaches servers on the private host's [::1] through fd00::2 and its DNS responder through
 * fd00::3.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class Ipv6Test {
    static final String GATEWAY = "fd00::2";
    static final String DNS = "fd00::3";
    static final InetSocketAddress HOST_LOOPBACK6 = new InetSocketAddress("::1", 0);
    static final long BULK = 64L << 20;

    /**
     * Waits until the guest's tap0 has a global address in {@code prefix} that finished duplicate address
     * detection, and returns it.
     */
    static String awaitSlaacAddress(TestNetwork net, String prefix) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Cmd.Result last = null;
        while (System.nanoTime() < deadline) {
            last = net.guest("ip", "-6", "-o", "addr", "show", "dev", "tap0", "scope", "global");
            for (String line : last.out().lines().toList()) {
                String[] words = line.trim().split("\\s+");
                for (int i = 0; i + 1 < words.length; i++) {
                    if (words[i].equals("inet6") && words[i + 1].startsWith(prefix) && !line.contains("tentative")) {
                        return words[i + 1].substring(0, words[i + 1].indexOf('/'));
                    }
                }
            }
            TestNetwork.sleep(200);
        }
        throw new AssertionError("no SLAAC address in " + prefix + " on the guest's tap0 within 20 s:\n"
            + (last == null ? "" : last.describe()) + net.guest("ip", "-6", "addr").describe());
    }

    static void ping6(TestNetwork net, String address) {
        Cmd.Result r = net.guest("ping", "-6", "-n", "-c", "3", "-i", "0.2", "-W", "3", address);
        assertEquals(0, r.exit(), () -> "ping -6 " + address + " from the guest failed:\n" + r.describe());
        assertTrue(r.out().contains("3 received"), r::describe);
        assertTrue(r.out().lines().filter(l -> l.contains(" bytes from ")).allMatch(l -> l.contains(" ttl=255 ")),
            () -> "echo replies carry hop limit 255:\n" + r.describe());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void guestConfiguresItselfAndPingsTheGatewayAndDns(Mode mode) {
        Requirements.forMode(mode, "ping");
        try (TestNetwork net = TestNetwork.create(mode)) {
            Helper h = net.startHelper("-c", "--enable-ipv6");
            String address = awaitSlaacAddress(net, "fd00::");
            Cmd.Result route = net.guest("ip", "-6", "route", "show", "default");
            assertTrue(route.out().contains("via fe80::2 dev tap0"), route::describe);
            Cmd.Result neighbours = net.guest("ip", "-6", "neigh");
            ping6(net, GATEWAY);
            ping6(net, DNS);
            ping6(net, "fe80::2%tap0");
            Cmd.Result mac = net.guest("ip", "-6", "neigh", "show", "fe80::2", "dev", "tap0");
            assertTrue(mac.out().contains("52:56:00:00:00:02") && mac.out().contains("router"),
                () -> mac.describe() + neighbours.describe());
            System.out.printf("[%s] guest SLAAC address %s%n", mode, address);
            h.assertHealthy();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void aChosenPrefixIsAdvertised(Mode mode) {
        try (TestNetwork net = TestNetwork.create(mode)) {
            net.startHelper("-c", "--enable-ipv6", "--cidr6=fd42:1:2:3::/64");
            awaitSlaacAddress(net, "fd42:1:2:3:");
            ping6(net, "fd42:1:2:3::2");
            ping6(net, "fd42:1:2:3::3");
        }
    }

    /** 64 MiB each way at once over TCP to [fd00::2], which is the private host's [::1], hashed. */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void tcpToTheGatewayReachesTheHostsLoopback(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            AtomicReference<TcpPeers.Transfer> serverGot = new AtomicReference<>();
            AtomicReference<TcpPeers.Transfer> serverSent = new AtomicReference<>();
            AtomicReference<String> peer = new AtomicReference<>();
            TcpPeers.Server server = net.closeLater(new TcpPeers.Server(net.hostNetns(), HOST_LOOPBACK6, c -> {
                try {
                    peer.set(((InetSocketAddress) c.getRemoteAddress()).getAddress().getHostAddress());
                    CompletableFuture<TcpPeers.Transfer> rx = TcpPeers.inThread(() -> TcpTest.receive(c));
                    serverSent.set(TcpPeers.send(c, BULK, 12));
                    c.shutdownOutput();
                    serverGot.set(rx.get(120, TimeUnit.SECONDS));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
            Helper h = net.startHelper("-c", "--enable-ipv6");
            awaitSlaacAddress(net, "fd00::");
            TcpPeers.Transfer sent;
            TcpPeers.Transfer got;
            try (SocketChannel s = TcpPeers.connectFromGuest(net, new InetSocketAddress(GATEWAY, server.port()))) {
                CompletableFuture<TcpPeers.Transfer> rx = TcpPeers.inThread(() -> TcpTest.receive(s));
                sent = TcpPeers.send(s, BULK, 11);
                s.shutdownOutput();
                got = rx.get(120, TimeUnit.SECONDS);
            }
            TcpTest.awaitTrue(() -> serverGot.get() != null || !server.errors.isEmpty(), 30_000);
            assertTrue(server.errors.isEmpty(), () -> "server: " + server.errors);
            assertEquals("0:0:0:0:0:0:0:1", peer.get(), "the helper connects from the host's ::1");
            assertEquals(BULK, serverGot.get().bytes(), "bytes guest -> host");
            assertEquals(sent.sha256(), serverGot.get().sha256(), "SHA-256 guest -> host");
            assertEquals(BULK, got.bytes(), "bytes host -> guest");
            assertEquals(serverSent.get().sha256(), got.sha256(), "SHA-256 host -> guest");
            System.out.printf("[%s] IPv6 64 MiB each way: guest->host %.2f Gbit/s, host->guest %.2f Gbit/s%n", mode,
                serverGot.get().gbitPerSecond(), got.gbitPerSecond());
            h.assertHealthy();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void tcpToAClosedPortIsRefused(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            net.startHelper("-c", "--enable-ipv6");
            awaitSlaacAddress(net, "fd00::");
            try (SocketChannel s = TcpPeers.connectFromGuest(net, new InetSocketAddress(GATEWAY, 1))) {
                throw new AssertionError("connected to a closed port: " + s);
            } catch (java.net.ConnectException e) {
                assertTrue(e.getMessage().contains("refused"), e::toString);
            }
        }
    }

    /** UDP to [fd00::2] reaches an echo server on [::1], byte-exactly, including datagrams over the MTU. */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void udpToTheGatewayReachesTheHostsLoopback(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Udp.Server echo = net.closeLater(Udp.Server.echo(net.hostNetns(), HOST_LOOPBACK6));
            net.startHelper("-c", "--enable-ipv6");
            awaitSlaacAddress(net, "fd00::");
            InetSocketAddress to = new InetSocketAddress(GATEWAY, echo.port());
            try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
                for (int size : new int[] {1, 1000, 1452, 3000}) {
                    byte[] data = Udp.payload(new java.util.Random(size), size);
                    s.send(new DatagramPacket(data, data.length, to));
                    DatagramPacket p = Udp.receive(s, Duration.ofSeconds(5));
                    assertNotNull(p, "no echo of " + size + " bytes");
                    assertEquals(to, p.getSocketAddress(), "the echo comes from [fd00::2]");
                    assertArrayEquals(data, Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength()));
                }
            }
            assertEquals("0:0:0:0:0:0:0:1", echo.peers().get(0).getAddress().getHostAddress());
        }
    }

    /** Bursts of equal datagrams from [::1] reach the guest whole and in order (one frame each where possible). */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void udpBurstsFromTheHostsLoopbackArriveDatagramByDatagram(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Udp.Server server = UdpTest.burstServer(net, HOST_LOOPBACK6);
            net.startHelper("-c", "--enable-ipv6");
            awaitSlaacAddress(net, "fd00::");
            UdpTest.assertBurstsArrive(net, new InetSocketAddress(GATEWAY, server.port()), 1500 - 48,
                "[" + mode + " IPv6]");
        }
    }

    /** DNS to [fd00::3]:53 goes to the helper's nameservers, IPv4 and IPv6 alike; the answer comes from fd00::3. */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void dnsAtTheDnsAddress(Mode mode) throws Exception {
        for (String nameserver : new String[] {"127.0.0.1", "::1"}) {
            try (TestNetwork net = TestNetwork.create(mode)) {
                Udp.Server dns = net.closeLater(Dns.responder(net.hostNetns(), new InetSocketAddress(nameserver, 53),
                    DnsTest.ANSWER_IP, false));
                net.resolvConf("nameserver " + nameserver + "\n");
                net.startHelper("-c", "--enable-ipv6");
                awaitSlaacAddress(net, "fd00::");
                InetSocketAddress server = new InetSocketAddress(DNS, 53);
                try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
                    byte[] query = Dns.query(0x6006, "host.example.test", Dns.TYPE_A);
                    s.send(new DatagramPacket(query, query.length, server));
                    DatagramPacket p = Udp.receive(s, Duration.ofSeconds(5));
                    assertNotNull(p, "no DNS answer through " + nameserver);
                    assertEquals(server, p.getSocketAddress(), "the answer comes from [fd00::3]:53");
                    byte[] answer = Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
                    assertEquals(0x6006, Dns.id(answer));
                    assertEquals(1, Dns.answerCount(answer));
                }
                assertTrue(dns.count() >= 1, "the responder saw no query");
            }
        }
    }
}
