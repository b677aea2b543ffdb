package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Floods a guest can throw at its own helper (issue 13), each followed by what must still work within a second: the
 * guest's DNS lookups, new UDP flows and new TCP connections. The flood sizes are the where the machine
 * allows; where a limit is derived from the helper's fd limit, the helper runs under a lower one (prlimit), so the
 * same code path is hit with fewer sockets.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FloodTest {
    static final InetSocketAddress DNS = new InetSocketAddress("10.0.2.3", 53);
    static final byte[] GUEST_IP = Frames.ip("10.0.2.100");
    static final byte[] GW_IP = Frames.ip("10.0.2.2");
    static final byte[] GW_MAC = Frames.mac("52:55:0a:00:02:02");
    /** What the helper may take to answer once a flood is over (the "within a second"). */
    static final Duration PROMPT = Duration.ofSeconds(1);

    /**
     * 20,000 UDP flows from the guest (one datagram each from a fresh source port, to a host port that never
     * answers) fill the table of 4,096 five times over; DNS lookups and a new flow to an echo server are answered at
     * once, because a full table closes its least recently active flows for new ones.
     */
    @Test
    void udpFlowFloodLeavesDnsAndNewFlowsWorking() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            Udp.Server dns = net.closeLater(Dns.responder(net.hostNetns(), new InetSocketAddress("127.0.0.1", 53),
                DnsTest.ANSWER_IP, false));
            net.resolvConf("nameserver 127.0.0.1\n");
            Udp.Server sink = net.closeLater(Udp.Server.start(net.hostNetns(), new InetSocketAddress("127.0.0.1", 0),
                (byte[] request) -> null));
            Udp.Server echo = net.closeLater(Udp.Server.echo(net.hostNetns(), new InetSocketAddress("127.0.0.1", 0)));
            Helper h = net.startHelper("-c");
            int flows = 20_000;
            InetSocketAddress sinkAddress = new InetSocketAddress("10.0.2.2", sink.port());
            long t0 = System.nanoTime();
            net.inGuest(() -> {
                byte[] one = {1};
                for (int i = 0; i < flows; i++) {
                    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(0))) {
                        s.send(new DatagramPacket(one, 1, sinkAddress));
                    }
                    if (i % 200 == 199) {
                        // paced to what the helper opens host sockets at, so that the tap's queue (1000 frames)
                        // does not drop the flood before it reaches the table
                        TestNetwork.sleep(50);
                    }
                }
                return null;
            });
            System.out.printf("%d UDP flows sent in %d ms%n", flows, (System.nanoTime() - t0) / 1_000_000);
            // the flood is through once the host's count stops growing; the table has filled by then
            int seen;
            do {
                seen = sink.count();
                TestNetwork.sleep(500);
            } while (sink.count() != seen);
            System.out.printf("the host saw %d of them%n", seen);
            assertTrue(seen > 4_096, "the flood did not fill the table: " + seen);

            try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
                byte[] query = Dns.query(0x1313, "flooded.example.test", 1);
                long start = System.nanoTime();
                byte[] answer = DnsTest.ask(s, query, PROMPT);
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertNotNull(answer, () -> "no DNS answer within " + PROMPT + " after the flood\n" + h.describe());
                assertEquals(0x1313, Dns.id(answer));
                System.out.printf("DNS answered %d ms after a flood of %d UDP flows%n", millis, flows);

                byte[] ping = "a new flow after the flood".getBytes();
                s.send(new DatagramPacket(ping, ping.length, new InetSocketAddress("10.0.2.2", echo.port())));
                DatagramPacket back = Udp.receive(s, PROMPT);
                assertNotNull(back, "a new UDP flow after the flood got no echo");
                assertArrayEquals(ping, Arrays.copyOfRange(back.getData(), 0, back.getLength()));
            }
            assertTrue(dns.count() >= 1);
            h.awaitStderr("UDP flow limit (4096) reached");
            assertTrue(h.isAlive(), h::describe);
        }
    }

    /**
     * SYNs from addresses that do not exist (raw frames on the tap: the SYN-ACKs find no one) fill the connection
     * table; the guest's own next connection gets through at once, because a full table resets connections stuck in
     * their handshake before it refuses one. The table's size comes from the fd limit: the helper runs with one that
     * makes it 1,000 entries, and 3,000 SYNs are sent.
     */
    @Test
    void synFloodFromVanishedAddressesLeavesNewConnectionsWorking() throws Exception {
        Requirements.forMode(Mode.ROOT, "prlimit");
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            TcpPeers.Server echo = net.closeLater(new TcpPeers.Server(net.hostNetns(),
                new InetSocketAddress("127.0.0.1", 0), FloodTest::echo));
            // the flood's target: a server that never accepts (the kernel completes the host side's handshakes)
            ServerSocketChannel busy = net.closeLater(TestNetwork.in(net.hostNetns(), () -> {
                ServerSocketChannel l = ServerSocketChannel.open();
                l.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
                return l;
            }));
            int busyPort = ((InetSocketAddress) busy.getLocalAddress()).getPort();
            Helper h = net.helper("-c").via("prlimit", "--nofile=" + (RESERVED_FDS + 1_000)).start();
            h.awaitReady(Helper.READY_TIMEOUT);
            Checks.ping(net, "10.0.2.2");
            int syns = 3_000;
            try (RawFrames raw = RawFrames.open(net.guestNetns(), "tap0")) {
                for (int i = 0; i < syns; i++) {
                    byte[] fake = Frames.ip("10.0.2." + (10 + i % 80));
                    int port = 10_000 + i;
                    byte[] frame = Frames.ether(GW_MAC, Frames.mac("52:54:00:aa:00:01"), Frames.ETH_IPV4,
                        new Frames.Ipv4(Frames.PROTO_TCP, fake, GW_IP,
                            Frames.tcp(fake, GW_IP, port, busyPort, 0x02, 5, new byte[0])).bytes());
                    assertTrue(raw.send(frame) != RawFrames.Sent.STALLED, "the helper stopped reading its tap");
                    if (i % 200 == 199) {
                        TestNetwork.sleep(200); // paced below what the helper connects at, for the tap's queue
                    }
                }
            }
            h.awaitStderr("TCP connection limit (");
            long start = System.nanoTime();
            try (SocketChannel c = TcpPeers.connectFromGuest(net, new InetSocketAddress("10.0.2.2", echo.port()))) {
                byte[] hello = "still there?".getBytes();
                c.write(ByteBuffer.wrap(hello));
                ByteBuffer back = ByteBuffer.allocate(hello.length);
                while (back.hasRemaining() && c.read(back) >= 0) {
                    // until the echo is whole
                }
                assertArrayEquals(hello, back.array());
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("a new connection and its echo took %d ms after %d SYNs from vanished addresses%n",
                millis, syns);
            assertTrue(millis < PROMPT.toMillis(), "a new connection took " + millis + " ms\n" + h.describe());
            assertTrue(h.stderr().contains("reset for new ones"), h::stderr);
        }
    }

    /**
     * 2,000 guest connections to a host server that never reads (nor accepts: its kernel completes the handshakes
     * and takes a few KiB each) push until they stall, holding what the helper's buffer budget gave them; then a new
     * connection and a small echo complete within a second, and a bulk stream beside them keeps at least half the
     * throughput it had before the flood (medians of five after a warm-up, same helper).
     */
    @Test
    void stalledConnectionsLeaveNewOnesAndABulkStreamTheirShare() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            TcpPeers.Server echo = net.closeLater(new TcpPeers.Server(net.hostNetns(),
                new InetSocketAddress("127.0.0.1", 0), FloodTest::echo));
            TcpPeers.Server discard = net.closeLater(new TcpPeers.Server(net.hostNetns(),
                new InetSocketAddress("127.0.0.1", 0), FloodTest::discard));
            ServerSocketChannel stall = net.closeLater(TestNetwork.in(net.hostNetns(), () -> {
                ServerSocketChannel l = ServerSocketChannel.open();
                l.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
                l.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
                return l;
            }));
            Helper h = net.startHelper("-c");
            InetSocketAddress bulkTo = new InetSocketAddress("10.0.2.2", discard.port());
            medianRate(net, bulkTo); // warms the helper's JIT up, which would otherwise flatter the flood's side
            double before = medianRate(net, bulkTo);

            InetSocketAddress stallTo = new InetSocketAddress("10.0.2.2",
                ((InetSocketAddress) stall.getLocalAddress()).getPort());
            List<SocketChannel> flood = new ArrayList<>();
            try {
                long pushed = net.inGuest(() -> pushUntilStalled(flood, 2_000, stallTo, h));
                System.out.printf("2000 connections pushed %d MiB and stalled%n", pushed >> 20);

                long start = System.nanoTime();
                try (SocketChannel c = TcpPeers.connectFromGuest(net, new InetSocketAddress("10.0.2.2",
                    echo.port()))) {
                    byte[] hello = "room for one more?".getBytes();
                    c.write(ByteBuffer.wrap(hello));
                    ByteBuffer back = ByteBuffer.allocate(hello.length);
                    while (back.hasRemaining() && c.read(back) >= 0) {
                        // until the echo is whole
                    }
                    assertArrayEquals(hello, back.array());
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                double during = medianRate(net, bulkTo);
                System.out.printf("beside 2000 stalled connections: a new connection and its echo took %d ms; bulk "
                    + "%.0f MB/s, %.0f MB/s before (%.0f%%)%n", millis, during, before, 100 * during / before);
                assertTrue(millis < PROMPT.toMillis(), "a new connection took " + millis + " ms\n" + h.describe());
                // the half: a short transfer is the hard case, as it has no time to outgrow a small window (a
                // connection held to its floor until its host had taken twice its buffer ran at 35-64% here; growing
                // by what its host takes lately, it runs about as fast as before the flood)
                assertTrue(during >= 0.5 * before, "bulk " + during + " MB/s beside the stalled connections, " + before
                    + " MB/s before\n" + h.describe());
            } finally {
                for (SocketChannel c : flood) {
                    c.close();
                }
            }
        }
    }

    /**
     * The other way round: 2,000 guest connections that never read, from a host source that writes to each until
     * it stalls; then a download beside them keeps at least half the rate it had before (medians of five after a
     * warm-up), and none of the 2,000 is reset. Before, the helper read 64 KiB at a time for connections that could
     * take 16 KiB, holding the rest outside its budget, and the floors of connections that joined early overshot the
     * budget: the flood ran the helper out of direct memory, and allocations that failed reset hundreds of
     * connections, new ones among them.
     */
    @Test
    void unreadConnectionsLeaveADownloadItsShareAndAreNotReset() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            // small send buffers keep the host's side of the flood far below the machine's tcp_mem (see above)
            Source flood = net.closeLater(new Source(net.hostNetns(), 16 << 10));
            TcpPeers.Server download = net.closeLater(new TcpPeers.Server(net.hostNetns(),
                new InetSocketAddress("127.0.0.1", 0), FloodTest::source));
            Helper h = net.startHelper("-c");
            InetSocketAddress downloadFrom = new InetSocketAddress("10.0.2.2", download.port());
            medianDownloadRate(net, downloadFrom); // the JIT's warm-up, as above
            double before = medianDownloadRate(net, downloadFrom);

            InetSocketAddress floodFrom = new InetSocketAddress("10.0.2.2", flood.port());
            List<SocketChannel> unread = new ArrayList<>();
            try {
                net.inGuest(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        SocketChannel c = SocketChannel.open();
                        unread.add(c);
                        c.setOption(StandardSocketOptions.SO_RCVBUF, 16 << 10);
                        c.setOption(StandardSocketOptions.SO_LINGER, 0);
                        c.connect(floodFrom);
                    }
                    return null;
                });
                long written = flood.awaitStalled(h);
                System.out.printf("a host source wrote %d MiB to 2000 connections that do not read%n",
                    written >> 20);

                double during = medianDownloadRate(net, downloadFrom);
                System.out.printf("beside 2000 unread connections: download %.0f MB/s, %.0f MB/s before (%.0f%%)%n",
                    during, before, 100 * during / before);
                assertTrue(during >= 0.5 * before, "download " + during + " MB/s beside the unread connections, "
                    + before + " MB/s before\n" + h.describe());
                int reset = 0;
                for (SocketChannel c : unread) {
                    c.configureBlocking(false);
                    try {
                        c.read(ByteBuffer.allocate(1));
                    } catch (IOException e) {
                        reset++;
                    }
                }
                assertEquals(0, reset, "unread connections reset\n" + h.describe());
            } finally {
                for (SocketChannel c : unread) {
                    c.close();
                }
            }
        }
    }

    /** Median of five host-to-guest transfers of 32 MiB, in MB/s (the guest's connect to its last byte). */
    static double medianDownloadRate(TestNetwork net, InetSocketAddress from) throws IOException {
        double[] rates = new double[5];
        for (int i = 0; i < rates.length; i++) {
            long start = System.nanoTime();
            try (SocketChannel c = TcpPeers.connectFromGuest(net, from)) {
                ByteBuffer chunk = ByteBuffer.allocateDirect(256 << 10);
                for (long got = 0; got < 32 << 20; ) {
                    int n = c.read(chunk.clear());
                    assertTrue(n >= 0, "the source closed");
                    got += n;
                }
                c.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
            rates[i] = (32 << 20) / 1e6 / ((System.nanoTime() - start) / 1e9);
        }
        Arrays.sort(rates);
        return rates[rates.length / 2];
    }

    /** Writes to its client until the client goes away. */
    static void source(SocketChannel c) {
        ByteBuffer data = ByteBuffer.allocateDirect(256 << 10);
        try {
            while (true) {
                c.write(data.clear());
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /**
     * A host server that writes to every client as fast as each takes it, from one thread (a thread per client
     * would be 2,000 threads), with small send buffers.
     */
    static final class Source implements AutoCloseable {
        private final ServerSocketChannel listener;
        private final Selector selector;
        private final Thread thread;
        private final AtomicLong written = new AtomicLong();
        private volatile boolean closing;

        Source(java.nio.file.Path netns, int sendBuffer) throws IOException {
            listener = TestNetwork.in(netns, () -> {
                ServerSocketChannel l = ServerSocketChannel.open();
                l.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
                return l;
            });
            listener.configureBlocking(false);
            selector = Selector.open();
            listener.register(selector, SelectionKey.OP_ACCEPT);
            ByteBuffer data = ByteBuffer.allocateDirect(64 << 10);
            thread = new Thread(() -> {
                try {
                    while (!closing) {
                        selector.select(100);
                        for (SelectionKey k : selector.selectedKeys()) {
                            if (k.isAcceptable()) {
                                SocketChannel c;
                                while ((c = listener.accept()) != null) {
                                    c.configureBlocking(false);
                                    c.setOption(StandardSocketOptions.SO_SNDBUF, sendBuffer);
                                    c.register(selector, SelectionKey.OP_WRITE);
                                }
                            } else if (k.isWritable()) {
                                try {
                                    written.addAndGet(((SocketChannel) k.channel()).write(data.clear()));
                                } catch (IOException e) {
                                    k.channel().close();
                                }
                            }
                        }
                        selector.selectedKeys().clear();
                    }
                } catch (IOException e) {
                    // the test fails on what it sees; the thread just ends
                }
            }, "flood-source");
            thread.setDaemon(true);
            thread.start();
        }

        int port() throws IOException {
            return ((InetSocketAddress) listener.getLocalAddress()).getPort();
        }

        /** Waits until three rounds of 200 ms in a row wrote less than 1 MiB in all; returns the bytes written. */
        long awaitStalled(Helper h) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            long last = written.get();
            for (int quiet = 0; quiet < 3; ) {
                assertTrue(System.nanoTime() < deadline, "the flood did not stall within 90 s\n" + h.describe());
                TestNetwork.sleep(200);
                long now = written.get();
                quiet = now - last < (1 << 20) ? quiet + 1 : 0;
                last = now;
            }
            return last;
        }

        @Override
        public void close() throws IOException {
            closing = true;
            selector.wakeup();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (SelectionKey k : selector.keys()) {
                k.channel().close();
            }
            selector.close();
        }
    }

    /** Median of five guest-to-host transfers of 32 MiB, in MB/s (sender's start to the server's close). */
    static double medianRate(TestNetwork net, InetSocketAddress to) throws IOException {
        double[] rates = new double[5];
        for (int i = 0; i < rates.length; i++) {
            try (SocketChannel c = TcpPeers.connectFromGuest(net, to)) {
                ByteBuffer chunk = ByteBuffer.allocateDirect(256 << 10);
                long start = System.nanoTime();
                for (int sent = 0; sent < 32 << 20; sent += chunk.capacity()) {
                    chunk.clear();
                    while (chunk.hasRemaining()) {
                        c.write(chunk);
                    }
                }
                c.shutdownOutput();
                while (c.read(ByteBuffer.allocate(1)) >= 0) {
                    // until the server, having read everything, closes
                }
                rates[i] = (32 << 20) / 1e6 / ((System.nanoTime() - start) / 1e9);
            }
        }
        Arrays.sort(rates);
        return rates[rates.length / 2];
    }

    /**
     * Opens {@code count} connections to {@code to} (in the calling thread's namespace), then writes to them in
     * rounds until three rounds in a row moved less than 1 MiB in all. Returns the bytes written.
     */
    static long pushUntilStalled(List<SocketChannel> into, int count, InetSocketAddress to, Helper h)
        throws IOException {
        for (int i = 0; i < count; i++) {
            SocketChannel c = SocketChannel.open();
            into.add(c);
            // small buffers on both ends keep the flood's kernel memory far below the machine's tcp_mem, whose
            // pressure would slow every TCP socket on the machine, the bulk stream's included
            c.setOption(StandardSocketOptions.SO_SNDBUF, 16 << 10);
            // closed with RST: a socket closed with data queued would linger as an orphan for minutes
            c.setOption(StandardSocketOptions.SO_LINGER, 0);
            c.configureBlocking(false);
            c.connect(to);
        }
        ByteBuffer chunk = ByteBuffer.allocateDirect(16 << 10);
        long total = 0;
        int quiet = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (quiet < 3) {
            assertTrue(System.nanoTime() < deadline, "the flood did not stall within 90 s\n" + h.describe());
            long moved = 0;
            for (SocketChannel c : into) {
                if (c.isConnectionPending() && !c.finishConnect()) {
                    continue;
                }
                moved += c.write(chunk.clear());
            }
            total += moved;
            quiet = moved < (1 << 20) ? quiet + 1 : 0;
            TestNetwork.sleep(200);
        }
        return total;
    }

    static void discard(SocketChannel c) {
        ByteBuffer buf = ByteBuffer.allocateDirect(256 << 10);
        try {
            while (c.read(buf.clear()) >= 0) {
                // discard
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** The fds the helper keeps back from its TCP table (NetworkHelper.FDS_RESERVED: 2 × 4096 + 256 + 256). */
    static final int RESERVED_FDS = 2 * 4096 + 256 + 256;

    static void echo(SocketChannel c) {
        ByteBuffer buf = ByteBuffer.allocate(64 << 10);
        try {
            while (c.read(buf.clear()) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    c.write(buf);
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }
}
