package io.slirp4j.stack.wire;

import static io.slirp4j.stack.wire.V6.GUEST_LL;
import static io.slirp4j.stack.wire.V6.ROUTER_LL;
import static io.slirp4j.stack.wire.V6.bytes;
import static io.slirp4j.stack.wire.V6.cat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class NdpMessageTest {
    private static final long GUEST_MAC = 0x5255_0A00_0264L;
    private static final long ROUTER_MAC = 0x5255_0A00_0202L;
    private static final byte[] GUEST_MAC_BYTES = bytes(0x52, 0x55, 0x0A, 0x00, 0x02, 0x64);
    private final NdpMessage ndp = new NdpMessage();
    private final Icmpv6Packet icmp = new Icmpv6Packet();
    private final Ipv6Packet ip = new Ipv6Packet();

    private ParseResult wrap(byte[] message) {
        return ndp.wrap(V6.buf(message), 0, message.length);
    }

    @Test
    void knownGoodDuplicateAddressDetectionSolicitation() {
        // :: -> ff02::1:ff00:2, target fe80::2, no options; checksum 0x7c23 worked out independently
        byte[] solicitedNode = V6.addr("ff02::1:ff00:2");
        byte[] packet = V6.ipv6(V6.UNSPECIFIED, solicitedNode, 58, 255,
            cat(V6.hex("8700 7c23 0000 0000"), ROUTER_LL));
        assertEquals(ParseResult.OK, ip.wrap(V6.buf(packet), 0, packet.length));
        assertEquals(255, ip.hopLimit());
        assertEquals(ParseResult.OK, icmp.wrap(ip));
        assertEquals(ParseResult.OK, ndp.wrap(ip.buffer(), icmp.offset(), icmp.length()));
        assertEquals(Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION, ndp.type());
        assertEquals(V6.hi(ROUTER_LL), ndp.targetHi());
        assertEquals(V6.lo(ROUTER_LL), ndp.targetLo());
        assertEquals(MacAddress.NONE, ndp.sourceLinkLayer());
        assertEquals(ip.destinationLo(), Ipv6Address.solicitedNodeLo(ndp.targetLo()));

        ByteBuf out = Unpooled.buffer(24).writerIndex(24);
        long pseudo = Ipv6Packet.pseudoHeader(0, 0, ip.destinationHi(), ip.destinationLo(), 58);
        assertEquals(24, NdpMessage.emitNeighborSolicitation(out, 0, V6.hi(ROUTER_LL), V6.lo(ROUTER_LL),
            MacAddress.NONE, pseudo));
        assertArrayEquals(java.util.Arrays.copyOfRange(packet, 40, 64), V6.copy(out, 0, 24));
    }

    @Test
    void neighborSolicitationWithSourceLinkLayer() {
        byte[] m = V6.icmpv6(GUEST_LL, V6.addr("ff02::1:ff00:2"),
            cat(bytes(135, 0, 0, 0, 0, 0, 0, 0), ROUTER_LL, bytes(1, 1), GUEST_MAC_BYTES));
        assertEquals(ParseResult.OK, wrap(m));
        assertEquals(GUEST_MAC, ndp.sourceLinkLayer());
        assertEquals(MacAddress.NONE, ndp.targetLinkLayer());
        assertEquals(24, ndp.findOption(NdpMessage.OPTION_SOURCE_LINK_LAYER));
        assertEquals(-1, ndp.findOption(NdpMessage.OPTION_SOURCE_LINK_LAYER, 24));
        assertEquals(-1, ndp.mtu());
    }

    @Test
    void neighborAdvertisementEmitMatchesHandBuiltAndParses() {
        long pseudo = Ipv6Packet.pseudoHeader(V6.hi(ROUTER_LL), V6.lo(ROUTER_LL), V6.hi(GUEST_LL), V6.lo(GUEST_LL), 58);
        ByteBuf out = Unpooled.buffer(32).writerIndex(32);
        int flags = NdpMessage.NA_FLAG_ROUTER | NdpMessage.NA_FLAG_SOLICITED | NdpMessage.NA_FLAG_OVERRIDE;
        int n = NdpMessage.emitNeighborAdvertisement(out, 0, flags, V6.hi(ROUTER_LL), V6.lo(ROUTER_LL), ROUTER_MAC,
            pseudo);
        assertEquals(32, n);
        byte[] expected = V6.icmpv6(ROUTER_LL, GUEST_LL, cat(bytes(136, 0, 0, 0, 0xE0, 0, 0, 0), ROUTER_LL,
            bytes(2, 1, 0x52, 0x55, 0x0A, 0x00, 0x02, 0x02)));
        assertArrayEquals(expected, V6.copy(out, 0, 32));
        assertEquals(ParseResult.OK, icmp.wrap(out, 0, n, pseudo));
        assertEquals(ParseResult.OK, ndp.wrap(out, 0, n));
        assertTrue(ndp.router());
        assertTrue(ndp.solicited());
        assertTrue(ndp.override());
        assertEquals(0xE0, ndp.neighborFlags());
        assertEquals(ROUTER_MAC, ndp.targetLinkLayer());
        assertEquals(V6.lo(ROUTER_LL), ndp.targetLo());

        n = NdpMessage.emitNeighborAdvertisement(out, 0, NdpMessage.NA_FLAG_SOLICITED, V6.hi(ROUTER_LL),
            V6.lo(ROUTER_LL), MacAddress.NONE, pseudo);
        assertEquals(24, n);
        assertEquals(ParseResult.OK, icmp.wrap(out, 0, n, pseudo));
        assertEquals(ParseResult.OK, ndp.wrap(out, 0, n));
        assertFalse(ndp.router());
        assertTrue(ndp.solicited());
        assertFalse(ndp.override());
        assertEquals(MacAddress.NONE, ndp.targetLinkLayer());
    }

    @Test
    void routerSolicitationRoundTrip() {
        long pseudo = Ipv6Packet.pseudoHeader(V6.hi(GUEST_LL), V6.lo(GUEST_LL), Ipv6Address.ALL_ROUTERS_HI,
            Ipv6Address.ALL_ROUTERS_LO, 58);
        ByteBuf out = Unpooled.buffer(16).writerIndex(16);
        int n = NdpMessage.emitRouterSolicitation(out, 0, GUEST_MAC, pseudo);
        assertEquals(16, n);
        assertArrayEquals(V6.icmpv6(GUEST_LL, V6.addr("ff02::2"), cat(bytes(133, 0, 0, 0, 0, 0, 0, 0),
            bytes(1, 1), GUEST_MAC_BYTES)), V6.copy(out, 0, 16));
        assertEquals(ParseResult.OK, icmp.wrap(out, 0, n, pseudo));
        assertEquals(ParseResult.OK, ndp.wrap(out, 0, n));
        assertEquals(Icmpv6Packet.TYPE_ROUTER_SOLICITATION, ndp.type());
        assertEquals(GUEST_MAC, ndp.sourceLinkLayer());
        assertEquals(8, NdpMessage.emitRouterSolicitation(out, 0, MacAddress.NONE, pseudo));
    }

    /** What slirp4netns's router advertises: fd00::/64 on-link and autonomous, its MAC, MTU, DNS fd00::3. */
    @Test
    void routerAdvertisementRoundTripWithEveryOption() {
        long[] prefix = Ipv6Address.parse("fd00::");
        long[] dns = Ipv6Address.parse("fd00::3");
        long[] dns2 = Ipv6Address.parse("2001:4860:4860::8888");
        long pseudo = Ipv6Packet.pseudoHeader(V6.hi(ROUTER_LL), V6.lo(ROUTER_LL), Ipv6Address.ALL_NODES_HI,
            Ipv6Address.ALL_NODES_LO, 58);
        ByteBuf out = Unpooled.buffer(256).writerIndex(256);
        int at = NdpMessage.emitRouterAdvertisementHeader(out, 0, 64, NdpMessage.RA_FLAG_OTHER, 1800, 30000, 1000);
        assertEquals(16, at);
        at = NdpMessage.writeLinkLayerOption(out, at, NdpMessage.OPTION_SOURCE_LINK_LAYER, ROUTER_MAC);
        at = NdpMessage.writeMtuOption(out, at, 1500);
        at = NdpMessage.writePrefixOption(out, at, 64, NdpMessage.PREFIX_FLAG_ON_LINK | NdpMessage.PREFIX_FLAG_AUTONOMOUS,
            86400, 14400, prefix[0], prefix[1]);
        at = NdpMessage.writePrefixOption(out, at, 48, NdpMessage.PREFIX_FLAG_ON_LINK, -1, -1, dns2[0], dns2[1]);
        at = NdpMessage.writeRdnssOption(out, at, 1800, dns[0], dns[1]);
        at = NdpMessage.writeRdnssOption(out, at, -1, new long[] {dns[0], dns2[0]}, new long[] {dns[1], dns2[1]}, 2);
        int length = at;
        assertEquals(16 + 8 + 8 + 32 + 32 + 24 + 40, length);
        Icmpv6Packet.updateChecksum(out, 0, length, pseudo);

        assertEquals(ParseResult.OK, icmp.wrap(out, 0, length, pseudo));
        assertEquals(ParseResult.OK, ndp.wrap(out, 0, length));
        assertEquals(Icmpv6Packet.TYPE_ROUTER_ADVERTISEMENT, ndp.type());
        assertEquals(64, ndp.curHopLimit());
        assertFalse(ndp.managed());
        assertTrue(ndp.otherConfiguration());
        assertEquals(1800, ndp.routerLifetime());
        assertEquals(30000, ndp.reachableTime());
        assertEquals(1000, ndp.retransTimer());
        assertEquals(ROUTER_MAC, ndp.sourceLinkLayer());
        assertEquals(1500, ndp.mtu());

        int p1 = ndp.findOption(NdpMessage.OPTION_PREFIX_INFORMATION);
        assertEquals(64, ndp.prefixLength(p1));
        assertEquals(0xC0, ndp.prefixFlags(p1));
        assertEquals(86400, ndp.prefixValidLifetime(p1));
        assertEquals(14400, ndp.prefixPreferredLifetime(p1));
        assertEquals(prefix[0], ndp.prefixHi(p1));
        assertEquals(prefix[1], ndp.prefixLo(p1));
        int p2 = ndp.findOption(NdpMessage.OPTION_PREFIX_INFORMATION, p1);
        assertEquals(48, ndp.prefixLength(p2));
        assertEquals(NdpMessage.INFINITE_LIFETIME, ndp.prefixValidLifetime(p2));
        assertEquals(dns2[0], ndp.prefixHi(p2));
        assertEquals(-1, ndp.findOption(NdpMessage.OPTION_PREFIX_INFORMATION, p2));

        int r1 = ndp.findOption(NdpMessage.OPTION_RDNSS);
        assertEquals(1, ndp.rdnssCount(r1));
        assertEquals(1800, ndp.rdnssLifetime(r1));
        assertEquals(dns[0], ndp.rdnssHi(r1, 0));
        assertEquals(dns[1], ndp.rdnssLo(r1, 0));
        int r2 = ndp.findOption(NdpMessage.OPTION_RDNSS, r1);
        assertEquals(2, ndp.rdnssCount(r2));
        assertEquals(NdpMessage.INFINITE_LIFETIME, ndp.rdnssLifetime(r2));
        assertEquals(dns2[1], ndp.rdnssLo(r2, 1));

        // the RDNSS option bytes of RFC 8106 5.1 for fd00::3, lifetime 1800
        assertArrayEquals(cat(bytes(25, 3, 0, 0, 0, 0, 0x07, 0x08), V6.addr("fd00::3")), V6.copy(out, r1, 24));
        // the prefix information bytes of RFC 4861 4.6.2
        assertArrayEquals(cat(bytes(3, 4, 64, 0xC0, 0, 1, 0x51, 0x80, 0, 0, 0x38, 0x40, 0, 0, 0, 0),
            V6.addr("fd00::")), V6.copy(out, p1, 32));
    }

    @Test
    void optionWithLengthZeroInvalidatesTheMessage() {
        byte[] rs = bytes(133, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0);
        assertEquals(ParseResult.BAD_LENGTH, wrap(rs));
        byte[] later = cat(bytes(133, 0, 0, 0, 0, 0, 0, 0, 1, 1), GUEST_MAC_BYTES, bytes(5, 0, 0, 0, 0, 0, 0, 0));
        assertEquals(ParseResult.BAD_LENGTH, wrap(later));
    }

    @Test
    void optionOverrunsInvalidateTheMessage() {
        byte[] over = cat(bytes(133, 0, 0, 0, 0, 0, 0, 0, 3, 4), new byte[14]);
        assertEquals(ParseResult.BAD_LENGTH, wrap(over));
        byte[] oneByte = bytes(133, 0, 0, 0, 0, 0, 0, 0, 1);
        assertEquals(ParseResult.BAD_LENGTH, wrap(oneByte));
    }

    @Test
    void optionsOfTheWrongSizeAreSkippedNotTrusted() {
        // a 16-byte "source link-layer" option, a 8-byte "prefix", a 16-byte "RDNSS" (no address), a 16-byte MTU
        byte[] m = cat(bytes(134, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            bytes(1, 2), GUEST_MAC_BYTES, new byte[8],
            bytes(3, 1, 64, 0xC0, 0, 0, 0, 0),
            bytes(25, 2), new byte[14],
            bytes(5, 2), new byte[14]);
        assertEquals(ParseResult.OK, wrap(m));
        assertEquals(MacAddress.NONE, ndp.sourceLinkLayer());
        assertEquals(-1, ndp.findOption(NdpMessage.OPTION_PREFIX_INFORMATION));
        assertEquals(-1, ndp.findOption(NdpMessage.OPTION_RDNSS));
        assertEquals(-1, ndp.mtu());
        // an even-length RDNSS (1 + 2n must be odd) is not one either
        byte[] even = cat(bytes(134, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), bytes(25, 4), new byte[30]);
        assertEquals(ParseResult.OK, wrap(even));
        assertEquals(-1, ndp.findOption(NdpMessage.OPTION_RDNSS));
        // unknown options are walked over
        byte[] unknown = cat(bytes(133, 0, 0, 0, 0, 0, 0, 0), bytes(200, 1, 0, 0, 0, 0, 0, 0), bytes(1, 1),
            GUEST_MAC_BYTES);
        assertEquals(ParseResult.OK, wrap(unknown));
        assertEquals(GUEST_MAC, ndp.sourceLinkLayer());
        assertEquals(8, ndp.findOption(200));
    }

    @Test
    void messageLevelChecks() {
        byte[] ns = cat(bytes(135, 0, 0, 0, 0, 0, 0, 0), ROUTER_LL);
        assertEquals(ParseResult.OK, wrap(ns));
        byte[] code = ns.clone();
        code[1] = 1;
        assertEquals(ParseResult.UNSUPPORTED, wrap(code), "code must be 0");
        byte[] multicastTarget = cat(bytes(135, 0, 0, 0, 0, 0, 0, 0), V6.addr("ff02::1"));
        assertEquals(ParseResult.UNSUPPORTED, wrap(multicastTarget));
        byte[] na = multicastTarget.clone();
        na[0] = (byte) 136;
        assertEquals(ParseResult.UNSUPPORTED, wrap(na));
        byte[] raWithMulticastFields = cat(bytes(134, 0, 0, 0), new byte[4], java.util.Arrays.copyOf(V6.addr("ff02::1"), 8));
        assertEquals(ParseResult.OK, wrap(raWithMulticastFields), "an RA has no target");
        for (int type : new int[] {128, 129, 137, 1, 0, 255}) {
            byte[] other = ns.clone();
            other[0] = (byte) type;
            assertEquals(ParseResult.UNSUPPORTED, wrap(other), "type " + type);
        }
    }

    @Test
    void everyTruncationIsRefusedWithoutAnException() {
        byte[][] messages = {
            cat(bytes(133, 0, 0, 0, 0, 0, 0, 0, 1, 1), GUEST_MAC_BYTES),
            cat(bytes(134, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 1, 0, 0, 0, 0, 5, 0xDC)),
            cat(bytes(135, 0, 0, 0, 0, 0, 0, 0), ROUTER_LL, bytes(1, 1), GUEST_MAC_BYTES),
            cat(bytes(136, 0, 0, 0, 0x60, 0, 0, 0), ROUTER_LL, bytes(2, 1), GUEST_MAC_BYTES),
        };
        for (byte[] m : messages) {
            assertEquals(ParseResult.OK, wrap(m));
            for (int n = 0; n < m.length; n++) {
                ParseResult r = ndp.wrap(V6.buf(m), 0, n);
                // a cut exactly after the fixed part leaves a valid message without options
                int fixed = m.length - 8;
                if (n == fixed) {
                    assertEquals(ParseResult.OK, r, "cut at " + n);
                } else {
                    assertNotEquals(ParseResult.OK, r, "cut at " + n);
                }
            }
        }
        assertEquals(ParseResult.TRUNCATED, ndp.wrap(V6.buf(messages[0]), 1, 16), "region beyond the buffer");
    }

    @Test
    void rdnssCountIsChecked() {
        ByteBuf out = Unpooled.buffer(64);
        assertThrows(IllegalArgumentException.class, () -> NdpMessage.writeRdnssOption(out, 0, 1, new long[0],
            new long[0], 0));
    }
}
