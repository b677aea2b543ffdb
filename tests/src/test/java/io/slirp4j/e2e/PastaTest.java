package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * "pasta mode": the engines that now start only {@code pasta} (Podman 6, Buildah 1.44, RootlessKit) played against a
 * {@code pasta} program ({@link PastaImpl}: Debian's, and slirp4j's bin/pasta once it exists), in a private host that
 * looks like a real one ({@link TestNetwork#createLikeRealHost}: 198.51.100.2/24 and 2001:db8:1::2/64 on
 * {@code veth-h}, default routes via the internet namespace, a test resolver on 198.51.100.1). The checks are what the
 * engines rely on: exit statuses, the daemon's pid and life cycle, what the guest got, DNS, forwards, and the data
 * byte for byte. Observations and skipped checks are printed as {@code [pasta-e2e ...]} lines (see pasta-notes.md).
 *
 * <p>Modes: Podman's argv as root and as rootless Podman runs it (uid 65534 inside the guest's user namespace, with
 * the host's network: {@link Mode#PODMAN}); RootlessKit's argv as root and as RootlessKit's parent runs it (uid
 * 65534 in the initial user namespace, the guest's PID as operand: {@link Mode#ROOTLESS}).
 */
class PastaTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final int TCP_BYTES = 3 << 20;

    static Stream<Arguments> podmanModes() {
        return combos(Mode.ROOT, Mode.PODMAN);
    }

    static Stream<Arguments> rootlesskitModes() {
        return combos(Mode.ROOT, Mode.ROOTLESS);
    }

    private static Stream<Arguments> combos(Mode... modes) {
        List<Arguments> all = new ArrayList<>();
        for (PastaImpl impl : PastaImpl.values()) {
            for (Mode mode : modes) {
                all.add(Arguments.of(impl, mode));
            }
        }
        return all.stream();
    }

    // ---- a. Podman 6

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("podmanModes")
    void podman(PastaImpl impl, Mode mode) throws Exception {
        impl.require();
        try (TestNetwork net = TestNetwork.createLikeRealHost(mode)) {
            PastaEngine pasta = new PastaEngine(net, impl);
            Path netns = pasta.netnsFile();
            Path pidFile = pasta.runDir.resolve("pasta.pid");
            PastaEngine.PodmanStart start = pasta.podman(List.of("8080-8080:80-80"), List.of("8080-8080:80-80"),
                netns, pidFile);
            PastaEngine.Run run = start.last();
            pasta.note("podman start: exit " + run.exit() + " after " + run.exitMillis() + " ms"
                + (start.mapGuestAddr() ? "" : " (second run, without --map-guest-addr)") + ", output "
                + (run.output().isBlank() ? "empty" : "\"" + run.output().strip() + "\""));
            assertEquals(0, run.exit(), run::describe);
            assertTrue(run.exitMillis() < 5000, () -> "pasta took too long to configure: " + run.describe());
            assertTrue(run.outputClosed(), () -> "the daemon kept the output pipe open: " + run.describe());

            // the daemon: named by the pid file, alive, in the private host's network namespace
            long pid = pasta.pidFromFile(pidFile);
            assertTrue(pasta.daemons().contains(pid), () -> "pid file names " + pid + ", not a pasta of this test: "
                + pasta.daemons());
            assertEquals(TestNetwork.nsId(net.hostPid(), "net"), TestNetwork.nsId(pid, "net"),
                "the daemon's network namespace (the hard rule: it must be the private host's)");
            pasta.note("daemon pid " + pid + " (comm " + comm(pid) + ", uid " + uid(pid) + "), tagged processes "
                + pasta.daemons());

            // what the guest got: the host's address, route, MTU and interface name
            String addrs = net.guest("ip", "-o", "addr", "show").check().out();
            String routes = net.guest("ip", "-o", "route", "show").check().out();
            String routes6 = net.guest("ip", "-o", "-6", "route", "show").check().out();
            pasta.note("guest addresses: " + oneLine(addrs));
            pasta.note("guest routes: " + oneLine(routes) + " | " + oneLine(routes6));
            assertTrue(addrs.matches("(?s).*\\d+: veth-h\\s+inet 198\\.51\\.100\\.2/24 .*"),
                () -> "the guest has no 198.51.100.2/24 on an interface named like the host's (veth-h):\n" + addrs);
            assertTrue(routes.contains("default via 198.51.100.1 dev veth-h"), () -> "no default route:\n" + routes);
            String link = net.guest("ip", "-o", "link", "show", "dev", "veth-h").check().out();
            assertTrue(link.contains(" mtu 65520 "), () -> "MTU:\n" + link);
            // IPv6 is copied too (Podman 6 does not pass --ipv4-only), without duplicate address detection
            assertTrue(addrs.matches("(?s).*veth-h\\s+inet6 2001:db8:1::2/64 scope global nodad.*"),
                () -> "the guest has no 2001:db8:1::2/64 (nodad) on veth-h:\n" + addrs);
            assertTrue(routes6.contains("default via 2001:db8:1::1 dev veth-h"),
                () -> "no IPv6 default route:\n" + routes6);
            pasta.note("IPv6: the guest has 2001:db8:1::2/64, default via 2001:db8:1::1");

            // DNS through 169.254.1.1 to the host's resolver
            byte[] answer = dnsFromGuest(net, PastaEngine.PODMAN_DNS);
            pasta.note("DNS via " + PastaEngine.PODMAN_DNS + ": answered byte-exact (" + answer.length
                + " bytes), resolver saw " + net.resolver().peers());

            // 169.254.1.2 leads to the host's own address
            if (start.mapGuestAddr()) {
                InetAddress seen = tcpCheck(net, net.hostNetns(), new InetSocketAddress(TestNetwork.INTERNET_HOST_SIDE,
                    7100), net.guestNetns(), new InetSocketAddress(PastaEngine.PODMAN_HOST_MAP, 7100), 64 << 10);
                pasta.note("--map-guest-addr: guest -> " + PastaEngine.PODMAN_HOST_MAP + ":7100 reached the host's "
                    + "198.51.100.2:7100, which saw the peer " + seen.getHostAddress());
            } else {
                pasta.note("SKIPPED CHECK --map-guest-addr (169.254.1.2 -> host): this version rejects the option, "
                    + "Podman ran it again without");
            }

            // -t 8080-8080:80-80: internet -> 198.51.100.2:8080 -> guest :80, client's real address seen
            InetAddress tcpPeer = tcpCheck(net, net.guestNetns(), new InetSocketAddress("0.0.0.0", 80),
                net.internetNetns(), new InetSocketAddress(TestNetwork.INTERNET_HOST_SIDE, 8080), TCP_BYTES, true,
                WAIT.multipliedBy(3));
            pasta.note("-t 8080:80: " + TCP_BYTES + " bytes each way byte-exact (client half-closed), guest server saw "
                + "the peer " + tcpPeer.getHostAddress());
            assertEquals(InetAddress.getByName(TestNetwork.INTERNET_ADDRESS), tcpPeer,
                "the peer the guest's server sees for a forwarded connection");

            // -u 8080-8080:80-80 likewise
            try (Udp.Server echo = Udp.Server.echo(net.guestNetns(), new InetSocketAddress("0.0.0.0", 80));
                 DatagramSocket client = Udp.socketIn(net.internetNetns())) {
                Random rnd = new Random(8080);
                List<byte[]> payloads = new ArrayList<>();
                for (int size : new int[] {1, 512, 1472, 9000, 32768}) {
                    payloads.add(Udp.payload(rnd, size));
                }
                int retries = Udp.echoLockstep(client,
                    new InetSocketAddress(TestNetwork.INTERNET_HOST_SIDE, 8080), payloads, Duration.ofSeconds(3));
                pasta.note("-u 8080:80: " + payloads.size() + " datagrams (1..32768 bytes) echoed byte-exact, "
                    + retries + " retries; guest server saw " + echo.peers());
                assertEquals(List.of(InetAddress.getByName(TestNetwork.INTERNET_ADDRESS)),
                    echo.peers().stream().map(InetSocketAddress::getAddress).distinct().toList(),
                    "the peers the guest's UDP server saw");
            }

            // -t over IPv6: internet -> [2001:db8:1::2]:8080 -> guest [::]:80, the client's address kept
            try {
                InetAddress tcpPeer6 = tcpCheck(net, net.guestNetns(), new InetSocketAddress("::", 80),
                    net.internetNetns(), new InetSocketAddress(TestNetwork.INTERNET_HOST_SIDE6, 8080), TCP_BYTES, false,
                    WAIT);
                pasta.note("-t 8080:80 over IPv6: " + TCP_BYTES + " bytes each way byte-exact, guest server saw the "
                    + "peer " + tcpPeer6.getHostAddress());
                assertEquals(InetAddress.getByName(TestNetwork.INTERNET_ADDRESS6), tcpPeer6,
                    "the peer the guest's server sees for a connection forwarded over IPv6");
            } catch (AssertionError e) {
                if (impl.ipv6ForwardsWork()) {
                    throw e;
                }
                pasta.note("KNOWN LIMITATION -t over IPv6: " + e.getMessage());
            }

            // guest -> outside, both families
            InetAddress outPeer = tcpCheck(net, net.internetNetns(), new InetSocketAddress(TestNetwork.INTERNET_ADDRESS,
                7000), net.guestNetns(), new InetSocketAddress(TestNetwork.INTERNET_ADDRESS, 7000), TCP_BYTES);
            pasta.note("guest -> 198.51.100.1:7000: " + TCP_BYTES + " bytes each way byte-exact, the internet server "
                + "saw the peer " + outPeer.getHostAddress());
            InetAddress outPeer6 = tcpCheck(net, net.internetNetns(), new InetSocketAddress(
                TestNetwork.INTERNET_ADDRESS6, 7002), net.guestNetns(), new InetSocketAddress(
                TestNetwork.INTERNET_ADDRESS6, 7002), TCP_BYTES);
            pasta.note("guest -> [2001:db8:1::1]:7002: " + TCP_BYTES + " bytes each way byte-exact, the internet server "
                + "saw the peer " + outPeer6.getHostAddress());
            assertEquals(InetAddress.getByName(TestNetwork.INTERNET_HOST_SIDE6), outPeer6, "the guest's IPv6 source");
            guestHalfClose(net, pasta);

            // the daemon ends when Podman removes the netns file
            pasta.deleteNetns(netns);
            long took = PastaEngine.awaitExit(pid, Duration.ofSeconds(3));
            pasta.note("netns file unmounted and removed: daemon " + (took < 0 ? "STILL RUNNING after 3 s"
                : "gone after " + took + " ms"));
            assertTrue(took >= 0, "the daemon still runs 3 s after its netns file was deleted");
            assertTrue(pasta.daemons().isEmpty(), () -> "tagged processes left: " + pasta.daemons());
        }
    }

    /** Podman's container-netns form: no --pid, no forwards ({@code -t none -u none}); the daemon still goes. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("podmanModes")
    void podmanWithoutPidFileOrForwards(PastaImpl impl, Mode mode) throws Exception {
        impl.require();
        try (TestNetwork net = TestNetwork.createLikeRealHost(mode)) {
            PastaEngine pasta = new PastaEngine(net, impl);
            Path netns = pasta.netnsFile();
            PastaEngine.PodmanStart start = pasta.podman(List.of(), List.of(), netns, null);
            PastaEngine.Run run = start.last();
            assertEquals(0, run.exit(), run::describe);
            assertTrue(run.outputClosed(), run::describe);
            List<Long> daemons = pasta.daemons();
            assertEquals(1, daemons.size(), () -> "tagged processes: " + daemons);
            assertTrue(net.guest("ip", "-o", "addr", "show").check().out().contains("inet 198.51.100.2/24"));
            String listening = net.host("ss", "-Htlnu").check().out();
            pasta.note("-t none -u none: host sockets listening " + oneLine(listening));
            pasta.deleteNetns(netns);
            long took = PastaEngine.awaitExit(daemons.get(0), Duration.ofSeconds(3));
            pasta.note("without --pid: daemon " + daemons.get(0) + " gone " + took + " ms after the netns file went");
            assertTrue(took >= 0, "the daemon still runs 3 s after its netns file was deleted");
        }
    }

    // ---- b. RootlessKit

    @ParameterizedTest(name = "{0} {1} ipv4-only")
    @MethodSource("rootlesskitModes")
    void rootlesskitIpv4Only(PastaImpl impl, Mode mode) throws Exception {
        rootlesskit(impl, mode, true);
    }

    @ParameterizedTest(name = "{0} {1} with IPv6")
    @MethodSource("rootlesskitModes")
    void rootlesskitWithIpv6(PastaImpl impl, Mode mode) throws Exception {
        rootlesskit(impl, mode, false);
    }

    void rootlesskit(PastaImpl impl, Mode mode, boolean ipv4Only) throws Exception {
        impl.require();
        try (TestNetwork net = TestNetwork.createLikeRealHost(mode)) {
            PastaEngine pasta = new PastaEngine(net, impl);
            PastaEngine.Run version = pasta.run("--version");
            assertEquals(0, version.exit(), version::describe);
            pasta.note("probe --version: exit 0, \"" + PastaEngine.firstLine(version.output()) + "\"");
            PastaEngine.Run lo = pasta.run("--host-lo-to-ns-lo", "--version");
            boolean hostLo = lo.exit() == 0;
            pasta.note("probe --host-lo-to-ns-lo --version: exit " + lo.exit() + " \""
                + PastaEngine.firstLine(lo.output()) + "\" -> RootlessKit " + (hostLo ? "passes" : "omits")
                + " --host-lo-to-ns-lo");
            assertTrue(version.outputClosed() && lo.outputClosed());

            PastaEngine.Run run = pasta.run(PastaEngine.rootlesskitArgs(ipv4Only, hostLo, false, net.guestPid()));
            String limitation = run.exit() == 0 ? null : impl.knownLimitation(run, mode);
            if (limitation != null) {
                // the failure is exactly the recorded one (anything else fails above): nothing more to check here
                pasta.note("KNOWN LIMITATION rootlesskit case (exit " + run.exit() + "): " + limitation);
                return;
            }
            pasta.note("rootlesskit start (" + (ipv4Only ? "--ipv4-only" : "IPv6 enabled") + "): exit " + run.exit()
                + " after " + run.exitMillis() + " ms, output " + run.output().lines()
                    .filter(l -> !l.startsWith("Failed to send")).count() + " lines: " + oneLine(run.output().lines()
                    .filter(l -> !l.startsWith("Failed to send")).reduce("", (a, b) -> a + "\n" + b)));
            // RootlessKit's CombinedOutput returns only at exit AND end of output: pasta must daemonise with its
            // output closed, and exit 0
            assertEquals(0, run.exit(), run::describe);
            assertTrue(run.outputClosed(), () -> "the daemon kept the output pipe open: " + run.describe());
            List<Long> daemons = pasta.daemons();
            assertEquals(1, daemons.size(), () -> "tagged pasta processes after the start: " + daemons);
            long pid = daemons.get(0);
            assertEquals(TestNetwork.nsId(net.hostPid(), "net"), TestNetwork.nsId(pid, "net"),
                "the daemon's network namespace (the hard rule: it must be the private host's)");
            pasta.note("daemon pid " + pid + " (comm " + comm(pid) + ", uid " + uid(pid) + ") keeps running");

            String addrs = net.guest("ip", "-o", "addr", "show", "dev", "tap0").check().out();
            String routes = net.guest("ip", "-o", "route", "show").check().out();
            String link = net.guest("ip", "-o", "link", "show", "dev", "tap0").check().out();
            pasta.note("guest tap0: " + oneLine(addrs) + " | routes " + oneLine(routes));
            assertTrue(addrs.contains("inet 10.0.2.100/24 "), () -> "tap0 address:\n" + addrs);
            assertTrue(routes.contains("default via 10.0.2.2 dev tap0"), () -> "routes:\n" + routes);
            assertTrue(link.contains(" mtu 65520 "), () -> "MTU:\n" + link);
            String addrs6 = net.guest("ip", "-o", "-6", "addr", "show", "dev", "tap0", "scope", "global").check().out();
            if (!ipv4Only) {
                String routes6 = net.guest("ip", "-o", "-6", "route", "show").check().out();
                pasta.note("IPv6 enabled: tap0 IPv6 " + oneLine(addrs6) + " | routes " + oneLine(routes6));
                assertTrue(addrs6.contains("inet6 2001:db8:1::2/64 "), () -> "tap0 IPv6 address:\n" + addrs6);
                assertTrue(routes6.contains("default via 2001:db8:1::1 dev tap0"), () -> "IPv6 routes:\n" + routes6);
            } else {
                assertTrue(addrs6.isBlank(), () -> "--ipv4-only, yet tap0 has global IPv6:\n" + addrs6);
            }

            byte[] answer = dnsFromGuest(net, "10.0.2.3");
            pasta.note("DNS via 10.0.2.3: answered byte-exact (" + answer.length + " bytes), resolver saw "
                + net.resolver().peers());

            InetAddress outPeer = tcpCheck(net, net.internetNetns(), new InetSocketAddress(TestNetwork.INTERNET_ADDRESS,
                7000), net.guestNetns(), new InetSocketAddress(TestNetwork.INTERNET_ADDRESS, 7000), TCP_BYTES);
            pasta.note("guest -> 198.51.100.1:7000: " + TCP_BYTES + " bytes each way byte-exact, the server saw "
                + outPeer.getHostAddress());
            guestHalfClose(net, pasta);

            assertTrue(Cmd.signal(pid, "TERM"), "kill -TERM " + pid);
            long took = PastaEngine.awaitExit(pid, Duration.ofSeconds(2));
            pasta.note("SIGTERM: daemon " + (took < 0 ? "STILL RUNNING after 2 s" : "gone after " + took + " ms"));
            assertTrue(took >= 0, "the daemon ignores SIGTERM");
        }
    }

    // ---- c. errors

    @ParameterizedTest(name = "{0}")
    @EnumSource(PastaImpl.class)
    void unknownOption(PastaImpl impl) {
        impl.require();
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            PastaEngine pasta = new PastaEngine(net, impl);
            PastaEngine.Run run = pasta.run("--no-such-option-e2e", "--config-net");
            pasta.note("unknown option: exit " + run.exit() + ", first line \"" + PastaEngine.firstLine(run.output())
                + "\", " + run.output().lines().count() + " lines of output");
            assertEquals(1, run.exit(), run::describe);
            assertTrue(run.output().contains("unrecognized option '--no-such-option-e2e'"), run::describe);
            assertTrue(run.outputClosed(), run::describe);
            assertTrue(pasta.daemons().isEmpty(), () -> "processes left: " + pasta.daemons());
        }
    }

    // ---- checks

    /** A DNS query from the guest to {@code server}:53 answered exactly as the host's resolver answers. */
    static byte[] dnsFromGuest(TestNetwork net, String server) throws IOException {
        byte[] query = Dns.query(0x5a17, TestNetwork.RESOLVER_TEST_NAME, Dns.TYPE_A);
        byte[] expected = Dns.answerA(query, Frames.ip(TestNetwork.RESOLVER_TEST_ADDRESS));
        try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
            InetSocketAddress to = new InetSocketAddress(server, 53);
            DatagramPacket reply = null;
            for (int attempt = 0; attempt < 3 && reply == null; attempt++) {
                s.send(new DatagramPacket(query, query.length, to));
                reply = Udp.receive(s, Duration.ofSeconds(2));
            }
            assertNotNull(reply, "no DNS answer from " + to + " in the guest");
            assertEquals(to, reply.getSocketAddress(), "source of the DNS answer");
            byte[] got = java.util.Arrays.copyOfRange(reply.getData(), reply.getOffset(),
                reply.getOffset() + reply.getLength());
            assertArrayEquals(expected, got, "the DNS answer, byte for byte");
            return got;
        }
    }

    /**
     * A server on {@code bind} in {@code serverNs}, a client in {@code clientNs} connecting to {@code to}: {@code bytes}
     * pseudo-random bytes each way, both hashes compared; returns the peer address the server saw. With
     * {@code halfClose} the client ends its data with a FIN (shutdownOutput) and the server reads to EOF before it
     * answers; without, the server reads exactly {@code bytes} and the client's socket stays open both ways until
     * the server's data and FIN have arrived.
     */
    static InetAddress tcpCheck(TestNetwork net, Path serverNs, InetSocketAddress bind, Path clientNs,
        InetSocketAddress to, int bytes, boolean halfClose, Duration limit) throws Exception {
        CompletableFuture<TcpPeers.Transfer> serverGot = new CompletableFuture<>();
        CompletableFuture<TcpPeers.Transfer> serverSent = new CompletableFuture<>();
        CompletableFuture<InetAddress> peer = new CompletableFuture<>();
        try (TcpPeers.Server server = new TcpPeers.Server(serverNs, bind, c -> {
            try {
                peer.complete(((InetSocketAddress) c.getRemoteAddress()).getAddress());
                serverGot.complete(halfClose ? TcpPeers.receive(c) : receiveExactly(c, bytes));
                serverSent.complete(TcpPeers.send(c, bytes, 2));
                c.shutdownOutput();
            } catch (IOException e) {
                serverGot.completeExceptionally(e);
                serverSent.completeExceptionally(e);
                throw new UncheckedIOException(e);
            }
        })) {
            CompletableFuture<TcpPeers.Transfer[]> client = TcpPeers.inThread(() -> {
                try (SocketChannel s = TcpPeers.socketIn(clientNs)) {
                    s.connect(to);
                    TcpPeers.Transfer sent = TcpPeers.send(s, bytes, 1);
                    if (halfClose) {
                        s.shutdownOutput();
                    }
                    return new TcpPeers.Transfer[] {sent, TcpPeers.receive(s)};
                } catch (IOException e) {
                    throw new UncheckedIOException("client " + clientNs + " -> " + to, e);
                }
            });
            TcpPeers.Transfer[] c;
            try {
                c = client.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                client.cancel(true);
                throw new AssertionError("TCP " + to + (halfClose ? " (client half-closed)" : "") + ": no end of the "
                    + "server's data within " + limit.toSeconds() + " s; server got "
                    + (serverGot.isDone() ? serverGot.join().bytes() + " bytes" : "not all") + ", sent "
                    + (serverSent.isDone() ? serverSent.join().bytes() + " bytes" : "not all"), e);
            }
            TcpPeers.Transfer got = serverGot.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            TcpPeers.Transfer sent = serverSent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(c[0].bytes(), got.bytes(), "bytes client -> server via " + to);
            assertEquals(c[0].sha256(), got.sha256(), "hash client -> server via " + to);
            assertEquals(sent.bytes(), c[1].bytes(), "bytes server -> client via " + to);
            assertEquals(sent.sha256(), c[1].sha256(), "hash server -> client via " + to);
            assertFalse(server.errors.size() > 0, () -> "server errors: " + server.errors);
            return peer.get(1, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            fail("TCP " + to + ": " + e.getCause(), e.getCause());
            return null;
        }
    }

    static InetAddress tcpCheck(TestNetwork net, Path serverNs, InetSocketAddress bind, Path clientNs,
        InetSocketAddress to, int bytes) throws Exception {
        return tcpCheck(net, serverNs, bind, clientNs, to, bytes, false, WAIT.multipliedBy(3));
    }

    /** Reads exactly {@code n} bytes, hashing them. */
    static TcpPeers.Transfer receiveExactly(SocketChannel c, long n) throws IOException {
        java.security.MessageDigest md = TcpPeers.sha256();
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(256 * 1024);
        long start = System.nanoTime();
        long done = 0;
        while (done < n) {
            buf.clear().limit((int) Math.min(buf.capacity(), n - done));
            int r = c.read(buf);
            if (r < 0) {
                throw new IOException("EOF after " + done + " of " + n + " bytes");
            }
            md.update(buf.array(), 0, r);
            done += r;
        }
        return new TcpPeers.Transfer(done, java.util.HexFormat.of().formatHex(md.digest()), System.nanoTime() - start);
    }

    /**
     * The guest half-closes a connection outwards and waits for the reply and the server's FIN: checked where the
     * implementation is expected to manage it, else only recorded (a known limitation, noted).
     */
    static void guestHalfClose(TestNetwork net, PastaEngine pasta) throws Exception {
        try {
            tcpCheck(net, net.internetNetns(), new InetSocketAddress(TestNetwork.INTERNET_ADDRESS, 7001),
                net.guestNetns(), new InetSocketAddress(TestNetwork.INTERNET_ADDRESS, 7001), 64 << 10, true,
                Duration.ofSeconds(5));
            pasta.note("guest half-close (shutdownOutput, then read the reply to EOF): works, byte-exact");
        } catch (AssertionError e) {
            if (pasta.impl.guestHalfCloseWorks()) {
                throw e;
            }
            pasta.note("KNOWN LIMITATION guest half-close: " + e.getMessage());
        }
    }

    static String comm(long pid) {
        try {
            return java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    static String uid(long pid) {
        try {
            Matcher m = Pattern.compile("(?m)^Uid:\\s+(\\d+)").matcher(
                java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "status")));
            return m.find() ? m.group(1) : "?";
        } catch (IOException e) {
            return "?";
        }
    }

    static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\n\\s*", " | ").replaceAll("\\s+", " ");
    }
}
