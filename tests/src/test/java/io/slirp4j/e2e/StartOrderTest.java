package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The helper reports ready as soon as the API socket and the tap exist, before its stack runs (like slirp4netns,
 * which is ready in milliseconds). That is only allowed if nothing sent in between is lost: the guest's frames must
 * wait in the tap's queue and API clients in the socket's backlog. Here the stack is held back for a while after
 * the ready byte (the helper's test hook), and everything is sent inside that window without any retransmission
 * that could hide a loss: single UDP datagrams and a single echo request to a neighbour entered statically (no
 * ARP), an API request, and a TCP exchange.
 */
class StartOrderTest {
    static final long STACK_DELAY_MS = 1500;
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(20);

    @ParameterizedTest
    @EnumSource(Mode.class)
    void whatArrivesBeforeTheStackServesWaitsAndIsAnswered(Mode mode) throws Exception {
        Requirements.forMode(mode, "ping");
        try (TestNetwork net = TestNetwork.create(mode)) {
            Path run = Files.createDirectory(net.dir().resolve("run"));
            // the helper may run as nobody: it must be able to create its socket here
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path api = run.resolve("api.sock");
            Udp.Server udpEcho = net.closeLater(Udp.Server.echo(net.hostNetns(), new InetSocketAddress("127.0.0.1", 0)));
            TcpPeers.Server tcpEcho = net.closeLater(new TcpPeers.Server(net.hostNetns(),
                new InetSocketAddress("127.0.0.1", 0), c -> {
                    try {
                        TcpPeers.writeAll(c, TcpPeers.readExactly(c, 100_000));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            Helper h = net.helper("-c", "--api-socket", api.toString())
                .via("env", "SLIRP4J_TEST_STACK_DELAY_MS=" + STACK_DELAY_MS)
                .start().awaitReady(Helper.READY_TIMEOUT);
            long readyAt = System.nanoTime();

            // the API socket and tap0 are there at the ready byte; the guest skips ARP for the gateway
            CompletableFuture<String> listed = TcpPeers.inThread(() -> {
                try {
                    return Api.list(api);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            net.guest("ip", "neigh", "replace", "10.0.2.2", "lladdr", "52:55:0a:00:02:02", "dev", "tap0",
                "nud", "permanent").check();
            CompletableFuture<Cmd.Result> ping = TcpPeers.inThread(
                () -> net.guest(ANSWER_TIMEOUT, "ping", "-n", "-c", "1", "-W", "15", "10.0.2.2"));
            InetSocketAddress udpTarget = new InetSocketAddress("10.0.2.2", udpEcho.port());
            List<byte[]> datagrams = new ArrayList<>();
            Random rnd = new Random(42);
            DatagramSocket udp = net.closeLater(Udp.socketIn(net.guestNetns()));
            for (int size : new int[] {1, 100, 1000, 1472, 3000, 1, 512, 1400}) {
                byte[] payload = Udp.payload(rnd, size);
                datagrams.add(payload);
                udp.send(new DatagramPacket(payload, payload.length, udpTarget));
            }
            CompletableFuture<Boolean> tcp = TcpPeers.inThread(() -> {
                try (SocketChannel c = TcpPeers.connectFromGuest(net, new InetSocketAddress("10.0.2.2",
                    tcpEcho.port()))) {
                    byte[] data = Udp.payload(new Random(7), 100_000);
                    TcpPeers.writeAll(c, data);
                    return Arrays.equals(data, TcpPeers.readExactly(c, data.length));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long sentAt = System.nanoTime();

            String answer = listed.get(ANSWER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            long answeredAt = System.nanoTime();
            assertTrue(answer.contains("\"entries\":[]"), answer);
            long waitedMs = (answeredAt - readyAt) / 1_000_000;
            assertTrue(waitedMs >= STACK_DELAY_MS / 2,
                "the API answer came " + waitedMs + " ms after the ready byte: the stack was not held back");
            assertTrue(sentAt < answeredAt, "the guest's traffic went out before the stack served");

            List<byte[]> echoed = new ArrayList<>();
            for (int i = 0; i < datagrams.size(); i++) {
                DatagramPacket p = Udp.receive(udp, ANSWER_TIMEOUT);
                echoed.add(Arrays.copyOf(p.getData(), p.getLength()));
            }
            for (byte[] d : datagrams) {
                assertTrue(echoed.stream().anyMatch(e -> Arrays.equals(d, e)), "a datagram sent before serving was lost");
            }
            Cmd.Result pinged = ping.get(ANSWER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(pinged.out().contains("1 received"), () -> "the echo request was lost:\n" + pinged.describe());
            assertTrue(tcp.get(ANSWER_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "TCP echo differs");
            assertEquals(0, tapTxDropped(net), "frames the guest sent into tap0 were dropped");
            h.assertHealthy();
        }
    }

    /**
     * What scripts written for slirp4netns do: start the helper, wait only until tap0 exists, then talk to the API
     * socket. It must already be there, every time (it is bound before TUNSETIFF creates tap0).
     */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void theApiSocketExistsWhenTap0Appears(Mode mode) throws Exception {
        for (int round = 0; round < 10; round++) {
            try (TestNetwork net = TestNetwork.create(mode)) {
                Path run = Files.createDirectory(net.dir().resolve("run"));
                Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxrwxrwx"));
                Path api = run.resolve("api.sock");
                Path netDev = Path.of("/proc", Long.toString(net.guestPid()), "net", "dev");
                Helper h = net.helper("--api-socket", api.toString()).readyFd(false).start();
                long deadline = System.nanoTime() + Helper.READY_TIMEOUT.toNanos();
                while (!Files.readString(netDev).contains("tap0:")) {
                    assertTrue(h.isAlive() && System.nanoTime() < deadline, () -> "no tap0\n" + h.describe());
                    Thread.onSpinWait();
                }
                assertTrue(Files.exists(api), "round " + round + ": tap0 exists but the API socket does not");
                String answer = Api.list(api);
                assertTrue(answer.contains("\"entries\":[]"), answer);
                h.assertHealthy();
            }
        }
    }

    /** The guest's tap0 transmit drop counter (frames the helper's side never took), from /proc/net/dev. */
    static long tapTxDropped(TestNetwork net) {
        String dev = net.guest("cat", "/proc/net/dev").check().out();
        for (String line : dev.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.startsWith("tap0:")) {
                String[] f = trimmed.substring(5).trim().split("\\s+");
                return Long.parseLong(f[11]); // transmit: bytes packets errs drop ...
            }
        }
        throw new AssertionError("no tap0 in the guest's /proc/net/dev:\n" + dev);
    }
}
