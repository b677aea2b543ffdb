package io.slirp4j.stack.wire;

import static io.slirp4j.stack.wire.V6.GUEST_LL;
import static io.slirp4j.stack.wire.V6.ROUTER_LL;
import static io.slirp4j.stack.wire.V6.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.slirp4j.stack.Packets;
import org.junit.jupiter.api.Test;

class Icmpv6PacketTest {
    private static final long GUEST_TO_ROUTER = Ipv6Packet.pseudoHeader(V6.hi(GUEST_LL), V6.lo(GUEST_LL),
        V6.hi(ROUTER_LL), V6.lo(ROUTER_LL), 58);
    private static final long ROUTER_TO_GUEST = Ipv6Packet.pseudoHeader(V6.hi(ROUTER_LL), V6.lo(ROUTER_LL),
        V6.hi(GUEST_LL), V6.lo(GUEST_LL), 58);
    private final Icmpv6Packet icmp = new Icmpv6Packet();

    @Test
    void knownGoodEchoRequest() {
        // fe80::1 -> fe80::2 echo request id 0x1234 seq 1 "abcd", checksum 0xabb8 worked out independently
        byte[] m = V6.hex("8000 abb8 1234 0001 61626364");
        assertEquals(ParseResult.OK, icmp.wrap(V6.buf(m), 0, m.length, GUEST_TO_ROUTER));
        assertEquals(128, icmp.type());
        assertEquals(0, icmp.code());
        assertEquals(0xABB8, icmp.checksum());
        assertEquals(0x1234, icmp.identifier());
        assertEquals(1, icmp.sequence());
        assertEquals(8, icmp.dataOffset());
        assertEquals(4, icmp.dataLength());
        assertEquals(12, icmp.length());
        assertFalse(icmp.isError());
        assertEquals(ParseResult.OK, icmp.wrap(V6.buf(m), 0, m.length, ROUTER_TO_GUEST),
            "a sum does not see the order of source and destination");
    }

    @Test
    void pseudoHeaderAddressesMatter() {
        byte[] m = V6.hex("8000 abb8 1234 0001 61626364");
        long other = Ipv6Packet.pseudoHeader(V6.hi(GUEST_LL), V6.lo(GUEST_LL), V6.hi(V6.ALL_NODES),
            V6.lo(V6.ALL_NODES), 58);
        assertEquals(ParseResult.BAD_CHECKSUM, icmp.wrap(V6.buf(m), 0, m.length, other));
        long otherProtocol = Ipv6Packet.pseudoHeader(V6.hi(GUEST_LL), V6.lo(GUEST_LL), V6.hi(ROUTER_LL),
            V6.lo(ROUTER_LL), 17);
        assertEquals(ParseResult.BAD_CHECKSUM, icmp.wrap(V6.buf(m), 0, m.length, otherProtocol));
    }

    @Test
    void wrapFromTheIpv6View() {
        byte[] packet = V6.icmpv6Packet(GUEST_LL, ROUTER_LL, 64, bytes(128, 0, 0, 0, 0, 7, 0, 9, 1, 2, 3));
        Ipv6Packet ip = new Ipv6Packet();
        assertEquals(ParseResult.OK, ip.wrap(V6.buf(packet), 0, packet.length));
        assertEquals(ParseResult.OK, icmp.wrap(ip));
        assertEquals(7, icmp.identifier());
        assertEquals(9, icmp.sequence());
        assertEquals(48, icmp.dataOffset());
    }

    @Test
    void echoReplyEmitMatchesHandBuilt() {
        byte[] data = {1, 2, 3, 4, 5};
        ByteBuf out = Unpooled.buffer(13).writerIndex(13);
        out.setBytes(8, data);
        Icmpv6Packet.emitEcho(out, 0, Icmpv6Packet.TYPE_ECHO_REPLY, 0xBEEF, 42, data.length, ROUTER_TO_GUEST);
        byte[] expected = V6.icmpv6(ROUTER_LL, GUEST_LL, bytes(129, 0, 0, 0, 0xBE, 0xEF, 0, 42, 1, 2, 3, 4, 5));
        assertArrayEquals(expected, V6.copy(out, 0, 13));
        assertEquals(ParseResult.OK, icmp.wrap(out, 0, 13, ROUTER_TO_GUEST));
        assertEquals(129, icmp.type());
    }

    @Test
    void echoRequestTurnedIntoReplyInPlace() {
        byte[] m = V6.icmpv6(GUEST_LL, ROUTER_LL, bytes(128, 0, 0, 0, 0, 1, 0, 2, 9, 9));
        ByteBuf b = V6.buf(m);
        assertEquals(ParseResult.OK, icmp.wrap(b, 0, m.length, GUEST_TO_ROUTER));
        icmp.setType(Icmpv6Packet.TYPE_ECHO_REPLY);
        icmp.setCode(0);
        icmp.updateChecksum(ROUTER_TO_GUEST);
        assertEquals(ParseResult.OK, icmp.wrap(b, 0, m.length, ROUTER_TO_GUEST));
        assertEquals(129, icmp.type());
        assertEquals(0, Packets.checksum(m, 0, m.length, V6.pseudo(ROUTER_LL, GUEST_LL, 58, m.length)));
    }

    @Test
    void errorsQuoteAsMuchAsFitsTheMinimumMtu() {
        Ipv6Packet original = new Ipv6Packet();
        byte[] big = V6.ipv6(GUEST_LL, V6.addr("2001:db8::1"), 17, 64, new byte[1460]);
        assertEquals(ParseResult.OK, original.wrap(V6.buf(big), 0, big.length));
        int quote = Icmpv6Packet.quoteLength(original);
        assertEquals(1232, quote);
        assertEquals(Ipv6Packet.MIN_MTU, Ipv6Packet.HEADER_LENGTH + Icmpv6Packet.HEADER_LENGTH + quote);

        ByteBuf out = Unpooled.buffer(1240).writerIndex(1240);
        int length = Icmpv6Packet.emitError(out, 0, Icmpv6Packet.TYPE_PACKET_TOO_BIG, 0, 1280, V6.buf(big), 0,
            quote, ROUTER_TO_GUEST);
        assertEquals(1240, length);
        assertEquals(ParseResult.OK, icmp.wrap(out, 0, length, ROUTER_TO_GUEST));
        assertTrue(icmp.isError());
        assertEquals(2, icmp.type());
        assertEquals(1280, icmp.mtu());
        assertArrayEquals(java.util.Arrays.copyOf(big, quote), V6.copy(out, icmp.dataOffset(), icmp.dataLength()));

        byte[] small = V6.ipv6(GUEST_LL, V6.addr("2001:db8::1"), 17, 64, new byte[20]);
        assertEquals(ParseResult.OK, original.wrap(V6.buf(small), 0, small.length));
        assertEquals(60, Icmpv6Packet.quoteLength(original), "all of a small packet");

        int n = Icmpv6Packet.emitError(out, 0, Icmpv6Packet.TYPE_PARAMETER_PROBLEM,
            Icmpv6Packet.CODE_UNRECOGNIZED_NEXT_HEADER, 6, V6.buf(small), 0, 60, ROUTER_TO_GUEST);
        assertEquals(ParseResult.OK, icmp.wrap(out, 0, n, ROUTER_TO_GUEST));
        assertEquals(6, icmp.pointer());
        assertEquals(1, icmp.code());
    }

    @Test
    void errorTypes() {
        for (int type = 0; type < 256; type++) {
            assertEquals(type < 128, Icmpv6Packet.isError(type), "type " + type);
        }
    }

    @Test
    void malformed() {
        byte[] m = V6.icmpv6(GUEST_LL, ROUTER_LL, bytes(128, 0, 0, 0, 0, 1, 0, 2, 9, 9));
        for (int n = 0; n < 8; n++) {
            assertEquals(ParseResult.TRUNCATED, icmp.wrap(V6.buf(m), 0, n, GUEST_TO_ROUTER), "length " + n);
        }
        for (int n = 8; n < m.length; n++) {
            assertNotEquals(ParseResult.OK, icmp.wrap(V6.buf(m), 0, n, GUEST_TO_ROUTER), "length " + n);
        }
        assertEquals(ParseResult.TRUNCATED, icmp.wrap(V6.buf(m), 0, m.length + 1, GUEST_TO_ROUTER));
        assertEquals(ParseResult.TRUNCATED, icmp.wrap(V6.buf(m), -1, m.length, GUEST_TO_ROUTER));
        for (int i = 0; i < m.length; i++) {
            byte[] flipped = m.clone();
            flipped[i] ^= 0x10;
            assertEquals(ParseResult.BAD_CHECKSUM, icmp.wrap(V6.buf(flipped), 0, m.length, GUEST_TO_ROUTER), "byte " + i);
        }
    }
}
