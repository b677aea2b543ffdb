package io.slirp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.FakeSink;
import io.slirp4j.stack.FrameOffload;
import io.slirp4j.stack.LinkOffloads;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.Packets;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The TCP NAT on a link that finishes frames (a tap with a vnet header): every test of {@link TcpNatTest} again
 * (the sink finishes what the stack leaves to it, so they see complete segments), and what changes: host data goes
 * out as super-segments cut to the MSS with partial checksums, slow start counts an ACK of a whole super-segment,
 * and a guest frame whose checksum the link vouches for is taken as it is, super-segment or not.
 */
class TcpNatOffloadTest extends TcpNatTest {
    @Override
    FakeSink newSink() {
        return new FakeSink(LinkOffloads.ALL);
    }

    /** Takes {@code bytes} of payload from what the sink got (finished segments), checking seq continuity. */
    private byte[] drainSegments(int firstSeq, int expectedBytes) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int seq = firstSeq;
        while (got.size() < expectedBytes) {
            Seg s = recv(); // checks each finished segment's checksum
            assertEquals(seq, s.seq(), "segments in order, none missing");
            assertTrue(s.payload().length <= 1460, "cut to the MSS: " + s.payload().length);
            got.writeBytes(s.payload());
            seq += s.payload().length;
        }
        return got.toByteArray();
    }

    @Test
    void hostDataLeavesAsSuperSegmentsCutToTheMss() {
        int ours = establish(PEER, 80);
        FakeHostStreams.Conn h = host.last();
        int initialWindow = 10 * 1460;
        byte[] down = Packets.bytes(200_000, 3);
        sink.offloadRequests.clear();
        h.read(down);
        // the initial window, in one frame for the link to cut: 10 segments of 1460
        assertEquals(1, sink.offloadRequests.size());
        long first = sink.offloadRequests.get(0)[0];
        assertEquals(FrameOffload.KIND_TCP4, FrameOffload.kind(first));
        assertEquals(1460, FrameOffload.segmentSize(first));
        assertEquals(14 + 20 + 20, FrameOffload.headersLength(first), "Ethernet, IPv4, TCP without options");
        assertEquals(14 + 20, FrameOffload.checksumStart(first));
        assertEquals(16, FrameOffload.checksumOffset(first));
        assertEquals(14 + 20 + 20 + initialWindow, sink.offloadRequests.get(0)[1]);
        assertArrayEquals(Arrays.copyOf(down, initialWindow), drainSegments(ours, initialWindow));
        // one ACK for the whole super-segment, as a guest that coalesces them sends: slow start credits all of it
        sink.offloadRequests.clear();
        send(tcp(PEER, GPORT, 80, ISN + 1, ours + initialWindow, ACK, 1024, new byte[0]));
        int second = 2 * initialWindow;
        long sum = sink.offloadRequests.stream().mapToLong(r -> r[1] - 54).sum();
        assertEquals(second, sum, "the window doubled");
        assertArrayEquals(Arrays.copyOfRange(down, initialWindow, initialWindow + second),
            drainSegments(ours + initialWindow, second));
    }

    @Test
    void aSegmentWithinTheMssLeavesWithAPartialChecksumOnly() {
        int ours = establish(PEER, 80);
        sink.offloadRequests.clear();
        host.last().read(Packets.bytes(100, 4));
        assertEquals(1, sink.offloadRequests.size());
        long offload = sink.offloadRequests.get(0)[0];
        assertEquals(FrameOffload.KIND_CHECKSUM, FrameOffload.kind(offload));
        assertEquals(14 + 20, FrameOffload.checksumStart(offload));
        assertEquals(16, FrameOffload.checksumOffset(offload));
        Seg s = recv();
        assertEquals(ours, s.seq());
        assertEquals(100, s.payload().length);
    }

    /** A guest frame as a tap with TSO hands it over: 30,000 bytes in one segment, the checksum field partial. */
    private byte[] guestSuperFrame(int ours, byte[] payload) {
        byte[] frame = tcp(PEER, GPORT, 80, ISN + 1, ours, ACK | PSH, 1024, payload);
        frame[14 + 20 + 16] ^= 0x5A; // whatever the checksum field holds, the link vouched for it
        return frame;
    }

    @Test
    void aGuestSuperFrameTheLinkVouchesForIsTakenWhole() {
        int ours = establish(PEER, 80);
        byte[] up = Packets.bytes(30_000, 5);
        ByteBuf buf = alloc.buffer();
        buf.writeBytes(guestSuperFrame(ours, up));
        stack.onFrame(buf, true);
        assertArrayEquals(up, host.last().written.toByteArray());
        Seg ack = recv();
        assertEquals(ISN + 1 + up.length, ack.ack());
    }

    @Test
    void withoutTheLinksWordABadChecksumIsStillDropped() {
        int ours = establish(PEER, 80);
        long malformed = stack.stats().frames().droppedMalformed();
        send(guestSuperFrame(ours, Packets.bytes(3000, 6)));
        assertEquals(malformed + 1, stack.stats().frames().droppedMalformed());
        assertFalse(host.last().written.size() > 0);
    }

    @Test
    void belowAnMtuOf104SegmentsAreCompletedThenFragmented() {
        sink.releaseAll();
        stack.close();
        start(new NetworkConfig(NetworkConfig.DEFAULT_NETWORK, 24, 68, true, true), 100);
        int ours = establish(PEER, 80);
        sink.offloadRequests.clear();
        byte[] down = Packets.bytes(64, 7);
        host.last().read(down);
        assertTrue(sink.offloadRequests.isEmpty(), "no super-segments, and fragments go complete");
        // the 64-byte segment leaves as fragments of at most 68 bytes: put it together, its checksum must verify
        byte[] l4 = new byte[20 + 64];
        int covered = 0;
        boolean more = true;
        while (more) {
            byte[] raw = sink.poll();
            assertTrue(raw != null, "a fragment");
            ByteBuffer b = ByteBuffer.wrap(raw);
            int ihl = (raw[14] & 0xF) * 4;
            int total = b.getShort(16) & 0xFFFF;
            assertTrue(total <= 68, "within the MTU: " + total);
            int field = b.getShort(20) & 0xFFFF;
            more = (field & 0x2000) != 0;
            System.arraycopy(raw, 14 + ihl, l4, (field & 0x1FFF) * 8, total - ihl);
            covered += total - ihl;
        }
        assertEquals(l4.length, covered);
        assertEquals(0, Packets.checksum(l4, 0, l4.length, Packets.pseudoHeader(PEER, Packets.GUEST_IP, 6,
            l4.length)), "TCP checksum completed before fragmenting");
        assertEquals(ours, ByteBuffer.wrap(l4).getInt(4));
        assertArrayEquals(down, Arrays.copyOfRange(l4, 20, l4.length));
    }

    @Test
    void whatOneReadLoopBringsLeavesTogether() {
        int ours = establish(PEER, 80);
        sink.offloadRequests.clear();
        byte[] a = Packets.bytes(4000, 11);
        byte[] b = Packets.bytes(5000, 12);
        host.last().readLoop(a, b);
        assertEquals(1, sink.offloadRequests.size(), "one super-segment for the loop, not one per read");
        assertEquals(54 + 9000, sink.offloadRequests.get(0)[1]);
        byte[] both = new byte[9000];
        System.arraycopy(a, 0, both, 0, 4000);
        System.arraycopy(b, 0, both, 4000, 5000);
        assertArrayEquals(both, drainSegments(ours, 9000));
    }
}
