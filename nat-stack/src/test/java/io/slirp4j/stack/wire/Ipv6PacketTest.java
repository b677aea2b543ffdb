package io.slirp4j.stack.wire;

import static io.slirp4j.stack.wire.V6.ALL_NODES;
import static io.slirp4j.stack.wire.V6.GUEST_LL;
import static io.slirp4j.stack.wire.V6.ROUTER_LL;
import static io.slirp4j.stack.wire.V6.bytes;
import static io.slirp4j.stack.wire.V6.cat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Ipv6PacketTest {
    private static final byte[] SRC = V6.addr("2001:db8::1");
    private static final byte[] DST = V6.addr("2001:db8::2");
    private final Ipv6Packet p = new Ipv6Packet();

    private ParseResult wrap(byte[] a) {
        return p.wrap(V6.buf(a), 0, a.length);
    }

    /** An 8n-byte options header (hop-by-hop or destination options) holding {@code options}, PadN-padded. */
    private static byte[] optionsHeader(int next, byte[] options) {
        int length = (2 + options.length + 7) / 8 * 8;
        byte[] h = new byte[length];
        h[0] = (byte) next;
        h[1] = (byte) (length / 8 - 1);
        System.arraycopy(options, 0, h, 2, options.length);
        int pad = length - 2 - options.length;
        if (pad == 1) {
            h[length - 1] = 0; // Pad1
        } else if (pad > 1) {
            h[2 + options.length] = 1; // PadN
            h[3 + options.length] = (byte) (pad - 2);
        }
        return h;
    }

    private static byte[] fragmentHeader(int next, int offset, boolean more, int id) {
        return bytes(next, 0, (offset | (more ? 1 : 0)) >>> 8, offset | (more ? 1 : 0), id >>> 24, id >>> 16, id >>> 8, id);
    }

    @Test
    void parsesHandBuiltPacket() {
        byte[] udp = V6.udp(SRC, DST, 1000, 2000, new byte[] {1, 2, 3});
        byte[] a = V6.ipv6(SRC, DST, 17, 63, udp);
        a[0] = 0x6A; // traffic class 0xA5, flow label 0x12345
        a[1] = 0x51;
        a[2] = 0x23;
        a[3] = 0x45;
        assertEquals(ParseResult.OK, wrap(a));
        assertEquals(51, p.totalLength());
        assertEquals(40, p.headerLength());
        assertEquals(17, p.protocol());
        assertEquals(17, p.nextHeader());
        assertEquals(6, p.protocolPointer());
        assertEquals(40, p.payloadOffset());
        assertEquals(11, p.payloadLength());
        assertEquals(63, p.hopLimit());
        assertEquals(0xA5, p.trafficClass());
        assertEquals(0x12345, p.flowLabel());
        assertEquals(V6.hi(SRC), p.sourceHi());
        assertEquals(V6.lo(SRC), p.sourceLo());
        assertEquals(V6.hi(DST), p.destinationHi());
        assertEquals(V6.lo(DST), p.destinationLo());
        assertFalse(p.hasFragmentHeader());
        assertFalse(p.isFragment());
        assertEquals(-1, p.fragmentHeaderOffset());
        assertEquals(0, p.fragmentOffset());
        assertFalse(p.moreFragments());
        assertEquals(0, p.identification());
        assertEquals(Ipv6Packet.pseudoHeader(V6.hi(SRC), V6.lo(SRC), V6.hi(DST), V6.lo(DST), 17), p.pseudoHeader());

        UdpDatagram u = new UdpDatagram();
        assertEquals(ParseResult.OK, u.wrapIpv6(p.buffer(), p.payloadOffset(), p.payloadLength(), p.pseudoHeader()));
        assertEquals(2000, u.destinationPort());
        assertEquals(3, u.payloadLength());
    }

    @Test
    void emitMatchesHandBuiltBytesAndRoundTrips() {
        byte[] expected = V6.ipv6(GUEST_LL, ALL_NODES, 58, 255, new byte[0]);
        expected[5] = 24; // payload length
        ByteBuf b = Unpooled.buffer(64).writerIndex(64);
        Ipv6Packet.emitHeader(b, 0, 24, 58, 255, V6.hi(GUEST_LL), V6.lo(GUEST_LL), V6.hi(ALL_NODES), V6.lo(ALL_NODES));
        assertArrayEquals(expected, V6.copy(b, 0, 40));
        assertEquals(ParseResult.OK, p.wrap(b, 0, 64));
        assertEquals(64, p.totalLength());
        assertEquals(255, p.hopLimit());
        assertEquals(58, p.protocol());
    }

    @Test
    void settersWriteOnlyTheirField() {
        byte[] a = V6.ipv6(SRC, DST, 59, 64, new byte[8]);
        ByteBuf b = V6.buf(a);
        assertEquals(ParseResult.OK, p.wrap(b, 0, a.length));
        p.setTrafficClass(0xFF);
        p.setFlowLabel(0xFFFFF);
        assertEquals(0x6FFF_FFFF, b.getInt(0));
        p.setTrafficClass(0x12);
        assertEquals(0x612F_FFFF, b.getInt(0));
        p.setFlowLabel(0xABCDE);
        assertEquals(0x612A_BCDE, b.getInt(0));
        p.setHopLimit(1);
        p.setSource(V6.hi(GUEST_LL), V6.lo(GUEST_LL));
        p.setDestination(V6.hi(ROUTER_LL), V6.lo(ROUTER_LL));
        assertEquals(ParseResult.OK, p.wrap(b, 0, a.length));
        assertEquals(0x12, p.trafficClass());
        assertEquals(0xABCDE, p.flowLabel());
        assertEquals(1, p.hopLimit());
        assertEquals(V6.lo(GUEST_LL), p.sourceLo());
        assertEquals(V6.lo(ROUTER_LL), p.destinationLo());
        assertEquals(59, p.protocol());
    }

    @Test
    void viewAtOffsetWithEthernetPadding() {
        byte[] ip = V6.ipv6(SRC, DST, 59, 64, new byte[2]);
        byte[] frame = new byte[14 + ip.length + 30];
        System.arraycopy(ip, 0, frame, 14, ip.length);
        assertEquals(ParseResult.OK, p.wrap(V6.buf(frame), 14, frame.length - 14));
        assertEquals(42, p.totalLength(), "padding ignored");
        assertEquals(54, p.payloadOffset());
        assertEquals(2, p.payloadLength());
        assertEquals(59, p.protocol());
    }

    @Test
    void extensionHeadersAreWalkedToTheUpperLayer() {
        byte[] icmp = V6.icmpv6(SRC, DST, bytes(128, 0, 0, 0, 0, 1, 0, 1));
        byte[] chain = cat(optionsHeader(60, bytes(5, 2, 0, 0)), // hop-by-hop, router alert
            optionsHeader(43, bytes(0x1E, 1, 0)), // destination options: unknown, skippable
            bytes(44, 0, 0, 0, 0, 0, 0, 0), // routing header type 0, segments left 0
            fragmentHeader(58, 0, false, 0xCAFE), // atomic fragment
            icmp);
        byte[] a = V6.ipv6(SRC, DST, 0, 64, chain);
        assertEquals(ParseResult.OK, wrap(a));
        assertEquals(58, p.protocol());
        assertEquals(40 + 8 + 8 + 8 + 8, p.headerLength());
        assertEquals(icmp.length, p.payloadLength());
        assertEquals(40 + 24, p.protocolPointer(), "the fragment header's next header field");
        assertTrue(p.hasFragmentHeader());
        assertFalse(p.isFragment(), "an atomic fragment is a whole packet");
        assertEquals(0xCAFE, p.identification());
        assertEquals(40 + 24, p.fragmentHeaderOffset());
        assertEquals(40 + 16, p.fragmentPrecedingNextHeaderOffset());
        Icmpv6Packet m = new Icmpv6Packet();
        assertEquals(ParseResult.OK, m.wrap(p));
    }

    @Test
    void noNextHeaderEndsTheWalk() {
        byte[] a = V6.ipv6(SRC, DST, 60, 64, cat(optionsHeader(59, new byte[0]), bytes(9, 9, 9)));
        assertEquals(ParseResult.OK, wrap(a));
        assertEquals(59, p.protocol());
        assertEquals(3, p.payloadLength());
    }

    @Test
    void fragments() {
        byte[] first = V6.ipv6(SRC, DST, 44, 64, cat(fragmentHeader(17, 0, true, 7), new byte[16]));
        assertEquals(ParseResult.OK, wrap(first));
        assertTrue(p.isFragment());
        assertTrue(p.moreFragments());
        assertEquals(0, p.fragmentOffset());
        assertEquals(7, p.identification());
        assertEquals(17, p.protocol(), "the fragment header's next header");
        assertEquals(48, p.payloadOffset());
        assertEquals(16, p.payloadLength());
        assertEquals(40, p.fragmentHeaderOffset());
        assertEquals(6, p.fragmentPrecedingNextHeaderOffset());

        byte[] middle = V6.ipv6(SRC, DST, 60, 64, cat(optionsHeader(44, new byte[0]),
            fragmentHeader(6, 1448, true, -1), new byte[24]));
        assertEquals(ParseResult.OK, wrap(middle));
        assertTrue(p.isFragment());
        assertEquals(1448, p.fragmentOffset());
        assertEquals(-1, p.identification());
        assertEquals(48, p.fragmentHeaderOffset(), "unfragmentable part: fixed header and destination options");
        assertEquals(40, p.fragmentPrecedingNextHeaderOffset());
        assertEquals(56, p.payloadOffset());

        byte[] last = V6.ipv6(SRC, DST, 44, 64, cat(fragmentHeader(17, 2896, false, 7), new byte[5]));
        assertEquals(ParseResult.OK, wrap(last));
        assertTrue(p.isFragment());
        assertFalse(p.moreFragments());
        assertEquals(5, p.payloadLength(), "the last fragment may have any length");
    }

    @Test
    void fragmentLengthRules() {
        byte[] odd = V6.ipv6(SRC, DST, 44, 64, cat(fragmentHeader(17, 0, true, 1), new byte[13]));
        assertEquals(ParseResult.BAD_LENGTH, wrap(odd));
        assertEquals(Icmpv6Packet.CODE_ERRONEOUS_HEADER_FIELD, p.problemCode());
        assertEquals(4, p.problemPointer(), "RFC 8200 4.5: the payload length field");

        byte[] beyond = V6.ipv6(SRC, DST, 44, 64, cat(fragmentHeader(17, 65528, false, 1), new byte[8]));
        assertEquals(ParseResult.BAD_LENGTH, wrap(beyond));
        assertEquals(Icmpv6Packet.CODE_ERRONEOUS_HEADER_FIELD, p.problemCode());
        assertEquals(42, p.problemPointer(), "RFC 8200 4.5: the fragment offset field");

        byte[] exactly = V6.ipv6(SRC, DST, 44, 64, cat(fragmentHeader(17, 65528, false, 1), new byte[7]));
        assertEquals(ParseResult.OK, wrap(exactly), "ends at 65535");

        byte[] twice = V6.ipv6(SRC, DST, 44, 64, cat(fragmentHeader(44, 0, false, 1),
            fragmentHeader(17, 8, true, 1), new byte[8]));
        assertEquals(ParseResult.UNSUPPORTED, wrap(twice));
    }

    @Test
    void hopByHopOnlyFirst() {
        byte[] a = V6.ipv6(SRC, DST, 60, 64, cat(optionsHeader(0, new byte[0]), optionsHeader(59, new byte[0])));
        assertEquals(ParseResult.UNSUPPORTED, wrap(a));
        assertEquals(Icmpv6Packet.CODE_UNRECOGNIZED_NEXT_HEADER, p.problemCode());
        assertEquals(40, p.problemPointer(), "the next header field that named it");
    }

    @Test
    void unrecognizedOptionsFollowTheirActionBits() {
        byte[] multicast = V6.addr("ff02::1");
        // 00: skip
        assertEquals(ParseResult.OK, wrap(V6.ipv6(SRC, DST, 60, 64, optionsHeader(59, bytes(0x3E, 0)))));
        // 01: discard silently
        assertEquals(ParseResult.UNSUPPORTED, wrap(V6.ipv6(SRC, DST, 60, 64, optionsHeader(59, bytes(0x7E, 0)))));
        assertEquals(-1, p.problemCode());
        // 10: discard and report, even to multicast
        assertEquals(ParseResult.UNSUPPORTED,
            wrap(V6.ipv6(SRC, multicast, 60, 64, optionsHeader(59, bytes(1, 0, 0xBE, 0)))));
        assertEquals(Icmpv6Packet.CODE_UNRECOGNIZED_OPTION, p.problemCode());
        assertEquals(44, p.problemPointer(), "the option's type byte");
        // 11: report unless the destination is multicast
        assertEquals(ParseResult.UNSUPPORTED, wrap(V6.ipv6(SRC, DST, 0, 64, optionsHeader(59, bytes(0xFE, 0)))));
        assertEquals(Icmpv6Packet.CODE_UNRECOGNIZED_OPTION, p.problemCode());
        assertEquals(42, p.problemPointer());
        assertEquals(ParseResult.UNSUPPORTED, wrap(V6.ipv6(SRC, multicast, 0, 64, optionsHeader(59, bytes(0xFE, 0)))));
        assertEquals(-1, p.problemCode());
        // a jumbo payload option (0xC2) is one of those
        assertEquals(ParseResult.UNSUPPORTED,
            wrap(V6.ipv6(SRC, DST, 0, 64, optionsHeader(59, bytes(0xC2, 4, 0, 1, 0, 0)))));
    }

    @Test
    void malformedOptions() {
        // PadN running past the header
        byte[] h = optionsHeader(59, new byte[0]);
        h[2] = 1;
        h[3] = 5;
        assertEquals(ParseResult.BAD_LENGTH, wrap(V6.ipv6(SRC, DST, 60, 64, h)));
        // an option type in the last byte, with no room for its length
        byte[] last = bytes(59, 0, 0, 0, 0, 0, 0, 0x3E);
        assertEquals(ParseResult.BAD_LENGTH, wrap(V6.ipv6(SRC, DST, 60, 64, last)));
        // Pad1 all the way is fine
        assertEquals(ParseResult.OK, wrap(V6.ipv6(SRC, DST, 60, 64, bytes(59, 0, 0, 0, 0, 0, 0, 0))));
    }

    @Test
    void routingHeaderStillToBeActedOnIsRefused() {
        byte[] a = V6.ipv6(SRC, DST, 43, 64, cat(bytes(59, 2, 0, 1, 0, 0, 0, 0), new byte[16]));
        assertEquals(ParseResult.UNSUPPORTED, wrap(a));
        assertEquals(Icmpv6Packet.CODE_ERRONEOUS_HEADER_FIELD, p.problemCode());
        assertEquals(42, p.problemPointer(), "RFC 8200 4.4: the routing type");
    }

    @Test
    void extensionHeaderChainIsBounded() {
        byte[] chain = new byte[0];
        for (int i = 0; i < Ipv6Packet.MAX_EXTENSION_HEADERS; i++) {
            chain = cat(chain, optionsHeader(i == Ipv6Packet.MAX_EXTENSION_HEADERS - 1 ? 59 : 60, new byte[0]));
        }
        assertEquals(ParseResult.OK, wrap(V6.ipv6(SRC, DST, 60, 64, chain)));
        assertEquals(40 + 8 * Ipv6Packet.MAX_EXTENSION_HEADERS, p.headerLength());
        chain[chain.length - 8] = 60;
        chain = cat(chain, optionsHeader(59, new byte[0]));
        assertEquals(ParseResult.UNSUPPORTED, wrap(V6.ipv6(SRC, DST, 60, 64, chain)));
    }

    @Test
    void extensionHeaderOverruns() {
        // header length says 16 bytes, only 8 there
        assertEquals(ParseResult.TRUNCATED, wrap(V6.ipv6(SRC, DST, 60, 64, bytes(59, 1, 1, 4, 0, 0, 0, 0))));
        // fewer than 8 bytes left for an extension header
        assertEquals(ParseResult.TRUNCATED, wrap(V6.ipv6(SRC, DST, 60, 64, bytes(59, 0, 1, 2, 0, 0))));
        assertEquals(ParseResult.TRUNCATED, wrap(V6.ipv6(SRC, DST, 44, 64, bytes(17, 0, 0, 0))));
        // a header that is the last byte of the packet, pointing to another
        assertEquals(ParseResult.TRUNCATED, wrap(V6.ipv6(SRC, DST, 60, 64, optionsHeader(60, new byte[0]))));
        // the maximum header length (2048 bytes) in a short packet
        assertEquals(ParseResult.TRUNCATED, wrap(V6.ipv6(SRC, DST, 0, 64, bytes(59, 255, 1, 4, 0, 0, 0, 0))));
    }

    @Test
    void fixedHeaderMalformations() {
        byte[] good = V6.ipv6(SRC, DST, 59, 64, new byte[12]);
        ByteBuf g = V6.buf(good);
        assertEquals(ParseResult.OK, p.wrap(g, 0, good.length));
        assertEquals(ParseResult.TRUNCATED, p.wrap(g, 0, 39));
        assertEquals(ParseResult.TRUNCATED, p.wrap(g, 0, 0));
        assertEquals(ParseResult.TRUNCATED, p.wrap(g, 0, good.length - 1), "payload length beyond what is there");
        assertEquals(ParseResult.TRUNCATED, p.wrap(g, 4, good.length), "region beyond the buffer");
        assertEquals(ParseResult.TRUNCATED, p.wrap(g, -1, 40));
        for (int version = 0; version < 16; version++) {
            byte[] a = good.clone();
            a[0] = (byte) (version << 4);
            assertEquals(version == 6 ? ParseResult.OK : ParseResult.BAD_VERSION, wrap(a), "version " + version);
        }
        byte[] jumbo = good.clone();
        jumbo[4] = 0;
        jumbo[5] = 0;
        assertEquals(ParseResult.UNSUPPORTED, wrap(jumbo), "payload length 0: a jumbogram");
    }

    @Test
    void everyTruncationOfAnExtensionHeaderPacketIsRefusedWithoutAnException() {
        byte[] a = V6.ipv6(SRC, DST, 0, 64, cat(optionsHeader(60, bytes(5, 2, 0, 0)),
            optionsHeader(44, bytes(1, 0)), fragmentHeader(58, 0, false, 3),
            V6.icmpv6(SRC, DST, bytes(128, 0, 0, 0, 0, 1, 0, 1))));
        assertEquals(ParseResult.OK, wrap(a));
        for (int n = 0; n < a.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(a, n);
            assertNotEquals(ParseResult.OK, p.wrap(V6.buf(cut), 0, n), "cut at " + n);
            // the payload length shortened too: the walk itself hits the end
            if (n >= 40) {
                cut[4] = (byte) ((n - 40) >>> 8);
                cut[5] = (byte) (n - 40);
                ParseResult r = p.wrap(V6.buf(cut), 0, n);
                if (r == ParseResult.OK) {
                    assertTrue(p.payloadOffset() + p.payloadLength() <= n, "cut at " + n);
                }
            }
        }
    }

    @Test
    void randomBytesNeverThrowAndOkViewsStayInside() {
        Random random = new Random(8200);
        for (int round = 0; round < 20000; round++) {
            byte[] a = new byte[40 + random.nextInt(100)];
            random.nextBytes(a);
            a[0] = (byte) (0x60 | (a[0] & 0xF));
            a[4] = 0;
            a[5] = (byte) random.nextInt(a.length - 39);
            int[] nexts = {0, 43, 44, 60, 59, 58, 17};
            a[6] = (byte) nexts[random.nextInt(nexts.length)];
            if (wrap(a) == ParseResult.OK) {
                assertTrue(p.payloadOffset() >= 40 && p.payloadOffset() + p.payloadLength() <= a.length);
            }
        }
    }

    @Test
    void fragmentHeaderEmitRoundTrip() {
        ByteBuf b = Unpooled.buffer(40 + 8 + 16).writerIndex(64);
        Ipv6Packet.emitHeader(b, 0, 24, 44, 64, V6.hi(SRC), V6.lo(SRC), V6.hi(DST), V6.lo(DST));
        Ipv6Packet.emitFragmentHeader(b, 40, 17, 1232, true, 0x01020304);
        assertArrayEquals(fragmentHeader(17, 1232, true, 0x01020304), V6.copy(b, 40, 8));
        assertEquals(ParseResult.OK, p.wrap(b, 0, 64));
        assertTrue(p.isFragment());
        assertEquals(1232, p.fragmentOffset());
        assertTrue(p.moreFragments());
        assertEquals(0x01020304, p.identification());
        assertEquals(17, p.protocol());
    }

    @Test
    void udpOverIpv6ChecksumRules() {
        // fe80::1:546 -> ff02::1:2:547, an Information-Request with xid 1: checksum 0xf308 worked out independently
        byte[] all = V6.addr("ff02::1:2");
        byte[] u = V6.udp(GUEST_LL, all, 546, 547, bytes(11, 0, 0, 1));
        assertArrayEquals(V6.hex("0222 0223 000c f308 0b000001"), u);
        long pseudo = Ipv6Packet.pseudoHeader(V6.hi(GUEST_LL), V6.lo(GUEST_LL), V6.hi(all), V6.lo(all), 17);
        UdpDatagram d = new UdpDatagram();
        assertEquals(ParseResult.OK, d.wrapIpv6(V6.buf(u), 0, u.length, pseudo));
        byte[] zero = u.clone();
        zero[6] = 0;
        zero[7] = 0;
        assertEquals(ParseResult.BAD_CHECKSUM, d.wrapIpv6(V6.buf(zero), 0, zero.length, pseudo),
            "no checksum is an error in IPv6");
        byte[] bad = u.clone();
        bad[9] ^= 1;
        assertEquals(ParseResult.BAD_CHECKSUM, d.wrapIpv6(V6.buf(bad), 0, bad.length, pseudo));
        assertEquals(ParseResult.TRUNCATED, d.wrapIpv6(V6.buf(u), 0, 7, pseudo));

        ByteBuf out = Unpooled.buffer(12).writerIndex(12);
        out.setBytes(8, bytes(11, 0, 0, 1));
        UdpDatagram.emitHeader(out, 0, 546, 547, 4, pseudo);
        assertArrayEquals(u, V6.copy(out, 0, 12));
    }
}
