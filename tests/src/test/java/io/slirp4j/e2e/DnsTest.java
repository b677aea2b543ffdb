package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The DNS forwarder at 10.0.2.3:53: queries go to the nameservers of the helper's /etc/resolv.conf (here a
 * bind mount naming the test's own responders on the private host loopback), answers come back unchanged.
 */
class DnsTest {
    static final byte[] ANSWER_IP = Frames.ip("198.51.100.77");
    static final String ANSWER_TEXT = "198.51.100.77";
    static final InetSocketAddress DNS = new InetSocketAddress("10.0.2.3", 53);

    static Udp.Server responder(TestNetwork net, String address, boolean silent) {
        return net.closeLater(Dns.responder(net.hostNetns(), new InetSocketAddress(address, 53), ANSWER_IP, silent));
    }

    static byte[] ask(DatagramSocket s, byte[] query, Duration timeout) throws IOException {
        s.send(new DatagramPacket(query, query.length, DNS));
        DatagramPacket p = Udp.receive(s, timeout);
        if (p == null) {
            return null;
        }
        assertEquals(DNS, p.getSocketAddress(), "source of the DNS answer");
        return Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
    }

    static Cmd.Result dig(TestNetwork net, String name, int timeSeconds) {
        return net.guest(Duration.ofSeconds(timeSeconds * 2L + 20), "dig", "@10.0.2.3", "+time=" + timeSeconds,
            "+tries=1", "+retry=0", "+short", "+notcp", name, "A");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void digResolvesThroughTheTestsResponder(Mode mode) {
        Requirements.forMode(mode, "dig");
        try (TestNetwork net = TestNetwork.create(mode)) {
            Udp.Server dns = responder(net, "127.0.0.1", false);
            net.resolvConf("# written by the slirp4j e2e tests\nsearch example.test\nnameserver 127.0.0.1\n");
            net.startHelper("-c");
            Cmd.Result r = dig(net, "host.example.test", 5);
            assertEquals(0, r.exit(), r::describe);
            assertTrue(r.out().lines().anyMatch(l -> l.strip().equals(ANSWER_TEXT)), r::describe);
            assertTrue(dns.count() >= 1, "the responder saw no query");
            assertEquals("127.0.0.1", dns.peers().get(0).getAddress().getHostAddress(),
                "the forwarder's source on the host side");
        }
    }

    /**
     * DNS over TCP (what resolvers fall back to for truncated answers): the guest's connection to 10.0.2.3:53 goes
     * to the nameserver of the helper's resolv.conf, over TCP too.
     */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void digOverTcpReachesTheNameserverOverTcp(Mode mode) {
        digOverTcp(mode, "nameserver 127.0.0.1\n", "127.0.0.1");
    }

    /**
     * DNS over TCP fails over like UDP: the first nameserver refuses TCP (nothing listens on 127.0.0.2:53 in the
     * private host namespace), so the guest's connection goes on to the second, which answers. Before, TCP only
     * ever tried the first nameserver and the guest got a reset.
     */
    @Test
    void digOverTcpFailsOverWhenTheFirstNameserverRefuses() {
        digOverTcp(Mode.ROOT, "nameserver 127.0.0.2\nnameserver 127.0.0.3\n", "127.0.0.3");
    }

    /**
     * {@code dig +tcp @10.0.2.3} in the guest, with {@code resolvConf} as the helper's resolv.conf and the test's
     * TCP responder on {@code responder}:53 of the private host namespace: the answer arrives, and the responder
     * saw exactly the one query.
     */
    static void digOverTcp(Mode mode, String resolvConf, String responder) {
        Requirements.forMode(mode, "dig");
        try (TestNetwork net = TestNetwork.create(mode)) {
            AtomicInteger queries = tcpResponder(net, responder);
            net.resolvConf(resolvConf);
            net.startHelper("-c");
            Cmd.Result r = net.guest(Duration.ofSeconds(30), "dig", "@10.0.2.3", "+tcp", "+time=5", "+tries=1",
                "+short", "host.example.test", "A");
            assertEquals(0, r.exit(), r::describe);
            assertTrue(r.out().lines().anyMatch(l -> l.strip().equals(ANSWER_TEXT)), r::describe);
            assertEquals(1, queries.get(), "queries the TCP nameserver on " + responder + " saw");
        }
    }

    /**
     * A DNS-over-TCP responder on {@code address}:53 in the private host namespace, answering every A query with
     * {@link #ANSWER_IP}; returns the count of queries it answered.
     */
    static AtomicInteger tcpResponder(TestNetwork net, String address) {
        AtomicInteger queries = new AtomicInteger();
        // RFC 1035 4.2.2: each message prefixed by its length in two bytes
        net.closeLater(new TcpPeers.Server(net.hostNetns(), new InetSocketAddress(address, 53), c -> {
            try {
                while (true) {
                    byte[] length;
                    try {
                        length = TcpPeers.readExactly(c, 2);
                    } catch (IOException endOfQueries) {
                        return;
                    }
                    byte[] query = TcpPeers.readExactly(c, ((length[0] & 0xff) << 8) | (length[1] & 0xff));
                    queries.incrementAndGet();
                    byte[] answer = Dns.answerA(query, ANSWER_IP);
                    byte[] framed = new byte[answer.length + 2];
                    framed[0] = (byte) (answer.length >> 8);
                    framed[1] = (byte) answer.length;
                    System.arraycopy(answer, 0, framed, 2, answer.length);
                    TcpPeers.writeAll(c, framed);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
        return queries;
    }

    /** Query and answer bytes are forwarded unchanged, including an answer bigger than the MTU (fragmented). */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "PODMAN"})
    void forwardsBytesUnchanged(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Udp.Server dns = responder(net, "127.0.0.1", false);
            net.resolvConf("nameserver 127.0.0.1\n");
            net.startHelper("-c");
            try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
                for (int i = 0; i < 20; i++) {
                    String name = (i % 5 == 4 ? "big" : "n") + i + ".example.test";
                    byte[] q = Dns.query(0x4000 + i, name, i % 5 == 4 ? Dns.TYPE_TXT : Dns.TYPE_A);
                    byte[] a = ask(s, q, Duration.ofSeconds(5));
                    assertNotNull(a, "no answer for " + name);
                    assertArrayEquals(Dns.standardAnswer(q, ANSWER_IP), a, "answer bytes for " + name);
                    if (name.startsWith("big")) {
                        assertTrue(a.length > 1500, "big answer only " + a.length + " bytes");
                    }
                }
            }
            // the server received exactly the guest's queries
            byte[] last = dns.received().get(dns.received().size() - 1);
            assertArrayEquals(Dns.query(0x4000 + 19, "big19.example.test", Dns.TYPE_TXT), last);
        }
    }

    /** The first nameserver never answers: after about a second the query goes to the next one. */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void failsOverWhenTheFirstNameserverIsSilent(Mode mode) throws Exception {
        Requirements.forMode(mode, "dig");
        try (TestNetwork net = TestNetwork.create(mode)) {
            Udp.Server silent = responder(net, "127.0.0.2", true);
            Udp.Server good = responder(net, "127.0.0.3", false);
            net.resolvConf("nameserver 127.0.0.2\nnameserver 127.0.0.3\n");
            net.startHelper("-c");
            try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
                byte[] q = Dns.query(0x1234, "failover.example.test", Dns.TYPE_A);
                long t0 = System.nanoTime();
                byte[] a = ask(s, q, Duration.ofSeconds(6));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertNotNull(a, "no answer although the second nameserver answers");
                assertArrayEquals(Dns.answerA(q, ANSWER_IP), a);
                System.out.printf("[%s] failover answer after %d ms%n", mode, ms);
            }
            assertTrue(silent.count() >= 1, "the first (silent) nameserver was never asked");
            assertTrue(good.count() >= 1, "the second nameserver was never asked");
            Cmd.Result r = dig(net, "again.example.test", 5);
            assertEquals(0, r.exit(), r::describe);
            assertTrue(r.out().contains(ANSWER_TEXT), r::describe);
        }
    }

    /** The first nameserver's port is closed (ICMP port unreachable on the host side): the next one answers. */
    @Test
    void failsOverWhenTheFirstNameserverRefuses() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            Udp.Server good = responder(net, "127.0.0.3", false);
            net.resolvConf("nameserver 127.0.0.4\nnameserver 127.0.0.3\n");
            net.startHelper("-c");
            try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
                byte[] q = Dns.query(0x2345, "refused.example.test", Dns.TYPE_A);
                byte[] a = ask(s, q, Duration.ofSeconds(6));
                assertNotNull(a, "no answer although the second nameserver answers");
                assertArrayEquals(Dns.answerA(q, ANSWER_IP), a);
            }
            assertTrue(good.count() >= 1);
        }
    }

    /**
     * Two guest sockets ask at the same time with the same query ID (different names). The responder holds both
     * queries until it has them, then answers in reverse order: each socket must get the answer to its own
     * question, whatever the forwarder does with IDs on the host side.
     */
    @Test
    void sameQueryIdFromTwoGuestSocketsIsNotMixedUp() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            java.util.List<Object[]> held = new java.util.ArrayList<>();
            net.closeLater(Udp.Server.start(net.hostNetns(), new InetSocketAddress("127.0.0.1", 53),
                (server, q, from) -> {
                    held.add(new Object[] {q, from});
                    if (held.size() == 2) {
                        for (int i = 1; i >= 0; i--) {
                            byte[] query = (byte[]) held.get(i)[0];
                            String name = Dns.questionName(query);
                            byte[] ip = Frames.ip(name.startsWith("a.") ? "198.51.100.10" : "198.51.100.11");
                            server.send(Dns.answerA(query, ip), (InetSocketAddress) held.get(i)[1]);
                        }
                        held.clear();
                    }
                }));
            net.resolvConf("nameserver 127.0.0.1\n");
            net.startHelper("-c");
            try (DatagramSocket a = Udp.socketIn(net.guestNetns()); DatagramSocket b = Udp.socketIn(net.guestNetns())) {
                for (int round = 0; round < 5; round++) {
                    byte[] qa = Dns.query(0x7777, "a.example.test", Dns.TYPE_A);
                    byte[] qb = Dns.query(0x7777, "b.example.test", Dns.TYPE_A);
                    a.send(new DatagramPacket(qa, qa.length, DNS));
                    b.send(new DatagramPacket(qb, qb.length, DNS));
                    DatagramPacket pa = Udp.receive(a, Duration.ofSeconds(5));
                    DatagramPacket pb = Udp.receive(b, Duration.ofSeconds(5));
                    assertNotNull(pa, "no answer for a.example.test in round " + round);
                    assertNotNull(pb, "no answer for b.example.test in round " + round);
                    assertArrayEquals(Dns.answerA(qa, Frames.ip("198.51.100.10")),
                        Arrays.copyOfRange(pa.getData(), 0, pa.getLength()), "socket A got: round " + round);
                    assertArrayEquals(Dns.answerA(qb, Frames.ip("198.51.100.11")),
                        Arrays.copyOfRange(pb.getData(), 0, pb.getLength()), "socket B got: round " + round);
                }
            }
        }
    }

    /** A changed resolv.conf is used for later queries (libslirp re-reads it too). */
    @Test
    void changedResolvConfIsPickedUp() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            net.closeLater(Dns.responder(net.hostNetns(), new InetSocketAddress("127.0.0.2", 53),
                Frames.ip("198.51.100.20"), false));
            net.closeLater(Dns.responder(net.hostNetns(), new InetSocketAddress("127.0.0.3", 53),
                Frames.ip("198.51.100.30"), false));
            net.resolvConf("nameserver 127.0.0.2\n");
            net.startHelper("-c");
            try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
                byte[] q1 = Dns.query(1, "before.example.test", Dns.TYPE_A);
                assertArrayEquals(Dns.answerA(q1, Frames.ip("198.51.100.20")), ask(s, q1, Duration.ofSeconds(5)));
                net.resolvConf("# changed by the test\nnameserver 127.0.0.3\n");
                TestNetwork.sleep(2500);
                byte[] q2 = Dns.query(2, "after.example.test", Dns.TYPE_A);
                byte[] a2 = ask(s, q2, Duration.ofSeconds(5));
                assertArrayEquals(Dns.answerA(q2, Frames.ip("198.51.100.30")), a2,
                    "the answer still came from the old nameserver");
            }
        }
    }

    /** An empty resolv.conf: no answer (or an ICMP error), and the helper survives to serve the next one. */
    @Test
    void noNameserversAtAll() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            net.resolvConf("# nothing here\n");
            Helper h = net.startHelper("-c");
            try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
                byte[] a;
                try {
                    a = ask(s, Dns.query(3, "nobody.example.test", Dns.TYPE_A), Duration.ofSeconds(2));
                } catch (IOException refused) {
                    a = null;
                }
                assertNull(a, "an answer without any nameserver");
            }
            Udp.Server dns = responder(net, "127.0.0.1", false);
            net.resolvConf("nameserver 127.0.0.1\n");
            TestNetwork.sleep(1500);
            Cmd.Result r = net.guest("dig", "@10.0.2.3", "+time=3", "+tries=2", "+short", "late.example.test");
            assertTrue(r.out().contains(ANSWER_TEXT), r::describe);
            assertTrue(dns.count() >= 1);
            h.assertNoStackTrace();
        }
    }

    /**
     * With {@code --disable-dns}, 10.0.2.3 is an ordinary outside address, as in slirp4netns (checked against
     * slirp4netns 1.2.0 / libslirp 4.7.0): guest TCP and UDP to it, port 53 included, reach the host's own 10.0.2.3
     * (here on the private host namespace's lo), not the nameserver of resolv.conf; the echo comes back byte for
     * byte from 10.0.2.3. Before, TCP drew an RST and UDP an ICMP port unreachable.
     */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void disableDnsMakesTheDnsAddressAnOrdinaryOutsideAddress(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            net.host("ip", "addr", "add", "10.0.2.3/32", "dev", "lo").check();
            Udp.Server resolver = responder(net, "127.0.0.1", false);
            net.resolvConf("nameserver 127.0.0.1\n");
            TcpPeers.Server tcp53 = net.closeLater(new TcpPeers.Server(net.hostNetns(),
                new InetSocketAddress("10.0.2.3", 53), TcpTest::echo));
            TcpPeers.Server tcpOther = net.closeLater(new TcpPeers.Server(net.hostNetns(),
                new InetSocketAddress("10.0.2.3", 0), TcpTest::echo));
            Udp.Server udp53 = net.closeLater(
                Udp.Server.echo(net.hostNetns(), new InetSocketAddress("10.0.2.3", 53)));
            Udp.Server udpOther = net.closeLater(
                Udp.Server.echo(net.hostNetns(), new InetSocketAddress("10.0.2.3", 0)));
            Helper h = net.startHelper("-c", "--disable-dns");

            Random rnd = new Random(3);
            for (int port : new int[] {53, tcpOther.port()}) {
                byte[] data = Udp.payload(rnd, 100_000);
                try (SocketChannel s = TcpPeers.connectFromGuest(net, new InetSocketAddress("10.0.2.3", port))) {
                    CompletableFuture<Void> writer = TcpPeers.inThread(() -> {
                        try {
                            TcpPeers.writeAll(s, data);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                    assertArrayEquals(data, TcpPeers.readExactly(s, data.length), "TCP echo from 10.0.2.3:" + port);
                    writer.get(30, TimeUnit.SECONDS);
                }
            }
            List<byte[]> payloads = List.of(Udp.payload(rnd, 1), Udp.payload(rnd, 1400), Udp.payload(rnd, 5000));
            try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
                for (int port : new int[] {53, udpOther.port()}) {
                    // compares content and that the echo's source is 10.0.2.3:port
                    Udp.echoLockstep(s, new InetSocketAddress("10.0.2.3", port), payloads, Duration.ofSeconds(3));
                }
            }
            assertEquals(1, tcp53.accepted.get(), "connections the host's 10.0.2.3:53 accepted");
            assertEquals(1, tcpOther.accepted.get(), "connections the host's other 10.0.2.3 port accepted");
            assertTrue(tcp53.errors.isEmpty() && tcpOther.errors.isEmpty(),
                () -> tcp53.errors + " " + tcpOther.errors);
            assertTrue(udp53.count() >= 3 && udpOther.count() >= 3, udp53.count() + " and " + udpOther.count());
            assertEquals(0, resolver.count(), "the resolv.conf nameserver was asked although DNS is disabled");
            // ARP and ping for 10.0.2.3 are still answered by the helper, as slirp4netns does
            Checks.ping(net, "10.0.2.3");
            h.assertHealthy();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void disableDnsTurnsTheForwarderOff(Mode mode) throws Exception {
        Requirements.forMode(mode, "dig");
        try (TestNetwork net = TestNetwork.create(mode)) {
            Udp.Server dns = responder(net, "127.0.0.1", false);
            net.resolvConf("nameserver 127.0.0.1\n");
            Helper h = net.startHelper("-c", "--disable-dns");
            Cmd.Result r = dig(net, "off.example.test", 2);
            assertFalse(r.ok() && r.out().contains(ANSWER_TEXT), () -> "dig got an answer:\n" + r.describe());
            try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
                byte[] a;
                try {
                    a = ask(s, Dns.query(7, "off.example.test", Dns.TYPE_A), Duration.ofSeconds(2));
                } catch (IOException refused) {
                    a = null; // ICMP unreachable is a fine way to say no
                }
                assertNull(a, "an answer came from 10.0.2.3 with --disable-dns");
            }
            assertEquals(0, dns.count(), "the host-side responder was asked although DNS is disabled");
            assertTrue(h.isAlive(), h::describe);
            Checks.ping(net, "10.0.2.2");
        }
    }
}
