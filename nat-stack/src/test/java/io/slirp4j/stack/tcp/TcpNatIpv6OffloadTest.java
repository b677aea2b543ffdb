package io.slirp4j.stack.tcp;

import static io.slirp4j.stack.Packets6.GATEWAY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slirp4j.stack.FakeSink;
import io.slirp4j.stack.FrameOffload;
import io.slirp4j.stack.LinkOffloads;
import io.slirp4j.stack.Packets;
import io.slirp4j.stack.Packets6;
import io.slirp4j.stack.Packets6.Decoded6;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link TcpNatIpv6Test} over a link with offloads (the sink finishes what the stack leaves to it, as
 * the kernel's GSO would), and IPv6 super-segments themselves: cut to the IPv6 MSS, each piece's checksum derived
 * from the stack's partial sum verifies.
 */
class TcpNatIpv6OffloadTest extends TcpNatIpv6Test {
    @Override
    FakeSink newSink() {
        return new FakeSink(LinkOffloads.ALL);
    }

    @Test
    void hostDataLeavesAsIpv6SuperSegments() {
        start(true);
        send(tcp(GATEWAY, GPORT, 8080, ISN, 0, SYN, new byte[0]));
        host.last().connected();
        Decoded6 synAck = recv();
        int ours = u32(synAck.l4, 4) + 1;
        send(tcp(GATEWAY, GPORT, 8080, ISN + 1, ours, ACK, new byte[0]));
        sink.releaseAll();
        sink.offloadRequests.clear();
        byte[] down = Packets.bytes(10 * 1440, 9);
        host.last().read(down);
        assertEquals(1, sink.offloadRequests.size(), "the initial window in one frame");
        long offload = sink.offloadRequests.get(0)[0];
        assertEquals(FrameOffload.KIND_TCP6, FrameOffload.kind(offload));
        assertEquals(1440, FrameOffload.segmentSize(offload));
        assertEquals(14 + 40, FrameOffload.checksumStart(offload));
        assertEquals(14 + 40 + 20, FrameOffload.headersLength(offload));
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int seq = ours;
        while (got.size() < down.length) {
            Decoded6 d = recv();
            assertEquals(0, Packets.checksum(d.l4, 0, d.l4.length,
                Packets6.pseudoSum(d.src, d.dst, Packets6.TCP, d.l4.length)), "TCP checksum of each piece");
            assertEquals(seq, u32(d.l4, 4));
            int hl = ((d.l4[12] & 0xFF) >>> 4) * 4;
            assertTrue(d.l4.length - hl <= 1440);
            got.writeBytes(Arrays.copyOfRange(d.l4, hl, d.l4.length));
            seq += d.l4.length - hl;
        }
        assertArrayEquals(down, got.toByteArray());
    }
}
