package io.slirp4j.stack;

import static io.slirp4j.stack.Packets.GUEST_IP;
import static io.slirp4j.stack.Packets.ip;
import static io.slirp4j.stack.Packets.socket;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slirp4j.stack.wire.InternetChecksum;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Host datagrams to the guest over a link that cuts UDP (a tap with a vnet header on Linux 6.2+): what one read loop
 * of a host socket brings for one flow in equal sizes leaves in one frame, which the sink cuts in software here,
 * the kernel's way, so every datagram is checked as the guest would see it (ports, length, checksum, IP
 * identification).
 */
class StackUdpOffloadTest {
    private static final int PEER = ip(93, 184, 216, 34);

    private StackHarness h;

    @AfterEach
    void finish() {
        h.finish();
    }

    private FakeHostDatagrams.Socket flow(LinkOffloads offloads, int mtu) {
        h = new StackHarness(new NetworkConfig(NetworkConfig.DEFAULT_NETWORK, 24, mtu, true, true), offloads);
        h.send(Packets.guestUdp(PEER, 40000, 7777, new byte[] {1}));
        return h.host.last();
    }

    private static List<byte[]> datagrams(Random rnd, int... sizes) {
        List<byte[]> all = new ArrayList<>();
        for (int size : sizes) {
            byte[] b = new byte[size];
            rnd.nextBytes(b);
            all.add(b);
        }
        return all;
    }

    /** Receives {@code sent} in order, each a datagram of its own from PEER:7777 to the guest's port 40000. */
    private List<Decoded> receiveAll(List<byte[]> sent) {
        List<Decoded> got = new ArrayList<>();
        for (byte[] payload : sent) {
            Decoded d = h.receive();
            assertEquals(17, d.protocol);
            assertEquals(PEER, d.src);
            assertEquals(GUEST_IP, d.dst);
            assertEquals(7777, d.sport);
            assertEquals(40000, d.dport);
            assertEquals(20 + 8 + payload.length, d.totalLength);
            assertArrayEquals(payload, d.payload);
            got.add(d);
        }
        h.assertNoFrame();
        return got;
    }

    /** The kinds and segment sizes of the offloads asked for, e.g. "udp4/1000", "csum". */
    private List<String> requests() {
        List<String> all = new ArrayList<>();
        for (long[] r : h.sink.offloadRequests) {
            long o = r[0];
            all.add(switch (FrameOffload.kind(o)) {
                case FrameOffload.KIND_UDP4 -> "udp4/" + FrameOffload.segmentSize(o);
                case FrameOffload.KIND_CHECKSUM -> "csum";
                default -> "kind " + FrameOffload.kind(o);
            });
        }
        return all;
    }

    @Test
    void aBurstOfEqualDatagramsLeavesInOneFrameAndArrivesAsThoseDatagrams() {
        FakeHostDatagrams.Socket s = flow(LinkOffloads.ALL, 1500);
        List<byte[]> sent = datagrams(new Random(1), 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 300);
        s.deliverBurst(socket(PEER, 7777), sent);
        assertEquals(List.of("udp4/1000"), requests(), "one frame, cut into datagrams of 1000 bytes");
        assertEquals(10 * 1000 + 300 + 42, h.sink.offloadRequests.get(0)[1], "all eleven in it");
        List<Decoded> got = receiveAll(sent);
        for (int i = 1; i < got.size(); i++) {
            assertEquals((got.get(0).id + i) & 0xFFFF, got.get(i).id, "one IP identification per datagram");
        }
        assertEquals(sent.size(), h.stats().udp().toGuest());
        assertEquals(1, h.sink.flushes(), "one flush for the read loop");
    }

    @Test
    void withoutUdpSegmentationEachDatagramIsAFrameWithItsChecksumLeftToTheLink() {
        FakeHostDatagrams.Socket s = flow(LinkOffloads.TCP, 1500);
        List<byte[]> sent = datagrams(new Random(2), 1000, 1000, 1000);
        s.deliverBurst(socket(PEER, 7777), sent);
        assertEquals(List.of("csum", "csum", "csum"), requests());
        receiveAll(sent);
    }

    @Test
    void withoutOffloadsEveryDatagramIsComplete() {
        FakeHostDatagrams.Socket s = flow(LinkOffloads.NONE, 1500);
        List<byte[]> sent = datagrams(new Random(3), 1000, 1000, 1000);
        s.deliverBurst(socket(PEER, 7777), sent);
        assertEquals(List.of(), requests());
        receiveAll(sent);
    }

    @Test
    void aLongerDatagramStartsANewFrameAndAShorterOneEndsIt() {
        FakeHostDatagrams.Socket s = flow(LinkOffloads.ALL, 1500);
        List<byte[]> sent = datagrams(new Random(4), 500, 500, 800, 800, 200, 800, 1, 0, 0);
        s.deliverBurst(socket(PEER, 7777), sent);
        // [500 500] [800 800 200] [800 1] [0] [0]: zero-byte datagrams go alone
        assertEquals(List.of("udp4/500", "udp4/800", "udp4/800", "csum", "csum"), requests());
        receiveAll(sent);
    }

    @Test
    void anotherFlowOrSourceEndsTheFrame() {
        FakeHostDatagrams.Socket s = flow(LinkOffloads.ALL, 1500);
        int other = ip(93, 184, 216, 35);
        List<byte[]> sent = datagrams(new Random(5), 700, 700, 700, 700);
        s.deliverBurst(socket(PEER, 7777), sent.subList(0, 2));
        s.deliverBurst(socket(other, 7777), sent.subList(2, 4));
        assertEquals(List.of("udp4/700", "udp4/700"), requests());
        for (int i = 0; i < 4; i++) {
            Decoded d = h.receive();
            assertEquals(i < 2 ? PEER : other, d.src);
            assertArrayEquals(sent.get(i), d.payload);
        }
        h.assertNoFrame();
    }

    @Test
    void atMostSixtyFourDatagramsPerFrame() {
        FakeHostDatagrams.Socket s = flow(LinkOffloads.ALL, 1500);
        int[] sizes = new int[130];
        java.util.Arrays.fill(sizes, 100);
        List<byte[]> sent = datagrams(new Random(6), sizes);
        s.deliverBurst(socket(PEER, 7777), sent);
        assertEquals(List.of("udp4/100", "udp4/100", "udp4/100"), requests());
        assertEquals(64 * 100 + 42, h.sink.offloadRequests.get(0)[1], "64 datagrams in the first frame");
        assertEquals(2 * 100 + 42, h.sink.offloadRequests.get(2)[1], "the last two in the third");
        receiveAll(sent);
    }

    @Test
    void atMostAnIpDatagramsPayloadPerFrame() {
        FakeHostDatagrams.Socket s = flow(LinkOffloads.ALL, 9000);
        int[] sizes = new int[10];
        java.util.Arrays.fill(sizes, 8000);
        List<byte[]> sent = datagrams(new Random(7), sizes);
        s.deliverBurst(socket(PEER, 7777), sent);
        // 65507 bytes of payload at most: 8 datagrams of 8000, then 2
        assertEquals(List.of("udp4/8000", "udp4/8000"), requests());
        assertEquals(8 * 8000 + 42, h.sink.offloadRequests.get(0)[1]);
        receiveAll(sent);
    }

    @Test
    void datagramsOverTheMtuAreFragmentedNotBatched() {
        FakeHostDatagrams.Socket s = flow(LinkOffloads.ALL, 1500);
        List<byte[]> sent = datagrams(new Random(8), 2000, 2000);
        s.deliverBurst(socket(PEER, 7777), sent);
        assertEquals(List.of(), requests(), "each alone, completed (by the link) before it is fragmented");
        for (byte[] payload : sent) {
            Decoded first = h.receive();
            Decoded second = h.receive();
            assertTrue(first.totalLength <= 1500 && second.totalLength <= 1500, "fragments within the MTU");
            Decoded whole = Decoded.reassemble(List.of(first, second)); // checks the UDP checksum
            assertArrayEquals(payload, whole.payload);
        }
        h.assertNoFrame();
    }

    @Test
    void datagramsOfSeparateReadLoopsAreSeparateFrames() {
        FakeHostDatagrams.Socket s = flow(LinkOffloads.ALL, 1500);
        List<byte[]> sent = datagrams(new Random(9), 600, 600);
        s.deliver(socket(PEER, 7777), sent.get(0));
        s.deliver(socket(PEER, 7777), sent.get(1));
        assertEquals(List.of("csum", "csum"), requests());
        receiveAll(sent);
        assertEquals(2, h.sink.flushes());
    }

    // ---- the other way: UDP datagrams the guest's kernel left in one frame (its USO), cut by the stack

    /** A frame as the guest's kernel hands it over with USO: one IPv4/UDP header for all, the checksum partial. */
    private static byte[] guestSuperFrame(int dst, int protocol, List<byte[]> datagrams) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        datagrams.forEach(all::writeBytes);
        byte[] udp = Packets.udp(GUEST_IP, dst, 40000, 7777, all.toByteArray());
        // the partial checksum: the pseudo-header with the whole length, folded, not complemented
        int partial = InternetChecksum.fold(Packets.pseudoHeader(GUEST_IP, dst, 17, udp.length));
        udp[6] = (byte) (partial >>> 8);
        udp[7] = (byte) partial;
        return Packets.guestIpv4(dst, protocol, udp);
    }

    private void sendSuper(byte[] frame, int udpStart, int segmentSize) {
        io.netty.buffer.ByteBuf buf = h.alloc.buffer(frame.length).writeBytes(frame);
        h.stack.onUdpSuperFrame(buf, udpStart, segmentSize);
        assertEquals(0, buf.refCnt(), "the stack must release every frame it is given");
    }

    @Test
    void datagramsTheGuestSentInOneFrameLeaveAsThoseDatagrams() {
        FakeHostDatagrams.Socket s = flow(LinkOffloads.ALL, 1500);
        s.sent.clear();
        List<byte[]> sent = datagrams(new Random(10), 1200, 1200, 1200, 1200, 500);
        sendSuper(guestSuperFrame(PEER, 17, sent), 34, 1200);
        assertEquals(sent.size(), s.sent.size(), "one host datagram per datagram the guest sent");
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(socket(PEER, 7777), s.sent.get(i).to());
            assertArrayEquals(sent.get(i), s.sent.get(i).payload(), "datagram " + i);
        }
        assertEquals(1 + sent.size(), h.stats().udp().toHost());
    }

    @Test
    void aFrameThatIsNotWhatItsHeaderSaysIsDroppedAsMalformed() {
        FakeHostDatagrams.Socket s = flow(LinkOffloads.ALL, 1500);
        s.sent.clear();
        List<byte[]> sent = datagrams(new Random(11), 1000, 1000);
        long malformed = h.stats().frames().droppedMalformed();
        sendSuper(guestSuperFrame(PEER, 6, sent), 34, 1000); // TCP, not UDP
        sendSuper(guestSuperFrame(PEER, 17, sent), 38, 1000); // the UDP header is not where it says
        sendSuper(guestSuperFrame(PEER, 17, sent), 34, 0);
        sendSuper(new byte[20], 34, 1000);
        sendSuper(guestSuperFrame(PEER, 17, java.util.Collections.nCopies(130, new byte[] {7})), 34, 1); // > 128
        assertEquals(malformed + 5, h.stats().frames().droppedMalformed());
        assertEquals(0, s.sent.size());
        h.assertNoFrame();
    }
}
