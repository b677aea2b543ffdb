package io.slirp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class DhcpMessageTest {
    /** A client message with the given options after the cookie (caller adds 255 if wanted). */
    public static byte[] request(long mac, int xid, int flags, int ciaddr, byte[] options) {
        ByteBuffer b = ByteBuffer.allocate(240 + options.length);
        b.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0).putInt(xid).putShort((short) 0)
            .putShort((short) flags).putInt(ciaddr).putInt(0).putInt(0).putInt(0);
        b.putShort((short) (mac >>> 32)).putInt((int) mac);
        b.position(236);
        b.putInt(0x63825363);
        b.put(options);
        return b.array();
    }

    private final DhcpMessage m = new DhcpMessage();

    @Test
    void parsesOptions() {
        byte[] a = request(0x0200_0000_0001L, 0xCAFEBABE, 0x8000, 0,
            new byte[] {0, 0, 53, 1, 3, 50, 4, 10, 0, 2, 15, 54, 4, 10, 0, 2, 2, 12, 3, 'f', 'o', 'o', (byte) 255, 9});
        assertEquals(ParseResult.OK, m.wrap(Unpooled.wrappedBuffer(a), 0, a.length));
        assertEquals(DhcpMessage.REQUEST, m.messageType());
        assertEquals(0x0A00020F, m.requestedAddress());
        assertEquals(0x0A000202, m.serverId());
        assertEquals(0xCAFEBABE, m.transactionId());
        assertTrue(m.broadcastFlag());
        assertEquals(0x0200_0000_0001L, m.clientMac());
        assertEquals(DhcpMessage.OP_REQUEST, m.op());
    }

    @Test
    void optionsWithoutEndAreFineUpToTheLastByte() {
        byte[] a = request(2, 1, 0, 0, new byte[] {53, 1, 1});
        assertEquals(ParseResult.OK, m.wrap(Unpooled.wrappedBuffer(a), 0, a.length));
        assertEquals(DhcpMessage.DISCOVER, m.messageType());
    }

    @Test
    void malformed() {
        byte[] good = request(2, 1, 0, 0, new byte[] {53, 1, 1, (byte) 255});
        ByteBuf g = Unpooled.wrappedBuffer(good);
        assertEquals(ParseResult.TRUNCATED, m.wrap(g, 0, 239));
        assertEquals(ParseResult.TRUNCATED, m.wrap(g, 10, good.length));

        byte[] cookie = good.clone();
        cookie[239] = 0;
        assertEquals(ParseResult.UNSUPPORTED, m.wrap(Unpooled.wrappedBuffer(cookie), 0, cookie.length));
        byte[] htype = good.clone();
        htype[1] = 6;
        assertEquals(ParseResult.UNSUPPORTED, m.wrap(Unpooled.wrappedBuffer(htype), 0, htype.length));
        byte[] op = good.clone();
        op[0] = 3;
        assertEquals(ParseResult.UNSUPPORTED, m.wrap(Unpooled.wrappedBuffer(op), 0, op.length));

        byte[] overrun = request(2, 1, 0, 0, new byte[] {53, 1, 1, 12, 10, 'x'});
        assertEquals(ParseResult.BAD_LENGTH, m.wrap(Unpooled.wrappedBuffer(overrun), 0, overrun.length));
        byte[] noLength = request(2, 1, 0, 0, new byte[] {53, 1, 1, 12});
        assertEquals(ParseResult.BAD_LENGTH, m.wrap(Unpooled.wrappedBuffer(noLength), 0, noLength.length));
        byte[] bootp = request(2, 1, 0, 0, new byte[] {(byte) 255});
        assertEquals(ParseResult.UNSUPPORTED, m.wrap(Unpooled.wrappedBuffer(bootp), 0, bootp.length));
        byte[] wrongSize = request(2, 1, 0, 0, new byte[] {53, 2, 1, 1, (byte) 255});
        assertEquals(ParseResult.UNSUPPORTED, m.wrap(Unpooled.wrappedBuffer(wrongSize), 0, wrongSize.length));
    }
}
