package io.slirp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.slirp4j.stack.Packets;
import org.junit.jupiter.api.Test;

class Ipv4PacketTest {
    private final Ipv4Packet p = new Ipv4Packet();

    private static byte[] fixChecksum(byte[] a, int offset) {
        int ihl = (a[offset] & 0xF) * 4;
        a[offset + 10] = 0;
        a[offset + 11] = 0;
        int c = Packets.checksum(a, offset, Math.min(ihl, a.length - offset), 0);
        a[offset + 10] = (byte) (c >>> 8);
        a[offset + 11] = (byte) c;
        return a;
    }

    @Test
    void parsesHandBuiltDatagram() {
        byte[] a = Packets.ipv4(0x0A000264, 0x08080808, 17, new byte[] {1, 2, 3, 4}, 0xBEEF, 0x4000, 63);
        assertEquals(ParseResult.OK, p.wrap(Unpooled.wrappedBuffer(a), 0, a.length));
        assertEquals(20, p.headerLength());
        assertEquals(24, p.totalLength());
        assertEquals(20, p.payloadOffset());
        assertEquals(4, p.payloadLength());
        assertEquals(0xBEEF, p.identification());
        assertTrue(p.dontFragment());
        assertFalse(p.moreFragments());
        assertFalse(p.isFragment());
        assertEquals(63, p.ttl());
        assertEquals(17, p.protocol());
        assertEquals(0x0A000264, p.source());
        assertEquals(0x08080808, p.destination());
        assertEquals(0, p.tos());
    }

    @Test
    void emitMatchesHandBuiltBytes() {
        byte[] expected = Packets.ipv4(0x0A000202, 0x0A000264, 1, new byte[0], 7, 0, 64);
        ByteBuf b = Unpooled.buffer(20).writerIndex(20);
        Ipv4Packet.emitHeader(b, 0, 0, 20, 7, 0, 64, 1, 0x0A000202, 0x0A000264);
        byte[] actual = new byte[20];
        b.getBytes(0, actual);
        assertArrayEquals(expected, actual);
    }

    @Test
    void viewAtOffsetWithEthernetPadding() {
        byte[] ip = Packets.ipv4(0x0A000264, 0x0A000202, 1, new byte[8]);
        byte[] frame = new byte[14 + ip.length + 18];
        System.arraycopy(ip, 0, frame, 14, ip.length);
        assertEquals(ParseResult.OK, p.wrap(Unpooled.wrappedBuffer(frame), 14, frame.length - 14));
        assertEquals(28, p.totalLength(), "the view ends at total length, padding ignored");
        assertEquals(34, p.payloadOffset());
    }

    @Test
    void optionsAreSkipped() {
        byte[] a = Packets.ipv4WithOptions(0x0A000264, 0x08080808, 17, new byte[] {9, 9}, 1, 0, 64,
            new byte[] {1, 1, 1, 0});
        assertEquals(ParseResult.OK, p.wrap(Unpooled.wrappedBuffer(a), 0, a.length));
        assertEquals(24, p.headerLength());
        assertEquals(2, p.payloadLength());
        assertEquals(9, Unpooled.wrappedBuffer(a).getByte(p.payloadOffset()));
    }

    @Test
    void fragmentFields() {
        byte[] a = Packets.ipv4(1, 2, 17, new byte[8], 5, 0x2000 | 185, 64);
        assertEquals(ParseResult.OK, p.wrap(Unpooled.wrappedBuffer(a), 0, a.length));
        assertTrue(p.moreFragments());
        assertTrue(p.isFragment());
        assertEquals(1480, p.fragmentOffset());
        byte[] last = Packets.ipv4(1, 2, 17, new byte[8], 5, 185, 64);
        assertEquals(ParseResult.OK, p.wrap(Unpooled.wrappedBuffer(last), 0, last.length));
        assertTrue(p.isFragment());
        assertFalse(p.moreFragments());
    }

    @Test
    void everyMalformedCase() {
        byte[] good = Packets.ipv4(0x0A000264, 0x08080808, 17, new byte[12]);
        ByteBuf g = Unpooled.wrappedBuffer(good);
        assertEquals(ParseResult.OK, p.wrap(g, 0, good.length));

        assertEquals(ParseResult.TRUNCATED, p.wrap(g, 0, 19), "shorter than a minimal header");
        assertEquals(ParseResult.TRUNCATED, p.wrap(g, 0, 0));
        assertEquals(ParseResult.TRUNCATED, p.wrap(g, 0, 31), "total length beyond what is available");
        assertEquals(ParseResult.TRUNCATED, p.wrap(g, 4, good.length), "region beyond the buffer");
        assertEquals(ParseResult.TRUNCATED, p.wrap(g, -4, 20));

        byte[] v6 = good.clone();
        v6[0] = 0x65;
        assertEquals(ParseResult.BAD_VERSION, p.wrap(Unpooled.wrappedBuffer(fixChecksum(v6, 0)), 0, v6.length));

        for (int ihl = 0; ihl < 5; ihl++) {
            byte[] a = good.clone();
            a[0] = (byte) (0x40 | ihl);
            assertEquals(ParseResult.BAD_HEADER_LENGTH, p.wrap(Unpooled.wrappedBuffer(a), 0, a.length), "ihl " + ihl);
        }

        byte[] longIhl = good.clone();
        longIhl[0] = 0x4F; // 60-byte header, only 32 bytes there
        assertEquals(ParseResult.TRUNCATED, p.wrap(Unpooled.wrappedBuffer(longIhl), 0, longIhl.length));

        byte[] shortTotal = good.clone();
        shortTotal[2] = 0;
        shortTotal[3] = 19;
        assertEquals(ParseResult.BAD_LENGTH,
            p.wrap(Unpooled.wrappedBuffer(fixChecksum(shortTotal, 0)), 0, shortTotal.length));

        byte[] hugeTotal = good.clone();
        hugeTotal[2] = (byte) 0xFF;
        hugeTotal[3] = (byte) 0xFF;
        assertEquals(ParseResult.TRUNCATED,
            p.wrap(Unpooled.wrappedBuffer(fixChecksum(hugeTotal, 0)), 0, hugeTotal.length));

        byte[] badSum = good.clone();
        badSum[11] ^= 1;
        assertEquals(ParseResult.BAD_CHECKSUM, p.wrap(Unpooled.wrappedBuffer(badSum), 0, badSum.length));
        byte[] badField = good.clone();
        badField[8] = 1; // TTL changed, checksum not
        assertEquals(ParseResult.BAD_CHECKSUM, p.wrap(Unpooled.wrappedBuffer(badField), 0, badField.length));
    }

    @Test
    void updateChecksumAfterEdit() {
        byte[] a = Packets.ipv4(1, 2, 17, new byte[4]);
        ByteBuf b = Unpooled.wrappedBuffer(a);
        b.setByte(8, 1);
        assertEquals(ParseResult.BAD_CHECKSUM, p.wrap(b, 0, a.length));
        Ipv4Packet.updateChecksum(b, 0);
        assertEquals(ParseResult.OK, p.wrap(b, 0, a.length));
        assertEquals(1, p.ttl());
    }
}
