package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code --target-type=bess PATH}: the helper listens on a unix SOCK_SEQPACKET socket at PATH, takes one peer (User
 * Mode Linux's vector transport "bess" in real use; here a socket of the test's, {@link BessPeer}) and serves the
 * frames it sends, one per message, as it serves a tap's: no namespace is joined and no tap is made. As in
 * slirp4netns 1.2.0 (observed: it binds, listens, prints "Waiting for connection to PATH", accepts one peer, then
 * writes the ready byte; a file already at PATH is replaced; a second peer is refused), except at the end: when the
 * peer goes away slirp4netns spins at 100% CPU reading end of file for ever, slirp4j exits with status 0.
 */
class BessTest {
    static final byte[] GUEST_MAC = Frames.mac("52:54:00:12:34:56");
    static final byte[] GUEST_IP = Frames.ip("10.0.2.100");
    static final byte[] GATEWAY = Frames.ip("10.0.2.2");
    static final byte[] GATEWAY_MAC = Frames.mac("52:55:0a:00:02:02");
    static final Duration WAIT = Duration.ofSeconds(10);

    /** A directory the helper may create its socket in, whoever it runs as. */
    static Path socketPath(TestNetwork net) throws IOException {
        Path dir = net.dir().resolve("bess");
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        return dir.resolve("bess.sock");
    }

    /** Waits until the helper's socket exists (it listens), failing if the helper dies first. */
    static void awaitSocket(Helper h, Path path) {
        long deadline = System.nanoTime() + Helper.READY_TIMEOUT.toNanos();
        while (!Files.exists(path) || Files.isRegularFile(path)) {
            if (!h.isAlive() || System.nanoTime() > deadline) {
                fail("no BESS socket at " + path + "\n" + h.describe());
            }
            TestNetwork.sleep(20);
        }
    }

    static int etherType(byte[] f) {
        return ((f[12] & 0xff) << 8) | (f[13] & 0xff);
    }

    static byte[] slice(byte[] f, int from, int length) {
        return Arrays.copyOfRange(f, from, from + length);
    }

    /** The IPv4 payload offset of a frame that carries IPv4 with {@code protocol}, or -1. */
    static int l4(byte[] f, int protocol) {
        if (f.length < 34 || etherType(f) != Frames.ETH_IPV4 || (f[23] & 0xff) != protocol) {
            return -1;
        }
        return 14 + (f[14] & 0x0f) * 4;
    }

    static byte[] ipv4Frame(int protocol, byte[] payload) {
        return Frames.ether(GATEWAY_MAC, GUEST_MAC, Frames.ETH_IPV4,
            new Frames.Ipv4(protocol, GUEST_IP, GATEWAY, payload).bytes());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void servesOnePeerLikeATapAndEndsWithIt(Mode mode) throws IOException {
        try (TestNetwork net = TestNetwork.create(mode);
             Udp.Server echo = Udp.Server.echo(net.hostNetns(), new InetSocketAddress("127.0.0.1", 0))) {
            Path path = socketPath(net);
            Files.writeString(path, "a stale file, replaced as slirp4netns replaces it");
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));
            Helper h = net.helper("--target-type=bess").target(path.toString()).start();
            awaitSocket(h, path);
            net.assertContained(h);
            TestNetwork.sleep(300);
            assertEquals(0, h.readyFdSoFar().length, "ready only once the peer is there, as in slirp4netns");
            h.awaitStderr("waiting for a connection to " + path);

            try (BessPeer peer = BessPeer.connect(path)) {
                h.awaitReady(Helper.READY_TIMEOUT);
                h.awaitStderr("BESS peer on " + path);

                // ARP for the gateway
                peer.send(Frames.ether(Frames.BROADCAST, GUEST_MAC, Frames.ETH_ARP,
                    Frames.arpRequest(GUEST_MAC, GUEST_IP, GATEWAY)));
                byte[] arp = peer.receive(WAIT, f -> f.length >= 42 && etherType(f) == Frames.ETH_ARP && f[21] == 2);
                assertNotNull(arp, () -> "no ARP reply\n" + h.describe());
                assertArrayEquals(GUEST_MAC, slice(arp, 0, 6), "to the guest");
                assertArrayEquals(GATEWAY_MAC, slice(arp, 22, 6), "the gateway's MAC");
                assertArrayEquals(GATEWAY, slice(arp, 28, 4));

                // ping the gateway
                byte[] data = "ping over bess".getBytes(StandardCharsets.US_ASCII);
                peer.send(ipv4Frame(Frames.PROTO_ICMP, Frames.icmp(8, 0, 0x4242, 7, data)));
                byte[] pong = peer.receive(WAIT, f -> l4(f, Frames.PROTO_ICMP) > 0 && f[l4(f, Frames.PROTO_ICMP)] == 0);
                assertNotNull(pong, () -> "no echo reply\n" + h.describe());
                int icmp = l4(pong, Frames.PROTO_ICMP);
                assertArrayEquals(GATEWAY, slice(pong, 26, 4), "from the gateway");
                assertArrayEquals(new byte[] {0x42, 0x42, 0, 7}, slice(pong, icmp + 4, 4), "id and sequence");
                assertArrayEquals(data, slice(pong, icmp + 8, data.length));

                // UDP to an echo server on the private host's loopback, through the gateway
                byte[] hello = "udp over bess".getBytes(StandardCharsets.US_ASCII);
                peer.send(ipv4Frame(Frames.PROTO_UDP, Frames.udp(GUEST_IP, GATEWAY, 40000, echo.port(), hello)));
                byte[] back = peer.receive(WAIT, f -> l4(f, Frames.PROTO_UDP) > 0);
                assertNotNull(back, () -> "no UDP echo\n" + h.describe());
                int udp = l4(back, Frames.PROTO_UDP);
                assertEquals(echo.port(), ((back[udp] & 0xff) << 8) | (back[udp + 1] & 0xff), "from the echo port");
                assertArrayEquals(hello, slice(back, udp + 8, hello.length));
                assertArrayEquals(new byte[] {127, 0, 0, 1},
                    echo.peers().get(0).getAddress().getAddress(), "the host socket talks to 127.0.0.1");

                // one peer only: the listening socket is gone
                BessPeer.Refused refused = assertThrows(BessPeer.Refused.class, () -> BessPeer.connect(path));
                assertEquals(BessPeer.ECONNREFUSED, refused.errno);
                h.assertHealthy();
            }
            // the peer went away: so does the helper, with status 0, removing its socket
            assertEquals(0, h.awaitExit(WAIT), h::describe);
            assertTrue(h.stderr().contains("the BESS peer closed the connection"), h::describe);
            assertEquals(h.removesItsSocketsAtExit(), !Files.exists(path), "socket removed unless sandboxed");
            h.assertNoStackTrace();
        }
    }

    /** The exit fd still ends the helper while it waits for its peer; nothing is reported ready. */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void exitFdEndsTheWaitForAPeer(Mode mode) throws IOException {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Path path = socketPath(net);
            Helper h = net.helper("--target-type=bess").target(path.toString()).start();
            awaitSocket(h, path);
            h.closeExitFd();
            assertEquals(0, h.awaitExit(WAIT), h::describe);
            assertEquals(0, h.readyFdSoFar().length);
            assertFalse(Files.exists(path), "socket removed (the sandbox comes only once a peer is there)");
            h.assertNoStackTrace();
        }
    }

    /** The helper closes the connection when it ends for another reason (here the exit fd). */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT"})
    void peerSeesTheEndOfTheHelper(Mode mode) throws IOException {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Path path = socketPath(net);
            Helper h = net.helper("--target-type=bess").target(path.toString()).start();
            awaitSocket(h, path);
            try (BessPeer peer = BessPeer.connect(path)) {
                h.awaitReady(Helper.READY_TIMEOUT);
                h.closeExitFd();
                assertEquals(0, h.awaitExit(WAIT), h::describe);
                assertTrue(peer.closedByHelper(WAIT), "end of file on the peer's socket");
            }
        }
    }

    /** A path the helper cannot bind: exit 1 with the reason, as slirp4netns's "child_bess: bind: ..." does. */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT"})
    void unusablePathIsAnError(Mode mode) {
        try (TestNetwork net = TestNetwork.create(mode)) {
            String path = net.dir().resolve("no/such/dir/bess.sock").toString();
            Cmd.Result r = net.runHelper(Checks.ARG_ERROR_TIMEOUT, "--target-type=bess", path);
            Checks.assertError(r, "cannot listen on BESS socket " + path + ": No such file or directory");
        }
    }
}
