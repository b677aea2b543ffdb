package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * UDP NAT: the guest's datagrams to 10.0.2.2 reach a server on the private host namespace's 127.0.0.1, and to
 * 198.51.100.1 a server in the "internet" namespace; replies come back byte for byte, fragmented or not.
 */
class UdpTest {
    static final Duration REPLY_TIMEOUT = Duration.ofSeconds(3);

    /** 1 byte up to MTU-28 (one frame) and beyond (fragmented), up to the UDP maximum. */
    static List<Integer> sizes(int mtu) {
        TreeSet<Integer> s = new TreeSet<>(List.of(1, 2, 7, 8, 9, 64, 100, 512, 548, 1000, 1400, 1472, 1473, 1500,
            2000, 2952, 2953, 4096, 8192, 9000, 16384, 32768, 65000, Udp.MAX_PAYLOAD));
        s.addAll(List.of(mtu - 29, mtu - 28, mtu - 27, mtu + 1, 2 * mtu));
        s.removeIf(n -> n < 1 || n > Udp.MAX_PAYLOAD);
        return new ArrayList<>(s);
    }

    static Stream<Arguments> modesAndMtus() {
        List<Arguments> all = new ArrayList<>();
        for (Mode m : Mode.values()) {
            all.add(Arguments.of(m, 1500));
        }
        all.add(Arguments.of(Mode.ROOT, 65520));
        all.add(Arguments.of(Mode.ROOTLESS, 65520));
        return all.stream();
    }

    @ParameterizedTest(name = "{0} mtu {1}")
    @MethodSource("modesAndMtus")
    void echoThroughGatewayToHostLoopback(Mode mode, int mtu) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Udp.Server server = net.closeLater(
                Udp.Server.echo(net.hostNetns(), new InetSocketAddress("127.0.0.1", 0)));
            net.startHelper("-c", "-m", Integer.toString(mtu));
            InetSocketAddress to = new InetSocketAddress("10.0.2.2", server.port());
            Random rnd = new Random(mtu);
            List<byte[]> payloads = new ArrayList<>();
            for (int size : sizes(mtu)) {
                payloads.add(Udp.payload(rnd, size));
            }
            for (int i = 0; i < 200; i++) {
                payloads.add(Udp.payload(rnd, 1 + rnd.nextInt(mtu - 28)));
            }
            try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
                int retries = Udp.echoLockstep(s, to, payloads, REPLY_TIMEOUT);
                System.out.printf("[%s mtu %d] %d datagrams echoed byte for byte, %d retries%n", mode, mtu,
                    payloads.size(), retries);
                assertTrue(retries <= 1, "datagrams lost on a lossless local link: " + retries);
                // many small-to-MTU-sized datagrams in flight (bounded in bytes: socket buffers are finite)
                int lost = windowed(s, to, rnd, 400, 32, Math.min(mtu, 1500) - 28);
                System.out.printf("[%s mtu %d] windowed: 400 datagrams, 32 in flight, %d lost%n", mode, mtu, lost);
                assertTrue(lost <= 4, "too many datagrams lost with 32 in flight: " + lost);
            }
            // the server saw the helper's host socket on loopback, one source port for our one guest socket
            assertEquals(1, server.peers().size(), "host-side sources: " + server.peers());
            assertEquals(InetAddress.getByName("127.0.0.1"), server.peers().get(0).getAddress());
        }
    }

    /**
     * Bursts from the host: each request draws 32 numbered datagrams of one size (the last one shorter), sent at
     * once. The helper hands what one read of its socket brings to the guest in one frame where the kernel takes
     * UDP segmentation (6.2 on), and the guest's kernel cuts it: every datagram must arrive byte for byte, in
     * order, as a datagram of its own; and over 50 bursts the guest's tap must have taken fewer frames than
     * datagrams.
     */
    @ParameterizedTest(name = "{0} mtu {1}")
    @MethodSource("modesAndMtus")
    void burstsFromTheHostArriveDatagramByDatagram(Mode mode, int mtu) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Udp.Server server = burstServer(net, new InetSocketAddress("127.0.0.1", 0));
            net.startHelper("-c", "-m", Integer.toString(mtu));
            assertBurstsArrive(net, new InetSocketAddress("10.0.2.2", server.port()), Math.min(mtu, 1500) - 28,
                "[" + mode + " mtu " + mtu + "]");
        }
    }

    static final int BURSTS = 50;
    static final int PER_BURST = 32;

    /** A server in the host namespace that answers "burst, size" with {@link #PER_BURST} datagrams at once. */
    static Udp.Server burstServer(TestNetwork net, InetSocketAddress bind) {
        return net.closeLater(Udp.Server.start(net.hostNetns(), bind, (srv, request, from) -> {
            ByteBuffer r = ByteBuffer.wrap(request);
            int burst = r.getInt();
            int size = r.getInt();
            for (int i = 0; i < PER_BURST; i++) {
                srv.send(burstDatagram(burst, i, burstSize(size, i)), from);
            }
        }));
    }

    /** Asks a {@link #burstServer} at {@code to} for {@link #BURSTS} bursts of up to {@code maxSize} bytes each. */
    static void assertBurstsArrive(TestNetwork net, InetSocketAddress to, int maxSize, String label)
        throws Exception {
        Random rnd = new Random(maxSize);
        long frames0 = tapRxPackets(net);
        int retries = 0;
        try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
            for (int burst = 0; burst < BURSTS; burst++) {
                int size = 16 + rnd.nextInt(maxSize - 16);
                byte[] request = ByteBuffer.allocate(8).putInt(burst).putInt(size).array();
                int got = -1;
                for (int attempt = 0; attempt < 2 && got < PER_BURST; attempt++) {
                    retries += attempt;
                    s.send(new DatagramPacket(request, request.length, to));
                    got = 0;
                    DatagramPacket p;
                    while (got < PER_BURST && (p = Udp.receive(s, REPLY_TIMEOUT)) != null) {
                        byte[] data = java.util.Arrays.copyOfRange(p.getData(), p.getOffset(),
                            p.getOffset() + p.getLength());
                        assertArrayEquals(burstDatagram(burst, got, burstSize(size, got)), data,
                            label + " burst " + burst + ", datagram " + got + " (in order, whole, alone)");
                        assertEquals(to, p.getSocketAddress(), "from the address the guest asked");
                        got++;
                    }
                }
                assertEquals(PER_BURST, got, label + " burst " + burst + " incomplete even when asked again");
            }
        }
        long frames = tapRxPackets(net) - frames0;
        int datagrams = BURSTS * PER_BURST;
        System.out.printf("%s %d datagrams in bursts of %d from the host: %d frames to the guest's tap, %d retries%n",
            label, datagrams, PER_BURST, frames, retries);
        assertTrue(retries <= 1, "bursts lost on a lossless local link: " + retries);
        if (!Helper.USO_OUT.isEmpty()) {
            assertTrue(frames < datagrams, "no burst was batched: " + frames + " frames");
        }
    }

    /** All datagrams of a burst have the size asked for but the last, which is shorter (ends a batch). */
    static int burstSize(int size, int index) {
        return index == PER_BURST - 1 ? size / 2 + 8 : size;
    }

    /** Datagram {@code index} of burst {@code burst}: both numbers, then bytes that follow from them. */
    static byte[] burstDatagram(int burst, int index, int size) {
        ByteBuffer b = ByteBuffer.allocate(size).putInt(burst).putInt(index);
        for (int i = 8; i < size; i++) {
            b.put((byte) (burst * 31 + index * 7 + i));
        }
        return b.array();
    }

    /** Frames the guest's tap0 has taken from the helper (each write is one, however many datagrams it holds). */
    static long tapRxPackets(TestNetwork net) {
        return tapPackets(net, 2);
    }

    /** Frames the guest's tap0 has handed the helper (one per read, however many datagrams it holds). */
    static long tapTxPackets(TestNetwork net) {
        return tapPackets(net, 10);
    }

    /** Field {@code index} of tap0's line in the guest's /proc/net/dev (2: received packets, 10: sent). */
    private static long tapPackets(TestNetwork net, int index) {
        for (String line : net.guest("cat", "/proc/net/dev").check().out().split("\n")) {
            String[] f = line.trim().split("[:\\s]+");
            if (f[0].equals("tap0")) {
                return Long.parseLong(f[index]);
            }
        }
        throw new AssertionError("no tap0 in the guest's /proc/net/dev");
    }

    /**
     * The guest's own UDP segmentation (an application using UDP_SEGMENT, as QUIC stacks do): one send of 40
     * datagrams' worth, which the guest's kernel hands the tap as one frame (the tap takes USO from 6.2 on) and the
     * helper cuts. The host must receive every datagram byte for byte, in order.
     */
    @ParameterizedTest(name = "{0} mtu {1}")
    @MethodSource("modesAndMtus")
    void guestUdpSegmentationReachesTheHostAsDatagrams(Mode mode, int mtu) throws Exception {
        Requirements.namespaces("perl");
        int sends = 20;
        int perSend = 40;
        int size = Math.min(mtu, 1500) - 28 - 100;
        try (TestNetwork net = TestNetwork.create(mode)) {
            java.util.concurrent.BlockingQueue<byte[]> got = new java.util.concurrent.LinkedBlockingQueue<>();
            Udp.Server server = net.closeLater(Udp.Server.start(net.hostNetns(),
                new InetSocketAddress("127.0.0.1", 0), (srv, data, from) -> got.add(data)));
            net.startHelper("-c", "-m", Integer.toString(mtu));
            Checks.ping(net, "10.0.2.2"); // the gateway's MAC first: a send waiting for ARP would be dropped whole
            long frames0 = tapTxPackets(net);
            String sender = "use Socket; my ($ip, $port, $size, $sends, $per) = @ARGV;"
                + " socket(my $s, PF_INET, SOCK_DGRAM, 0) or die \"socket: $!\";"
                + " setsockopt($s, 17, 103, pack('i', $size)) or die \"UDP_SEGMENT: $!\";"
                + " my $to = sockaddr_in($port, inet_aton($ip));"
                + " for my $b (0 .. $sends - 1) { my $buf = '';"
                + "  for my $i (0 .. $per - 1) { my $len = $i == $per - 1 ? int($size / 2) + 8 : $size;"
                + "   my $d = pack('NN', $b, $i); $d .= chr(($b * 31 + $i * 7 + $_) & 255) for 8 .. $len - 1;"
                + "   $buf .= $d; }"
                + "  defined(send($s, $buf, 0, $to)) or die \"send: $!\"; select(undef, undef, undef, 0.005); }";
            net.guest("perl", "-e", sender, "10.0.2.2", Integer.toString(server.port()), Integer.toString(size),
                Integer.toString(sends), Integer.toString(perSend)).check();
            for (int b = 0; b < sends; b++) {
                for (int i = 0; i < perSend; i++) {
                    byte[] data = got.poll(REPLY_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                    assertTrue(data != null, "datagram " + i + " of send " + b + " never arrived");
                    int length = i == perSend - 1 ? size / 2 + 8 : size;
                    assertArrayEquals(burstDatagram(b, i, length), data, "send " + b + ", datagram " + i);
                }
            }
            long frames = tapTxPackets(net) - frames0;
            System.out.printf("[%s mtu %d] %d datagrams in %d sends with UDP_SEGMENT: %d frames from the guest's"
                + " tap%n", mode, mtu, sends * perSend, sends, frames);
            if (!Helper.USO_OUT.isEmpty()) {
                assertTrue(frames < sends * perSend, "the guest's kernel cut them itself: " + frames + " frames");
            }
        }
    }

    /**
     * Keeps {@code window} numbered datagrams in flight; every echo must match what was sent for its number.
     * Missing ones are resent once at the end. Returns how many were missing in the first pass.
     */
    static int windowed(DatagramSocket s, InetSocketAddress to, Random rnd, int count, int window, int maxSize)
        throws Exception {
        Map<Integer, byte[]> outstanding = new HashMap<>();
        int next = 0;
        int done = 0;
        int lost = 0;
        while (done < count) {
            while (next < count && outstanding.size() < window) {
                byte[] data = Udp.payload(rnd, 4 + rnd.nextInt(maxSize - 4));
                ByteBuffer.wrap(data).putInt(next);
                outstanding.put(next, data);
                s.send(new DatagramPacket(data, data.length, to));
                next++;
            }
            DatagramPacket p = Udp.receive(s, REPLY_TIMEOUT);
            if (p == null) {
                // resend everything outstanding once; count those as lost
                if (outstanding.isEmpty()) {
                    break;
                }
                lost += outstanding.size();
                for (byte[] data : outstanding.values()) {
                    s.send(new DatagramPacket(data, data.length, to));
                }
                DatagramPacket q;
                while (!outstanding.isEmpty() && (q = Udp.receive(s, REPLY_TIMEOUT)) != null) {
                    done += match(outstanding, q) ? 1 : 0;
                }
                assertTrue(outstanding.isEmpty(), "datagrams lost even after a resend: " + outstanding.keySet());
                continue;
            }
            done += match(outstanding, p) ? 1 : 0;
        }
        return lost;
    }

    private static boolean match(Map<Integer, byte[]> outstanding, DatagramPacket p) {
        byte[] got = java.util.Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
        assertTrue(got.length >= 4, "short echo of " + got.length + " bytes");
        int seq = ByteBuffer.wrap(got).getInt();
        byte[] sent = outstanding.remove(seq);
        if (sent == null) {
            return false; // a duplicate after a resend
        }
        assertArrayEquals(sent, got, "content of echo #" + seq);
        return true;
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void echoFromTheInternetNamespace(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode, true)) {
            Udp.Server server = net.closeLater(
                Udp.Server.echo(net.internetNetns(), new InetSocketAddress(TestNetwork.INTERNET_ADDRESS, 0)));
            net.startHelper("-c");
            InetSocketAddress to = new InetSocketAddress(TestNetwork.INTERNET_ADDRESS, server.port());
            Random rnd = new Random(7);
            List<byte[]> payloads = new ArrayList<>();
            for (int size : List.of(1, 100, 1472, 1473, 5000, Udp.MAX_PAYLOAD)) {
                payloads.add(Udp.payload(rnd, size));
            }
            try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
                Udp.echoLockstep(s, to, payloads, REPLY_TIMEOUT);
            }
            // NAT: the server sees the private host namespace's address on the veth, not the guest's 10.0.2.100
            assertEquals(1, server.peers().size(), "sources seen: " + server.peers());
            assertEquals(InetAddress.getByName(TestNetwork.INTERNET_HOST_SIDE), server.peers().get(0).getAddress());
        }
    }

    /** The smallest MTU the interface allows: every reply bigger than 40 bytes comes back in many fragments. */
    @Test
    void echoAtMinimumMtu68() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            Udp.Server server = net.closeLater(
                Udp.Server.echo(net.hostNetns(), new InetSocketAddress("127.0.0.1", 0)));
            net.startHelper("-c", "--mtu", "68");
            ConfigureTest.assertConfigured(net, "10.0.2.100", 24, "10.0.2.2", 68);
            Random rnd = new Random(68);
            List<byte[]> payloads = new ArrayList<>();
            for (int size : List.of(1, 39, 40, 41, 48, 1000, 5000, 20000)) {
                payloads.add(Udp.payload(rnd, size));
            }
            try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
                Udp.echoLockstep(s, new InetSocketAddress("10.0.2.2", server.port()), payloads, REPLY_TIMEOUT);
            }
            // (a bigger ping fails in the guest itself: ping sizes its socket buffer for unfragmented packets)
            Checks.ping(net, "10.0.2.2", "-s", "200");
        }
    }

    /** Many flows at once (one datagram each from 300 guest sockets), all answered to the right socket. */
    @Test
    void manyFlows() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            Udp.Server server = net.closeLater(
                Udp.Server.echo(net.hostNetns(), new InetSocketAddress("127.0.0.1", 0)));
            net.startHelper("-c");
            InetSocketAddress to = new InetSocketAddress("10.0.2.2", server.port());
            List<DatagramSocket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 300; i++) {
                    sockets.add(Udp.socketIn(net.guestNetns()));
                }
                // 50 flows at a time, each batch's echoes collected before the next: this is about the flow table,
                // not about queues. (All 300 at once overran the echo server's receive buffer, which holds 256
                // datagrams this small at the kernel's rmem_max, whenever its thread was slow to be scheduled.)
                int missing = 0;
                for (int first = 0; first < sockets.size(); first += 50) {
                    int end = Math.min(sockets.size(), first + 50);
                    for (int i = first; i < end; i++) {
                        byte[] data = ByteBuffer.allocate(8).putInt(i).putInt(~i).array();
                        sockets.get(i).send(new DatagramPacket(data, data.length, to));
                    }
                    for (int i = first; i < end; i++) {
                        DatagramPacket p = Udp.receive(sockets.get(i), Duration.ofSeconds(2));
                        if (p == null) {
                            missing++;
                            continue;
                        }
                        ByteBuffer b = ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength());
                        assertEquals(i, b.getInt(), "socket " + i + " got another socket's echo");
                    }
                }
                System.out.printf("300 flows: %d echoes missing%n", missing);
                assertEquals(0, missing, "flows without an echo");
            } finally {
                for (DatagramSocket s : sockets) {
                    s.close();
                }
            }
            assertEquals(300, server.peers().size(), "one host-side source per guest socket");
        }
    }

    /** Several guest sockets at once: each gets its own replies, through its own host-side flow. */
    @Test
    void concurrentFlowsKeepTheirReplies() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            Udp.Server server = net.closeLater(
                Udp.Server.echo(net.hostNetns(), new InetSocketAddress("127.0.0.1", 0)));
            Udp.Server second = net.closeLater(
                Udp.Server.echo(net.hostNetns(), new InetSocketAddress("127.0.0.1", 0)));
            net.startHelper("-c");
            List<DatagramSocket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    sockets.add(Udp.socketIn(net.guestNetns()));
                }
                Random rnd = new Random(3);
                for (int round = 0; round < 20; round++) {
                    List<byte[]> sent = new ArrayList<>();
                    for (int i = 0; i < sockets.size(); i++) {
                        byte[] data = Udp.payload(rnd, 1 + rnd.nextInt(3000));
                        sent.add(data);
                        int port = (i % 2 == 0 ? server : second).port();
                        sockets.get(i).send(new DatagramPacket(data, data.length,
                            new InetSocketAddress("10.0.2.2", port)));
                    }
                    for (int i = 0; i < sockets.size(); i++) {
                        DatagramPacket p = Udp.receive(sockets.get(i), REPLY_TIMEOUT);
                        int n = i;
                        assertTrue(p != null, () -> "no echo for socket " + n);
                        assertArrayEquals(sent.get(i), java.util.Arrays.copyOfRange(p.getData(), p.getOffset(),
                            p.getOffset() + p.getLength()), "echo to socket " + i + " in round " + round);
                        assertEquals((i % 2 == 0 ? server : second).port(), p.getPort());
                    }
                }
            } finally {
                for (DatagramSocket s : sockets) {
                    s.close();
                }
            }
            assertEquals(4, server.peers().size(), "one host flow per guest socket: " + server.peers());
            assertEquals(4, second.peers().size(), "one host flow per guest socket: " + second.peers());
        }
    }
}
