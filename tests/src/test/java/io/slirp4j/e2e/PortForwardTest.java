package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Port forwarding and the API socket (issue 4) in real namespaces: clients on the private host's loopback and in
 * the "internet" namespace (through the private host's non-loopback address 198.51.100.2) reach servers in the
 * guest through forwards added over the API socket (or {@code -p} at start), byte-exactly, and the guest sees
 * who they are. The API client here is the JDK's own unix socket, speaking the engines' request shapes.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PortForwardTest {
    static final int GUEST_PORT = 8000;
    static final InetSocketAddress GUEST_ANY = new InetSocketAddress("0.0.0.0", GUEST_PORT);

    /** A private host namespace, a guest, the "internet", and a helper with an API socket. */
    static final class Setup implements AutoCloseable {
        final TestNetwork net;
        final Path socket;
        final Helper helper;

        Setup(Mode mode, String... moreOptions) throws IOException {
            this(mode, List.of(moreOptions), null);
        }

        /**
         * A helper with {@code javaOptions} in SLIRP4J_JAVA_OPTS, outside the sandbox: these tests attach jcmd, whose
         * socket the JVM makes in its /tmp, which the sandbox makes read-only.
         */
        static Setup withJavaOptions(Mode mode, String javaOptions) throws IOException {
            return new Setup(mode, List.of("--disable-sandbox"), javaOptions);
        }

        private Setup(Mode mode, List<String> moreOptions, String javaOptions) throws IOException {
            net = TestNetwork.create(mode, true);
            try {
                Path run = net.dir().resolve("run");
                Files.createDirectory(run);
                // the helper may run as nobody: it must be able to create its socket here
                Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxrwxrwx"));
                socket = run.resolve("api.sock");
                List<String> options = new ArrayList<>(List.of("-c", "--api-socket", socket.toString()));
                options.addAll(moreOptions);
                Helper.Builder builder = net.helper(options.toArray(String[]::new));
                if (javaOptions != null) {
                    builder.via("env", "SLIRP4J_JAVA_OPTS=" + javaOptions);
                }
                helper = builder.start().awaitReady(Helper.READY_TIMEOUT);
                net.assertContained(helper);
            } catch (IOException | RuntimeException | Error e) {
                net.close();
                throw e;
            }
        }

        SocketChannel connectFromHost(int port) throws IOException {
            SocketChannel s = TcpPeers.socketIn(net.hostNetns());
            s.connect(new InetSocketAddress("127.0.0.1", port));
            return s;
        }

        SocketChannel connectFromInternet(int port) throws IOException {
            SocketChannel s = TcpPeers.socketIn(net.internetNetns());
            s.connect(new InetSocketAddress(TestNetwork.INTERNET_HOST_SIDE, port));
            return s;
        }

        void assertHealthy() {
            helper.assertHealthy();
        }

        @Override
        public void close() {
            net.close();
        }
    }

    /** A guest TCP server that echoes and records each client's address as the guest saw it. */
    static TcpPeers.Server echoInGuest(Setup s, List<InetSocketAddress> clients) {
        return s.net.closeLater(new TcpPeers.Server(s.net.guestNetns(), GUEST_ANY, c -> {
            try {
                clients.add((InetSocketAddress) c.getRemoteAddress());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            TcpTest.echo(c);
        }));
    }

    static void echoOnce(SocketChannel c, int size, long seed) throws IOException {
        byte[] data = TcpTest.bytes(size, seed);
        TcpPeers.writeAll(c, data);
        assertArrayEquals(data, TcpPeers.readExactly(c, size), "echo through the forward");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void tcpForwardKeepsTheClientAddress(Mode mode) throws Exception {
        try (Setup s = new Setup(mode)) {
            List<InetSocketAddress> clients = new java.util.concurrent.CopyOnWriteArrayList<>();
            echoInGuest(s, clients);
            String added = Api.addTcp(s.socket, "", 8080, GUEST_PORT);
            assertEquals("{\"return\":{\"id\":1}}", added.strip());
            try (SocketChannel fromLoopback = s.connectFromHost(8080);
                 SocketChannel fromInternet = s.connectFromInternet(8080)) {
                echoOnce(fromLoopback, 4096, 1);
                echoOnce(fromInternet, 4096, 2);
                TcpTest.awaitTrue(() -> clients.size() == 2, 5000);
                // the guest accepts them in either order: match by port, which the guest sees unchanged
                int loopbackPort = ((InetSocketAddress) fromLoopback.getLocalAddress()).getPort();
                int internetPort = ((InetSocketAddress) fromInternet.getLocalAddress()).getPort();
                assertTrue(clients.contains(new InetSocketAddress("10.0.2.2", loopbackPort)),
                    () -> "a loopback client appears as the gateway, with its port: " + clients);
                assertTrue(clients.contains(new InetSocketAddress(TestNetwork.INTERNET_ADDRESS, internetPort)),
                    () -> "a remote client keeps its address and port: " + clients);
            }
            s.assertHealthy();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void bulkBothWaysThroughAForward(Mode mode) throws Exception {
        long size = 64L << 20;
        try (Setup s = new Setup(mode)) {
            AtomicReference<TcpPeers.Transfer> guestGot = new AtomicReference<>();
            AtomicReference<TcpPeers.Transfer> guestSent = new AtomicReference<>();
            s.net.closeLater(new TcpPeers.Server(s.net.guestNetns(), GUEST_ANY, c -> {
                try {
                    CompletableFuture<TcpPeers.Transfer> rx = TcpPeers.inThread(() -> TcpTest.receive(c));
                    guestSent.set(TcpPeers.send(c, size, 42));
                    c.shutdownOutput();
                    guestGot.set(rx.get(150, TimeUnit.SECONDS));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
            Api.id(Api.addTcp(s.socket, "0.0.0.0", 8080, GUEST_PORT));
            TcpPeers.Transfer sent;
            TcpPeers.Transfer got;
            try (SocketChannel c = s.connectFromHost(8080)) {
                CompletableFuture<TcpPeers.Transfer> rx = TcpPeers.inThread(() -> TcpTest.receive(c));
                sent = TcpPeers.send(c, size, 41);
                c.shutdownOutput();
                got = rx.get(150, TimeUnit.SECONDS);
            }
            TcpTest.awaitTrue(() -> guestGot.get() != null, 30_000);
            assertEquals(size, guestGot.get().bytes(), "bytes host -> guest");
            assertEquals(sent.sha256(), guestGot.get().sha256(), "SHA-256 host -> guest");
            assertEquals(size, got.bytes(), "bytes guest -> host");
            assertEquals(guestSent.get().sha256(), got.sha256(), "SHA-256 guest -> host");
            System.out.printf("[%s] 64 MiB each way through a forward: host->guest %.2f Gbit/s, guest->host %.2f "
                + "Gbit/s%n", mode, guestGot.get().gbitPerSecond(), got.gbitPerSecond());
            s.assertHealthy();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void udpForwardKeepsThePeerAndAnswersGoBack(Mode mode) throws Exception {
        try (Setup s = new Setup(mode)) {
            Udp.Server server = s.net.closeLater(Udp.Server.echo(s.net.guestNetns(), new InetSocketAddress(5300)));
            Api.id(Api.add(s.socket, "udp", "", 5353, server.port()));
            try (DatagramSocket client = Udp.socketIn(s.net.internetNetns())) {
                byte[] query = "who am I".getBytes(StandardCharsets.UTF_8);
                client.send(new DatagramPacket(query, query.length,
                    new InetSocketAddress(TestNetwork.INTERNET_HOST_SIDE, 5353)));
                DatagramPacket answer = Udp.receive(client, Duration.ofSeconds(5));
                assertTrue(answer != null, () -> "no answer; the guest's server got " + server.count() + " from "
                    + server.peers() + "\n" + s.helper.describe());
                assertArrayEquals(query, java.util.Arrays.copyOf(answer.getData(), answer.getLength()));
                assertEquals(TestNetwork.INTERNET_HOST_SIDE, answer.getAddress().getHostAddress(),
                    "the answer comes from the forward's address");
                assertEquals(5353, answer.getPort(), "and port");
                assertEquals(TestNetwork.INTERNET_ADDRESS, server.peers().get(0).getAddress().getHostAddress(),
                    "the guest sees the peer's own address");
                assertEquals(client.getLocalPort(), server.peers().get(0).getPort());
            }
            s.assertHealthy();
        }
    }

    /**
     * 300 peers of one UDP forward, each sending at once: each is its own flow and gets its own answers. The burst
     * is more than the kernel's default socket buffer holds (about 256 small datagrams), which the forward's socket
     * must exceed.
     */
    @Test
    void manyUdpPeersEachGetTheirOwnAnswers() throws Exception {
        int peers = 300;
        try (Setup s = new Setup(Mode.ROOT)) {
            Udp.Server server = s.net.closeLater(Udp.Server.echo(s.net.guestNetns(), new InetSocketAddress(5300)));
            int port = Api.intField(Api.add(s.socket, "udp", "127.0.0.1", 0, server.port()), "host_port");
            InetSocketAddress forward = new InetSocketAddress("127.0.0.1", port);
            List<DatagramSocket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < peers; i++) {
                    clients.add(Udp.socketIn(s.net.hostNetns()));
                }
                for (int round = 0; round < 2; round++) {
                    for (int i = 0; i < peers; i++) {
                        byte[] data = ("peer " + i + " round " + round).getBytes(StandardCharsets.UTF_8);
                        clients.get(i).send(new DatagramPacket(data, data.length, forward));
                    }
                    for (int i = 0; i < peers; i++) {
                        DatagramPacket answer = Udp.receive(clients.get(i), Duration.ofSeconds(5));
                        int index = i;
                        int r = round;
                        assertTrue(answer != null, () -> "peer " + index + " got no answer in round " + r
                            + "; the private host's UDP counters (RcvbufErrors: drops at a full socket buffer):\n"
                            + s.net.host("grep", "Udp:", "/proc/net/snmp").out()
                            + "; the guest's server got " + server.count() + " datagrams from "
                            + server.peers().stream().distinct().count() + " peers");
                        assertEquals("peer " + i + " round " + round,
                            new String(answer.getData(), 0, answer.getLength(), StandardCharsets.UTF_8));
                    }
                }
            } finally {
                for (DatagramSocket c : clients) {
                    c.close();
                }
            }
            assertEquals(peers, server.peers().stream().distinct().count(), "distinct sources the guest saw");
            s.assertHealthy();
        }
    }

    /**
     * A client that half-closes after its request and reads the guest's 32 MiB answer only a second later: the
     * helper must wait for the client's socket to drain after the client's FIN (see EpollHalfClosure).
     */
    @Test
    void aClientThatHalfClosesFirstGetsTheWholeAnswer() throws Exception {
        byte[] answer = TcpTest.bytes(32 << 20, 21);
        try (Setup s = new Setup(Mode.ROOT)) {
            s.net.closeLater(new TcpPeers.Server(s.net.guestNetns(), GUEST_ANY, c -> {
                try {
                    assertEquals(7, TcpPeers.receive(c).bytes());
                    TcpPeers.writeAll(c, answer);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
            int port = Api.intField(Api.addTcp(s.socket, "127.0.0.1", 0, GUEST_PORT), "host_port");
            try (SocketChannel c = s.connectFromHost(port)) {
                TcpPeers.writeAll(c, "request".getBytes(StandardCharsets.UTF_8));
                c.shutdownOutput();
                TestNetwork.sleep(1000);
                assertArrayEquals(answer, TcpTest.readAll(c));
            }
            s.assertHealthy();
        }
    }

    @Test
    void removingAForwardKeepsItsConnectionsAndRefusesNewOnes() throws Exception {
        try (Setup s = new Setup(Mode.ROOT)) {
            echoInGuest(s, new java.util.concurrent.CopyOnWriteArrayList<>());
            int id = Api.id(Api.addTcp(s.socket, "127.0.0.1", 8080, GUEST_PORT));
            try (SocketChannel open = s.connectFromHost(8080)) {
                echoOnce(open, 1000, 3);
                assertEquals("{\"return\":{}}", Api.remove(s.socket, id).strip());
                assertTrue(Api.list(s.socket).contains("\"entries\":[]"));
                assertThrows(ConnectException.class, () -> s.connectFromHost(8080).close());
                echoOnce(open, 100_000, 4);
            }
            assertEquals(Api.error("remove_hostfwd: bad arguments.id"), Api.remove(s.socket, id).strip());
            s.assertHealthy();
        }
    }

    @Test
    void ipv6AndEphemeralHostPorts() throws Exception {
        try (Setup s = new Setup(Mode.ROOT)) {
            echoInGuest(s, new java.util.concurrent.CopyOnWriteArrayList<>());
            String answer = Api.addTcp(s.socket, "::1", 0, GUEST_PORT);
            int port = Api.intField(answer, "host_port");
            assertTrue(port > 0, answer);
            try (SocketChannel c = TcpPeers.socketIn(s.net.hostNetns())) {
                c.connect(new InetSocketAddress("::1", port));
                echoOnce(c, 4096, 5);
            }
            String list = Api.list(s.socket);
            assertTrue(list.contains("\"host_addr\":\"::1\",\"host_port\":" + port), list);
            s.assertHealthy();
        }
    }

    @Test
    void portsInUseAndBadRequestsAreAnsweredAndChangeNothing() throws Exception {
        try (Setup s = new Setup(Mode.ROOT)) {
            Api.id(Api.addTcp(s.socket, "", 8080, GUEST_PORT));
            String failed = Api.error("add_hostfwd: slirp_add_hostfwd failed");
            assertEquals(failed, Api.addTcp(s.socket, "", 8080, GUEST_PORT).strip(), "a duplicate forward");
            int taken;
            try (java.nio.channels.ServerSocketChannel other = TestNetwork.in(s.net.hostNetns(), () ->
                java.nio.channels.ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)))) {
                taken = ((InetSocketAddress) other.getLocalAddress()).getPort();
                assertEquals(failed, Api.addTcp(s.socket, "127.0.0.1", taken, GUEST_PORT).strip(),
                    "a port another process listens on");
            }
            assertEquals(Api.error("cannot parse JSON"), Api.request(s.socket, "{").strip());
            assertEquals(Api.error("json_object() failed"), Api.request(s.socket, "[1]").strip());
            assertEquals(Api.error("no execute found"), Api.request(s.socket, "{}").strip());
            assertEquals(Api.error("unknown execute"), Api.request(s.socket, "{\"execute\":\"x\"}").strip());
            assertEquals(Api.error("add_hostfwd: bad arguments.proto"),
                Api.request(s.socket, "{\"execute\":\"add_hostfwd\",\"arguments\":{\"host_port\":1}}").strip());
            // 4 KiB without EOF: answered at once, the client never half-closes
            byte[] big = new byte[5000];
            java.util.Arrays.fill(big, (byte) ' ');
            assertEquals(Api.error("too large message"), Api.exchange(s.socket, big, false).strip());
            // a client that connects and says nothing does not hold up the others
            try (SocketChannel idle = SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                idle.connect(java.net.UnixDomainSocketAddress.of(s.socket));
                assertTrue(Api.list(s.socket).contains("\"id\":1,"), "served while another client idles");
            }
            String list = Api.list(s.socket);
            assertTrue(list.contains("\"return\":{\"entries\":[{\"id\":1,"), list);
            assertTrue(list.contains(",\"entries\":[{\"id\":1,"), list);
            assertFalse(list.contains("\"id\":2"), "nothing half-made: " + list);
            s.assertHealthy();
        }
    }

    /**
     * Forwards added, used and removed, 1,000 times over (TCP and UDP, on ports the host picks): each round echoes
     * through them, has a client leave before the guest's handshake, one reset after speaking and one refused by
     * the guest, sends a malformed request and lets an API client connect and leave without a word. Afterwards the
     * helper holds no more fds than before, and no forward. The host reuses client ports across the forwards, which
     * lead to one guest port: a new client regularly takes over a four-tuple still in the helper's TIME_WAIT.
     */
    /**
     * A request of 4096 bytes or more is answered with {@code too large message} and the connection closed at once,
     * as slirp4netns does, without waiting for the client's EOF: a client that wrote 64 KiB and never half-closes
     * reads the answer and EOF without a reset; one that goes on writing sees its writes fail soon (the helper
     * closed), long before the 10 s request deadline the helper used to wait for while draining it.
     */
    @Test
    void tooLargeRequestIsAnsweredAndTheConnectionClosedAtOnce() throws Exception {
        try (Setup s = new Setup(Mode.ROOT)) {
            assertEquals(Api.error("too large message"), Api.exchange(s.socket, new byte[64 << 10], false).strip());

            ExecutorService writer = Executors.newSingleThreadExecutor();
            try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                c.connect(UnixDomainSocketAddress.of(s.socket));
                long started = System.nanoTime();
                Future<?> writes = writer.submit(() -> {
                    ByteBuffer chunk = ByteBuffer.allocate(64 << 10);
                    for (int i = 0; i < 1024; i++) { // up to 64 MiB: the helper used to read on for 10 s
                        chunk.clear();
                        while (chunk.hasRemaining()) {
                            c.write(chunk);
                        }
                    }
                    return null;
                });
                ByteArrayOutputStream answer = new ByteArrayOutputStream();
                ByteBuffer in = ByteBuffer.allocate(8192);
                while (c.read(in) >= 0) { // a reset throws here
                    answer.write(in.array(), 0, in.position());
                    in.clear();
                }
                assertEquals(Api.error("too large message"), answer.toString(StandardCharsets.UTF_8));
                ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> writes.get(30, TimeUnit.SECONDS), "the client's writes went on: the helper read on");
                assertTrue(refused.getCause() instanceof IOException, refused::toString);
                long millis = (System.nanoTime() - started) / 1_000_000;
                System.out.printf("too large request: answered and closed after %d ms%n", millis);
                assertTrue(millis < 5_000, "closed only after " + millis + " ms (the old drain lasted 10 s)");
            } finally {
                writer.shutdownNow();
            }
            assertTrue(Api.list(s.socket).contains("\"entries\":[]"), "the API still serves");
            s.assertHealthy();
        }
    }

    @Test
    void forwardChurnLeavesNoFds() throws Exception {
        int rounds = 1000;
        try (Setup s = new Setup(Mode.ROOT)) {
            echoInGuest(s, new java.util.concurrent.CopyOnWriteArrayList<>());
            Udp.Server udp = s.net.closeLater(Udp.Server.echo(s.net.guestNetns(), new InetSocketAddress(5300)));
            long pid = s.helper.pid();
            // one round first, so that the baseline includes whatever the first use opens for good
            forwardRound(s, udp.port(), 0);
            TestNetwork.sleep(300);
            int fdsBefore = TcpTest.fdCount(pid);
            long start = System.nanoTime();
            for (int round = 1; round <= rounds; round++) {
                forwardRound(s, udp.port(), round);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            // closes finish on the helper's loop after the answers: give them a moment
            long deadline = System.currentTimeMillis() + 10_000;
            int fds = TcpTest.fdCount(pid);
            while (fds > fdsBefore && System.currentTimeMillis() < deadline) {
                TestNetwork.sleep(200);
                fds = TcpTest.fdCount(pid);
            }
            System.out.printf("[ROOT] %d rounds of TCP and UDP forwards added, used and removed in %d ms; helper fds "
                + "%d before, %d after%n", rounds, millis, fdsBefore, fds);
            int fdsAfter = fds;
            assertTrue(fdsAfter <= fdsBefore, () -> "helper fds: " + fdsBefore + " before, " + fdsAfter + " after");
            assertTrue(Api.list(s.socket).contains("\"entries\":[]"), "a forward was left behind");
            s.assertHealthy();
        }
    }

    private static void forwardRound(Setup s, int udpGuestPort, int round) throws IOException {
        String removed = "{\"return\":{}}";
        String tcp = Api.addTcp(s.socket, "127.0.0.1", 0, GUEST_PORT);
        int port = Api.intField(tcp, "host_port");
        try (SocketChannel c = s.connectFromHost(port)) {
            echoOnce(c, 1024, round);
        }
        // a client that leaves before the guest's handshake can complete, and one that resets after speaking
        s.connectFromHost(port).close();
        try (SocketChannel c = s.connectFromHost(port)) {
            TcpPeers.writeAll(c, new byte[100]);
            c.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
        }
        assertEquals(removed, Api.remove(s.socket, Api.id(tcp)).strip(), "TCP forward of round " + round);

        // a forward to a guest port nobody listens on: the guest's reset reaches the client, at its first read or, when
        // the helper is quicker than the client's thread (the kernel completes the handshake, the helper accepts, the
        // guest resets, the helper resets the client before connect() returns), already as connect()'s ECONNRESET
        String refused = Api.addTcp(s.socket, "127.0.0.1", 0, GUEST_PORT + 1);
        int refusedPort = Api.intField(refused, "host_port");
        assertThrows(IOException.class, () -> {
            try (SocketChannel c = s.connectFromHost(refusedPort)) {
                c.read(java.nio.ByteBuffer.allocate(1));
            }
        }, "round " + round);
        assertEquals(removed, Api.remove(s.socket, Api.id(refused)).strip());

        String udp = Api.add(s.socket, "udp", "127.0.0.1", 0, udpGuestPort);
        try (DatagramSocket client = Udp.socketIn(s.net.hostNetns())) {
            byte[] data = ("round " + round).getBytes(StandardCharsets.UTF_8);
            client.send(new DatagramPacket(data, data.length,
                new InetSocketAddress("127.0.0.1", Api.intField(udp, "host_port"))));
            DatagramPacket answer = Udp.receive(client, Duration.ofSeconds(5));
            assertTrue(answer != null, "no UDP echo through the forward in round " + round);
            assertArrayEquals(data, java.util.Arrays.copyOf(answer.getData(), answer.getLength()));
        }
        assertEquals(removed, Api.remove(s.socket, Api.id(udp)).strip(), "UDP forward of round " + round);

        assertEquals(Api.error("cannot parse JSON"), Api.request(s.socket, "{").strip());
        try (SocketChannel silent = SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            silent.connect(java.net.UnixDomainSocketAddress.of(s.socket));
        }
    }

    /**
     * The helper under Netty's PARANOID leak detection (every buffer tracked) through outbound TCP ended all four
     * ways, refused connects, UDP of every size up to 65507 bytes (fragmented at MTU 1500), and forwards added,
     * used and removed; then its garbage is collected and it allocates again, which is when Netty reports a leaked
     * buffer: none may be reported.
     */
    @Test
    void noBufferLeaksUnderParanoidLeakDetection() throws Exception {
        try (Setup s = Setup.withJavaOptions(Mode.ROOT, "-Dio.netty.leakDetection.level=paranoid")) {
            long pid = s.helper.pid();
            assertTrue(jcmd(pid, "VM.system_properties").contains("io.netty.leakDetection.level=paranoid"),
                "the helper runs with paranoid leak detection");
            TcpPeers.Server tcp = TcpStressTest.endingServer(s.net);
            InetSocketAddress to = new InetSocketAddress("10.0.2.2", tcp.port());
            InetSocketAddress closed = new InetSocketAddress("10.0.2.2", TcpTest.freePort(s.net.hostNetns()));
            Udp.Server udp = s.net.closeLater(Udp.Server.echo(s.net.hostNetns(),
                new InetSocketAddress("127.0.0.1", 0)));
            echoInGuest(s, new java.util.concurrent.CopyOnWriteArrayList<>());
            Udp.Server guestUdp = s.net.closeLater(Udp.Server.echo(s.net.guestNetns(), new InetSocketAddress(5300)));
            Runnable traffic = () -> {
                try (DatagramSocket guest = Udp.socketIn(s.net.guestNetns())) {
                    for (int i = 0; i < 400; i++) {
                        TcpStressTest.oneExchange(s.net, to, i, TcpStressTest.Ending.values()[i % 4]);
                        if (i % 20 == 0) {
                            assertThrows(ConnectException.class,
                                () -> TcpPeers.connectFromGuest(s.net, closed).close());
                            byte[] datagram = TcpTest.bytes(Math.min(65507, 1 + i * 173), i); // up to the largest
                            guest.send(new DatagramPacket(datagram, datagram.length,
                                new InetSocketAddress("10.0.2.2", udp.port())));
                            DatagramPacket back = Udp.receive(guest, Duration.ofSeconds(5));
                            assertTrue(back != null, "no UDP echo of " + datagram.length + " bytes");
                            assertEquals(datagram.length, back.getLength());
                            forwardRound(s, guestUdp.port(), i);
                        }
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
            traffic.run();
            // leaked buffers are found when the garbage collector clears them, and reported at a later allocation
            jcmd(pid, "GC.run");
            traffic.run();
            jcmd(pid, "GC.run");
            traffic.run();
            String stderr = s.helper.stderr();
            assertFalse(stderr.contains("LEAK"), () -> "Netty reported leaked buffers:\n" + stderr);
            s.assertHealthy();
        }
    }

    /** The output of a diagnostic command run in the helper's JVM. */
    private static String jcmd(long pid, String command) {
        return Cmd.run(Duration.ofSeconds(30), "jcmd", Long.toString(pid), command).check().out();
    }

    /** 50 API clients at once (adds, lists, removes) while 8 transfers run through forwards. */
    @Test
    void fiftyApiClientsWhileEightTransfersRun() throws Exception {
        long size = 16L << 20;
        try (Setup s = new Setup(Mode.ROOT)) {
            ConcurrentHashMap<Integer, TcpPeers.Transfer> guestGot = new ConcurrentHashMap<>();
            s.net.closeLater(new TcpPeers.Server(s.net.guestNetns(), GUEST_ANY, c -> {
                try {
                    int index = java.nio.ByteBuffer.wrap(TcpPeers.readExactly(c, 4)).getInt();
                    guestGot.put(index, TcpPeers.receive(c));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
            Api.id(Api.addTcp(s.socket, "127.0.0.1", 8080, GUEST_PORT));
            ExecutorService pool = Executors.newFixedThreadPool(58);
            try {
                List<Future<String>> transfers = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    int index = i;
                    transfers.add(pool.submit(() -> {
                        try (SocketChannel c = s.connectFromHost(8080)) {
                            TcpPeers.writeAll(c, java.nio.ByteBuffer.allocate(4).putInt(index).array());
                            return TcpPeers.send(c, size, 900 + index).sha256();
                        }
                    }));
                }
                List<Future<String>> clients = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    int port = 9000 + i;
                    clients.add(pool.submit(() -> {
                        int id = Api.id(Api.addTcp(s.socket, "127.0.0.1", port, GUEST_PORT));
                        String list = Api.list(s.socket);
                        if (!list.contains("\"id\":" + id + ",")) {
                            throw new AssertionError("forward " + id + " missing from " + list);
                        }
                        return Api.remove(s.socket, id);
                    }));
                }
                for (Future<String> f : clients) {
                    assertEquals("{\"return\":{}}", f.get(60, TimeUnit.SECONDS).strip());
                }
                for (int i = 0; i < 8; i++) {
                    String sha = transfers.get(i).get(120, TimeUnit.SECONDS);
                    int index = i;
                    TcpTest.awaitTrue(() -> guestGot.containsKey(index), 30_000);
                    assertEquals(size, guestGot.get(i).bytes(), "bytes of transfer " + i);
                    assertEquals(sha, guestGot.get(i).sha256(), "SHA-256 of transfer " + i);
                }
            } finally {
                pool.shutdownNow();
            }
            String list = Api.list(s.socket);
            assertTrue(list.contains("\"id\":1,") && !list.contains("\"id\":2,"), list);
            s.assertHealthy();
        }
    }

    @Test
    void publishAtStartAndTheSocketsLifecycle() throws Exception {
        try (Setup s = new Setup(Mode.ROOT, "-p", "8080:" + GUEST_PORT, "--publish=127.0.0.1:5353:5300/udp")) {
            echoInGuest(s, new java.util.concurrent.CopyOnWriteArrayList<>());
            Udp.Server udp = s.net.closeLater(Udp.Server.echo(s.net.guestNetns(), new InetSocketAddress(5300)));
            try (SocketChannel c = s.connectFromHost(8080)) {
                echoOnce(c, 4096, 6);
            }
            try (DatagramSocket client = Udp.socketIn(s.net.hostNetns())) {
                byte[] q = "ping".getBytes(StandardCharsets.UTF_8);
                client.send(new DatagramPacket(q, q.length, new InetSocketAddress("127.0.0.1", 5353)));
                assertEquals(4, Udp.receive(client, Duration.ofSeconds(5)).getLength());
            }
            assertEquals(1, udp.count());
            String list = Api.list(s.socket);
            assertTrue(list.contains("\"proto\":\"tcp\",\"host_addr\":\"0.0.0.0\",\"host_port\":8080"), list);
            assertTrue(list.contains("\"proto\":\"udp\",\"host_addr\":\"127.0.0.1\",\"host_port\":5353"), list);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(s.socket)),
                "only the owner may connect");
            assertEquals(0, s.helper.closeExitFd() >= 0 ? s.helper.awaitExit(Duration.ofSeconds(5)) : -1);
            assertEquals(s.helper.removesItsSocketsAtExit(), !Files.exists(s.socket),
                "the socket is removed on a clean exit, unless sandboxed");
        }
    }

    @Test
    void aPublishedPortInUseFailsTheStartClearly() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT);
             java.nio.channels.ServerSocketChannel taken = TestNetwork.in(net.hostNetns(), () ->
                 java.nio.channels.ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)))) {
            int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            Cmd.Result r = net.runHelper(Duration.ofSeconds(30), "-p", "9999:80", "-p", "127.0.0.1:" + port + ":80",
                Long.toString(net.guestPid()), "tap0");
            assertEquals(1, r.exit(), r::toString);
            assertTrue(r.err().contains("slirp4j: cannot publish tcp port " + port + " on 127.0.0.1: "), r.err());
            assertFalse(Helper.hasStackTrace(r.err()), r.err());
        }
    }

    @Test
    void anExistingFileIsReplacedAndSigtermRemovesTheSocket() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            Path socket = net.dir().resolve("api.sock");
            Files.writeString(socket, "stale");
            Helper h = net.startHelper("-c", "--api-socket", socket.toString());
            assertTrue(Api.list(socket).contains("\"entries\":[]"));
            h.signal("TERM");
            h.awaitExit(Duration.ofSeconds(5));
            assertEquals(h.removesItsSocketsAtExit(), !Files.exists(socket), "removed on SIGTERM, unless sandboxed");
        }
    }
}
