package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TCP under stress (issue 3, item 3-4): a faulty guest link, many connections at once, connection churn without
 * leaks, and the exit fd closing in the middle of a transfer. The guest side is the guest kernel's TCP (sockets
 * this JVM creates in the guest namespace); servers listen on 127.0.0.1 of the private host namespace (10.0.2.2).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpStressTest {
    static final long FAULTY_BULK = 256L << 20;
    static final InetSocketAddress HOST_LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    /**
     * 256 MiB each way at once through tap0 with loss, reordering and duplication of what the guest sends (see
     * {@link LinkFaults}); SHA-256 compared on both ends.
     */
    @ParameterizedTest(name = "{0} mtu {1} offloads {2}")
    @MethodSource("io.slirp4j.e2e.TcpTest#modesMtusAndOffloads")
    void bulkBothWaysUnderLossReorderDuplicate(Mode mode, int mtu, boolean offloads) throws Exception {
        Requirements.forMode(mode, "tc");
        try (TestNetwork net = TestNetwork.create(mode)) {
            AtomicReference<TcpPeers.Transfer> serverGot = new AtomicReference<>();
            AtomicReference<TcpPeers.Transfer> serverSent = new AtomicReference<>();
            TcpPeers.Server server = net.closeLater(new TcpPeers.Server(net.hostNetns(), HOST_LOOPBACK, c -> {
                try {
                    CompletableFuture<TcpPeers.Transfer> rx = TcpPeers.inThread(() -> TcpTest.receive(c));
                    serverSent.set(TcpPeers.send(c, FAULTY_BULK, 22));
                    c.shutdownOutput();
                    serverGot.set(rx.get(90, TimeUnit.SECONDS));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
            Helper h = net.startHelper(Checks.concat(new String[] {"-c", "--mtu=" + mtu},
                TcpTest.offloadArgs(offloads)));
            h.assertTapMode(offloads);
            LinkFaults.Installed faults = LinkFaults.install(net);
            long start = System.nanoTime();
            TcpPeers.Transfer sent;
            TcpPeers.Transfer got;
            try (SocketChannel s = TcpPeers.connectFromGuest(net, new InetSocketAddress("10.0.2.2", server.port()))) {
                CompletableFuture<TcpPeers.Transfer> rx = TcpPeers.inThread(() -> TcpTest.receive(s));
                sent = TcpPeers.send(s, FAULTY_BULK, 21);
                s.shutdownOutput();
                got = rx.get(90, TimeUnit.SECONDS);
            }
            TcpTest.awaitTrue(() -> serverGot.get() != null || !server.errors.isEmpty(), 60_000);
            long millis = (System.nanoTime() - start) / 1_000_000;
            String stats = LinkFaults.stats(net, faults);
            assertTrue(server.errors.isEmpty(), () -> "server: " + server.errors);
            assertEquals(FAULTY_BULK, serverGot.get().bytes(), "bytes guest -> host");
            assertEquals(sent.sha256(), serverGot.get().sha256(), "SHA-256 guest -> host");
            assertEquals(FAULTY_BULK, got.bytes(), "bytes host -> guest");
            assertEquals(serverSent.get().sha256(), got.sha256(), "SHA-256 host -> guest");
            System.out.printf("[%s mtu %d] 256 MiB each way at once under faults in %d ms (guest->host %.3f Gbit/s, "
                    + "host->guest %.3f Gbit/s)%n  faults: %s%n  counters:%n%s%n", mode, mtu, millis,
                serverGot.get().gbitPerSecond(), got.gbitPerSecond(), faults.kind(), stats.indent(4));
            assertTrue(faultsHappened(stats), () -> "no fault was injected at all?\n" + stats);
            h.assertHealthy();
        }
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> ipv6ModesAndMtus() {
        return java.util.stream.Stream.of(org.junit.jupiter.params.provider.Arguments.of(Mode.ROOT, 1500),
            org.junit.jupiter.params.provider.Arguments.of(Mode.ROOTLESS, 65520));
    }

    /**
     * The same over IPv6 (to [fd00::2], the private host's [::1]), 64 MiB each way: the guest's neighbour and router
     * discovery go through the faulty link too.
     */
    @ParameterizedTest(name = "{0} mtu {1}")
    @MethodSource("ipv6ModesAndMtus")
    void ipv6BulkBothWaysUnderLossReorderDuplicate(Mode mode, int mtu) throws Exception {
        Requirements.forMode(mode, "tc");
        long bulk = 64L << 20;
        try (TestNetwork net = TestNetwork.create(mode)) {
            AtomicReference<TcpPeers.Transfer> serverGot = new AtomicReference<>();
            AtomicReference<TcpPeers.Transfer> serverSent = new AtomicReference<>();
            TcpPeers.Server server = net.closeLater(new TcpPeers.Server(net.hostNetns(),
                new InetSocketAddress("::1", 0), c -> {
                    try {
                        CompletableFuture<TcpPeers.Transfer> rx = TcpPeers.inThread(() -> TcpTest.receive(c));
                        serverSent.set(TcpPeers.send(c, bulk, 32));
                        c.shutdownOutput();
                        serverGot.set(rx.get(90, TimeUnit.SECONDS));
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            Helper h = net.startHelper("-c", "--enable-ipv6", "--mtu=" + mtu);
            Ipv6Test.awaitSlaacAddress(net, "fd00::");
            LinkFaults.Installed faults = LinkFaults.install(net);
            TcpPeers.Transfer sent;
            TcpPeers.Transfer got;
            try (SocketChannel s = TcpPeers.connectFromGuest(net, new InetSocketAddress("fd00::2", server.port()))) {
                CompletableFuture<TcpPeers.Transfer> rx = TcpPeers.inThread(() -> TcpTest.receive(s));
                sent = TcpPeers.send(s, bulk, 31);
                s.shutdownOutput();
                got = rx.get(90, TimeUnit.SECONDS);
            }
            TcpTest.awaitTrue(() -> serverGot.get() != null || !server.errors.isEmpty(), 60_000);
            String stats = LinkFaults.stats(net, faults);
            assertTrue(server.errors.isEmpty(), () -> "server: " + server.errors);
            assertEquals(bulk, serverGot.get().bytes(), "bytes guest -> host");
            assertEquals(sent.sha256(), serverGot.get().sha256(), "SHA-256 guest -> host");
            assertEquals(bulk, got.bytes(), "bytes host -> guest");
            assertEquals(serverSent.get().sha256(), got.sha256(), "SHA-256 host -> guest");
            assertTrue(faultsHappened(stats), () -> "no fault was injected at all?\n" + stats);
            System.out.printf("[%s mtu %d] IPv6 64 MiB each way under faults: guest->host %.3f Gbit/s, host->guest "
                + "%.3f Gbit/s%n", mode, mtu, serverGot.get().gbitPerSecond(), got.gbitPerSecond());
            h.assertHealthy();
        }
    }

    /** 1,000 guest connections open at the same time, each echoing 4 KiB, all verified. */
    @Test
    void thousandConcurrentConnections() throws Exception {
        int count = 1000;
        int size = 4096;
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            TcpPeers.Server server = net.closeLater(new TcpPeers.Server(net.hostNetns(), HOST_LOOPBACK,
                TcpTest::echo));
            Helper h = net.startHelper("-c");
            InetSocketAddress to = new InetSocketAddress("10.0.2.2", server.port());
            long start = System.nanoTime();
            List<SocketChannel> sockets = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sockets.add(TcpPeers.socketIn(net.guestNetns()));
            }
            ExecutorService pool = Executors.newFixedThreadPool(100);
            try {
                // all connect (100 at a time in flight), all stay open
                runAll(pool, count, i -> sockets.get(i).connect(to));
                TcpTest.awaitTrue(() -> server.accepted.get() >= count, 30_000);
                long connected = (System.nanoTime() - start) / 1_000_000;
                // every connection sends, then every one reads its echo back
                runAll(pool, count, i -> TcpPeers.writeAll(sockets.get(i), TcpTest.bytes(size, 1000 + i)));
                runAll(pool, count, i -> assertArrayEquals(TcpTest.bytes(size, 1000 + i),
                    TcpPeers.readExactly(sockets.get(i), size), "echo of connection " + i));
                System.out.printf("[ROOT] %d connections open at once (all connected after %d ms), %d bytes echoed "
                    + "on each, in %d ms%n", count, connected, size, (System.nanoTime() - start) / 1_000_000);
            } finally {
                pool.shutdownNow();
                for (SocketChannel s : sockets) {
                    s.close();
                }
            }
            assertTrue(server.errors.isEmpty(), () -> "server: " + server.errors);
            h.assertHealthy();
        }
    }

    /**
     * 10,000 short connections in batches of 100, ended each of the four ways (the guest's FIN first, the host
     * peer's FIN first, a reset by the peer, a reset by the guest), and 1,000 connects to a closed port; afterwards
     * the helper holds no more fds than before (a few allowed) and none of its sockets is stuck in CLOSE-WAIT or
     * FIN-WAIT-2.
     */
    @Test
    void churnLeavesNoFdsOrStuckSockets() throws Exception {
        int total = 10_000;
        int batch = 100;
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            TcpPeers.Server server = endingServer(net);
            Helper h = net.startHelper("-c");
            long jvm = h.pid();
            InetSocketAddress to = new InetSocketAddress("10.0.2.2", server.port());
            InetSocketAddress closed = new InetSocketAddress("10.0.2.2", TcpTest.freePort(net.hostNetns()));
            oneExchange(net, to, 0, Ending.GUEST_FIN_FIRST);
            TestNetwork.sleep(300);
            int fdsBefore = TcpTest.fdCount(jvm);
            long start = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(batch);
            try {
                for (int done = 0; done < total; done += batch) {
                    int base = done;
                    runAll(pool, batch, i -> {
                        int n = base + i;
                        oneExchange(net, to, n, Ending.values()[n % Ending.values().length]);
                        if (n % 10 == 0) {
                            assertThrows(java.net.ConnectException.class,
                                () -> TcpPeers.connectFromGuest(net, closed).close());
                        }
                    });
                }
            } finally {
                pool.shutdownNow();
            }
            long churnMillis = (System.nanoTime() - start) / 1_000_000;
            TcpTest.awaitTrue(() -> server.accepted.get() >= total + 1, 10_000);
            assertTrue(server.errors.isEmpty(), () -> "server: " + server.errors.size() + " errors, first "
                + server.errors.get(0));
            // let the last closes finish, then look
            long deadline = System.currentTimeMillis() + 10_000;
            int fds = TcpTest.fdCount(jvm);
            Map<String, Integer> helperStates = socketStates(net, jvm, true);
            while ((fds > fdsBefore + 5 || stuck(helperStates) > 0) && System.currentTimeMillis() < deadline) {
                TestNetwork.sleep(200);
                fds = TcpTest.fdCount(jvm);
                helperStates = socketStates(net, jvm, true);
            }
            Map<String, Integer> allStates = socketStates(net, jvm, false);
            String split = timeWaitSplit(net, server.port());
            System.out.printf("[ROOT] %d connections in batches of %d in %d ms; helper fds %d before, %d after; "
                    + "helper's sockets in the host namespace by state %s; all TCP sockets there by state %s (%s)%n",
                total, batch, churnMillis, fdsBefore, fds, helperStates, allStates, split);
            int fdsAfter = fds;
            assertTrue(fdsAfter <= fdsBefore + 5, () -> "helper fds: " + fdsBefore + " before, " + fdsAfter
                + " after\n" + fdList(jvm));
            Map<String, Integer> finalStates = helperStates;
            assertEquals(0, stuck(finalStates), () -> "helper sockets stuck: " + finalStates);
            h.assertHealthy();
        }
    }

    /** Closing the exit fd while data flows both ways: the helper exits 0 promptly, without a stack trace. */
    @Test
    void exitFdClosedMidTransfer() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            AtomicLong serverIn = new AtomicLong();
            TcpPeers.Server server = net.closeLater(new TcpPeers.Server(net.hostNetns(), HOST_LOOPBACK, c -> {
                TcpPeers.inThread(() -> pump(c, serverIn));
                try {
                    TcpPeers.send(c, 1L << 40, 3);
                } catch (IOException expected) {
                    // the helper went away
                }
            }));
            Helper h = net.startHelper("-c");
            AtomicLong guestIn = new AtomicLong();
            SocketChannel s = TcpPeers.connectFromGuest(net, new InetSocketAddress("10.0.2.2", server.port()));
            try {
                TcpPeers.inThread(() -> pump(s, guestIn));
                TcpPeers.inThread(() -> {
                    try {
                        TcpPeers.send(s, 1L << 40, 4);
                    } catch (IOException expected) {
                        // closed below
                    }
                });
                TcpTest.awaitTrue(() -> serverIn.get() > (8 << 20) && guestIn.get() > (8 << 20), 30_000);
                long closedAt = h.closeExitFd();
                int status = h.awaitExit(Duration.ofSeconds(5));
                long exitMillis = (System.nanoTime() - closedAt) / 1_000_000;
                System.out.printf("[ROOT] exit fd closed after %.0f MiB up / %.0f MiB down: exit %d in %d ms%n",
                    serverIn.get() / 1048576.0, guestIn.get() / 1048576.0, status, exitMillis);
                assertEquals(0, status, h::describe);
                assertTrue(exitMillis < 2000, "exit took " + exitMillis + " ms");
                h.assertNoStackTrace();
            } finally {
                s.close();
            }
        }
    }

    /**
     * Downloads into guests that do not read: with the helper's direct memory cut to 48 MiB (a 24 MiB TCP buffer
     * budget), 24 stalled 8 MiB downloads would want 4 MiB of send buffer each. The budget runs short and says so on
     * stderr, a new connection still gets through, and once the guests read, every byte of every download arrives.
     */
    @Test
    void stalledDownloadsRunTheBudgetShortWithoutLosingAnything() throws Exception {
        int count = 24;
        long size = 8L << 20;
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            Map<Integer, TcpPeers.Transfer> served = new java.util.concurrent.ConcurrentHashMap<>();
            TcpPeers.Server downloads = net.closeLater(new TcpPeers.Server(net.hostNetns(), HOST_LOOPBACK, c -> {
                try {
                    int index = ByteBuffer.wrap(TcpPeers.readExactly(c, 4)).getInt();
                    served.put(index, TcpPeers.send(c, size, 500 + index));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
            TcpPeers.Server echo = net.closeLater(new TcpPeers.Server(net.hostNetns(), HOST_LOOPBACK,
                TcpTest::echo));
            Helper h = net.helper("-c").via("env", "SLIRP4J_JAVA_OPTS=-XX:MaxDirectMemorySize=48m").start()
                .awaitReady(Helper.READY_TIMEOUT);
            net.assertContained(h);
            List<SocketChannel> guests = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(count);
            try {
                for (int i = 0; i < count; i++) {
                    SocketChannel s = TcpPeers.socketIn(net.guestNetns());
                    guests.add(s);
                    // a small guest receive buffer, so that the waiting bytes pile up in the helper
                    s.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 64 << 10);
                    s.connect(new InetSocketAddress("10.0.2.2", downloads.port()));
                    TcpPeers.writeAll(s, ByteBuffer.allocate(4).putInt(i).array());
                }
                String line = "TCP buffer budget (24 MiB) running short";
                TcpTest.awaitTrue(() -> h.stderr().contains(line), 30_000);
                oneExchange(net, new InetSocketAddress("10.0.2.2", echo.port()), 7, Ending.GUEST_FIN_FIRST);
                List<Future<TcpPeers.Transfer>> received = new ArrayList<>();
                for (SocketChannel s : guests) {
                    received.add(pool.submit(() -> TcpPeers.receive(s)));
                }
                for (int i = 0; i < count; i++) {
                    TcpPeers.Transfer got = received.get(i).get(60, TimeUnit.SECONDS);
                    assertEquals(size, got.bytes(), "bytes of download " + i);
                    assertEquals(served.get(i).sha256(), got.sha256(), "SHA-256 of download " + i);
                }
                System.out.printf("[ROOT] %d stalled downloads of %d MiB through a 24 MiB budget: all arrived intact"
                    + "%n  helper said: %s%n", count, size >> 20, h.stderr().strip());
            } finally {
                pool.shutdownNow();
                for (SocketChannel s : guests) {
                    s.close();
                }
            }
            assertTrue(downloads.errors.isEmpty(), () -> "server: " + downloads.errors);
            h.assertHealthy();
            assertTrue(!h.stderr().contains("OutOfDirectMemory"), h::describe);
        }
    }

    // ---- helpers

    interface IndexedTask {
        void run(int i) throws Exception;
    }

    static void runAll(ExecutorService pool, int n, IndexedTask task) throws Exception {
        List<Future<?>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i;
            results.add(pool.submit(() -> {
                task.run(k);
                return null;
            }));
        }
        for (Future<?> f : results) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * The host peer of {@link #oneExchange}: reads a request of 256 bytes, the first saying how the connection ends
     * (an {@link Ending}), echoes it and ends the connection its way.
     */
    static TcpPeers.Server endingServer(TestNetwork net) {
        return net.closeLater(new TcpPeers.Server(net.hostNetns(), HOST_LOOPBACK, c -> {
            try {
                byte[] req = TcpPeers.readExactly(c, 256);
                TcpPeers.writeAll(c, req);
                Ending ending = Ending.values()[req[0]];
                if (ending == Ending.PEER_RESETS) {
                    TcpPeers.readExactly(c, 1); // the guest has the echo: a reset now discards nothing
                    c.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
                } else if (ending != Ending.PEER_FIN_FIRST) {
                    // the guest ends it: wait for its FIN, or its reset
                    drain(c);
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }));
    }

    /** How a connection of the churn ends. */
    enum Ending { GUEST_FIN_FIRST, PEER_FIN_FIRST, PEER_RESETS, GUEST_RESETS }

    /** One short connection: 256 bytes there and back, then it ends as {@code ending} says. */
    static void oneExchange(TestNetwork net, InetSocketAddress to, int i, Ending ending) throws IOException {
        try (SocketChannel s = TcpPeers.connectFromGuest(net, to)) {
            byte[] req = TcpTest.bytes(256, i);
            req[0] = (byte) ending.ordinal();
            TcpPeers.writeAll(s, req);
            byte[] back = TcpPeers.readExactly(s, 256);
            if (!java.util.Arrays.equals(req, back)) {
                throw new AssertionError("echo of connection " + i + " differs");
            }
            switch (ending) {
                case PEER_FIN_FIRST -> {
                    if (s.read(ByteBuffer.allocate(16)) >= 0) {
                        throw new AssertionError("connection " + i + ": data instead of the server's FIN");
                    }
                }
                case PEER_RESETS -> {
                    TcpPeers.writeAll(s, new byte[1]);
                    try {
                        s.read(ByteBuffer.allocate(16));
                        throw new AssertionError("connection " + i + ": no reset from the server");
                    } catch (java.net.SocketException expected) {
                        // the peer's reset, passed on by the helper
                    }
                }
                case GUEST_RESETS -> s.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
                default -> { }
            }
        }
    }

    /** Reads until EOF or a reset. */
    static void drain(SocketChannel c) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16);
        try {
            while (c.read(b) >= 0) {
                b.clear();
            }
        } catch (java.net.SocketException reset) {
            // the guest's reset, passed on by the helper
        }
    }

    static void pump(SocketChannel c, AtomicLong count) {
        ByteBuffer buf = ByteBuffer.allocate(256 << 10);
        try {
            int n;
            while ((n = c.read(buf)) >= 0) {
                count.addAndGet(n);
                buf.clear();
            }
        } catch (IOException expected) {
            // closed
        }
    }

    /** TCP sockets in the private host namespace by state, those of process {@code pid} only or all. */
    static Map<String, Integer> socketStates(TestNetwork net, long pid, boolean onlyPid) {
        Cmd.Result r = net.host("ss", "-tanp").check();
        Map<String, Integer> states = new TreeMap<>();
        for (String line : r.out().split("\n")) {
            if (line.startsWith("State") || line.isBlank()) {
                continue;
            }
            if (onlyPid && !line.contains("pid=" + pid + ",")) {
                continue;
            }
            states.merge(line.trim().split("\\s+")[0], 1, Integer::sum);
        }
        return states;
    }

    /** How many TIME-WAIT sockets are the server's (local port = its port) and how many the helper's. */
    static String timeWaitSplit(TestNetwork net, int serverPort) {
        Cmd.Result r = net.host("ss", "-tan", "state", "time-wait").check();
        int serverSide = 0;
        int helperSide = 0;
        for (String line : r.out().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4 || f[0].startsWith("Recv")) {
                continue;
            }
            if (f[2].endsWith(":" + serverPort)) {
                serverSide++;
            } else {
                helperSide++;
            }
        }
        return "TIME-WAIT: " + serverSide + " on the test server's side, " + helperSide + " on the helper's "
            + "(orphaned, the kernel's)";
    }

    static int stuck(Map<String, Integer> states) {
        return states.getOrDefault("CLOSE-WAIT", 0) + states.getOrDefault("FIN-WAIT-2", 0)
            + states.getOrDefault("FIN-WAIT-1", 0) + states.getOrDefault("LAST-ACK", 0)
            + states.getOrDefault("CLOSING", 0);
    }

    static String fdList(long pid) {
        Cmd.Result r = Cmd.run(Duration.ofSeconds(10), "ls", "-l", "/proc/" + pid + "/fd");
        return r.out();
    }

    /** Whether the counters tc printed show at least one dropped or redirected frame. */
    static boolean faultsHappened(String stats) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:dropped|Sent \\d+ bytes) (\\d+)").matcher(
            stats);
        while (m.find()) {
            if (Long.parseLong(m.group(1)) > 0) {
                return true;
            }
        }
        return false;
    }
}
