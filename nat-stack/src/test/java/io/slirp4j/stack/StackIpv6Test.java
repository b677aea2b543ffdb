package io.slirp4j.stack;

import static io.slirp4j.stack.Packets6.ALL_NODES;
import static io.slirp4j.stack.Packets6.DNS;
import static io.slirp4j.stack.Packets6.GATEWAY;
import static io.slirp4j.stack.Packets6.GUEST;
import static io.slirp4j.stack.Packets6.GUEST_LL;
import static io.slirp4j.stack.Packets6.ROUTER;
import static io.slirp4j.stack.Packets6.ROUTER_MAC;
import static io.slirp4j.stack.Packets6.UNSPECIFIED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slirp4j.stack.Packets6.Decoded6;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StackIpv6Test {
    private StackHarness h = new StackHarness(NetworkConfig.defaults().withIpv6(Ipv6Network.defaults()));

    @AfterEach
    void finish() {
        h.finish();
    }

    private Decoded6 receive6() {
        byte[] raw = h.sink.poll();
        assertTrue(raw != null, "a frame expected");
        return new Decoded6(raw);
    }

    @Test
    void neighborSolicitationForTheRouterIsAnsweredWithItsMac() {
        h.send(Packets6.neighborSolicitation(GUEST_LL, ROUTER, true));
        Decoded6 na = receive6();
        assertEquals(136, na.type());
        assertEquals(255, na.hopLimit);
        assertArrayEquals(ROUTER, na.src);
        assertArrayEquals(GUEST_LL, na.dst);
        assertEquals(Packets.GUEST_MAC, na.ethDst, "unicast to the guest, whose MAC the solicitation taught us");
        assertEquals(0xE0, na.l4[4] & 0xFF, "router, solicited, override");
        assertArrayEquals(ROUTER, java.util.Arrays.copyOfRange(na.l4, 8, 24));
        assertEquals(2, na.l4[24], "target link-layer address option");
        assertEquals(ROUTER_MAC, java.nio.ByteBuffer.wrap(na.l4, 24, 8).getLong() & 0xFFFF_FFFF_FFFFL);
        h.assertNoFrame();
    }

    @Test
    void gatewayAndDnsAddressesAreAnsweredDnsWithItsOwnMac() {
        h.send(Packets6.neighborSolicitation(GUEST, GATEWAY, true));
        assertEquals(ROUTER_MAC, java.nio.ByteBuffer.wrap(receive6().l4, 24, 8).getLong() & 0xFFFF_FFFF_FFFFL);
        h.send(Packets6.neighborSolicitation(GUEST, DNS, true));
        assertEquals(0x5256_0000_0003L, java.nio.ByteBuffer.wrap(receive6().l4, 24, 8).getLong() & 0xFFFF_FFFF_FFFFL);
        h.send(Packets6.neighborSolicitation(GUEST, Packets6.addr("fd00::77"), true));
        h.assertNoFrame();
    }

    @Test
    void duplicateAddressDetectionOfTheGuestIsNotAnswered() {
        h.send(Packets6.neighborSolicitation(UNSPECIFIED, GUEST, false));
        h.assertNoFrame();
    }

    @Test
    void routerSolicitationDrawsAnAdvertisementOfThePrefixMtuAndDns() {
        h.send(Packets6.routerSolicitation(UNSPECIFIED));
        Decoded6 ra = receive6();
        assertEquals(134, ra.type());
        assertEquals(255, ra.hopLimit);
        assertArrayEquals(ROUTER, ra.src);
        assertArrayEquals(ALL_NODES, ra.dst);
        assertEquals(0x3333_0000_0001L, ra.ethDst);
        assertEquals(ROUTER_MAC, ra.ethSrc);
        assertEquals(1800, ra.u16(6), "router lifetime");
        boolean prefix = false;
        boolean mtu = false;
        boolean rdnss = false;
        for (int at = 16; at < ra.l4.length; at += (ra.l4[at + 1] & 0xFF) * 8) {
            switch (ra.l4[at]) {
                case 3 -> {
                    prefix = true;
                    assertEquals(64, ra.l4[at + 2]);
                    assertEquals(0xC0, ra.l4[at + 3] & 0xFF, "on-link and autonomous");
                    assertArrayEquals(Packets6.addr("fd00::"), java.util.Arrays.copyOfRange(ra.l4, at + 16, at + 32));
                }
                case 5 -> {
                    mtu = true;
                    assertEquals(1500, java.nio.ByteBuffer.wrap(ra.l4, at + 4, 4).getInt());
                }
                case 25 -> {
                    rdnss = true;
                    assertArrayEquals(DNS, java.util.Arrays.copyOfRange(ra.l4, at + 8, at + 24));
                }
                default -> { }
            }
        }
        assertTrue(prefix && mtu && rdnss, "prefix, MTU and RDNSS options");
        assertEquals(1, h.stats().icmpv6().routerAdvertisements());
    }

    @Test
    void routerAdvertisementsAlsoGoOutUnsolicitedEveryFewMinutes() {
        h.tick(1);
        h.assertNoFrame();
        h.tick(601_000);
        assertEquals(134, receive6().type());
    }

    @Test
    void echoToTheGatewayAndDnsIsAnswered() {
        byte[] data = "ping6".getBytes(StandardCharsets.US_ASCII);
        for (byte[] own : List.of(GATEWAY, DNS, ROUTER)) {
            h.send(Packets6.echoRequest(GUEST, own, 0x1234, 7, data));
            Decoded6 reply = receive6();
            assertEquals(129, reply.type());
            assertArrayEquals(own, reply.src);
            assertArrayEquals(GUEST, reply.dst);
            assertEquals(0x1234, reply.u16(4));
            assertEquals(7, reply.u16(6));
            assertArrayEquals(data, java.util.Arrays.copyOfRange(reply.l4, 8, reply.l4.length));
        }
    }

    @Test
    void udpToTheGatewayReachesTheHostsLoopbackAndRepliesComeFromTheGateway() {
        byte[] query = "hello".getBytes(StandardCharsets.US_ASCII);
        h.send(Packets6.guestUdp(GUEST, GATEWAY, 40000, 7, query));
        FakeHostDatagrams.Socket socket = h.host.last();
        assertEquals(new InetSocketAddress(Packets6.inet(Packets6.addr("::")), 0), socket.local);
        assertEquals(new InetSocketAddress(Packets6.inet(Packets6.addr("::1")), 7), socket.sent.get(0).to());
        assertArrayEquals(query, socket.sent.get(0).payload());
        socket.deliver(new InetSocketAddress(Packets6.inet(Packets6.addr("::1")), 7), "world".getBytes());
        Decoded6 reply = receive6();
        assertEquals(17, reply.nextHeader);
        assertArrayEquals(GATEWAY, reply.src);
        assertArrayEquals(GUEST, reply.dst);
        assertEquals(7, reply.u16(0));
        assertEquals(40000, reply.u16(2));
        assertArrayEquals("world".getBytes(), reply.udpPayload());
    }

    /** A guest that asks fe80::2 (from its link-local address) hears the host's loopback answer from fe80::2. */
    @Test
    void udpToTheRoutersLinkLocalAddressIsAnsweredFromIt() {
        h.send(Packets6.guestUdp(GUEST_LL, ROUTER, 40000, 7, new byte[] {1}));
        assertEquals(new InetSocketAddress(Packets6.inet(Packets6.addr("::1")), 7), h.host.last().sent.get(0).to());
        h.host.last().deliver(new InetSocketAddress(Packets6.inet(Packets6.addr("::1")), 7), new byte[] {2});
        Decoded6 reply = receive6();
        assertArrayEquals(ROUTER, reply.src);
        assertArrayEquals(GUEST_LL, reply.dst);
    }

    @Test
    void anIpv4PeerCannotAnswerAnIpv6Flow() {
        h.send(Packets6.guestUdp(GUEST, GATEWAY, 40000, 7, new byte[] {1}));
        h.host.last().deliver(Packets.socket(Packets.ip(127, 0, 0, 1), 7), new byte[] {2});
        h.assertNoFrame();
    }

    @Test
    void dnsToTheDnsAddressGoesToTheNameserversAndAnswersComeFromIt() {
        h.send(Packets6.guestUdp(GUEST, DNS, 40001, 53, Packets.dnsQuery(0x4242)));
        List<FakeHostDatagrams.Sent> sent = h.host.allSent();
        assertEquals(StackHarness.NS1, sent.get(0).to(), "IPv4 nameservers serve IPv6 guests too");
        FakeHostDatagrams.Socket socket = h.host.sockets().get(h.host.sockets().size() - 1);
        socket.deliver(StackHarness.NS1, Packets.dnsAnswer(0x4242, 0));
        Decoded6 answer = receive6();
        assertArrayEquals(DNS, answer.src);
        assertEquals(53, answer.u16(0));
        assertEquals(40001, answer.u16(2));
    }

    @Test
    void aReplyLargerThanTheMtuIsSentInFragments() {
        h.send(Packets6.guestUdp(GUEST, GATEWAY, 40000, 9, new byte[] {1}));
        byte[] big = Packets.bytes(4000, 3);
        h.host.last().deliver(new InetSocketAddress(Packets6.inet(Packets6.addr("::1")), 9), big);
        List<byte[]> fragments = new ArrayList<>();
        for (byte[] f = h.sink.poll(); f != null; f = h.sink.poll()) {
            assertTrue(f.length <= 14 + 1500, "fits the MTU");
            assertEquals(44, f[14 + 6], "a fragment header");
            fragments.add(f);
        }
        assertEquals(3, fragments.size());
        java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
        for (byte[] f : fragments) {
            whole.write(f, 14 + 48, f.length - 14 - 48);
        }
        byte[] udp = whole.toByteArray();
        assertEquals(8 + 4000, udp.length);
        assertArrayEquals(big, java.util.Arrays.copyOfRange(udp, 8, udp.length));
        assertEquals(3, h.stats().ipv6().fragmentsOut());
    }

    @Test
    void withoutIpv6TheFramesAreDroppedAsUnsupported() {
        h.finish();
        h = new StackHarness();
        h.send(Packets6.routerSolicitation(UNSPECIFIED));
        h.assertNoFrame();
        assertEquals(1, h.stats().frames().droppedUnsupported());
    }

    @Test
    void anUnknownGuestAddressIsSolicitedAndTheFrameWaitsForTheAnswer() {
        byte[] other = Packets6.addr("fd00::99");
        // the guest speaks from one address, then a reply must go to another one it has not used yet
        h.send(Packets6.guestUdp(GUEST, GATEWAY, 40000, 7, new byte[] {1}));
        h.host.last().deliver(new InetSocketAddress(Packets6.inet(Packets6.addr("::1")), 7), new byte[] {2});
        receive6();
        h.send(Packets6.guestUdp(other, GATEWAY, 40002, 7, new byte[] {1}));
        h.host.last().deliver(new InetSocketAddress(Packets6.inet(Packets6.addr("::1")), 7), new byte[] {2});
        assertEquals(17, receive6().nextHeader, "known from its own frame");
        assertEquals(0, h.stats().icmpv6().neighborSolicitationsSent());
    }

    @Test
    void theGuestsFragmentsAreReassembledInAnyOrder() {
        byte[] payload = Packets.bytes(3000, 5);
        List<byte[]> fragments = Packets6.guestUdpFragments(GUEST, GATEWAY, 40000, 7, payload, 1232, 77);
        assertEquals(3, fragments.size());
        h.send(fragments.get(2));
        h.send(fragments.get(0));
        assertEquals(0, h.host.allSent().size(), "nothing before the last piece");
        h.send(fragments.get(1));
        assertArrayEquals(payload, h.host.last().sent.get(0).payload());
        assertEquals(new InetSocketAddress(Packets6.inet(Packets6.addr("::1")), 7), h.host.last().sent.get(0).to());
        assertEquals(1, h.stats().ipv6().datagramsReassembled());
        assertEquals(3, h.stats().ipv6().fragmentsIn());
    }

    @Test
    void overlappingFragmentsAbandonThePacketAndIncompleteOnesExpire() {
        List<byte[]> fragments = Packets6.guestUdpFragments(GUEST, GATEWAY, 40000, 7, Packets.bytes(3000, 6), 1232, 78);
        h.send(fragments.get(0));
        h.send(fragments.get(0)); // a duplicate is ignored
        List<byte[]> shifted = Packets6.guestUdpFragments(GUEST, GATEWAY, 40000, 7, Packets.bytes(3000, 6), 1224, 78);
        h.send(shifted.get(1)); // [1224, 2448) overlaps [0, 1232) partly
        assertEquals(1, h.stats().ipv6().reassemblyFailures());
        h.send(fragments.get(1));
        assertEquals(1, h.stats().ipv6().reassembliesInProgress());
        h.tick(31_000);
        assertEquals(0, h.stats().ipv6().reassembliesInProgress());
        assertEquals(0, h.host.allSent().size());
    }

    /**
     * A duplicate first fragment carrying other extension headers than the first one kept must not move where the
     * reassembler patches the Next Header (it did, writing past the buffer and leaking it).
     */
    @Test
    void aDuplicateFirstFragmentWithOtherExtensionHeadersChangesNothing() {
        byte[] payload = Packets.bytes(16, 7);
        byte[] whole = Packets6.ipv6(GUEST, GATEWAY, Packets6.UDP, 64, Packets6.udp(40000, 7, payload), 6);
        byte[] upper = java.util.Arrays.copyOfRange(whole, 40, whole.length); // 24 bytes
        byte[] padding = new byte[1192];
        padding[0] = 60; // next: another destination options header
        padding[1] = (byte) (1192 / 8 - 1);
        padding[2] = 1; // PadN over the rest
        padding[3] = (byte) (1192 - 4);
        byte[] second = {44, 0, 1, 4, 0, 0, 0, 0};
        h.send(fragment(upper, 16, 24, false, 44, new byte[0]));
        h.send(fragment(upper, 0, 8, true, 44, new byte[0]));
        byte[] options = Packets6.cat(padding, second);
        h.send(fragment(upper, 0, 8, true, 60, options));
        h.send(fragment(upper, 8, 16, true, 44, new byte[0]));
        assertArrayEquals(payload, h.host.last().sent.get(0).payload());
        assertEquals(1, h.stats().ipv6().datagramsReassembled());
    }

    /** One fragment of {@code upper} ([from, to)), after {@code options} (extension headers before the fragment's). */
    private static byte[] fragment(byte[] upper, int from, int to, boolean more, int firstNext, byte[] options) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(options.length + 8 + to - from);
        b.put(options).put((byte) Packets6.UDP).put((byte) 0).putShort((short) (from | (more ? 1 : 0))).putInt(99);
        b.put(upper, from, to - from);
        return Packets6.frame(ROUTER_MAC, Packets6.ipv6(GUEST, GATEWAY, firstNext, 64, b.array(), -1));
    }
}
