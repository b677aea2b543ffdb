package io.slirp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.slirp4j.stack.Packets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TcpSegmentTest {
    private static final int SRC = 0x0A000264;
    private static final int DST = 0x5DB8D822;

    private static ByteBuf emit(TcpHeader h, byte[] payload) {
        ByteBuf b = Unpooled.buffer();
        b.writerIndex(h.headerLength());
        b.writeBytes(payload);
        TcpSegment.emitHeaderIpv4(b, 0, h, payload.length, SRC, DST);
        return b;
    }

    @Test
    void emitThenParseAllOptions() {
        TcpHeader h = new TcpHeader();
        h.sourcePort = 40000;
        h.destinationPort = 443;
        h.seq = 0xFFFF_FFF0;
        h.ack = 0x8000_0001;
        h.flags = TcpSegment.SYN | TcpSegment.ACK;
        h.window = 65535;
        h.mss = 1460;
        h.windowScale = 7;
        h.sackPermitted = true;
        h.timestamps = true;
        h.tsVal = 123;
        h.tsEcr = -5;
        assertEquals(40, h.headerLength());
        ByteBuf b = emit(h, new byte[] {1, 2, 3});
        TcpSegment s = new TcpSegment();
        assertEquals(ParseResult.OK, s.wrapIpv4(b, 0, b.writerIndex(), SRC, DST));
        assertEquals(40000, s.sourcePort());
        assertEquals(443, s.destinationPort());
        assertEquals(0xFFFF_FFF0, s.seq());
        assertEquals(0x8000_0001, s.ack());
        assertTrue(s.has(TcpSegment.SYN) && s.has(TcpSegment.ACK));
        assertEquals(65535, s.window());
        assertEquals(1460, s.mss());
        assertEquals(7, s.windowScale());
        assertTrue(s.sackPermitted());
        assertTrue(s.hasTimestamps());
        assertEquals(123, s.tsVal());
        assertEquals(-5, s.tsEcr());
        assertEquals(40, s.headerLength());
        assertEquals(3, s.payloadLength());
        assertEquals(4, s.sequenceLength(), "payload + SYN");
        // the independent checksum of the test helpers agrees
        byte[] bytes = new byte[b.writerIndex()];
        b.getBytes(0, bytes);
        long pseudo = (SRC >>> 16) + (SRC & 0xFFFF) + (DST >>> 16) + (DST & 0xFFFF) + 6 + bytes.length;
        assertEquals(0, Packets.checksum(bytes, 0, bytes.length, pseudo));
    }

    @Test
    void sackBlocksRoundTrip() {
        TcpHeader h = new TcpHeader();
        h.flags = TcpSegment.ACK;
        h.sackCount = 3;
        for (int i = 0; i < 6; i++) {
            h.sack[i] = 1000 * (i + 1);
        }
        assertEquals(20 + 28, h.headerLength());
        ByteBuf b = emit(h, new byte[0]);
        TcpSegment s = new TcpSegment();
        assertEquals(ParseResult.OK, s.wrapIpv4(b, 0, b.writerIndex(), SRC, DST));
        assertEquals(3, s.sackCount());
        assertEquals(1000, s.sackLeft(0));
        assertEquals(6000, s.sackRight(2));
        assertEquals(-1, s.windowScale());
        assertEquals(0, s.mss());
        assertEquals(h.toString(), s.toHeader(new TcpHeader()).toString());
    }

    @Test
    void plainHeaderHasNoOptions() {
        TcpHeader h = new TcpHeader();
        h.flags = TcpSegment.RST;
        assertEquals(20, h.headerLength());
        ByteBuf b = emit(h, new byte[0]);
        TcpSegment s = new TcpSegment();
        assertEquals(ParseResult.OK, s.wrapIpv4(b, 0, 20, SRC, DST));
        assertFalse(s.sackPermitted());
        assertFalse(s.hasTimestamps());
    }

    @Test
    void malformedInputIsRejectedOrToleratedNeverThrown() {
        TcpHeader h = new TcpHeader();
        h.mss = 1460;
        ByteBuf b = emit(h, new byte[10]);
        TcpSegment s = new TcpSegment();
        assertEquals(ParseResult.TRUNCATED, s.wrapIpv4(b, 0, 19, SRC, DST));
        assertEquals(ParseResult.TRUNCATED, s.wrapIpv4(b, 0, b.writerIndex() + 1, SRC, DST));
        assertEquals(ParseResult.TRUNCATED, s.wrapIpv4(null, 0, 20, SRC, DST));
        assertEquals(ParseResult.BAD_CHECKSUM, s.wrapIpv4(b, 0, b.writerIndex(), SRC, DST + 1));
        ByteBuf bad = b.copy();
        bad.setByte(12, 4 << 4);
        assertEquals(ParseResult.BAD_HEADER_LENGTH, s.wrapUnchecked(bad, 0, bad.writerIndex()));
        bad.setByte(12, 15 << 4);
        assertEquals(ParseResult.TRUNCATED, s.wrapUnchecked(bad, 0, 40));
        // option with length 0: walk stops, flagged, segment still usable
        ByteBuf zero = b.copy();
        zero.setByte(20, TcpSegment.OPT_WINDOW_SCALE);
        zero.setByte(21, 0);
        assertEquals(ParseResult.OK, s.wrapUnchecked(zero, 0, zero.writerIndex()));
        assertTrue(s.optionsMalformed());
        // wrong-length MSS is ignored
        ByteBuf odd = b.copy();
        odd.setByte(21, 3);
        assertEquals(ParseResult.OK, s.wrapUnchecked(odd, 0, odd.writerIndex()));
        assertEquals(0, s.mss());
    }

    @Test
    void fuzzNeverThrows() {
        SplittableRandom r = new SplittableRandom(42);
        TcpSegment s = new TcpSegment();
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[r.nextInt(80)];
            for (int j = 0; j < bytes.length; j++) {
                bytes[j] = (byte) r.nextInt(256);
            }
            if (bytes.length > 12 && r.nextBoolean()) {
                bytes[12] = (byte) ((5 + r.nextInt(11)) << 4);
            }
            ByteBuf b = Unpooled.wrappedBuffer(bytes);
            s.wrapIpv4(b, 0, bytes.length, SRC, DST);
            if (s.wrapUnchecked(b, 0, bytes.length) == ParseResult.OK) {
                s.sequenceLength();
                s.toHeader(new TcpHeader());
            }
        }
    }
}
