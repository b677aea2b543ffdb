package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TCP NAT end to end: the guest kernel's TCP (a socket made in the guest namespace by this JVM) through the helper
 * to Java servers on the private host namespace's 127.0.0.1 (via 10.0.2.2) and in the "internet" namespace.
 * Integrity is checked with SHA-256 of everything sent and received.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TcpTest {
    /** What the issue asks to move each way, hashed. */
    static final long BULK = 256L << 20;
    /** For the one-direction-at-a-time rates, which only print. */
    static final long RATE_PROBE = 64L << 20;
    static final InetSocketAddress HOST_LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    static Stream<Arguments> modesAndMtus() {
        return Stream.of(Arguments.of(Mode.ROOT, 1500), Arguments.of(Mode.ROOT, 65520),
            Arguments.of(Mode.ROOTLESS, 1500), Arguments.of(Mode.ROOTLESS, 65520));
    }

    /**
     * {@link #modesAndMtus()} with the tap's offloads (the default: a vnet header, partial checksums, TCP
     * super-frames both ways), and root at both MTUs again with {@code --disable-offloads} (plain frames).
     */
    static Stream<Arguments> modesMtusAndOffloads() {
        return Stream.concat(modesAndMtus().map(a -> Arguments.of(a.get()[0], a.get()[1], true)),
            Stream.of(Arguments.of(Mode.ROOT, 1500, false), Arguments.of(Mode.ROOT, 65520, false)));
    }

    /** The helper's arguments for {@code offloads} on or off. */
    static String[] offloadArgs(boolean offloads) {
        return offloads ? new String[0] : new String[] {"--disable-offloads"};
    }

    /** 256 MiB each way at the same time over one connection; each side half-closes after sending. */
    @ParameterizedTest(name = "{0} mtu {1} offloads {2}")
    @MethodSource("modesMtusAndOffloads")
    void bulkBothWaysThroughGateway(Mode mode, int mtu, boolean offloads) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Helper h = net.startHelper(Checks.concat(new String[] {"-c", "-m", Integer.toString(mtu)},
                offloadArgs(offloads)));
            h.assertTapMode(offloads);
            bulkBothWays(net, h, BULK, "[" + mode + " mtu " + mtu + " offloads " + offloads + "]");
        }
    }

    /**
     * {@code bytes} each way at the same time over one connection from the guest to a server on the host's
     * loopback, through {@code h}; each side half-closes after sending; SHA-256 compared on both ends.
     */
    static void bulkBothWays(TestNetwork net, Helper h, long bytes, String label) throws Exception {
        AtomicReference<TcpPeers.Transfer> serverGot = new AtomicReference<>();
        AtomicReference<TcpPeers.Transfer> serverSent = new AtomicReference<>();
        TcpPeers.Server server = net.closeLater(new TcpPeers.Server(net.hostNetns(), HOST_LOOPBACK, c -> {
            try {
                CompletableFuture<TcpPeers.Transfer> rx = TcpPeers.inThread(() -> receive(c));
                serverSent.set(TcpPeers.send(c, bytes, 2));
                c.shutdownOutput();
                serverGot.set(rx.get(150, TimeUnit.SECONDS));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }));
        long cpuBefore = h.cpuTicks();
        TcpPeers.Transfer sent;
        TcpPeers.Transfer got;
        try (SocketChannel s = TcpPeers.connectFromGuest(net, new InetSocketAddress("10.0.2.2", server.port()))) {
            CompletableFuture<TcpPeers.Transfer> rx = TcpPeers.inThread(() -> receive(s));
            sent = TcpPeers.send(s, bytes, 1);
            s.shutdownOutput();
            got = rx.get(150, TimeUnit.SECONDS);
        }
        awaitTrue(() -> serverGot.get() != null || !server.errors.isEmpty(), 30_000);
        assertTrue(server.errors.isEmpty(), () -> "server: " + server.errors);
        assertEquals(bytes, serverGot.get().bytes(), "bytes guest -> host");
        assertEquals(sent.sha256(), serverGot.get().sha256(), "SHA-256 guest -> host");
        assertEquals(bytes, got.bytes(), "bytes host -> guest");
        assertEquals(serverSent.get().sha256(), got.sha256(), "SHA-256 host -> guest");
        System.out.printf("%s %d MiB each way at once: guest->host %.2f Gbit/s, host->guest %.2f "
                + "Gbit/s, helper CPU %d ticks%n", label, bytes >> 20, serverGot.get().gbitPerSecond(),
            got.gbitPerSecond(), h.cpuTicks() - cpuBefore);
        h.assertHealthy();
    }

    /** One direction at a time, to see each rate alone. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void bulkEachWayAlone(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            AtomicReference<TcpPeers.Transfer> serverSide = new AtomicReference<>();
            TcpPeers.Server sink = net.closeLater(new TcpPeers.Server(net.hostNetns(), HOST_LOOPBACK,
                c -> serverSide.set(receive(c))));
            TcpPeers.Server source = net.closeLater(new TcpPeers.Server(net.hostNetns(), HOST_LOOPBACK, c -> {
                try {
                    serverSide.set(TcpPeers.send(c, RATE_PROBE, 7));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }));
            Helper h = net.startHelper("-c");
            TcpPeers.Transfer up;
            try (SocketChannel s = TcpPeers.connectFromGuest(net, new InetSocketAddress("10.0.2.2", sink.port()))) {
                up = TcpPeers.send(s, RATE_PROBE, 5);
            }
            awaitTrue(() -> serverSide.get() != null, 30_000);
            assertEquals(up.sha256(), serverSide.get().sha256(), "SHA-256 guest -> host");
            double upRate = serverSide.get().gbitPerSecond();
            serverSide.set(null);
            TcpPeers.Transfer down;
            try (SocketChannel s = TcpPeers.connectFromGuest(net, new InetSocketAddress("10.0.2.2", source.port()))) {
                down = TcpPeers.receive(s);
            }
            awaitTrue(() -> serverSide.get() != null, 30_000);
            assertEquals(RATE_PROBE, down.bytes());
            assertEquals(serverSide.get().sha256(), down.sha256(), "SHA-256 host -> guest");
            System.out.printf("[%s mtu 1500] 64 MiB alone: guest->host %.2f Gbit/s, host->guest %.2f Gbit/s%n", mode,
                upRate, down.gbitPerSecond());
            assertTrue(sink.errors.isEmpty() && source.errors.isEmpty(), () -> sink.errors + " " + source.errors);
            assertTrue(h.isAlive(), h::describe);
        }
    }

    /** Half-close both ways: the side that shut its output still receives everything the other sends after. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void halfCloseBothWays(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            byte[] reply = bytes(1 << 20, 11);
            // more than the socket buffers between the helper and the server hold while the server is not reading
            byte[] late = bytes(32 << 20, 12);
            // (a) the guest shuts its output first; the server answers only after the EOF
            TcpPeers.Server afterEof = net.closeLater(new TcpPeers.Server(net.hostNetns(), HOST_LOOPBACK, c -> {
                try {
                    TcpPeers.Transfer request = TcpPeers.receive(c);
                    assertEquals(5, request.bytes());
                    TcpPeers.writeAll(c, reply);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }));
            // (b) the server shuts its output first; the guest sends after reading the EOF
            AtomicReference<byte[]> lateGot = new AtomicReference<>();
            TcpPeers.Server firstFin = net.closeLater(new TcpPeers.Server(net.hostNetns(), HOST_LOOPBACK, c -> {
                try {
                    TcpPeers.writeAll(c, "hello".getBytes());
                    c.shutdownOutput();
                    // the helper must wait for the socket to drain, with the host's side of it already shut
                    TestNetwork.sleep(1000);
                    lateGot.set(readAll(c));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }));
            net.startHelper("-c");
            try (SocketChannel s = TcpPeers.connectFromGuest(net, new InetSocketAddress("10.0.2.2", afterEof.port()))) {
                TcpPeers.writeAll(s, "hello".getBytes());
                s.shutdownOutput();
                assertArrayEquals(reply, readAll(s), "reply after the guest's FIN");
            }
            try (SocketChannel s = TcpPeers.connectFromGuest(net, new InetSocketAddress("10.0.2.2", firstFin.port()))) {
                assertArrayEquals("hello".getBytes(), readAll(s), "data before the host's FIN, then EOF");
                TcpPeers.writeAll(s, late);
                s.shutdownOutput();
            }
            awaitTrue(() -> lateGot.get() != null || !firstFin.errors.isEmpty(), 30_000);
            assertTrue(afterEof.errors.isEmpty() && firstFin.errors.isEmpty(), () -> afterEof.errors + " "
                + firstFin.errors);
            assertArrayEquals(late, lateGot.get(), "data the guest sent after the host's FIN");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void closedPortIsConnectionRefused(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            int port = freePort(net.hostNetns());
            net.startHelper("-c");
            long start = System.nanoTime();
            ConnectException e = assertThrows(ConnectException.class,
                () -> TcpPeers.connectFromGuest(net, new InetSocketAddress("10.0.2.2", port)).close());
            assertTrue(e.getMessage().contains("Connection refused"), e::toString);
            // the answer is an RST at once; only a lost one (guest SYN retries) would take this long
            assertTrue(System.nanoTime() - start < 10_000_000_000L, "refusal took more than 10 s");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void disabledHostLoopbackIsNetworkUnreachable(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            TcpPeers.Server server = net.closeLater(new TcpPeers.Server(net.hostNetns(), HOST_LOOPBACK, c -> { }));
            net.startHelper("-c", "--disable-host-loopback");
            long start = System.nanoTime();
            SocketException e = assertThrows(SocketException.class,
                () -> TcpPeers.connectFromGuest(net, new InetSocketAddress("10.0.2.2", server.port())).close());
            assertTrue(String.valueOf(e.getMessage()).contains("Network is unreachable"), e::toString);
            assertTrue(System.nanoTime() - start < 10_000_000_000L, "took more than 10 s");
            assertEquals(0, server.accepted.get(), "the host loopback server was reached");
        }
    }

    /** An address in the "internet" namespace is itself; also unreachable hosts there answer ICMP. */
    @Test
    void internetNamespace() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT, true)) {
            AtomicReference<TcpPeers.Transfer> got = new AtomicReference<>();
            TcpPeers.Server server = net.closeLater(new TcpPeers.Server(net.internetNetns(),
                new InetSocketAddress(TestNetwork.INTERNET_ADDRESS, 0), c -> {
                    try {
                        got.set(TcpPeers.receive(c));
                        TcpPeers.writeAll(c, bytes(4 << 20, 3));
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }));
            net.startHelper("-c");
            try (SocketChannel s = TcpPeers.connectFromGuest(net,
                new InetSocketAddress(TestNetwork.INTERNET_ADDRESS, server.port()))) {
                TcpPeers.Transfer up = TcpPeers.send(s, 16 << 20, 9);
                s.shutdownOutput();
                assertArrayEquals(bytes(4 << 20, 3), readAll(s));
                awaitTrue(() -> got.get() != null, 10_000);
                assertEquals(up.sha256(), got.get().sha256());
            }
            // the server saw the helper's address on the veth, not anything of the guest
            assertTrue(server.errors.isEmpty(), () -> "server: " + server.errors);
            // a closed port there is refused too
            ConnectException e = assertThrows(ConnectException.class, () -> TcpPeers.connectFromGuest(net,
                new InetSocketAddress(TestNetwork.INTERNET_ADDRESS, 1)).close());
            assertTrue(e.getMessage().contains("Connection refused"), e::toString);
        }
    }

    /**
     * A host connect that fails for want of a route answers the guest with the matching ICMP, so the guest's
     * connect fails the same way at once instead of after its SYN retries: no route at all is "network
     * unreachable", a neighbour that never answers ARP on the private host's veth is "no route to host".
     */
    @Test
    void unroutableAndAbsentHostsAnswerTheMatchingIcmp() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT, true)) {
            net.startHelper("-c");
            long start = System.nanoTime();
            SocketException noRoute = assertThrows(SocketException.class,
                () -> TcpPeers.connectFromGuest(net, new InetSocketAddress("203.0.113.5", 80)).close());
            assertTrue(String.valueOf(noRoute.getMessage()).contains("Network is unreachable"), noRoute::toString);
            long unroutableMillis = (System.nanoTime() - start) / 1_000_000;
            start = System.nanoTime();
            // on the veth's subnet, but nobody has the address: the host kernel gives up on ARP after ~3 s
            SocketException absent = assertThrows(SocketException.class,
                () -> TcpPeers.connectFromGuest(net, new InetSocketAddress("198.51.100.77", 80)).close());
            assertTrue(String.valueOf(absent.getMessage()).contains("No route to host"), absent::toString);
            long absentMillis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("[ROOT] unroutable: failed after %d ms; absent neighbour: after %d ms%n",
                unroutableMillis, absentMillis);
            // the guest's own SYN retries would take a minute and more; the ICMP answers are what ended them
            assertTrue(unroutableMillis < 10_000 && absentMillis < 30_000, unroutableMillis + " and " + absentMillis);
        }
    }

    /** DNS over TCP to 10.0.2.3:53 reaches the host's nameserver (the test's server on 127.0.0.1:53). */
    @Test
    void dnsAddressPort53ReachesNameserver() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            TcpPeers.Server server = net.closeLater(new TcpPeers.Server(net.hostNetns(),
                new InetSocketAddress("127.0.0.1", 53), TcpTest::echo));
            net.startHelper("-c");
            try (SocketChannel s = TcpPeers.connectFromGuest(net, new InetSocketAddress("10.0.2.3", 53))) {
                TcpPeers.writeAll(s, "query".getBytes());
                assertArrayEquals("query".getBytes(), TcpPeers.readExactly(s, 5));
            }
            ConnectException e = assertThrows(ConnectException.class, () -> TcpPeers.connectFromGuest(net,
                new InetSocketAddress("10.0.2.3", 80)).close());
            assertTrue(e.getMessage().contains("Connection refused"), e::toString);
            assertTrue(server.errors.isEmpty(), () -> "server: " + server.errors);
        }
    }

    /** A host peer that resets mid-stream: the guest's socket sees the reset, in both directions of flow. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void hostPeerResetsMidStream(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            TcpPeers.Server resetter = net.closeLater(new TcpPeers.Server(net.hostNetns(), HOST_LOOPBACK, c -> {
                try {
                    TcpPeers.readExactly(c, 1 << 20);
                    TcpPeers.writeAll(c, bytes(1 << 20, 1));
                    c.setOption(StandardSocketOptions.SO_LINGER, 0);
                    c.close();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }));
            Helper h = net.startHelper("-c");
            try (SocketChannel s = TcpPeers.connectFromGuest(net, new InetSocketAddress("10.0.2.2", resetter.port()))) {
                IOException e = assertThrows(IOException.class, () -> {
                    TcpPeers.writeAll(s, bytes(1 << 20, 2));
                    // keep sending and reading until the reset arrives
                    ByteBuffer in = ByteBuffer.allocate(1 << 16);
                    long deadline = System.nanoTime() + 20_000_000_000L;
                    while (System.nanoTime() < deadline) {
                        s.write(ByteBuffer.wrap(new byte[4096]));
                        in.clear();
                        s.configureBlocking(false);
                        int n = s.read(in);
                        s.configureBlocking(true);
                        if (n < 0) {
                            fail("EOF instead of a reset");
                        }
                        Thread.sleep(5);
                    }
                });
                assertTrue(String.valueOf(e.getMessage()).matches("(?s).*(reset|Broken pipe).*"), e::toString);
            }
            assertTrue(h.isAlive(), h::describe);
        }
    }

    /**
     * A host peer that stops reading: the guest's writes stall (its window closes after about one receive buffer
     * of the helper's, plus the sockets' own buffers) instead of the helper buffering without bound; once the peer
     * reads again everything arrives intact.
     */
    @Test
    void hostPeerThatStopsReadingStallsTheGuest() throws Exception {
        long total = 48L << 20;
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            AtomicReference<TcpPeers.Transfer> got = new AtomicReference<>();
            TcpPeers.Server server = net.closeLater(new TcpPeers.Server(net.hostNetns(), HOST_LOOPBACK, c -> {
                try {
                    go.await();
                    got.set(TcpPeers.receive(c));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
            Helper h = net.startHelper("-c");
            try (SocketChannel s = TcpPeers.connectFromGuest(net, new InetSocketAddress("10.0.2.2", server.port()))) {
                java.util.concurrent.atomic.AtomicLong progress = new java.util.concurrent.atomic.AtomicLong();
                CompletableFuture<TcpPeers.Transfer> tx = TcpPeers.inThread(() -> {
                    try {
                        java.security.MessageDigest md = TcpPeers.sha256();
                        Random rnd = new Random(77);
                        byte[] chunk = new byte[64 << 10];
                        long done = 0;
                        while (done < total) {
                            rnd.nextBytes(chunk);
                            md.update(chunk);
                            TcpPeers.writeAll(s, chunk);
                            done += chunk.length;
                            progress.set(done);
                        }
                        s.shutdownOutput();
                        return new TcpPeers.Transfer(done, java.util.HexFormat.of().formatHex(md.digest()), 0);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                long stalledAt = awaitNoProgress(progress, 2000, 60_000);
                assertTrue(stalledAt < total, "the guest wrote everything although the peer does not read");
                System.out.printf("[ROOT] host peer not reading: the guest stalled after %.1f MiB%n",
                    stalledAt / 1048576.0);
                go.countDown();
                TcpPeers.Transfer sent = tx.get(120, TimeUnit.SECONDS);
                awaitTrue(() -> got.get() != null || !server.errors.isEmpty(), 30_000);
                assertTrue(server.errors.isEmpty(), () -> "server: " + server.errors);
                assertEquals(total, got.get().bytes());
                assertEquals(sent.sha256(), got.get().sha256());
            }
            assertTrue(h.isAlive(), h::describe);
        }
    }

    /**
     * Waits until {@code progress} has not moved for {@code quietMillis} and returns it; fails if it keeps moving for
     * {@code limitMillis}. How long filling the buffers takes depends on the machine's load, so no fixed sleep.
     */
    static long awaitNoProgress(java.util.concurrent.atomic.AtomicLong progress, long quietMillis, long limitMillis) {
        long deadline = System.nanoTime() + limitMillis * 1_000_000;
        long seen = progress.get();
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < quietMillis * 1_000_000) {
            assertTrue(System.nanoTime() < deadline, "still moving after " + limitMillis + " ms: " + progress.get());
            TestNetwork.sleep(250);
            long now = progress.get();
            if (now != seen) {
                seen = now;
                quietSince = System.nanoTime();
            }
        }
        return seen;
    }

    /** 200 connections at once, each echoing 64 KiB; afterwards the helper holds no extra fds. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void concurrentConnections(Mode mode) throws Exception {
        int count = 200;
        try (TestNetwork net = TestNetwork.create(mode)) {
            TcpPeers.Server server = net.closeLater(new TcpPeers.Server(net.hostNetns(), HOST_LOOPBACK,
                TcpTest::echo));
            Helper h = net.startHelper("-c");
            InetSocketAddress to = new InetSocketAddress("10.0.2.2", server.port());
            // one connection first, so that the baseline includes whatever the first use opens for good
            try (SocketChannel s = TcpPeers.connectFromGuest(net, to)) {
                TcpPeers.writeAll(s, new byte[] {1});
                TcpPeers.readExactly(s, 1);
            }
            TestNetwork.sleep(300);
            int fdsBefore = fdCount(h.pid());
            List<SocketChannel> sockets = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sockets.add(TcpPeers.socketIn(net.guestNetns()));
            }
            // each connection's task blocks on its reader, which must never queue behind those tasks
            ExecutorService pool = Executors.newFixedThreadPool(2 * count);
            try {
                List<Future<?>> results = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    SocketChannel s = sockets.get(i);
                    byte[] data = bytes(64 << 10, 100 + i);
                    results.add(pool.submit(() -> {
                        try (s) {
                            s.connect(to);
                            CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
                                try {
                                    return TcpPeers.readExactly(s, data.length);
                                } catch (IOException e) {
                                    throw new RuntimeException(e);
                                }
                            }, pool);
                            TcpPeers.writeAll(s, data);
                            assertArrayEquals(data, back.get(60, TimeUnit.SECONDS));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : results) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertTrue(server.accepted.get() >= count + 1);
            assertTrue(server.errors.isEmpty(), () -> "server: " + server.errors);
            // every host socket goes away (TIME_WAIT holds none)
            long deadline = System.currentTimeMillis() + 10_000;
            int fds = fdCount(h.pid());
            while (fds > fdsBefore && System.currentTimeMillis() < deadline) {
                TestNetwork.sleep(100);
                fds = fdCount(h.pid());
            }
            System.out.printf("[%s] %d concurrent connections echoed; helper fds %d before, %d after%n", mode, count,
                fdsBefore, fds);
            assertTrue(fds <= fdsBefore, "helper fds: " + fdsBefore + " before, " + fds + " after");
            h.assertHealthy();
        }
    }

    // ---- helpers

    static void echo(SocketChannel c) {
        ByteBuffer buf = ByteBuffer.allocate(64 << 10);
        try {
            while (c.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    c.write(buf);
                }
                buf.clear();
            }
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static TcpPeers.Transfer receive(SocketChannel c) {
        try {
            return TcpPeers.receive(c);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static byte[] readAll(SocketChannel c) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(64 << 10);
        while (c.read(buf) >= 0) {
            out.write(buf.array(), 0, buf.position());
            buf.clear();
        }
        return out.toByteArray();
    }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A port on 127.0.0.1 of {@code netns} that nothing listens on (bound once, then released). */
    static int freePort(Path netns) {
        return TestNetwork.in(netns, () -> {
            try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
                return s.getLocalPort();
            }
        });
    }

    static int fdCount(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) fds.count();
        }
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, long millis) {
        long deadline = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                fail("condition not met within " + millis + " ms");
            }
            TestNetwork.sleep(20);
        }
    }

    static void assertPresent(Object o, String what) {
        assertNotNull(o, what);
    }
}
