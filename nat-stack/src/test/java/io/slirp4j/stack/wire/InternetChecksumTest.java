package io.slirp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.slirp4j.stack.Packets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InternetChecksumTest {
    private static ByteBuf hex(String hex) {
        hex = hex.replace(" ", "");
        byte[] b = new byte[hex.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return Unpooled.wrappedBuffer(b);
    }

    @Test
    void rfc1071Example() {
        // RFC 1071 section 3: the sum of 0001 f203 f4f5 f6f7 is ddf2 (after end-around carry).
        ByteBuf b = hex("0001f203f4f5f6f7");
        assertEquals(0xDDF2, InternetChecksum.fold(InternetChecksum.add(0, b, 0, 8)));
        assertEquals(0x220D, InternetChecksum.compute(b, 0, 8));
    }

    @Test
    void ipv4HeaderVector() {
        // A textbook header whose checksum field holds b861.
        ByteBuf b = hex("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7");
        assertEquals(0xB861, InternetChecksum.compute(b, 0, 20));
        b.setShort(10, 0xB861);
        assertTrue(InternetChecksum.verify(InternetChecksum.add(0, b, 0, 20)));
        b.setShort(10, 0xB862);
        assertFalse(InternetChecksum.verify(InternetChecksum.add(0, b, 0, 20)));
    }

    @Test
    void oddLengthPadsWithZero() {
        ByteBuf odd = hex("0102 03");
        ByteBuf padded = hex("0102 0300");
        assertEquals(InternetChecksum.compute(padded, 0, 4), InternetChecksum.compute(odd, 0, 3));
        assertEquals(Packets.checksum(new byte[] {1, 2, 3}, 0, 3, 0), InternetChecksum.compute(odd, 0, 3));
    }

    @Test
    void emptyAndZeroData() {
        ByteBuf zeros = Unpooled.wrappedBuffer(new byte[10]);
        assertEquals(0xFFFF, InternetChecksum.compute(zeros, 0, 0));
        assertEquals(0xFFFF, InternetChecksum.compute(zeros, 0, 10));
        assertFalse(InternetChecksum.verify(InternetChecksum.add(0, zeros, 0, 10)), "all zero is not intact");
    }

    @Test
    void matchesReferenceOnRandomDataAtAnyOffsetAndLength() {
        Random random = new Random(1071);
        for (int round = 0; round < 2000; round++) {
            byte[] data = new byte[random.nextInt(300) + 1];
            random.nextBytes(data);
            int off = random.nextInt(data.length);
            int len = random.nextInt(data.length - off + 1);
            ByteBuf b = Unpooled.wrappedBuffer(data);
            assertEquals(Packets.checksum(data, off, len, 0), InternetChecksum.compute(b, off, len), "round " + round);
        }
    }

    /** Direct buffers take the 64-bit memory-address path; heap and composite buffers the accessor path. */
    @Test
    void everyBufferKindMatchesTheReferenceIncludingMixedRunningSums() {
        Random random = new Random(6298);
        for (int round = 0; round < 2000; round++) {
            byte[] data = new byte[random.nextInt(1600) + 1];
            random.nextBytes(data);
            int off = random.nextInt(data.length);
            int len = random.nextInt(data.length - off + 1);
            int expected = Packets.checksum(data, off, len, 0);
            ByteBuf direct = Unpooled.directBuffer(data.length).writeBytes(data);
            ByteBuf composite = Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(data, 0, data.length / 2),
                Unpooled.wrappedBuffer(data, data.length / 2, data.length - data.length / 2));
            try {
                assertEquals(expected, InternetChecksum.compute(direct, off, len), "direct, round " + round);
                assertEquals(expected, InternetChecksum.compute(composite, off, len), "composite, round " + round);
                // a pseudo-header-like field added before the data must combine the same way on every path
                long viaDirect = InternetChecksum.add(InternetChecksum.addInt(0, 0x0A000264), direct, off, len);
                long viaHeap = InternetChecksum.add(InternetChecksum.addInt(0, 0x0A000264),
                    Unpooled.wrappedBuffer(data), off, len);
                assertEquals(InternetChecksum.finish(viaHeap), InternetChecksum.finish(viaDirect), "round " + round);
            } finally {
                direct.release();
                composite.release();
            }
        }
    }

    @Test
    void aRangeOutsideTheBufferIsRefusedNotRead() {
        ByteBuf direct = Unpooled.directBuffer(64).writeZero(64);
        try {
            assertThrows(IndexOutOfBoundsException.class, () -> InternetChecksum.add(0, direct, 60, 16));
            assertThrows(IndexOutOfBoundsException.class, () -> InternetChecksum.add(0, direct, -8, 16));
        } finally {
            direct.release();
        }
    }

    @Test
    void incrementalEvenChunksEqualOneShot() {
        Random random = new Random(7);
        byte[] data = new byte[1001];
        random.nextBytes(data);
        ByteBuf b = Unpooled.wrappedBuffer(data);
        long sum = 0;
        int at = 0;
        while (at < data.length) {
            int chunk = Math.min(data.length - at, 2 * (random.nextInt(20) + 1));
            sum = InternetChecksum.add(sum, b, at, chunk);
            at += chunk;
        }
        assertEquals(InternetChecksum.compute(b, 0, data.length), InternetChecksum.finish(sum));
    }

    @Test
    void pseudoHeaderAndFields() {
        long a = InternetChecksum.addPseudoHeader(0, 0x0A000264, 0x08080808, 17, 40);
        long b = InternetChecksum.addShort(InternetChecksum.addShort(InternetChecksum.addInt(
            InternetChecksum.addInt(0, 0x0A000264), 0x08080808), 17), 40);
        assertEquals(InternetChecksum.finish(a), InternetChecksum.finish(b));
        assertEquals(Packets.checksum(new byte[0], 0, 0, Packets.pseudoHeader(0x0A000264, 0x08080808, 17, 40)),
            InternetChecksum.finish(a));
    }

    @Test
    void rfc1624AdjustMatchesRecomputation() {
        Random random = new Random(1624);
        for (int round = 0; round < 2000; round++) {
            byte[] data = new byte[20];
            random.nextBytes(data);
            ByteBuf b = Unpooled.wrappedBuffer(data);
            b.setShort(10, 0);
            int before = InternetChecksum.compute(b, 0, 20);
            int field = 12 + 2 * random.nextInt(4);
            int old = b.getUnsignedShort(field);
            int replacement = random.nextInt(0x10000);
            b.setShort(field, replacement);
            int recomputed = InternetChecksum.compute(b, 0, 20);
            int adjusted = InternetChecksum.adjust(before, old, replacement);
            // Both are valid encodings; they may differ only as 0x0000 vs 0xFFFF.
            assertEquals(recomputed == 0xFFFF ? 0 : recomputed, adjusted == 0xFFFF ? 0 : adjusted, "round " + round);
        }
    }

    @Test
    void adjust32ForAddressRewrite() {
        byte[] data = Packets.ipv4(0x0A000264, 0x7F000001, 17, new byte[0]);
        ByteBuf b = Unpooled.wrappedBuffer(data);
        int checksum = b.getUnsignedShort(10);
        b.setInt(16, 0x0A000202);
        int adjusted = InternetChecksum.adjust32(checksum, 0x7F000001, 0x0A000202);
        b.setShort(10, adjusted);
        assertTrue(InternetChecksum.verify(InternetChecksum.add(0, b, 0, 20)));
    }

    @Test
    void completesOffloadedPartialChecksum() {
        int src = 0x0A000264;
        int dst = 0x08080808;
        byte[] full = Packets.udp(src, dst, 1234, 53, Packets.bytes(33, 4));
        // What a guest with checksum offload sends: the field holds the pseudo-header sum, not complemented.
        byte[] partial = full.clone();
        int pseudo = InternetChecksum.fold(InternetChecksum.addPseudoHeader(0, src, dst, 17, full.length));
        partial[6] = (byte) (pseudo >>> 8);
        partial[7] = (byte) pseudo;
        ByteBuf b = Unpooled.wrappedBuffer(partial);
        InternetChecksum.completePartial(b, 0, partial.length, 6, true);
        assertEquals(((full[6] & 0xFF) << 8) | (full[7] & 0xFF), b.getUnsignedShort(6));
    }

    @Test
    void ipv6PseudoHeaderFromLongsFromBufferAndByTheBookAgree() {
        Random random = new Random(8200);
        for (int round = 0; round < 1000; round++) {
            byte[] header = new byte[40];
            random.nextBytes(header);
            int next = random.nextInt(256);
            int length = random.nextInt(70000);
            byte[] src = java.util.Arrays.copyOfRange(header, 8, 24);
            byte[] dst = java.util.Arrays.copyOfRange(header, 24, 40);
            long fromLongs = InternetChecksum.addIpv6PseudoHeader(0, V6.hi(src), V6.lo(src), V6.hi(dst), V6.lo(dst),
                next, length);
            long fromBuffer = InternetChecksum.addIpv6PseudoHeader(0, Unpooled.wrappedBuffer(header), 0, next, length);
            long byTheBook = V6.pseudo(src, dst, next, length);
            assertEquals(InternetChecksum.fold(byTheBook), InternetChecksum.fold(fromLongs), "round " + round);
            assertEquals(InternetChecksum.fold(byTheBook), InternetChecksum.fold(fromBuffer), "round " + round);
        }
    }

    /**
     * For IPv4-mapped addresses the IPv6 pseudo-header adds two 0xffff words, which are zero in one's complement
     * arithmetic: a UDP checksum over it equals the IPv4 one, up to the 0x0000/0xffff twin.
     */
    @Test
    void ipv4MappedPseudoHeaderSumsLikeIpv4() {
        Random random = new Random(4291);
        for (int round = 0; round < 1000; round++) {
            int src = random.nextInt();
            int dst = random.nextInt();
            byte[] payload = new byte[random.nextInt(200)];
            random.nextBytes(payload);
            ByteBuf b = Unpooled.wrappedBuffer(payload);
            long v4 = InternetChecksum.add(InternetChecksum.addPseudoHeader(0, src, dst, 17, payload.length), b, 0,
                payload.length);
            long v6 = InternetChecksum.add(InternetChecksum.addIpv6PseudoHeader(0, 0, Ipv6Address.mappedLo(src), 0,
                Ipv6Address.mappedLo(dst), 17, payload.length), b, 0, payload.length);
            int a = InternetChecksum.finish(v4);
            int c = InternetChecksum.finish(v6);
            assertEquals(a == 0xFFFF ? 0 : a, c == 0xFFFF ? 0 : c, "round " + round);
        }
    }

    @Test
    void ipv6IcmpEchoKnownGoodChecksum() {
        // echo request fe80::1 -> fe80::2, id 0x1234, seq 1, data "abcd"; 0xabb8 worked out independently
        byte[] msg = V6.hex("8000 0000 1234 0001 61626364");
        long pseudo = InternetChecksum.addIpv6PseudoHeader(0, V6.hi(V6.GUEST_LL), V6.lo(V6.GUEST_LL),
            V6.hi(V6.ROUTER_LL), V6.lo(V6.ROUTER_LL), 58, msg.length);
        assertEquals(0xABB8, InternetChecksum.finish(InternetChecksum.add(pseudo, Unpooled.wrappedBuffer(msg), 0,
            msg.length)));
        assertEquals(0xABB8, Packets.checksum(msg, 0, msg.length, V6.pseudo(V6.GUEST_LL, V6.ROUTER_LL, 58, msg.length)));
    }
}
