package io.slirp4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.slirp4j.stack.forward.Forward;
import io.slirp4j.stack.forward.ForwardProtocol;
import io.slirp4j.stack.forward.ForwardRequest;
import io.slirp4j.stack.wire.Ipv4Address;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jnr.unixsocket.UnixSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class ApiCommandTest {
    @TempDir
    Path dir;
    private MultiThreadIoEventLoopGroup group;
    private ApiServer server;
    private final FakePortForwards forwards = new FakePortForwards();
    private String socket;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void startServer() throws IOException {
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        server = ApiServer.start(group.next(), forwards, dir.resolve("api.sock"));
        socket = server.path().toString();
    }

    @AfterEach
    void stopServer() throws InterruptedException {
        server.close();
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }

    /** Runs the command with fresh output; returns the exit status. */
    private int run(String... args) {
        out.reset();
        err.reset();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            return ApiCommand.run(args, o, e);
        }
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private ForwardRequest lastRequest() {
        return forwards.requests.get(forwards.requests.size() - 1);
    }

    @Test
    void addPrintsTheIdAndThePort() {
        assertEquals(0, run("--socket", socket, "add", "8080:80"));
        assertEquals("added forward 1, host port 8080\n", out());
        assertEquals("", err());
        assertEquals(new ForwardRequest(ForwardProtocol.TCP, Ipv4Address.toInetAddress(0), 8080,
            Ipv4Address.of(10, 0, 2, 100), 80), lastRequest());
    }

    @Test
    void addOfPortZeroPrintsThePortBound() {
        assertEquals(0, run("add", "--udp", "127.0.0.1:0:53", "--socket=" + socket));
        assertEquals("added forward 1, host port 40000\n", out());
        assertEquals(new ForwardRequest(ForwardProtocol.UDP, Ipv4Address.toInetAddress(Ipv4Address.LOOPBACK), 0,
            Ipv4Address.of(10, 0, 2, 100), 53), lastRequest());
    }

    @Test
    void addWithIpv6HostAndGuestAddress() throws Exception {
        assertEquals(0, run("--socket", socket, "add", "--proto=udp", "[::1]:8081:80", "--guest-addr", "10.0.2.15"));
        assertEquals(new ForwardRequest(ForwardProtocol.UDP, InetAddress.getByName("::1"), 8081,
            Ipv4Address.of(10, 0, 2, 15), 80), lastRequest());
        assertEquals(0, run("--socket", socket, "add", "--proto", "tcp", "[::]:8082:80"));
        assertEquals(InetAddress.getByName("::"), lastRequest().hostAddress());
    }

    @Test
    void addOfARangeSendsOneRequestPerPortInOrder() {
        assertEquals(0, run("--socket", socket, "add", "8000-8002:80-82"));
        assertEquals("added forward 1, host port 8000\nadded forward 2, host port 8001\n"
            + "added forward 3, host port 8002\n", out());
        assertEquals("", err());
        int guest = Ipv4Address.of(10, 0, 2, 100);
        InetAddress any = Ipv4Address.toInetAddress(0);
        assertEquals(List.of(new ForwardRequest(ForwardProtocol.TCP, any, 8000, guest, 80),
            new ForwardRequest(ForwardProtocol.TCP, any, 8001, guest, 81),
            new ForwardRequest(ForwardProtocol.TCP, any, 8002, guest, 82)), forwards.requests);

        assertEquals(0, run("--socket", socket, "--json", "add", "9000-9001:90-91"));
        assertEquals("{\"return\":{\"id\":4}}\n{\"return\":{\"id\":5}}\n", out());
    }

    @Test
    void addOfARangeStopsAtTheFirstRefusalAndKeepsWhatWasAdded() {
        forwards.failingPorts.add(8001);
        assertEquals(1, run("--socket", socket, "add", "8000-8002:80-82"));
        assertEquals("added forward 1, host port 8000\n", out());
        assertEquals("slirp4j: bad request: add_hostfwd: slirp_add_hostfwd failed\n", err());
        assertEquals(2, forwards.requests.size());
        assertEquals(List.of(8000), forwards.forwards().stream().map(Forward::hostPort).toList());
    }

    @Test
    void aSuffixGivesTheProtocol() {
        assertEquals(0, run("--socket", socket, "add", "5353:53/udp"));
        assertEquals(ForwardProtocol.UDP, lastRequest().protocol());
        assertEquals(0, run("--socket", socket, "add", "--udp", "5354:53/udp"));
        assertEquals(ForwardProtocol.UDP, lastRequest().protocol());
        assertEquals(0, run("--socket", socket, "add", "--proto", "tcp", "8080:80/tcp"));
        assertEquals(ForwardProtocol.TCP, lastRequest().protocol());
    }

    @Test
    void aSuffixContradictingTheOptionsIsAUsageError() {
        assertEquals(2, run("--socket", socket, "add", "--proto", "tcp", "8080:80/udp"));
        assertEquals("slirp4j api: the /udp of 8080:80/udp contradicts --proto tcp (see slirp4j api --help)\n",
            err());
        assertEquals(2, run("--socket", socket, "add", "--udp", "8080:80/tcp"));
        assertEquals("slirp4j api: the /tcp of 8080:80/tcp contradicts --udp (see slirp4j api --help)\n", err());
        assertTrue(forwards.requests.isEmpty());
    }

    @Test
    void ipv6InBracketsIsSentBare() throws Exception {
        assertEquals(0, run("--socket", socket, "add", "[2001:0db8::0001]:7000-7001:53-54/udp"));
        InetAddress address = InetAddress.getByName("2001:db8::1");
        int guest = Ipv4Address.of(10, 0, 2, 100);
        assertEquals(List.of(new ForwardRequest(ForwardProtocol.UDP, address, 7000, guest, 53),
            new ForwardRequest(ForwardProtocol.UDP, address, 7001, guest, 54)), forwards.requests);
    }

    @Test
    void aHostNameIsRefusedWithoutConnecting() {
        // no server at this path: had add connected, it would have failed with status 1
        String missing = dir.resolve("missing.sock").toString();
        assertEquals(2, run("--socket", missing, "add", "localhost:8081:80"));
        assertEquals("slirp4j api: add HOST_ADDR must be an IPv4 address or an IPv6 address in brackets like [::1]"
            + " (got 'localhost' in 'localhost:8081:80') (see slirp4j api --help)\n", err());
        assertEquals("", out());
    }

    /**
     * An answer much larger than the socket buffers (here 1,500 forwards, ~330 kB) arrives whole, also when the
     * stack answers a little later, on its own schedule (as the real one does), and the client reads slowly.
     */
    @Test
    void aListLargerThanTheSocketBuffersArrivesWhole() throws Exception {
        int count = 1500;
        for (int i = 0; i < count; i++) {
            forwards.add(new ForwardRequest(ForwardProtocol.TCP, Ipv4Address.toInetAddress(0), 20000 + i,
                Ipv4Address.of(10, 0, 2, 100), 20000 + i)).get();
        }
        // Netty 4.2.18 loses the epoll registration of a half-closed channel; EpollHalfClosure repairs it
        assertTrue(io.slirp4j.stack.host.EpollHalfClosure.available(), "the workaround finds Netty's internals");
        forwards.completeOn = task -> group.schedule(task, 50, TimeUnit.MILLISECONDS);
        try (UnixClient slow = new UnixClient(Path.of(socket))) {
            slow.send("{\"execute\":\"list_hostfwd\"}");
            slow.channel.shutdownOutput();
            Thread.sleep(1000); // a client slower to read than the server is to write
            assertEquals(count, ApiAnswer.parse(slow.readToEnd()).entries().size());
        }
        String raw = ApiClient.request(Path.of(socket), "{\"execute\":\"list_hostfwd\"}", Duration.ofSeconds(10));
        assertTrue(raw.length() > 300_000, "answer of " + raw.length() + " bytes");
        assertEquals(count, ApiAnswer.parse(raw).entries().size());
        assertEquals(0, run("--socket", socket, "list"));
        assertEquals(count + 1, out().lines().count(), "a heading and a line per forward");
    }

    @Test
    void listPrintsAnAlignedTable() {
        run("--socket", socket, "add", "8080:80");
        run("--socket", socket, "add", "--udp", "--guest-addr", "10.0.2.15", "[::1]:0:53");
        assertEquals(0, run("--socket", socket, "list"));
        assertEquals(String.join("\n",
            "ID  PROTO  HOST          GUEST",
            "1   tcp    0.0.0.0:8080  10.0.2.100:80",
            "2   udp    [::1]:40000   10.0.2.15:53",
            ""), out());
    }

    @Test
    void listOfNothingIsJustTheHeader() {
        assertEquals(0, run("--socket", socket, "list"));
        assertEquals("ID  PROTO  HOST  GUEST\n", out());
    }

    @Test
    void jsonPrintsTheRawAnswer() {
        assertEquals(0, run("--socket", socket, "--json", "add", "0:80"));
        assertEquals("{\"return\":{\"id\":1,\"host_port\":40000}}\n", out());
        assertEquals(0, run("--json", "--socket", socket, "list"));
        String entries = "[{\"id\":1,\"proto\":\"tcp\",\"host_addr\":\"0.0.0.0\",\"host_port\":40000,"
            + "\"guest_addr\":\"10.0.2.100\",\"guest_port\":80}]";
        assertEquals("{\"return\":{\"entries\":" + entries + "},\"entries\":" + entries + "}\n", out());
        assertEquals(0, run("--socket", socket, "remove", "1", "--json"));
        assertEquals("{\"return\":{}}\n", out());
    }

    @Test
    void remove() {
        run("--socket", socket, "add", "8080:80");
        assertEquals(0, run("--socket", socket, "remove", "1"));
        assertEquals("removed forward 1\n", out());
        assertEquals(List.of(), forwards.forwards());
    }

    @Test
    void serverErrorsGoToStderrWithStatusOne() {
        assertEquals(1, run("--socket", socket, "remove", "99"));
        assertEquals("", out());
        assertEquals("slirp4j: bad request: remove_hostfwd: bad arguments.id\n", err());

        forwards.failingPorts.add(8080);
        assertEquals(1, run("--socket", socket, "add", "8080:80"));
        assertEquals("slirp4j: bad request: add_hostfwd: slirp_add_hostfwd failed\n", err());

        assertEquals(1, run("--socket", socket, "add", "8081:80", "--guest-addr", "10.0.2.2"));
        assertEquals("slirp4j: bad request: add_hostfwd: bad arguments.guest_addr\n", err());
    }

    @Test
    void jsonShowsErrorsRawToo() {
        assertEquals(1, run("--socket", socket, "--json", "remove", "5"));
        assertEquals("{\"error\":{\"desc\":\"bad request: remove_hostfwd: bad arguments.id\"}}\n", out());
        assertEquals("slirp4j: bad request: remove_hostfwd: bad arguments.id\n", err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "list", "--socket S", "--socket S frob", "--socket S add", "--socket S add 8080",
        "--socket S add a:b", "--socket S add 1:2:3:4", "--socket S add ::1:8080:80", "--socket S add [::1]8080:80",
        "--socket S add [::1:8080:80", "--socket S add 70000:80", "--socket S add 8080:0", "--socket S add 8080:80x",
        "--socket S add -1:80", "--socket S add 8080:80 9090:90", "--socket S add --proto sctp 8080:80",
        "--socket S add --udp --proto tcp 8080:80", "--socket S list --udp", "--socket S list extra",
        "--socket S remove", "--socket S remove abc", "--socket S remove 0", "--socket S remove 99999999999",
        "--socket S --json=yes list", "--socket", "--socket S --verbose list", "--socket S -x list",
        "--socket S remove --guest-addr 10.0.2.15 1", "--socket S add localhost:8080:80",
        "--socket S add 8000-8001:80", "--socket S add 0-1:80-81", "--socket S add 8080:80/sctp",
        "--socket S add --proto tcp 8080:80/udp", "--socket S add [::ffff:1.2.3.4]:8080:80"})
    void usageErrorsAreOneLineWithStatusTwo(String commandLine) {
        String[] args = commandLine.isEmpty() ? new String[0] : commandLine.replace("S", socket).split(" ");
        assertEquals(2, run(args), commandLine);
        assertEquals("", out());
        assertTrue(err().startsWith("slirp4j api: ") && err().endsWith("\n") && err().indexOf('\n') == err().length() - 1,
            err());
        assertTrue(forwards.requests.isEmpty());
    }

    @Test
    void help() {
        assertEquals(0, run("--help"));
        assertTrue(out().startsWith("Usage: slirp4j api --socket PATH"), out());
        assertEquals(0, run("--socket", socket, "list", "-h"));
        assertTrue(out().startsWith("Usage:"), out());
    }

    @Test
    void noServerIsAClearError() throws IOException {
        Path missing = dir.resolve("missing.sock");
        assertEquals(1, run("--socket", missing.toString(), "list"));
        assertTrue(err().startsWith("slirp4j: cannot connect to API socket " + missing + ": "), err());
        assertEquals(1, err().split("\n").length);

        Path plain = Files.writeString(dir.resolve("plain"), "not a socket");
        assertEquals(1, run("--socket", plain.toString(), "list"));
        assertTrue(err().startsWith("slirp4j: cannot connect to API socket " + plain + ": "), err());
    }

    @Test
    void clientGivesUpOnASilentServer() throws IOException {
        Path silentPath = dir.resolve("silent.sock");
        try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            // bound and listening, never accepting: connect completes from the backlog, no answer comes
            silent.bind(UnixDomainSocketAddress.of(silentPath));
            UnixSocketChannel.open().close(); // loads jnr's natives, which a slow machine must not count as waiting
            long started = System.nanoTime();
            assertThrows(SocketTimeoutException.class,
                () -> ApiClient.request(silentPath, "{\"execute\":\"list_hostfwd\"}", Duration.ofMillis(300)));
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5));
        }
    }

    @Test
    void clientReadsSlirp4netnssOwnListShape() throws IOException {
        ApiAnswer answer = ApiAnswer.parse("{\"entries\":[{\"id\":1,\"proto\":\"tcp\",\"host_addr\":\"0.0.0.0\","
            + "\"host_port\":8080,\"guest_addr\":\"10.0.2.100\",\"guest_port\":80}]}");
        assertEquals(List.of(new ApiAnswer.Entry(1, "tcp", "0.0.0.0", 8080, "10.0.2.100", 80)), answer.entries());
        assertEquals(null, answer.error());
        assertThrows(IOException.class, () -> ApiAnswer.parse("{\"something\":1}"));
        assertThrows(IOException.class, () -> ApiAnswer.parse("[]"));
        assertThrows(IOException.class, () -> ApiAnswer.parse(""));
    }
}
