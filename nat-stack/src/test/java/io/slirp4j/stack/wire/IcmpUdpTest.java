package io.slirp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.slirp4j.stack.Packets;
import org.junit.jupiter.api.Test;

class IcmpUdpTest {
    private static final int SRC = 0x0A000264;
    private static final int DST = 0x08080808;

    @Test
    void icmpEchoParseAndEmit() {
        byte[] echo = Packets.icmpEcho(8, 0x1234, 7, new byte[] {1, 2, 3});
        IcmpV4Packet icmp = new IcmpV4Packet();
        assertEquals(ParseResult.OK, icmp.wrap(Unpooled.wrappedBuffer(echo), 0, echo.length));
        assertEquals(8, icmp.type());
        assertEquals(0, icmp.code());
        assertEquals(0x1234, icmp.identifier());
        assertEquals(7, icmp.sequence());
        assertEquals(3, icmp.dataLength());

        ByteBuf out = Unpooled.buffer(11).writerIndex(11);
        out.setBytes(8, new byte[] {1, 2, 3});
        IcmpV4Packet.emitEcho(out, 0, 0, 0x1234, 7, 3);
        byte[] actual = new byte[11];
        out.getBytes(0, actual);
        assertArrayEquals(Packets.icmpEcho(0, 0x1234, 7, new byte[] {1, 2, 3}), actual);
    }

    @Test
    void icmpMalformed() {
        byte[] echo = Packets.icmpEcho(8, 1, 1, new byte[5]);
        IcmpV4Packet icmp = new IcmpV4Packet();
        assertEquals(ParseResult.TRUNCATED, icmp.wrap(Unpooled.wrappedBuffer(echo), 0, 7));
        assertEquals(ParseResult.TRUNCATED, icmp.wrap(Unpooled.wrappedBuffer(echo), 0, echo.length + 1));
        echo[9] ^= 0x40;
        assertEquals(ParseResult.BAD_CHECKSUM, icmp.wrap(Unpooled.wrappedBuffer(echo), 0, echo.length));
    }

    @Test
    void icmpErrorQuotesHeaderAndEightBytes() {
        byte[] original = Packets.ipv4(SRC, DST, 17, Packets.udp(SRC, DST, 1000, 2000, new byte[40]));
        Ipv4Packet ip = new Ipv4Packet();
        ByteBuf o = Unpooled.wrappedBuffer(original);
        assertEquals(ParseResult.OK, ip.wrap(o, 0, original.length));
        int quote = IcmpV4Packet.quoteLength(ip);
        assertEquals(28, quote);
        ByteBuf out = Unpooled.buffer(64).writerIndex(64);
        int length = IcmpV4Packet.emitError(out, 0, 3, 3, 0, o, 0, quote);
        assertEquals(36, length);
        byte[] msg = new byte[length];
        out.getBytes(0, msg);
        assertEquals(3, msg[0]);
        assertEquals(3, msg[1]);
        assertEquals(0, Packets.checksum(msg, 0, msg.length, 0));
        for (int i = 0; i < 28; i++) {
            assertEquals(original[i], msg[8 + i]);
        }
        assertTrue(IcmpV4Packet.isError(3));
        assertTrue(IcmpV4Packet.isError(11));
        assertTrue(!IcmpV4Packet.isError(8) && !IcmpV4Packet.isError(0));

        byte[] tiny = Packets.ipv4(SRC, DST, 17, new byte[3]);
        assertEquals(ParseResult.OK, ip.wrap(Unpooled.wrappedBuffer(tiny), 0, tiny.length));
        assertEquals(23, IcmpV4Packet.quoteLength(ip), "never quote beyond the datagram");
    }

    @Test
    void udpParseAndEmitAgainstHandBuilt() {
        byte[] payload = "hello".getBytes();
        byte[] expected = Packets.udp(SRC, DST, 5353, 53, payload);
        UdpDatagram udp = new UdpDatagram();
        assertEquals(ParseResult.OK, udp.wrap(Unpooled.wrappedBuffer(expected), 0, expected.length, SRC, DST));
        assertEquals(5353, udp.sourcePort());
        assertEquals(53, udp.destinationPort());
        assertEquals(13, udp.length());
        assertEquals(5, udp.payloadLength());
        assertEquals(8, udp.payloadOffset());

        ByteBuf out = Unpooled.buffer(13).writerIndex(13);
        out.setBytes(8, payload);
        UdpDatagram.emitHeader(out, 0, 5353, 53, 5, SRC, DST);
        byte[] actual = new byte[13];
        out.getBytes(0, actual);
        assertArrayEquals(expected, actual);
    }

    @Test
    void udpChecksumDependsOnPseudoHeader() {
        byte[] d = Packets.udp(SRC, DST, 1, 2, new byte[] {7});
        UdpDatagram udp = new UdpDatagram();
        assertEquals(ParseResult.BAD_CHECKSUM, udp.wrap(Unpooled.wrappedBuffer(d), 0, d.length, SRC, DST + 1));
    }

    @Test
    void udpZeroChecksumMeansNone() {
        byte[] d = Packets.udp(SRC, DST, 1, 2, new byte[] {7, 8});
        d[6] = 0;
        d[7] = 0;
        d[9] = 99; // the payload changed too: nobody can tell without a checksum
        UdpDatagram udp = new UdpDatagram();
        assertEquals(ParseResult.OK, udp.wrap(Unpooled.wrappedBuffer(d), 0, d.length, SRC, DST));
    }

    @Test
    void udpNeverEmitsZeroChecksum() {
        // Choose the last payload word so that the checksum computes to 0: then 0xFFFF must be sent.
        ByteBuf out = Unpooled.buffer(12).writerIndex(12);
        UdpDatagram.emitHeader(out, 0, 1000, 2000, 4, SRC, DST);
        int c = out.getUnsignedShort(6);
        out.setShort(10, c); // adding the old checksum as data makes the sum all ones
        UdpDatagram.emitHeader(out, 0, 1000, 2000, 4, SRC, DST);
        assertEquals(0xFFFF, out.getUnsignedShort(6));
        UdpDatagram udp = new UdpDatagram();
        assertEquals(ParseResult.OK, udp.wrap(out, 0, 12, SRC, DST), "0xFFFF verifies");
    }

    @Test
    void udpMalformed() {
        byte[] d = Packets.udp(SRC, DST, 1, 2, new byte[10]);
        UdpDatagram udp = new UdpDatagram();
        ByteBuf b = Unpooled.wrappedBuffer(d);
        assertEquals(ParseResult.TRUNCATED, udp.wrap(b, 0, 7, SRC, DST));
        assertEquals(ParseResult.TRUNCATED, udp.wrap(b, 0, 17, SRC, DST), "length field beyond the IP payload");
        assertEquals(ParseResult.TRUNCATED, udp.wrap(b, 1, d.length, SRC, DST), "beyond the buffer");
        byte[] shortLength = d.clone();
        shortLength[4] = 0;
        shortLength[5] = 7;
        assertEquals(ParseResult.BAD_LENGTH, udp.wrap(Unpooled.wrappedBuffer(shortLength), 0, d.length, SRC, DST));
        byte[] flipped = d.clone();
        flipped[12] ^= 1;
        assertEquals(ParseResult.BAD_CHECKSUM, udp.wrap(Unpooled.wrappedBuffer(flipped), 0, d.length, SRC, DST));
    }

    @Test
    void udpTrailingBytesIgnored() {
        byte[] d = Packets.udp(SRC, DST, 1, 2, new byte[] {5, 6});
        byte[] longer = new byte[d.length + 6];
        System.arraycopy(d, 0, longer, 0, d.length);
        longer[d.length] = 42;
        UdpDatagram udp = new UdpDatagram();
        assertEquals(ParseResult.OK, udp.wrap(Unpooled.wrappedBuffer(longer), 0, longer.length, SRC, DST));
        assertEquals(2, udp.payloadLength());
    }
}
