package io.slirp4j.e2e;

import static io.slirp4j.e2e.PastaTest.TCP_BYTES;
import static io.slirp4j.e2e.PastaTest.WAIT;
import static io.slirp4j.e2e.PastaTest.tcpCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * pasta's forwards from the namespace to the host, -T/--tcp-ns and -U/--udp-ns, in a {@link TestNetwork} like a real
 * host: a server on the private host's loopback, the guest's client on its own loopback. Explicit ports with Podman's
 * argv (its {@code -T none -U none} replaced), and {@code auto}, the default, with RootlessKit's argv (no -T/-U).
 * Observations are printed as {@code [pasta-e2e ...]} lines, differences of Debian's pasta as KNOWN LIMITATION.
 */
class PastaNamespaceForwardsTest {
    static final InetAddress LO4 = InetAddress.getLoopbackAddress();

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.slirp4j.e2e.PastaTest#podmanModes")
    void explicitPorts(PastaImpl impl, Mode mode) throws Exception {
        impl.require();
        try (TestNetwork net = TestNetwork.createLikeRealHost(mode)) {
            PastaEngine pasta = new PastaEngine(net, impl);
            pasta.namespaceForwards = List.of("-T", "5432", "-T", "6000:7000", "-U", "5353");
            PastaEngine.PodmanStart start = pasta.podman(List.of(), List.of(), pasta.netnsFile(),
                pasta.runDir.resolve("pasta.pid"));
            PastaEngine.Run run = start.last();
            pasta.note("podman start with -T 5432 -T 6000:7000 -U 5353: exit " + run.exit() + " after "
                + run.exitMillis() + " ms");
            assertEquals(0, run.exit(), run::describe);
            pasta.note("guest listening: " + PastaTest.oneLine(net.guest("ss", "-Htlnu").check().out()));

            // -T 5432: guest 127.0.0.1:5432 -> host 127.0.0.1:5432, the client half-closes
            InetAddress peer = tcpCheck(net, net.hostNetns(), new InetSocketAddress(LO4, 5432), net.guestNetns(),
                new InetSocketAddress(LO4, 5432), TCP_BYTES, true, WAIT.multipliedBy(3));
            pasta.note("-T 5432: " + TCP_BYTES + " bytes each way byte-exact (client half-closed), host server saw "
                + peer.getHostAddress());
            assertTrue(peer.isLoopbackAddress(), "the host server's peer: " + peer);

            // -T 6000:7000: guest :6000 -> host :7000
            tcpCheck(net, net.hostNetns(), new InetSocketAddress(LO4, 7000), net.guestNetns(),
                new InetSocketAddress(LO4, 6000), TCP_BYTES);
            pasta.note("-T 6000:7000: " + TCP_BYTES + " bytes each way byte-exact to the host's port 7000");

            // -U 5353: datagrams echoed byte-exact, the reply from the guest's 127.0.0.1:5353
            try (Udp.Server echo = Udp.Server.echo(net.hostNetns(), new InetSocketAddress(LO4, 5353));
                 DatagramSocket client = Udp.socketIn(net.guestNetns())) {
                Random rnd = new Random(5353);
                List<byte[]> payloads = new ArrayList<>();
                for (int size : new int[] {1, 512, 1472, 9000, 32768}) {
                    payloads.add(Udp.payload(rnd, size));
                }
                try {
                    int retries = Udp.echoLockstep(client, new InetSocketAddress(LO4, 5353), payloads,
                        Duration.ofSeconds(3));
                    pasta.note("-U 5353: " + payloads.size() + " datagrams (1..32768 bytes) echoed byte-exact, "
                        + retries + " retries; host server saw " + echo.peers());
                } catch (AssertionError e) {
                    if (impl == PastaImpl.SLIRP4J) {
                        throw e;
                    }
                    pasta.note("KNOWN LIMITATION -U 5353: " + e.getMessage() + "; host server saw " + echo.peers());
                }
            }

            // and IPv6 (Podman's namespace has it): guest [::1]:5432 -> host [::1]:5432
            try {
                tcpCheck(net, net.hostNetns(), new InetSocketAddress("::1", 5432), net.guestNetns(),
                    new InetSocketAddress("::1", 5432), 1 << 20, true, WAIT);
                pasta.note("-T 5432 over IPv6 (::1): 1 MiB each way byte-exact");
            } catch (AssertionError e) {
                if (impl == PastaImpl.SLIRP4J) {
                    throw e;
                }
                pasta.note("KNOWN LIMITATION -T 5432 over IPv6: " + e.getMessage());
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.slirp4j.e2e.PastaTest#rootlesskitModes")
    void autoFollowsTheHostsPorts(PastaImpl impl, Mode mode) throws Exception {
        impl.require();
        try (TestNetwork net = TestNetwork.createLikeRealHost(mode)) {
            PastaEngine pasta = new PastaEngine(net, impl);
            boolean hostLo = pasta.run("--host-lo-to-ns-lo", "--version").exit() == 0;
            // a port the host has before pasta starts: forwarded by the first scan, before pasta reports ready
            net.closeLater(new TcpPeers.Server(net.hostNetns(), new InetSocketAddress(LO4, 18120),
                PastaNamespaceForwardsTest::echo));
            PastaEngine.Run run = pasta.run(PastaEngine.rootlesskitArgs(true, hostLo, false, net.guestPid()));
            String limitation = run.exit() == 0 ? null : impl.knownLimitation(run, mode);
            if (limitation != null) {
                // the failure is exactly the recorded one (anything else fails below): nothing more to check here
                pasta.note("KNOWN LIMITATION auto case (exit " + run.exit() + "): " + limitation);
                return;
            }
            assertEquals(0, run.exit(), run::describe);
            long first = awaitEcho(net.guestNetns(), new InetSocketAddress(LO4, 18120), Duration.ZERO);
            pasta.note("auto: the host's 127.0.0.1:18120, bound before pasta started, " + (first < 0
                ? "NOT reachable from the guest right after the start" : "reachable from the guest at once"));
            if (impl == PastaImpl.SLIRP4J) {
                assertTrue(first >= 0, "a host port bound before the start is not forwarded once pasta is ready");
            }
            // the NAT's own host UDP sockets (here a DNS query's) are not servers of the host: not forwarded back
            PastaTest.dnsFromGuest(net, "10.0.2.3");
            TestNetwork.sleep(1500);
            String udpListeners = net.guest("ss", "-Huln").check().out();
            pasta.note("auto: after a DNS query from the guest, UDP listeners in the guest: "
                + PastaTest.oneLine(udpListeners));
            if (impl == PastaImpl.SLIRP4J) {
                assertTrue(udpListeners.lines().allMatch(l -> l.contains(":18120 ")),
                    () -> "the guest listens on UDP ports other than the host's 18120:\n" + udpListeners);
            }
            int port = 18123;
            InetSocketAddress guestSide = new InetSocketAddress(LO4, port);
            assertTrue(refused(net.guestNetns(), guestSide), "the guest's 127.0.0.1:" + port + " before the host has the port");

            long t0;
            long took;
            try (TcpPeers.Server server = new TcpPeers.Server(net.hostNetns(), new InetSocketAddress(LO4, port),
                PastaNamespaceForwardsTest::echo)) {
                t0 = System.nanoTime();
                took = awaitEcho(net.guestNetns(), guestSide, Duration.ofSeconds(5));
                pasta.note("auto: the host's 127.0.0.1:" + port + " (bound after pasta started) reachable from the "
                    + "guest's 127.0.0.1:" + port + (took < 0 ? " NOT within 5 s" : " after " + took + " ms"));
                if (took < 0 && impl != PastaImpl.SLIRP4J) {
                    pasta.note("KNOWN LIMITATION auto: no forward appeared; guest listening: " + PastaTest.oneLine(
                        net.guest("ss", "-Htlnu").check().out()) + "; host listening: " + PastaTest.oneLine(
                        net.host("ss", "-Htlnu").check().out()));
                    return;
                }
                assertTrue(took >= 0 && took <= 3500, "the port was not forwarded within 3.5 s: " + took);
                String hash = echoTransfer(net.guestNetns(), guestSide, TCP_BYTES);
                pasta.note("auto: " + TCP_BYTES + " bytes echoed byte-exact through the forward (sha256 " + hash
                    .substring(0, 12) + "...)");
            }
            long closedAt = System.nanoTime();
            long gone = -1;
            while (System.nanoTime() - closedAt < TimeUnit.SECONDS.toNanos(5)) {
                if (refused(net.guestNetns(), guestSide)) {
                    gone = (System.nanoTime() - closedAt) / 1_000_000;
                    break;
                }
                TestNetwork.sleep(100);
            }
            pasta.note("auto: after the host's server closed, the guest's port " + (gone < 0 ? "STILL forwarded 5 s "
                + "later" : "refused again after " + gone + " ms"));
            if (impl == PastaImpl.SLIRP4J) {
                assertTrue(gone >= 0 && gone <= 3500, "the forward stayed after the host's port closed: " + gone);
            }
            autoUdp(net, pasta, port + 1);
        }
    }

    /** -U auto: a UDP port the host binds later is forwarded (echo byte-exact) and unreachable again once closed. */
    static void autoUdp(TestNetwork net, PastaEngine pasta, int port) throws Exception {
        InetSocketAddress guestSide = new InetSocketAddress(LO4, port);
        assertTrue(udpUnreachable(net, guestSide), "the guest's UDP 127.0.0.1:" + port + " before the host has it");
        try (Udp.Server echo = Udp.Server.echo(net.hostNetns(), new InetSocketAddress(LO4, port))) {
            long start = System.nanoTime();
            long took = -1;
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5)) {
                if (udpEchoes(net, guestSide)) {
                    took = (System.nanoTime() - start) / 1_000_000;
                    break;
                }
            }
            pasta.note("-U auto: the host's UDP 127.0.0.1:" + port + " (bound later) "
                + (took < 0 ? "NOT forwarded within 5 s" : "echoes from the guest after " + took + " ms"));
            if (took < 0 && pasta.impl != PastaImpl.SLIRP4J) {
                pasta.note("KNOWN LIMITATION -U auto: no forward appeared");
                return;
            }
            assertTrue(took >= 0 && took <= 3500, "the UDP port was not forwarded within 3.5 s: " + took);
            try (DatagramSocket client = Udp.socketIn(net.guestNetns())) {
                Random rnd = new Random(port);
                List<byte[]> payloads = new ArrayList<>();
                for (int size : new int[] {1, 512, 1472, 9000, 32768}) {
                    payloads.add(Udp.payload(rnd, size));
                }
                int retries = Udp.echoLockstep(client, guestSide, payloads, Duration.ofSeconds(3));
                pasta.note("-U auto: " + payloads.size() + " datagrams (1..32768 bytes) echoed byte-exact, " + retries
                    + " retries");
            }
        }
        long closedAt = System.nanoTime();
        long gone = -1;
        while (System.nanoTime() - closedAt < TimeUnit.SECONDS.toNanos(5)) {
            if (udpUnreachable(net, guestSide)) {
                gone = (System.nanoTime() - closedAt) / 1_000_000;
                break;
            }
            TestNetwork.sleep(100);
        }
        pasta.note("-U auto: after the host's UDP server closed, the guest's port " + (gone < 0 ? "STILL forwarded 5 s "
            + "later" : "unreachable again after " + gone + " ms"));
        if (pasta.impl == PastaImpl.SLIRP4J) {
            assertTrue(gone >= 0 && gone <= 3500, "the UDP forward stayed after the host's port closed: " + gone);
        }
    }

    /** Whether a datagram from the guest to {@code to} comes back echoed within 300 ms. */
    static boolean udpEchoes(TestNetwork net, InetSocketAddress to) throws IOException {
        try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
            byte[] ping = "ping".getBytes();
            s.send(new java.net.DatagramPacket(ping, ping.length, to));
            java.net.DatagramPacket reply = Udp.receive(s, Duration.ofMillis(300));
            return reply != null && reply.getLength() == ping.length;
        } catch (java.net.PortUnreachableException e) {
            return false;
        }
    }

    /** Whether the guest's kernel answers a datagram to {@code to} with port unreachable (nobody bound there). */
    static boolean udpUnreachable(TestNetwork net, InetSocketAddress to) throws IOException {
        try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
            s.connect(to);
            s.setSoTimeout(300);
            byte[] ping = "ping".getBytes();
            s.send(new java.net.DatagramPacket(ping, ping.length));
            s.receive(new java.net.DatagramPacket(new byte[64], 64));
            return false;
        } catch (java.net.PortUnreachableException e) {
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
    }

    /** Echoes what it reads until EOF, then half-closes. */
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
            c.shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether a connect from {@code clientNs} to {@code to} is refused (nobody listens there). */
    static boolean refused(Path clientNs, InetSocketAddress to) {
        try (SocketChannel s = TcpPeers.connectFrom(clientNs, to)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Polls until a few bytes come back echoed through {@code to} from {@code clientNs}; the ms it took, or -1. */
    static long awaitEcho(Path clientNs, InetSocketAddress to, Duration limit) {
        long start = System.nanoTime();
        do {
            try (SocketChannel s = TcpPeers.connectFrom(clientNs, to)) {
                s.write(ByteBuffer.wrap("ping".getBytes()));
                s.shutdownOutput();
                ByteBuffer got = ByteBuffer.allocate(16);
                while (s.read(got) >= 0 && got.hasRemaining()) {
                    // until EOF
                }
                if (got.position() == 4) {
                    return (System.nanoTime() - start) / 1_000_000;
                }
            } catch (IOException e) {
                // not forwarded yet (refused), or reset by a forward whose host port is not there
            }
            TestNetwork.sleep(100);
        } while (System.nanoTime() - start < limit.toNanos());
        return -1;
    }

    /** {@code bytes} through the echo server, sent and read at once; returns the hash, equal both ways. */
    static String echoTransfer(Path clientNs, InetSocketAddress to, int bytes) throws Exception {
        try (SocketChannel s = TcpPeers.connectFrom(clientNs, to)) {
            CompletableFuture<TcpPeers.Transfer> sent = TcpPeers.inThread(() -> {
                try {
                    TcpPeers.Transfer t = TcpPeers.send(s, bytes, 7);
                    s.shutdownOutput();
                    return t;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            TcpPeers.Transfer back = TcpPeers.receive(s);
            TcpPeers.Transfer out = sent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(out.bytes(), back.bytes(), "bytes echoed");
            assertEquals(out.sha256(), back.sha256(), "hash of what was echoed");
            return back.sha256();
        } catch (java.util.concurrent.ExecutionException e) {
            fail(e.getCause());
            return null;
        }
    }
}
