package io.slirp4j.stack.iface.ipv4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.slirp4j.stack.Packets;
import io.slirp4j.stack.TrackingAllocator;
import io.slirp4j.stack.stats.Ipv4Counters;
import io.slirp4j.stack.wire.Ipv4Packet;
import io.slirp4j.stack.wire.ParseResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;


class Ipv4ReassemblerTest {
    private static final int SRC = Packets.GUEST_IP;
    private static final int DST = Packets.ip(8, 8, 8, 8);

    private final TrackingAllocator alloc = new TrackingAllocator();
    private final Ipv4Counters counters = new Ipv4Counters();
    private final Ipv4Reassembler reassembler = new Ipv4Reassembler(alloc, counters);
    private final Ipv4Packet view = new Ipv4Packet();
    private final List<ByteBuf> results = new ArrayList<>();
    private long now = 0;

    @AfterEach
    void noLeaks() {
        results.forEach(ByteBuf::release);
        reassembler.clear();
        assertTrue(alloc.unreleased().isEmpty(), "leaked buffers");
    }

    /** Fragments of {@code payload}: each piece (offset, length) with MF set except for the one that ends it. */
    private static byte[] fragment(int id, byte[] payload, int offset, int length, boolean more) {
        return Packets.ipv4(SRC, DST, 17, Arrays.copyOfRange(payload, offset, offset + length), id,
            (more ? 0x2000 : 0) | (offset / 8), 64);
    }

    private ByteBuf offer(byte[] datagram) {
        ByteBuf buf = alloc.buffer(datagram.length);
        buf.writeBytes(datagram);
        try {
            assertEquals(ParseResult.OK, view.wrap(buf, 0, datagram.length));
            ByteBuf whole = reassembler.offer(view, now);
            if (whole != null) {
                results.add(whole);
            }
            return whole;
        } finally {
            buf.release();
        }
    }

    private static byte[] payloadOf(ByteBuf whole) {
        Ipv4Packet p = new Ipv4Packet();
        assertEquals(ParseResult.OK, p.wrap(whole, whole.readerIndex(), whole.readableBytes()),
            "the reassembled header is valid");
        assertTrue(!p.isFragment());
        assertEquals(whole.readableBytes(), p.totalLength());
        return ByteBufUtil.getBytes(whole, p.payloadOffset(), p.payloadLength());
    }

    @Test
    void inOrder() {
        byte[] payload = Packets.bytes(3000, 1);
        assertNull(offer(fragment(1, payload, 0, 1480, true)));
        assertNull(offer(fragment(1, payload, 1480, 1480, true)));
        ByteBuf whole = offer(fragment(1, payload, 2960, 40, false));
        assertNotNull(whole);
        assertArrayEquals(payload, payloadOf(whole));
        assertEquals(0, reassembler.inProgress());
        assertEquals(1, counters.datagramsReassembled);
    }

    @Test
    void anyOrderWithDuplicates() {
        Random random = new Random(815);
        for (int round = 0; round < 50; round++) {
            byte[] payload = Packets.bytes(random.nextInt(5000) + 9, round);
            List<byte[]> pieces = new ArrayList<>();
            int chunk = 8 * (random.nextInt(100) + 32); // at most ~20 pieces: MAX_RANGES is for real traffic
            for (int off = 0; off < payload.length; off += chunk) {
                int len = Math.min(chunk, payload.length - off);
                pieces.add(fragment(round, payload, off, len, off + len < payload.length));
            }
            if (pieces.size() < 2) {
                continue;
            }
            Collections.shuffle(pieces, random);
            // A duplicate of some piece, anywhere before the piece that completes the datagram.
            pieces.add(random.nextInt(pieces.size()), pieces.get(random.nextInt(pieces.size() - 1)));
            ByteBuf whole = null;
            for (byte[] piece : pieces) {
                ByteBuf r = offer(piece);
                if (r != null) {
                    whole = r;
                }
            }
            assertNotNull(whole, "round " + round);
            assertArrayEquals(payload, payloadOf(whole));
        }
        assertEquals(0, reassembler.inProgress());
        assertEquals(0, counters.reassemblyFailures);
    }

    @Test
    void firstFragmentHeaderWithOptionsIsKept() {
        byte[] payload = Packets.bytes(100, 3);
        byte[] first = Packets.ipv4WithOptions(SRC, DST, 17, Arrays.copyOfRange(payload, 0, 64), 9, 0x2000, 64,
            new byte[] {1, 1, 1, 0});
        assertNull(offer(fragment(9, payload, 64, 36, false)));
        ByteBuf whole = offer(first);
        assertNotNull(whole);
        Ipv4Packet p = new Ipv4Packet();
        assertEquals(ParseResult.OK, p.wrap(whole, whole.readerIndex(), whole.readableBytes()));
        assertEquals(24, p.headerLength());
        assertArrayEquals(payload, payloadOf(whole));
    }

    @Test
    void separateDatagramsByKey() {
        byte[] a = Packets.bytes(16, 1);
        byte[] b = Packets.bytes(16, 2);
        assertNull(offer(fragment(1, a, 0, 8, true)));
        assertNull(offer(fragment(2, b, 0, 8, true)));
        assertEquals(2, reassembler.inProgress());
        assertArrayEquals(b, payloadOf(offer(fragment(2, b, 8, 8, false))));
        assertArrayEquals(a, payloadOf(offer(fragment(1, a, 8, 8, false))));
    }

    @Test
    void partialOverlapAbandons() {
        byte[] payload = Packets.bytes(64, 1);
        assertNull(offer(fragment(1, payload, 0, 32, true)));
        assertNull(offer(fragment(1, payload, 24, 16, true)));
        assertEquals(0, reassembler.inProgress());
        assertEquals(1, counters.reassemblyFailures);
    }

    @Test
    void containedDuplicateIsIgnored() {
        byte[] payload = Packets.bytes(64, 1);
        assertNull(offer(fragment(1, payload, 0, 32, true)));
        assertNull(offer(fragment(1, payload, 8, 16, true)));
        assertEquals(1, reassembler.inProgress());
        assertNotNull(offer(fragment(1, payload, 32, 32, false)));
    }

    @Test
    void oddSizedMiddleFragmentIsRejected() {
        byte[] payload = Packets.bytes(64, 1);
        assertNull(offer(fragment(1, payload, 0, 16, true)));
        assertNull(offer(Packets.ipv4(SRC, DST, 17, new byte[12], 1, 0x2000 | 2, 64)));
        assertEquals(0, reassembler.inProgress());
        assertEquals(1, counters.reassemblyFailures);
    }

    @Test
    void conflictingLastFragmentsAbandon() {
        byte[] payload = Packets.bytes(64, 1);
        assertNull(offer(fragment(1, payload, 32, 32, false)));
        assertNull(offer(fragment(1, payload, 40, 8, false)));
        assertEquals(0, reassembler.inProgress());
        assertNull(offer(fragment(2, payload, 0, 48, true)));
        assertNull(offer(fragment(2, payload, 32, 8, false)), "ends before data already received");
        assertEquals(0, reassembler.inProgress());
        assertNull(offer(fragment(3, payload, 48, 16, false)));
        assertNull(offer(fragment(3, payload, 56, 16, true)), "goes beyond the known end");
        assertEquals(0, reassembler.inProgress());
        assertEquals(3, counters.reassemblyFailures);
    }

    @Test
    void pingOfDeathIsAbandoned() {
        // The last fragment at offset 65528 with 8+ bytes would make the datagram exceed 65535.
        assertNull(offer(Packets.ipv4(SRC, DST, 1, new byte[8], 1, 0x2000, 64)));
        assertNull(offer(Packets.ipv4(SRC, DST, 1, new byte[16], 1, 8191, 64)));
        assertEquals(0, reassembler.inProgress());
        assertEquals(1, counters.reassemblyFailures);
    }

    @Test
    void largestLegalDatagram() {
        byte[] payload = Packets.bytes(65535 - 20, 5);
        ByteBuf whole = null;
        for (int off = 0; off < payload.length; off += 1480) {
            int len = Math.min(1480, payload.length - off);
            whole = offer(fragment(1, payload, off, len, off + len < payload.length));
        }
        assertNotNull(whole);
        assertArrayEquals(payload, payloadOf(whole));
    }

    @Test
    void timeout() {
        byte[] payload = Packets.bytes(64, 1);
        assertNull(offer(fragment(1, payload, 0, 32, true)));
        now += Ipv4Reassembler.TIMEOUT_MS - 1;
        reassembler.expire(now);
        assertEquals(1, reassembler.inProgress());
        now += 1;
        reassembler.expire(now);
        assertEquals(0, reassembler.inProgress());
        assertEquals(1, counters.reassemblyFailures);
        assertNull(offer(fragment(1, payload, 32, 32, false)), "the late half starts a new datagram");
        assertEquals(1, reassembler.inProgress());
    }

    @Test
    void boundedNumberInProgressEvictsOldest() {
        byte[] payload = Packets.bytes(16, 1);
        for (int id = 0; id < Ipv4Reassembler.MAX_IN_PROGRESS + 10; id++) {
            assertNull(offer(fragment(id, payload, 0, 8, true)));
            assertTrue(reassembler.inProgress() <= Ipv4Reassembler.MAX_IN_PROGRESS);
        }
        assertEquals(10, counters.reassemblyFailures);
        assertNull(offer(fragment(0, payload, 8, 8, false)), "id 0 was evicted");
        assertNotNull(offer(fragment(Ipv4Reassembler.MAX_IN_PROGRESS + 9, payload, 8, 8, false)));
    }

    @Test
    void tooManyHolesAbandon() {
        // Every other 8-byte piece: each one is a separate range.
        for (int i = 0; i <= Ipv4Reassembler.MAX_RANGES; i++) {
            offer(Packets.ipv4(SRC, DST, 17, new byte[8], 1, 0x2000 | (2 * i), 64));
        }
        assertEquals(0, reassembler.inProgress());
        assertEquals(1, counters.reassemblyFailures);
    }

    @Test
    void emptyLastFragment() {
        byte[] payload = Packets.bytes(16, 1);
        assertNull(offer(fragment(1, payload, 0, 16, true)));
        ByteBuf whole = offer(Packets.ipv4(SRC, DST, 17, new byte[0], 1, 2, 64));
        assertNotNull(whole);
        assertArrayEquals(payload, payloadOf(whole));
    }
}
