package io.slirp4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.slirp4j.stack.forward.Forward;
import io.slirp4j.stack.forward.ForwardProtocol;
import io.slirp4j.stack.wire.Ipv4Address;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class ApiServerTest {
    private static final String LIST = "{\"execute\":\"list_hostfwd\"}";
    private static final String EMPTY_LIST = "{\"return\":{\"entries\":[]},\"entries\":[]}";

    @TempDir
    Path dir;
    private MultiThreadIoEventLoopGroup group;
    private EventLoop loop;
    private final FakePortForwards forwards = new FakePortForwards();
    private final List<ApiServer> servers = new ArrayList<>();
    private Path socket;

    @BeforeEach
    void startLoop() throws IOException {
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        loop = group.next();
        socket = dir.resolve("api.sock");
        start(socket, ApiServer.DEFAULT_REQUEST_TIMEOUT, ApiServer.DEFAULT_MAX_CONNECTIONS);
    }

    @AfterEach
    void stopLoop() throws InterruptedException {
        servers.forEach(ApiServer::close);
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }

    private ApiServer start(Path path, Duration timeout, int maxConnections) throws IOException {
        ApiServer server = ApiServer.start(loop, forwards, path, timeout, maxConnections);
        servers.add(server);
        return server;
    }

    private ApiServer start(Path path, Duration timeout, Duration silentTimeout, int maxConnections)
        throws IOException {
        ApiServer server = ApiServer.start(loop, forwards, path, timeout, silentTimeout, maxConnections);
        servers.add(server);
        return server;
    }

    private String exchange(String request) throws IOException {
        return UnixClient.exchange(socket, request);
    }

    private static String add(int hostPort, int guestPort) {
        return "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_port\":" + hostPort
            + ",\"guest_port\":" + guestPort + "}}";
    }

    private static String error(String desc) {
        return "{\"error\":{\"desc\":\"bad request: " + desc + "\"}}";
    }

    /** A list request padded with an ignored field to exactly {@code size} bytes. */
    private static String listOfSize(int size) {
        String head = "{\"execute\":\"list_hostfwd\",\"pad\":\"";
        String tail = "\"}";
        return head + "x".repeat(size - head.length() - tail.length()) + tail;
    }

    @Test
    void addListRemoveRoundTrip() throws IOException {
        assertEquals("{\"return\":{\"id\":1}}", exchange(add(8080, 80)));
        assertEquals("{\"return\":{\"id\":2,\"host_port\":40000}}", exchange(
            "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"udp\",\"host_addr\":\"::1\",\"host_port\":0,"
                + "\"guest_addr\":\"10.0.2.15\",\"guest_port\":53}}"));
        String entries = "[{\"id\":1,\"proto\":\"tcp\",\"host_addr\":\"0.0.0.0\",\"host_port\":8080,"
            + "\"guest_addr\":\"10.0.2.100\",\"guest_port\":80},{\"id\":2,\"proto\":\"udp\",\"host_addr\":\"::1\","
            + "\"host_port\":40000,\"guest_addr\":\"10.0.2.15\",\"guest_port\":53}]";
        assertEquals("{\"return\":{\"entries\":" + entries + "},\"entries\":" + entries + "}", exchange(LIST));
        assertEquals("{\"return\":{}}", exchange("{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":1}}"));
        assertEquals(error(ApiErrors.BAD_ID), exchange("{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":1}}"));
        assertEquals("{\"return\":{}}", exchange("{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":2}}"));
        assertEquals(EMPTY_LIST, exchange(LIST));
        // ids are never reused
        assertEquals("{\"return\":{\"id\":3}}", exchange(add(8080, 80)));
    }

    @Test
    void podmansRequest() throws IOException {
        assertEquals("{\"return\":{\"id\":1}}", exchange("{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\","
            + "\"host_addr\":\"\",\"host_port\":8080,\"guest_addr\":\"\",\"guest_port\":80}}\n"));
        assertEquals(List.of(new Forward(1, ForwardProtocol.TCP, Ipv4Address.toInetAddress(0), 8080,
            Ipv4Address.of(10, 0, 2, 100), 80)), forwards.forwards());
    }

    @Test
    void rootlesskitsRequests() throws IOException {
        assertEquals("{\"return\":{\"id\":1}}", exchange("{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\","
            + "\"host_addr\":\"127.0.0.1\",\"host_port\":8080,\"guest_addr\":\"10.0.2.100\",\"guest_port\":80}}\n"));
        assertTrue(exchange(LIST + "\n").contains("\"host_addr\":\"127.0.0.1\""));
        assertEquals("{\"return\":{}}", exchange("{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":1}}\n"));
    }

    @Test
    void bindFailureIsAnsweredAndNothingIsCreated() throws IOException {
        forwards.failingPorts.add(9999);
        assertEquals(error(ApiErrors.ADD_FAILED), exchange(add(9999, 80)));
        assertEquals(EMPTY_LIST, exchange(LIST));
    }

    @Test
    void invalidRequestsAreAnsweredWithTheirError() throws IOException {
        assertEquals(error(ApiErrors.CANNOT_PARSE), exchange(""));
        assertEquals(error(ApiErrors.NOT_AN_OBJECT), exchange("[1,2]"));
        assertEquals(error(ApiErrors.NO_EXECUTE), exchange("{}"));
        assertEquals(error(ApiErrors.BAD_PROTO), exchange("{\"execute\":\"add_hostfwd\",\"arguments\":{}}"));
        assertTrue(forwards.requests.isEmpty());
    }

    @Test
    void answersCompletedOnAnotherThreadArrive() throws IOException {
        ExecutorService stack = Executors.newSingleThreadExecutor();
        try {
            forwards.completeOn = stack;
            assertEquals("{\"return\":{\"id\":1}}", exchange(add(8080, 80)));
            forwards.failingPorts.add(1);
            assertEquals(error(ApiErrors.ADD_FAILED), exchange(add(1, 80)));
            assertTrue(exchange(LIST).startsWith("{\"return\":{\"entries\":[{\"id\":1,"));
        } finally {
            stack.shutdownNow();
        }
    }

    @Test
    void requestOfJustUnderTheLimitWaitsForEof() throws IOException, InterruptedException {
        try (UnixClient client = new UnixClient(socket)) {
            client.send(listOfSize(ApiRequests.MAX_REQUEST_BYTES - 1));
            client.channel.configureBlocking(false);
            Thread.sleep(300);
            assertEquals(0, client.channel.read(ByteBuffer.allocate(1)), "answered before EOF");
            client.channel.configureBlocking(true);
            client.channel.shutdownOutput();
            assertEquals(EMPTY_LIST, client.readToEnd());
        }
    }

    @Test
    void requestOfTheLimitIsRefusedWithoutWaitingForEof() throws IOException {
        try (UnixClient client = new UnixClient(socket)) {
            client.send(listOfSize(ApiRequests.MAX_REQUEST_BYTES));
            // no shutdownOutput: the answer and the server's EOF come anyway, and no reset follows
            assertEquals(error(ApiErrors.TOO_LARGE), client.readToEnd());
        }
        assertEquals(EMPTY_LIST, exchange(LIST));
    }

    /**
     * A client that writes far more than the limit at once (what fits in the socket buffers), without half-closing,
     * then reads: the server answers and closes with most of that still unread, which must not reset the client.
     */
    @Test
    void tooLargeRequestLeftMostlyUnreadIsAnsweredWithoutReset() throws IOException {
        try (UnixClient client = new UnixClient(socket)) {
            client.send(new byte[64 << 10]);
            assertEquals(error(ApiErrors.TOO_LARGE), client.readToEnd());
        }
        assertEquals(EMPTY_LIST, exchange(LIST));
    }

    /**
     * A client that sends far more than the limit, never half-closes and goes on writing: it reads the answer and
     * EOF without a reset, its writes fail (the server closed the connection), and the server holds no connection,
     * all long before the request deadline (45 s here), which the server used to wait for while draining the client.
     */
    @Test
    void tooLargeRequestIsAnsweredAndClosedAtOnceWhileTheClientKeepsWriting() throws Exception {
        socket = dir.resolve("long.sock");
        ApiServer server = start(socket, Duration.ofSeconds(45), ApiServer.DEFAULT_MAX_CONNECTIONS);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (UnixClient client = new UnixClient(socket)) {
            long started = System.nanoTime();
            // more than the socket buffers hold, so the writes are still going on when the server answers
            Future<?> written = writer.submit(() -> {
                client.send(new byte[4 << 20]);
                return null;
            });
            assertEquals(error(ApiErrors.TOO_LARGE), client.readToEnd());
            ExecutionException refused = assertThrows(ExecutionException.class,
                () -> written.get(15, TimeUnit.SECONDS), "the client's writes went on succeeding: the server read on");
            assertTrue(refused.getCause() instanceof IOException, refused::toString);
            while (server.openConnections() > 0) {
                assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(15), "the server kept it open");
                Thread.sleep(10);
            }
        } finally {
            writer.shutdownNow();
        }
        assertEquals(EMPTY_LIST, exchange(LIST));
    }

    @Test
    void silentClientsAreClosedWhileOthersAreServed() throws IOException {
        socket = dir.resolve("short.sock");
        // the deadline also bounds the exchanges served meanwhile: short enough for a quick test, long enough for
        // a loaded machine to answer them
        start(socket, Duration.ofSeconds(2), ApiServer.DEFAULT_MAX_CONNECTIONS);
        try (UnixClient silent = new UnixClient(socket); UnixClient slow = new UnixClient(socket)) {
            slow.send("{\"execute\":");
            assertEquals(EMPTY_LIST, exchange(LIST));
            long started = System.nanoTime();
            assertEquals("", silent.readToEnd());
            assertEquals("", slow.readToEnd());
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(10));
        }
        assertEquals(EMPTY_LIST, exchange(LIST));
    }

    @Test
    void fiftyConcurrentClientsAreAllAnswered() throws Exception {
        int clients = 50;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int port = 10000 + i;
                answers.add(pool.submit(() -> {
                    go.await();
                    return exchange(add(port, 80));
                }));
            }
            go.countDown();
            Pattern added = Pattern.compile("\\{\"return\":\\{\"id\":(\\d+)}}");
            Set<Integer> ids = new HashSet<>();
            for (Future<String> answer : answers) {
                Matcher matcher = added.matcher(answer.get(30, TimeUnit.SECONDS));
                assertTrue(matcher.matches(), matcher.toString());
                ids.add(Integer.parseInt(matcher.group(1)));
            }
            assertEquals(Stream.iterate(1, id -> id + 1).limit(clients).collect(Collectors.toSet()), ids);
            assertEquals(clients, forwards.forwards().size());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits until the server's connections, oldest first, are in {@code stages}. */
    private static void awaitStages(ApiServer server, ApiConnection.Stage... stages) throws Exception {
        List<ApiConnection.Stage> want = List.of(stages);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<ApiConnection.Stage> seen = server.stages();
        while (!seen.equals(want) && System.nanoTime() < deadline) {
            Thread.sleep(5);
            seen = server.stages();
        }
        assertEquals(want, seen);
    }

    /** Connects, then waits until the server holds {@code stages} (the newcomer's included). */
    private UnixClient connect(ApiServer server, ApiConnection.Stage... stages) throws Exception {
        UnixClient client = new UnixClient(socket);
        awaitStages(server, stages);
        return client;
    }

    /** Sends {@code text} on {@code client}, then waits until the server holds {@code stages}. */
    private static void send(UnixClient client, String text, ApiServer server, ApiConnection.Stage... stages)
        throws Exception {
        client.send(text);
        awaitStages(server, stages);
    }

    /**
     * With every slot taken, a newcomer takes the slot of the connection that has waited longest without a
     * request: silent ones first, however new, then the oldest part-way through its request. The evicted see EOF.
     */
    @Test
    void evictionTakesTheOldestSilentConnectionThenTheOldestPartOne() throws Exception {
        socket = dir.resolve("evict.sock");
        ApiServer server = start(socket, Duration.ofSeconds(30), Duration.ofSeconds(30), 3);
        ApiConnection.Stage silent = ApiConnection.Stage.SILENT;
        ApiConnection.Stage reading = ApiConnection.Stage.READING;
        try (UnixClient a = connect(server, silent);
             UnixClient b = connect(server, silent, silent);
             UnixClient c = connect(server, silent, silent, silent)) {
            send(a, "{\"execute\":", server, reading, silent, silent);
            try (UnixClient d = connect(server, reading, silent, silent)) {
                assertEquals("", b.readToEnd(), "the oldest silent one goes, not the older part-way one");
                try (UnixClient e = connect(server, reading, silent, silent)) {
                    assertEquals("", c.readToEnd());
                    send(d, "{", server, reading, reading, silent);
                    try (UnixClient f = connect(server, reading, reading, silent)) {
                        assertEquals("", e.readToEnd(), "a silent newcomer goes before older part-way ones");
                        send(f, "{", server, reading, reading, reading);
                        try (UnixClient g = connect(server, reading, reading, silent)) {
                            assertEquals("", a.readToEnd(), "then the oldest part-way one");
                            g.send(LIST);
                            g.channel.shutdownOutput();
                            assertEquals(EMPTY_LIST, g.readToEnd());
                        }
                        // what d and f typed so far still counts: they finish their requests
                        d.send("\"execute\":\"list_hostfwd\"}");
                        d.channel.shutdownOutput();
                        assertEquals(EMPTY_LIST, d.readToEnd());
                    }
                }
            }
        }
        assertEquals(4, server.evictedAtLimit());
        assertEquals(0, server.refusedAtLimit());
    }

    /** An executor that runs nothing until released: the stack's answers wait, their connections stay answering. */
    private static final class HeldStack implements java.util.concurrent.Executor {
        private final List<Runnable> held = new ArrayList<>();

        @Override
        public synchronized void execute(Runnable task) {
            held.add(task);
        }

        synchronized void release() {
            held.forEach(Runnable::run);
            held.clear();
        }
    }

    /**
     * A connection whose request is complete is never evicted, whatever its age: a newcomer evicts a younger silent
     * one instead, and when every slot is answering, the newcomer is the one closed. The answers all arrive.
     */
    @Test
    void anAnsweringConnectionIsNeverEvicted() throws Exception {
        socket = dir.resolve("answering.sock");
        ApiServer server = start(socket, Duration.ofSeconds(30), Duration.ofSeconds(30), 2);
        HeldStack stack = new HeldStack();
        forwards.completeOn = stack;
        ApiConnection.Stage silent = ApiConnection.Stage.SILENT;
        ApiConnection.Stage answering = ApiConnection.Stage.ANSWERING;
        try (UnixClient a = connect(server, silent)) {
            a.send(LIST);
            a.channel.shutdownOutput();
            awaitStages(server, answering);
            try (UnixClient b = connect(server, answering, silent);
                 UnixClient c = connect(server, answering, silent)) {
                assertEquals("", b.readToEnd(), "the silent one makes room, not the older answering one");
                c.send(LIST);
                c.channel.shutdownOutput();
                awaitStages(server, answering, answering);
                try (UnixClient refused = new UnixClient(socket)) {
                    assertEquals("", refused.readToEnd(), "every slot answering: the newcomer is closed");
                }
                assertEquals(List.of(answering, answering), server.stages());
                stack.release();
                assertEquals(EMPTY_LIST, a.readToEnd());
                assertEquals(EMPTY_LIST, c.readToEnd());
            }
        } finally {
            stack.release();
            forwards.completeOn = null;
        }
        assertEquals(1, server.evictedAtLimit());
        assertEquals(1, server.refusedAtLimit());
        assertEquals(EMPTY_LIST, exchange(LIST));
    }

    /** Every slot held by silent clients, and more arriving: each request among them is answered. */
    @Test
    void requestsAmongSilentClientsFillingEverySlotAreAllAnswered() throws Exception {
        socket = dir.resolve("flood.sock");
        ApiServer server = start(socket, Duration.ofSeconds(30), Duration.ofSeconds(30), 4);
        List<UnixClient> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                silent.add(new UnixClient(socket));
                if (i % 2 == 1) {
                    assertEquals("{\"return\":{\"id\":" + (i / 2 + 1) + "}}", exchange(add(20000 + i, 80)));
                }
            }
            assertEquals(20, forwards.forwards().size());
            for (UnixClient client : silent.subList(0, silent.size() - 4)) {
                assertEquals("", client.readToEnd(), "evicted, with EOF");
            }
        } finally {
            for (UnixClient client : silent) {
                client.close();
            }
        }
        assertTrue(server.evictedAtLimit() >= 36, () -> "evicted: " + server.evictedAtLimit());
        assertEquals(0, server.refusedAtLimit());
    }

    /**
     * A client that has sent nothing is closed at the silent deadline; one that started its request keeps the
     * whole-request deadline, as a person typing into socat needs.
     */
    @Test
    void silentDeadlineEndsOnlyClientsThatSentNothing() throws Exception {
        socket = dir.resolve("silent.sock");
        start(socket, Duration.ofSeconds(30), Duration.ofMillis(500), ApiServer.DEFAULT_MAX_CONNECTIONS);
        try (UnixClient quiet = new UnixClient(socket); UnixClient typing = new UnixClient(socket)) {
            long started = System.nanoTime();
            typing.send("{\"execute\":");
            assertEquals("", quiet.readToEnd());
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(millis >= 400 && millis < 5_000, "closed after " + millis + " ms");
            Thread.sleep(1_000);
            typing.send("\"list_hostfwd\"}");
            typing.channel.shutdownOutput();
            assertEquals(EMPTY_LIST, typing.readToEnd(), "a client that started typing keeps its connection");
        }
    }

    @Test
    void malformedInputAndMisbehavingClientsNeverStopTheServer() throws IOException {
        UnixClient.exchange(socket, "\u0000\u0001\u00ff garbage {{{{");
        new UnixClient(socket).close();
        try (UnixClient client = new UnixClient(socket)) {
            client.send("{\"execute\":\"list_hostfwd\"}");
            client.channel.shutdownOutput();
            // closes without reading the answer
        }
        forwards.broken = true;
        assertEquals("", exchange(LIST), "a failing stack closes the connection without an answer");
        forwards.broken = false;
        assertEquals(error(ApiErrors.CANNOT_PARSE), exchange("{\"execute\":\"list_hostfwd\"} trailing"));
        assertEquals(EMPTY_LIST, exchange(LIST));
    }

    @Test
    void socketIsOwnerOnlyAndNothingIsLeftBehind() throws IOException {
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(socket));
        int mode = (Integer) Files.getAttribute(socket, "unix:mode");
        assertEquals(0140000, mode & 0170000, "a socket");
        try (Stream<Path> entries = Files.list(dir)) {
            assertEquals(List.of(socket), entries.collect(Collectors.toList()));
        }
    }

    @Test
    void socketIsOwnerOnlyEvenUnderUmaskZero() throws Exception {
        Path probeSocket = dir.resolve("probe").resolve("api.sock");
        Files.createDirectory(probeSocket.getParent());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process probe = new ProcessBuilder("sh", "-c", "umask 0 && exec \"$0\" -cp \"$1\" " + UmaskProbe.class.getName()
            + " \"$2\"", java, System.getProperty("java.class.path"), probeSocket.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(probe.getInputStream(),
                StandardCharsets.UTF_8));
            assertEquals("plain rw-rw-rw-", out.readLine(), "the probe runs with umask 0");
            assertEquals("ready", out.readLine());
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(probeSocket));
            assertEquals(EMPTY_LIST, UnixClient.exchange(probeSocket, LIST));
        } finally {
            probe.getOutputStream().close();
            assertTrue(probe.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(0, probe.exitValue());
        assertFalse(Files.exists(probeSocket));
    }

    @Test
    void existingFileAtThePathIsReplaced() throws IOException {
        Path taken = dir.resolve("taken.sock");
        Files.writeString(taken, "stale");
        start(taken, ApiServer.DEFAULT_REQUEST_TIMEOUT, 4);
        assertTrue(Files.readAttributes(taken, java.nio.file.attribute.BasicFileAttributes.class).isOther());
        assertEquals(EMPTY_LIST, UnixClient.exchange(taken, LIST));
    }

    @Test
    void closeRemovesThePathAndTheOpenConnections() throws Exception {
        ApiServer server = servers.get(0);
        try (UnixClient open = new UnixClient(socket)) {
            // a connection still in the listener's backlog is reset by the kernel, not closed by us
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.openConnections() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(1, server.openConnections());
            server.close();
            assertEquals("", open.readToEnd());
        }
        assertFalse(Files.exists(socket));
        server.close();
        assertThrows(IOException.class, () -> new UnixClient(socket));
    }

    @Test
    void closeLeavesASuccessorsFileAlone() throws IOException {
        Path replacement = Files.writeString(dir.resolve("other"), "successor");
        Files.move(replacement, socket, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        servers.get(0).close();
        assertEquals("successor", Files.readString(socket));
    }

    @Test
    void closeOnTheLoopItself() throws Exception {
        ApiServer server = servers.get(0);
        loop.submit(server::close).get(10, TimeUnit.SECONDS);
        assertFalse(Files.exists(socket));
    }

    @Test
    void pathsTooLongForASocketAddressAreRefused() throws IOException {
        Path deep = Files.createDirectories(dir.resolve("d".repeat(100)));
        IOException error = assertThrows(IOException.class, () -> start(deep.resolve("api.sock"),
            ApiServer.DEFAULT_REQUEST_TIMEOUT, 4));
        assertTrue(error.getMessage().contains("too long"), error.getMessage());
        try (Stream<Path> entries = Files.list(deep)) {
            assertEquals(0, entries.count());
        }
    }

    /** The temporary path (a ".apiXXXXXX/s" next to it) is longer than a short-named path at the limit. */
    @ParameterizedTest
    @ValueSource(ints = {106, 107})
    void aPathAtTheLimitWithAShortNameWorks(int length) throws Exception {
        String prefix = dir.toString() + "/";
        Path deep = Files.createDirectories(Path.of(prefix + "d".repeat(length - prefix.length() - 2)));
        Path atLimit = deep.resolve("s");
        assertEquals(length, atLimit.toString().length());
        ApiServer server = start(atLimit, ApiServer.DEFAULT_REQUEST_TIMEOUT, 4);
        // the JDK's client refuses 107 bytes, one less than sun_path holds: jnr's takes it, as C clients do
        assertEquals(EMPTY_LIST, ApiClient.request(atLimit, LIST, Duration.ofSeconds(10)));
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(atLimit));
        try (Stream<Path> entries = Files.list(deep)) {
            assertEquals(List.of(atLimit), entries.toList(), "the private directory is gone");
        }
        server.close();
        assertFalse(Files.exists(atLimit));
        assertEquals(List.of(), descriptorsUnder(deep), "descriptors of the private directory left open");
    }

    /** This process's open descriptors naming something under {@code directory}. */
    private static List<String> descriptorsUnder(Path directory) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(directory + "/")) {
                        found.add(fd.getFileName() + " -> " + target);
                    }
                } catch (IOException closedMeanwhile) {
                    // another thread's descriptor, gone between list and read
                }
            }
        }
        return found;
    }

    @Test
    void missingDirectoryIsAClearError() {
        IOException error = assertThrows(IOException.class, () -> start(dir.resolve("no/such/api.sock"),
            ApiServer.DEFAULT_REQUEST_TIMEOUT, 4));
        assertTrue(error.getMessage().contains("no/such"), error.getMessage());
    }

    @Test
    void servingCanStartOnTheLoopItself() throws Exception {
        Path onLoop = dir.resolve("x.sock");
        loop.submit(() -> start(onLoop, ApiServer.DEFAULT_REQUEST_TIMEOUT, 4)).get(10, TimeUnit.SECONDS);
        assertEquals(EMPTY_LIST, UnixClient.exchange(onLoop, LIST));
    }

    @Test
    void requestsSentBeforeServingWaitInTheBacklogAndAreAnswered() throws Exception {
        Path early = dir.resolve("early.sock");
        ApiServer server = ApiServer.listen(early);
        servers.add(server);
        assertTrue(Files.exists(early), "the socket exists as soon as listen returns");
        ExecutorService clients = Executors.newFixedThreadPool(3);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                answers.add(clients.submit(() -> UnixClient.exchange(early, LIST)));
            }
            Thread.sleep(200);
            for (Future<String> answer : answers) {
                assertFalse(answer.isDone(), "nothing answers before serve");
            }
            server.serve(loop, forwards);
            for (Future<String> answer : answers) {
                assertEquals(EMPTY_LIST, answer.get(10, TimeUnit.SECONDS));
            }
        } finally {
            clients.shutdownNow();
        }
        assertThrows(IOException.class, () -> server.serve(loop, forwards), "serve is called once");
    }

    @Test
    void closingBeforeServingRemovesTheSocket() throws IOException {
        Path early = dir.resolve("early.sock");
        ApiServer server = ApiServer.listen(early);
        server.close();
        assertFalse(Files.exists(early));
        assertThrows(IOException.class, () -> UnixClient.exchange(early, LIST));
        assertThrows(IOException.class, () -> server.serve(loop, forwards));
    }
}
