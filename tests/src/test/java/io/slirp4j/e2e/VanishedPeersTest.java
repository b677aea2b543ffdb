package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Peers that vanish without closing (issue 13, item 4): with short keepalive timings given through
 * {@code SLIRP4J_TCP_KEEPALIVE=2,1,3} (2 s idle, a probe every second, 3 probes: 5 s), a connection whose guest
 * stops answering is reset on both sides and its host socket leaves the helper, while an idle connection of a guest
 * that is there (its kernel answers the probes) stays; and a connection whose host peer vanished (its packets
 * dropped in the "internet" namespace) is reset toward the guest by the host socket's own keepalive.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VanishedPeersTest {
    static final String KEEPALIVE = "SLIRP4J_TCP_KEEPALIVE=2,1,3";
    static final long TIMEOUT_MS = 2_000 + 3 * 1_000;
    static final byte[] GW_MAC = Frames.mac("52:55:0a:00:02:02");
    static final byte[] GW_IP = Frames.ip("10.0.2.2");
    /** A guest address nobody answers for: the frames the helper sends it reach tap0 and no socket. */
    static final byte[] FAKE_IP = Frames.ip("10.0.2.123");
    static final byte[] FAKE_MAC = Frames.mac("02:00:00:00:01:23");
    static final int FAKE_PORT = 45123;
    static final int FAKE_ISN = 0x12345678;
    static final int SYN = 2;
    static final int RST = 4;
    static final int ACK = 16;

    /** How a server session ended, and when (System.nanoTime()). */
    record Ended(String how, long at) {
    }

    /** An echo server on the host's loopback that notes how and when each session ended, in accept order. */
    static final class EchoServer {
        final AtomicInteger sessions = new AtomicInteger();
        final Map<Integer, Ended> ended = new ConcurrentHashMap<>();
        final TcpPeers.Server server;

        EchoServer(TestNetwork net, Path netns, InetSocketAddress bind) {
            server = net.closeLater(new TcpPeers.Server(netns, bind, this::session));
        }

        private void session(SocketChannel c) {
            int index = sessions.getAndIncrement();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            try {
                while (true) {
                    buf.clear();
                    if (c.read(buf) < 0) {
                        ended.put(index, new Ended("eof", System.nanoTime()));
                        return;
                    }
                    buf.flip();
                    while (buf.hasRemaining()) {
                        c.write(buf);
                    }
                }
            } catch (IOException e) {
                ended.put(index, new Ended("error: " + e.getMessage(), System.nanoTime()));
            }
        }

        int port() {
            return server.port();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void aGuestThatVanishedLosesItsConnectionAndALiveIdleOneKeepsIt(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            EchoServer server = new EchoServer(net, net.hostNetns(), new InetSocketAddress("127.0.0.1", 0));
            int port = server.port();
            Helper h = net.helper("-c").via("env", KEEPALIVE).start().awaitReady(Helper.READY_TIMEOUT);
            net.assertContained(h);

            // a live guest (the guest kernel's TCP) opens an idle connection first
            try (SocketChannel live = TcpPeers.connectFromGuest(net, new InetSocketAddress("10.0.2.2", port))) {
                echo(live, "hello");
                awaitTrue(() -> server.sessions.get() == 1, 5_000, "live session accepted");
                long liveSince = System.nanoTime();
                assertEquals(1, helperSocketsTo(h, port).size(), "the live connection's host socket");
                assertHostKeepaliveOn(net, port);
                int fdsBefore = fdCount(h);

                // then a fake guest address completes a handshake and goes silent
                List<String> seen = new ArrayList<>();
                List<String> others = new ArrayList<>();
                long lastWord;
                long resetSeenAt = -1;
                int probes = 0;
                try (RawFrames raw = RawFrames.open(net.guestNetns(), "tap0")) {
                    raw.send(fakeSegment(port, FAKE_ISN, 0, SYN));
                    byte[] synAck = raw.receive(Duration.ofSeconds(10), f -> toFake(f, port)
                        && (tcpFlags(f) & (SYN | ACK)) == (SYN | ACK));
                    assertNotNull(synAck, () -> "no SYN-ACK for the fake guest\n" + h.describe());
                    int ours = tcpSeq(synAck);
                    raw.send(fakeSegment(port, FAKE_ISN + 1, ours + 1, ACK));
                    lastWord = System.nanoTime();
                    awaitTrue(() -> server.sessions.get() == 2, 5_000, "the fake guest's session accepted");
                    awaitTrue(() -> helperSocketsTo(h, port).size() == 2, 5_000,
                        "the fake guest's host socket in the helper");
                    assertEquals(fdsBefore + 1, fdCount(h), "one fd more: the fake guest's host socket");

                    // from now on the fake guest says nothing: probes come (SEG.SEQ = SND.NXT - 1), then RST
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS + 5_000);
                    while (System.nanoTime() < deadline) {
                        byte[] f = raw.receive(Duration.ofMillis(200), x -> true);
                        if (f == null) {
                            continue;
                        }
                        long t = (System.nanoTime() - lastWord) / 1_000_000;
                        if (!toFake(f, port)) {
                            others.add(t + " ms " + summary(f));
                            continue;
                        }
                        int flags = tcpFlags(f);
                        seen.add(t + " ms flags " + flags + " seq " + Integer.toUnsignedString(tcpSeq(f)));
                        if ((flags & RST) != 0) {
                            assertEquals(ours + 1, tcpSeq(f), () -> "RST at SND.NXT: " + seen);
                            resetSeenAt = System.nanoTime();
                            break;
                        }
                        if (flags == ACK && tcpSeq(f) == ours && tcpPayloadLength(f) == 0) {
                            probes++;
                        }
                    }
                }
                List<String> frames = seen;
                assertTrue(resetSeenAt > 0, () -> "no RST to the silent guest within " + (TIMEOUT_MS + 5_000)
                    + " ms; frames to it: " + frames + "\n" + h.describe());
                assertEquals(3, probes, () -> "keepalive probes before the reset: " + frames + "; server sessions "
                    + server.sessions.get() + " ended " + server.ended + "; other frames on tap0: " + others
                    + "; helper alive " + h.isAlive() + "\n" + h.describe());
                long resetAfter = (resetSeenAt - lastWord) / 1_000_000;
                assertTrue(resetAfter >= TIMEOUT_MS - 500 && resetAfter <= TIMEOUT_MS + 3_000,
                    () -> "reset " + resetAfter + " ms after the guest's last word, expected ~" + TIMEOUT_MS);

                // the host side: its server session reset, the helper's socket and fd gone
                awaitTrue(() -> server.ended.containsKey(1), 3_000, "the server sees the fake guest's end");
                Ended fake = server.ended.get(1);
                long hostEndAfter = (fake.at() - lastWord) / 1_000_000;
                assertTrue(fake.how().startsWith("error"), () -> "the host peer was reset: " + fake);
                awaitTrue(() -> helperSocketsTo(h, port).size() == 1, 3_000, "the fake guest's host socket closed");
                awaitTrue(() -> fdCount(h) == fdsBefore, 3_000, "the helper's fds back to " + fdsBefore);

                // the live guest, idle for twice the timeout, answered every probe and still has its connection
                while ((System.nanoTime() - liveSince) / 1_000_000 < 2 * TIMEOUT_MS + 500) {
                    TestNetwork.sleep(100);
                }
                long idleMs = (System.nanoTime() - liveSince) / 1_000_000;
                assertEquals(1, helperSocketsTo(h, port).size(), "the live connection's host socket");
                assertTrue(!server.ended.containsKey(0), () -> "the live connection ended: " + server.ended.get(0));
                echo(live, "still here after " + idleMs + " ms idle");
                System.out.printf("[%s] fake guest: %d probes, RST %d ms after its last segment, host peer %s "
                        + "%d ms after; live guest idle %d ms and kept its connection; frames to the fake: %s%n",
                    mode, probes, resetAfter, fake.how(), hostEndAfter, idleMs, frames);
            }
            h.assertHealthy();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT"})
    void aHostPeerThatVanishedIsResetTowardTheGuest(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode, true)) {
            EchoServer server = new EchoServer(net, net.internetNetns(),
                new InetSocketAddress(TestNetwork.INTERNET_ADDRESS, 0));
            int port = server.port();
            Helper h = net.helper("-c").via("env", KEEPALIVE).start().awaitReady(Helper.READY_TIMEOUT);
            net.assertContained(h);
            try (SocketChannel s = TcpPeers.connectFromGuest(net,
                new InetSocketAddress(TestNetwork.INTERNET_ADDRESS, port))) {
                echo(s, "hello");
                assertEquals(1, helperSocketsTo(h, port).size());
                // the peer's machine vanishes: it takes no more TCP (ARP still works, so the host's probes go out)
                Cmd.Result cut = net.internet("iptables", "-A", "INPUT", "-p", "tcp", "-j", "DROP");
                Requirements.require(cut.ok(), "iptables in the internet namespace: " + cut.describe());
                long cutAt = System.nanoTime();
                String how = awaitEnd(s, TIMEOUT_MS + 10_000);
                long after = (System.nanoTime() - cutAt) / 1_000_000;
                String result = how;
                assertTrue(result.startsWith("error") && result.contains("reset"),
                    () -> "the guest's socket after its host peer vanished: " + result + " after " + after + " ms\n"
                        + h.describe());
                assertTrue(after >= TIMEOUT_MS - 500 && after <= TIMEOUT_MS + 5_000,
                    () -> "reset " + after + " ms after the host peer vanished, expected ~" + TIMEOUT_MS);
                awaitTrue(() -> helperSocketsTo(h, port).isEmpty(), 3_000, "the helper's host socket closed");
                System.out.printf("[%s] host peer vanished: guest reset %d ms later (%s)%n", mode, after, result);
            }
            h.assertHealthy();
        }
    }

    // ---- frames

    static byte[] fakeSegment(int port, int seq, int ack, int flags) {
        byte[] tcp = Frames.tcp(FAKE_IP, GW_IP, FAKE_PORT, port, seq, ack, flags, 65535, new byte[0]);
        return Frames.ether(GW_MAC, FAKE_MAC, Frames.ETH_IPV4,
            new Frames.Ipv4(Frames.PROTO_TCP, FAKE_IP, GW_IP, tcp).bytes());
    }

    /** A TCP segment from the helper's server port to the fake guest. */
    static boolean toFake(byte[] f, int port) {
        if (f.length < 14 + 20 + 20 || !java.util.Arrays.equals(f, 0, 6, FAKE_MAC, 0, 6)
            || (f[12] & 0xff) != 0x08 || f[13] != 0 || f[14 + 9] != Frames.PROTO_TCP) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(f);
        int l4 = 14 + (f[14] & 0x0f) * 4;
        return (b.getShort(l4) & 0xffff) == port && (b.getShort(l4 + 2) & 0xffff) == FAKE_PORT;
    }

    /** Ethernet addresses and, for IPv4, addresses, and for TCP ports, flags and sequence number. */
    static String summary(byte[] f) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%02x..%02x>%02x..%02x ", f[6], f[11], f[0], f[5]));
        if (f.length < 34 || (f[12] & 0xff) != 0x08 || f[13] != 0) {
            return b.append(String.format("type %02x%02x", f[12], f[13])).toString();
        }
        b.append(String.format("%d.%d>%d.%d proto %d", f[28] & 0xff, f[29] & 0xff, f[32] & 0xff, f[33] & 0xff,
            f[23]));
        if (f[23] == Frames.PROTO_TCP) {
            ByteBuffer bb = ByteBuffer.wrap(f);
            int l4 = l4(f);
            b.append(" ").append(bb.getShort(l4) & 0xffff).append(">").append(bb.getShort(l4 + 2) & 0xffff)
                .append(" flags ").append(tcpFlags(f)).append(" seq ").append(Integer.toUnsignedString(tcpSeq(f)))
                .append(" len ").append(tcpPayloadLength(f));
        }
        return b.toString();
    }

    private static int l4(byte[] f) {
        return 14 + (f[14] & 0x0f) * 4;
    }

    static int tcpFlags(byte[] f) {
        return f[l4(f) + 13] & 0x3f;
    }

    static int tcpSeq(byte[] f) {
        return ByteBuffer.wrap(f).getInt(l4(f) + 4);
    }

    static int tcpPayloadLength(byte[] f) {
        int total = ByteBuffer.wrap(f).getShort(14 + 2) & 0xffff;
        return total - (f[14] & 0x0f) * 4 - ((f[l4(f) + 12] & 0xf0) >>> 4) * 4;
    }

    // ---- the guest's live socket

    static void echo(SocketChannel s, String text) throws IOException {
        byte[] sent = text.getBytes(StandardCharsets.UTF_8);
        s.write(ByteBuffer.wrap(sent));
        ByteBuffer got = ByteBuffer.allocate(sent.length);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        s.configureBlocking(false);
        try {
            while (got.hasRemaining()) {
                if (s.read(got) < 0) {
                    fail("the connection ended while waiting for the echo of \"" + text + "\"");
                }
                if (System.nanoTime() > deadline) {
                    fail("no echo of \"" + text + "\" within 5 s");
                }
                TestNetwork.sleep(5);
            }
        } finally {
            s.configureBlocking(true);
        }
        assertArrayEquals(sent, got.array());
    }

    /** Waits up to {@code millis} for the guest's socket to end: "eof", "error: ...", "data" or "nothing". */
    static String awaitEnd(SocketChannel s, long millis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        ByteBuffer buf = ByteBuffer.allocate(100);
        s.configureBlocking(false);
        try {
            while (System.nanoTime() < deadline) {
                int n = s.read(buf);
                if (n < 0) {
                    return "eof";
                }
                if (n > 0) {
                    return "data";
                }
                TestNetwork.sleep(10);
            }
            return "nothing";
        } catch (IOException e) {
            return "error: " + e.getMessage();
        } finally {
            if (s.isOpen()) {
                s.configureBlocking(true);
            }
        }
    }

    // ---- the helper's descriptors

    static int fdCount(Helper h) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(h.pid()), "fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The inodes of the helper's TCP sockets connected to remote port {@code port} (its host sockets to our server),
     * from its own /proc/PID/net/tcp and fd table.
     */
    static Set<Long> helperSocketsTo(Helper h, int port) {
        Path proc = Path.of("/proc", Long.toString(h.pid()));
        Set<Long> toPort = new HashSet<>();
        try {
            for (String table : List.of("tcp", "tcp6")) {
                for (String line : Files.readAllLines(proc.resolve("net").resolve(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 10 || !f[2].contains(":")) {
                        continue;
                    }
                    String rem = f[2];
                    if (Integer.parseInt(rem.substring(rem.indexOf(':') + 1), 16) == port && !f[9].equals("0")) {
                        toPort.add(Long.parseLong(f[9]));
                    }
                }
            }
            Set<Long> mine = new HashSet<>();
            try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
                for (Path fd : (Iterable<Path>) fds::iterator) {
                    String target;
                    try {
                        target = Files.readSymbolicLink(fd).toString();
                    } catch (IOException gone) {
                        continue;
                    }
                    if (target.startsWith("socket:[")) {
                        long inode = Long.parseLong(target.substring(8, target.length() - 1));
                        if (toPort.contains(inode)) {
                            mine.add(inode);
                        }
                    }
                }
            }
            return mine;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The helper's host sockets to {@code port} run the kernel's keepalive timer (ss: timer:(keepalive,...)). */
    static void assertHostKeepaliveOn(TestNetwork net, int port) {
        Cmd.Result ss = net.host("ss", "-tnoH", "state", "established", "dport", "=", ":" + port).check();
        assertTrue(ss.out().contains("timer:(keepalive,"), () -> "no keepalive timer on the helper's host socket: "
            + ss.out());
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, long millis, String what) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + millis + " ms: " + what);
            }
            TestNetwork.sleep(20);
        }
    }
}
