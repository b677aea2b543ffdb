package io.slirp4j.stack;

import static io.slirp4j.stack.Packets.BROADCAST_MAC;
import static io.slirp4j.stack.Packets.DNS;
import static io.slirp4j.stack.Packets.DNS_MAC;
import static io.slirp4j.stack.Packets.GATEWAY;
import static io.slirp4j.stack.Packets.GATEWAY_MAC;
import static io.slirp4j.stack.Packets.GUEST_IP;
import static io.slirp4j.stack.Packets.GUEST_MAC;
import static io.slirp4j.stack.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StackArpIcmpTest {
    private final StackHarness h = new StackHarness();

    @AfterEach
    void finish() {
        h.finish();
    }

    @Test
    void arpReplyForGatewayIsExactlyRight() {
        h.send(Packets.guestArpRequest(GATEWAY));
        byte[] expected = Packets.ethernet(GUEST_MAC, GATEWAY_MAC, 0x0806,
            Packets.arp(2, GATEWAY_MAC, GATEWAY, GUEST_MAC, GUEST_IP));
        assertArrayEquals(expected, h.sink.poll());
        h.assertNoFrame();
        assertEquals(1, h.sink.flushes());
        assertEquals(1, h.stats().arp().repliesSent());
        assertEquals(1, h.stats().frames().in());
        assertEquals(1, h.stats().frames().out());
    }

    @Test
    void arpReplyForDnsUsesItsOwnMac() {
        h.send(Packets.guestArpRequest(DNS));
        byte[] expected = Packets.ethernet(GUEST_MAC, DNS_MAC, 0x0806,
            Packets.arp(2, DNS_MAC, DNS, GUEST_MAC, GUEST_IP));
        assertArrayEquals(expected, h.sink.poll());
    }

    @Test
    void macFollowsNetworkConfigForOtherCidr() {
        StackHarness other = new StackHarness(new NetworkConfig(ip(192, 168, 7, 0), 24, 1500, true, true));
        try {
            long guestMac = 0x0200_0000_0009L;
            other.send(Packets.ethernet(BROADCAST_MAC, guestMac, 0x0806,
                Packets.arp(1, guestMac, ip(192, 168, 7, 100), 0, ip(192, 168, 7, 2))));
            Decoded d = other.receive();
            assertEquals(0x5255_C0A8_0702L, d.ethSrc);
        } finally {
            other.finish();
        }
    }

    @Test
    void noAnswerForOtherAddresses() {
        h.send(Packets.guestArpRequest(ip(10, 0, 2, 50)));
        h.send(Packets.guestArpRequest(GUEST_IP)); // the guest probing its own address
        h.send(Packets.guestArpRequest(ip(8, 8, 8, 8)));
        h.assertNoFrame();
        assertEquals(0, h.sink.flushes());
        assertEquals(3, h.stats().frames().droppedFiltered());
    }

    @Test
    void probeWithZeroSenderIsAnswered() {
        h.send(Packets.ethernet(BROADCAST_MAC, GUEST_MAC, 0x0806, Packets.arp(1, GUEST_MAC, 0, 0, GATEWAY)));
        byte[] expected = Packets.ethernet(GUEST_MAC, GATEWAY_MAC, 0x0806,
            Packets.arp(2, GATEWAY_MAC, GATEWAY, GUEST_MAC, 0));
        assertArrayEquals(expected, h.sink.poll());
    }

    @Test
    void arpFromGroupMacIsIgnored() {
        long multicast = 0x0100_5E00_0001L;
        h.send(Packets.ethernet(BROADCAST_MAC, multicast, 0x0806, Packets.arp(1, multicast, GUEST_IP, 0, GATEWAY)));
        h.assertNoFrame();
        assertEquals(1, h.stats().frames().droppedFiltered());
    }

    @Test
    void malformedAndUnsupportedArp() {
        byte[] shortArp = Arrays.copyOf(Packets.guestArpRequest(GATEWAY), 14 + 27);
        h.send(shortArp);
        byte[] ipv6Arp = Packets.guestArpRequest(GATEWAY);
        ipv6Arp[14 + 3] = (byte) 0xDD;
        ipv6Arp[14 + 2] = (byte) 0x86;
        h.send(ipv6Arp);
        h.assertNoFrame();
        assertEquals(1, h.stats().frames().droppedMalformed());
        assertEquals(1, h.stats().frames().droppedUnsupported());
    }

    @Test
    void paddedArpFrameIsFine() {
        h.send(Arrays.copyOf(Packets.guestArpRequest(GATEWAY), 60));
        assertEquals(0x0806, h.receive().ethType);
    }

    @Test
    void pingGatewayAndDns() {
        byte[] data = "abcdefghijklmnopqrstuvwabcdefghi".getBytes();
        h.send(Packets.guestPing(GATEWAY, 0x4242, 17, data));
        Decoded reply = h.receive();
        assertEquals(GUEST_MAC, reply.ethDst, "MAC learned from the IPv4 frame itself");
        assertEquals(GATEWAY_MAC, reply.ethSrc);
        assertEquals(GATEWAY, reply.src);
        assertEquals(GUEST_IP, reply.dst);
        assertEquals(1, reply.protocol);
        assertEquals(255, reply.ttl, "libslirp's echo replies carry TTL 255");
        assertEquals(0, reply.icmpType);
        assertEquals(0, reply.icmpCode);
        assertEquals(0x4242, reply.icmpId());
        assertEquals(17, reply.icmpSeq());
        assertArrayEquals(data, reply.payload);

        h.send(Packets.guestPing(DNS, 1, 2, new byte[0]));
        Decoded dns = h.receive();
        assertEquals(DNS, dns.src);
        assertEquals(DNS_MAC, dns.ethSrc);
        assertEquals(255, dns.ttl);
        assertEquals(0, dns.payload.length);
        assertEquals(2, h.stats().icmp().echoReplies());
        assertEquals(2, h.sink.flushes());
    }

    @Test
    void pingGatewayStillAnsweredWithoutHostLoopback() {
        StackHarness noLoop = new StackHarness(new NetworkConfig(NetworkConfig.DEFAULT_NETWORK, 24, 1500, false, true));
        try {
            noLoop.send(Packets.guestPing(GATEWAY, 1, 1, new byte[4]));
            assertEquals(0, noLoop.receive().icmpType);
        } finally {
            noLoop.finish();
        }
    }

    @Test
    void otherIcmpIsDropped() {
        h.send(Packets.guestPing(ip(8, 8, 8, 8), 1, 1, new byte[4]));
        h.send(Packets.guestIpv4(GATEWAY, 1, Packets.icmpEcho(0, 1, 1, new byte[4]))); // an echo reply
        byte[] code1 = Packets.icmpEcho(8, 1, 1, new byte[4]);
        code1[1] = 1;
        code1[2] = 0;
        code1[3] = 0;
        int c = Packets.checksum(code1, 0, code1.length, 0);
        code1[2] = (byte) (c >>> 8);
        code1[3] = (byte) c;
        h.send(Packets.guestIpv4(GATEWAY, 1, code1));
        h.assertNoFrame();
        assertEquals(3, h.stats().frames().droppedUnsupported());
    }

    @Test
    void badIcmpChecksumIsMalformed() {
        byte[] echo = Packets.icmpEcho(8, 1, 1, new byte[4]);
        echo[9] ^= 1;
        h.send(Packets.guestIpv4(GATEWAY, 1, echo));
        h.assertNoFrame();
        assertEquals(1, h.stats().frames().droppedMalformed());
    }

    @Test
    void fragmentedPingIsReassembledAndTheReplyFragmented() {
        byte[] data = Packets.bytes(4000, 9);
        byte[] icmp = Packets.icmpEcho(8, 77, 3, data);
        // The guest fragments its 4028-byte datagram at MTU 1500: 1480 + 1480 + 1048.
        int[][] pieces = {{1480, 1480}, {0, 1480}, {2960, icmp.length - 2960}};
        for (int[] p : pieces) {
            boolean more = p[0] + p[1] < icmp.length;
            h.send(Packets.ethernet(GATEWAY_MAC, GUEST_MAC, 0x0800, Packets.ipv4(GUEST_IP, GATEWAY, 1,
                Arrays.copyOfRange(icmp, p[0], p[0] + p[1]), 999, (more ? 0x2000 : 0) | p[0] / 8, 64)));
        }
        List<Decoded> fragments = new ArrayList<>();
        byte[] raw;
        while ((raw = h.sink.poll()) != null) {
            Decoded d = Decoded.of(raw);
            assertTrue(d.totalLength <= 1500, "every fragment fits the MTU");
            assertEquals(255, d.ttl, "every fragment of the reply carries TTL 255");
            fragments.add(d);
        }
        assertEquals(3, fragments.size());
        Decoded reply = Decoded.reassemble(fragments);
        assertEquals(0, reply.icmpType);
        assertEquals(77, reply.icmpId());
        assertEquals(3, reply.icmpSeq());
        assertArrayEquals(data, reply.payload);
        StackStats s = h.stats();
        assertEquals(3, s.ipv4().fragmentsIn());
        assertEquals(1, s.ipv4().datagramsReassembled());
        assertEquals(3, s.ipv4().fragmentsOut());
        assertEquals(1, h.sink.flushes(), "one flush for the burst");
    }

    @Test
    void unknownGuestMacTriggersArpRequestAndParksUntilTheAnswer() {
        // Fill the neighbour table with other guests so the first one is forgotten.
        h.send(Packets.guestPing(GATEWAY, 1, 1, new byte[0]));
        h.receive();
        for (int i = 0; i < 40; i++) {
            long mac = 0x0200_0000_1000L + i;
            int addr = ip(10, 0, 2, 150 + i);
            h.send(Packets.ethernet(BROADCAST_MAC, mac, 0x0806, Packets.arp(2, mac, addr, GATEWAY_MAC, GATEWAY)));
        }
        h.assertNoFrame();
        // A UDP flow's reply now finds no MAC for the guest: the stack asks once per second and parks it.
        h.send(Packets.guestUdp(ip(1, 1, 1, 1), 4000, 5000, new byte[] {1}));
        h.send(Packets.guestArpRequest(ip(10, 0, 2, 77))); // unanswered; keeps nothing
        // The UDP frame re-taught the guest's MAC: evict it again.
        for (int i = 0; i < 40; i++) {
            long mac = 0x0200_0000_2000L + i;
            int addr = ip(10, 0, 2, 200 + i);
            h.send(Packets.ethernet(BROADCAST_MAC, mac, 0x0806, Packets.arp(2, mac, addr, GATEWAY_MAC, GATEWAY)));
        }
        FakeHostDatagrams.Socket socket = h.host.last();
        socket.deliver(Packets.socket(ip(1, 1, 1, 1), 5000), new byte[] {2});
        Decoded request = h.receive();
        assertEquals(0x0806, request.ethType);
        assertArrayEquals(Packets.ethernet(BROADCAST_MAC, GATEWAY_MAC, 0x0806,
            Packets.arp(1, GATEWAY_MAC, GATEWAY, 0, GUEST_IP)), request.raw);
        h.assertNoFrame();

        socket.deliver(Packets.socket(ip(1, 1, 1, 1), 5000), new byte[] {3});
        h.assertNoFrame(); // no second request within a second
        assertEquals(1, h.stats().arp().requestsSent());
        assertEquals(0, h.stats().frames().droppedUnresolved());

        // The guest answers the request: what was parked goes out in order, and from then on replies flow.
        h.send(Packets.ethernet(GATEWAY_MAC, GUEST_MAC, 0x0806, Packets.arp(2, GUEST_MAC, GUEST_IP, GATEWAY_MAC, GATEWAY)));
        socket.deliver(Packets.socket(ip(1, 1, 1, 1), 5000), new byte[] {4});
        for (byte expected = 2; expected <= 4; expected++) {
            Decoded d = h.receive();
            assertEquals(GUEST_MAC, d.ethDst);
            assertArrayEquals(new byte[] {expected}, d.payload);
        }
        assertEquals(0, h.stats().frames().droppedUnresolved());
    }

    @Test
    void framesForAGuestThatNeverAnswersAreDroppedAfterThreeSeconds() {
        h.send(Packets.guestUdp(ip(1, 1, 1, 1), 4000, 5000, new byte[] {1}));
        for (int i = 0; i < 40; i++) {
            long mac = 0x0200_0000_1000L + i;
            int addr = ip(10, 0, 2, 150 + i);
            h.send(Packets.ethernet(BROADCAST_MAC, mac, 0x0806, Packets.arp(2, mac, addr, GATEWAY_MAC, GATEWAY)));
        }
        FakeHostDatagrams.Socket socket = h.host.last();
        socket.deliver(Packets.socket(ip(1, 1, 1, 1), 5000), new byte[] {2});
        assertEquals(0x0806, h.receive().ethType);
        h.tick(2900);
        assertEquals(0, h.stats().frames().droppedUnresolved());
        h.tick(300); // the next housekeeping round
        assertEquals(1, h.stats().frames().droppedUnresolved());
        h.send(Packets.ethernet(GATEWAY_MAC, GUEST_MAC, 0x0806, Packets.arp(2, GUEST_MAC, GUEST_IP, GATEWAY_MAC, GATEWAY)));
        h.assertNoFrame();
    }
}
