package io.slirp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.slirp4j.stack.Packets;
import org.junit.jupiter.api.Test;

class EthernetArpTest {
    @Test
    void ethernetRoundTrip() {
        ByteBuf b = Unpooled.buffer(64);
        b.writerIndex(60);
        EthernetFrame.emitHeader(b, 0, 0x1122_3344_5566L, 0x0200_0000_0001L, EthernetFrame.TYPE_IPV6);
        EthernetFrame e = new EthernetFrame();
        assertEquals(ParseResult.OK, e.wrap(b, 0, 60));
        assertEquals(0x1122_3344_5566L, e.destination());
        assertEquals(0x0200_0000_0001L, e.source());
        assertEquals(0x86DD, e.etherType());
        assertEquals(14, e.payloadOffset());
        assertEquals(46, e.payloadLength());
        byte[] expected = Packets.ethernet(0x1122_3344_5566L, 0x0200_0000_0001L, 0x86DD, new byte[0]);
        byte[] actual = new byte[14];
        b.getBytes(0, actual);
        assertArrayEquals(expected, actual);
    }

    @Test
    void ethernetRejectsShortAndOutOfBounds() {
        ByteBuf b = Unpooled.wrappedBuffer(new byte[20]);
        EthernetFrame e = new EthernetFrame();
        assertEquals(ParseResult.TRUNCATED, e.wrap(b, 0, 13));
        assertEquals(ParseResult.OK, e.wrap(b, 0, 14));
        assertEquals(ParseResult.TRUNCATED, e.wrap(b, 10, 14), "beyond the written bytes");
        assertEquals(ParseResult.TRUNCATED, e.wrap(b, -1, 14));
        assertEquals(ParseResult.TRUNCATED, e.wrap(b, 0, -1));
        assertEquals(ParseResult.TRUNCATED, e.wrap(b, Integer.MAX_VALUE, Integer.MAX_VALUE), "no int overflow");
        assertEquals(ParseResult.TRUNCATED, e.wrap(null, 0, 14));
    }

    @Test
    void arpRoundTripAgainstHandBuiltBytes() {
        byte[] expected = Packets.arp(2, 0x5255_0A00_0202L, 0x0A000202, 0x0200_0000_0001L, 0x0A000264);
        ByteBuf b = Unpooled.buffer(28).writerIndex(28);
        ArpPacket.emit(b, 0, ArpPacket.OP_REPLY, 0x5255_0A00_0202L, 0x0A000202, 0x0200_0000_0001L, 0x0A000264);
        byte[] actual = new byte[28];
        b.getBytes(0, actual);
        assertArrayEquals(expected, actual);
        ArpPacket a = new ArpPacket();
        assertEquals(ParseResult.OK, a.wrap(b, 0, 28));
        assertEquals(ArpPacket.OP_REPLY, a.operation());
        assertEquals(0x5255_0A00_0202L, a.senderMac());
        assertEquals(0x0A000202, a.senderIp());
        assertEquals(0x0200_0000_0001L, a.targetMac());
        assertEquals(0x0A000264, a.targetIp());
    }

    @Test
    void arpMalformedAndUnsupported() {
        ArpPacket a = new ArpPacket();
        byte[] good = Packets.arp(1, 0x0200_0000_0001L, 0x0A000264, 0, 0x0A000202);
        assertEquals(ParseResult.OK, a.wrap(Unpooled.wrappedBuffer(good), 0, 28));
        assertEquals(ParseResult.TRUNCATED, a.wrap(Unpooled.wrappedBuffer(good), 0, 27));
        assertEquals(ParseResult.TRUNCATED, a.wrap(Unpooled.wrappedBuffer(good, 0, 27), 0, 28));
        int[][] mutations = {{0, 1}, {1, 6}, {2, 0x86}, {4, 8}, {5, 16}, {7, 3}, {6, 1}};
        for (int[] m : mutations) {
            byte[] bad = good.clone();
            bad[m[0]] = (byte) m[1];
            assertEquals(ParseResult.UNSUPPORTED, a.wrap(Unpooled.wrappedBuffer(bad), 0, 28), "byte " + m[0]);
        }
    }
}
