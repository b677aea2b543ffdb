package io.slirp4j.stack;

import static io.slirp4j.stack.Packets.DNS;
import static io.slirp4j.stack.Packets.GATEWAY;
import static io.slirp4j.stack.Packets.GATEWAY_MAC;
import static io.slirp4j.stack.Packets.GUEST_IP;
import static io.slirp4j.stack.Packets.GUEST_MAC;
import static io.slirp4j.stack.Packets.ip;
import static io.slirp4j.stack.Packets.socket;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.udp.UdpNat;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StackUdpTest {
    private static final int PEER = ip(93, 184, 216, 34);

    private StackHarness h = new StackHarness();

    @AfterEach
    void finish() {
        h.finish();
    }

    private static NetworkConfig config(boolean hostLoopback, boolean dns, int mtu) {
        return new NetworkConfig(NetworkConfig.DEFAULT_NETWORK, 24, mtu, hostLoopback, dns);
    }

    private void use(NetworkConfig config) {
        h.finish();
        h = new StackHarness(config);
    }

    /** --outbound-addr applies to UDP too (as libslirp 4.7 does): each flow's socket binds it, port 0. */
    @Test
    void flowSocketBindsTheOutboundAddress() throws Exception {
        InetAddress out4 = InetAddress.getByName("198.51.100.3");
        use(config(true, true, 1500).withOutboundAddresses(out4, null));
        h.send(Packets.guestUdp(PEER, 40000, 7777, new byte[] {1}));
        assertEquals(new InetSocketAddress(out4, 0), h.host.last().local);
        h.send(Packets.guestUdp(GATEWAY, 40001, 7777, new byte[] {2}));
        assertEquals(new InetSocketAddress(out4, 0), h.host.last().local, "to the host's loopback as well");
        assertEquals(socket(ip(127, 0, 0, 1), 7777), h.host.last().sent.get(0).to());
    }

    @Test
    void outAndBack() {
        byte[] payload = "ping over udp".getBytes();
        h.send(Packets.guestUdp(PEER, 40000, 7777, payload));
        assertEquals(1, h.host.sockets().size());
        FakeHostDatagrams.Socket s = h.host.last();
        assertEquals(new InetSocketAddress("0.0.0.0", 0), s.local, "bound to the IPv4 wildcard, ephemeral port");
        assertEquals(1, s.sent.size());
        assertEquals(socket(PEER, 7777), s.sent.get(0).to());
        assertArrayEquals(payload, s.sent.get(0).payload());
        h.assertNoFrame();

        byte[] answer = "pong".getBytes();
        s.deliver(socket(PEER, 7777), answer);
        Decoded d = h.receive();
        assertEquals(GUEST_MAC, d.ethDst);
        assertEquals(GATEWAY_MAC, d.ethSrc);
        assertEquals(PEER, d.src);
        assertEquals(GUEST_IP, d.dst);
        assertEquals(17, d.protocol);
        assertEquals(7777, d.sport);
        assertEquals(40000, d.dport);
        assertArrayEquals(answer, d.payload);
        assertEquals(1, h.sink.flushes(), "each host datagram delivery flushes");
        StackStats st = h.stats();
        assertEquals(1, st.udp().toHost());
        assertEquals(1, st.udp().toGuest());
        assertEquals(1, st.udp().flowsOpen());
        assertEquals(1, st.udp().flowsOpened());
    }

    @Test
    void endpointIndependentMappingAndFiltering() {
        h.send(Packets.guestUdp(PEER, 40000, 7777, new byte[] {1}));
        h.send(Packets.guestUdp(ip(8, 8, 4, 4), 40000, 9999, new byte[] {2}));
        assertEquals(1, h.host.sockets().size(), "one socket per guest source, whatever the destination");
        FakeHostDatagrams.Socket s = h.host.last();
        assertEquals(socket(ip(8, 8, 4, 4), 9999), s.sent.get(1).to());

        s.deliver(socket(ip(203, 0, 113, 9), 1234), new byte[] {3});
        Decoded d = h.receive();
        assertEquals(ip(203, 0, 113, 9), d.src);
        assertEquals(1234, d.sport);

        h.send(Packets.guestUdp(PEER, 40001, 7777, new byte[] {4}));
        assertEquals(2, h.host.sockets().size(), "another guest port is another flow");
    }

    @Test
    void gatewayIsHostLoopback() {
        h.send(Packets.guestUdp(GATEWAY, 5000, 8080, new byte[] {9}));
        FakeHostDatagrams.Socket s = h.host.last();
        assertEquals(socket(ip(127, 0, 0, 1), 8080), s.sent.get(0).to());
        s.deliver(socket(ip(127, 0, 0, 1), 8080), new byte[] {10});
        Decoded d = h.receive();
        assertEquals(GATEWAY, d.src, "loopback replies appear from the gateway");
        assertEquals(8080, d.sport);
        assertArrayEquals(new byte[] {10}, d.payload);
    }

    @Test
    void gatewayWithoutHostLoopbackIsNetworkUnreachable() {
        use(config(false, true, 1500));
        byte[] frame = Packets.guestUdp(GATEWAY, 5000, 8080, Packets.bytes(100, 1));
        h.send(frame);
        assertEquals(0, h.host.sockets().size(), "nothing is sent anywhere");
        Decoded d = h.receive();
        assertEquals(1, d.protocol);
        assertEquals(3, d.icmpType);
        assertEquals(0, d.icmpCode, "network unreachable");
        assertEquals(GATEWAY, d.src);
        assertEquals(GUEST_IP, d.dst);
        assertArrayEquals(Arrays.copyOfRange(frame, 14, 14 + 28), d.payload, "original header + 8 bytes");
        assertEquals(1, h.stats().icmp().errorsSent());
    }

    @Test
    void otherPortsOfDnsAddressAreUnreachable() {
        byte[] frame = Packets.guestUdp(DNS, 5000, 54, new byte[] {1, 2, 3});
        h.send(frame);
        Decoded d = h.receive();
        assertEquals(3, d.icmpType);
        assertEquals(3, d.icmpCode, "port unreachable");
        assertEquals(DNS, d.src, "said by the address that was asked");
        assertEquals(255, d.ttl, "ICMP errors carry TTL 255, as libslirp's do");
        assertArrayEquals(Arrays.copyOfRange(frame, 14, 14 + 28), d.payload);
        assertEquals(0, h.host.sockets().size());
    }

    /** With DNS disabled, N+3 is an ordinary outside address, port 53 included (as in slirp4netns). */
    @Test
    void dnsAddressWithDnsDisabledIsPassedThroughToTheHostsOwn() {
        use(config(true, false, 1500));
        byte[] query = Packets.dnsQuery(1);
        h.send(Packets.guestUdp(DNS, 5000, 53, query));
        h.send(Packets.guestUdp(DNS, 5000, 7, new byte[] {1, 2, 3}));
        h.assertNoFrame();
        assertEquals(1, h.host.sockets().size());
        FakeHostDatagrams.Socket s = h.host.last();
        assertEquals(2, s.sent.size());
        assertEquals(socket(DNS, 53), s.sent.get(0).to());
        assertArrayEquals(query, s.sent.get(0).payload());
        assertEquals(socket(DNS, 7), s.sent.get(1).to());

        s.deliver(socket(DNS, 7), new byte[] {4, 5});
        Decoded d = h.receive();
        assertEquals(DNS, d.src, "the host's N+3 shows up as N+3");
        assertEquals(7, d.sport);
        assertEquals(5000, d.dport);
        assertArrayEquals(new byte[] {4, 5}, d.payload);
        assertEquals(0, h.stats().dns().queries());
    }

    @Test
    void forbiddenDestinationsAreDropped() {
        int[] destinations = {ip(10, 0, 2, 50), ip(10, 0, 2, 255), ip(10, 0, 2, 0), ip(224, 0, 0, 251),
            ip(239, 255, 255, 250), ip(0, 0, 0, 0), ip(127, 0, 0, 1), ip(255, 255, 255, 255), ip(240, 1, 2, 3),
            GUEST_IP};
        for (int dst : destinations) {
            h.send(Packets.guestUdp(dst, 5000, 6000, new byte[] {1}));
        }
        h.assertNoFrame();
        assertEquals(0, h.host.sockets().size());
        assertEquals(destinations.length, h.stats().frames().droppedFiltered());
    }

    @Test
    void spoofedOrSpecialSourcesAreDropped() {
        int[] sources = {ip(192, 168, 1, 5), GATEWAY, DNS, ip(10, 0, 2, 255), ip(10, 0, 2, 0), ip(127, 0, 0, 1),
            0};
        for (int src : sources) {
            h.send(Packets.ethernet(GATEWAY_MAC, GUEST_MAC, 0x0800,
                Packets.ipv4(src, PEER, 17, Packets.udp(src, PEER, 1, 2, new byte[] {1}))));
        }
        long multicastMac = 0x0100_5E00_0001L;
        h.send(Packets.ethernet(GATEWAY_MAC, multicastMac, 0x0800,
            Packets.ipv4(GUEST_IP, PEER, 17, Packets.udp(GUEST_IP, PEER, 1, 2, new byte[] {1}))));
        assertEquals(0, h.host.sockets().size());
        assertEquals(sources.length + 1, h.stats().frames().droppedFiltered());
    }

    @Test
    void portZeroIsDropped() {
        h.send(Packets.guestUdp(PEER, 5000, 0, new byte[] {1}));
        assertEquals(0, h.host.sockets().size());
        assertEquals(1, h.stats().frames().droppedFiltered());
    }

    @Test
    void checksumHandling() {
        byte[] bad = Packets.guestUdp(PEER, 5000, 6000, new byte[] {1, 2});
        bad[bad.length - 1] ^= 1;
        h.send(bad);
        assertEquals(1, h.stats().frames().droppedMalformed());
        assertEquals(0, h.host.sockets().size());

        byte[] none = Packets.guestUdp(PEER, 5000, 6000, new byte[] {1, 2});
        none[14 + 20 + 6] = 0;
        none[14 + 20 + 7] = 0;
        h.send(none);
        assertArrayEquals(new byte[] {1, 2}, h.host.last().sent.get(0).payload(), "checksum 0 means none");
    }

    @Test
    void ethernetPaddingIsNotPayload() {
        byte[] frame = Arrays.copyOf(Packets.guestUdp(PEER, 5000, 6000, new byte[] {7}), 60);
        Arrays.fill(frame, 43, 60, (byte) 0x55);
        h.send(frame);
        assertArrayEquals(new byte[] {7}, h.host.last().sent.get(0).payload());
    }

    @Test
    void repliesFromUnusableSourcesAreDropped() {
        h.send(Packets.guestUdp(PEER, 5000, 6000, new byte[] {1}));
        FakeHostDatagrams.Socket s = h.host.last();
        s.deliver(socket(ip(10, 0, 2, 7), 53), new byte[] {1}); // the host's LAN overlaps the virtual network
        s.deliver(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), new byte[] {1}); // 127.0.0.1: ok
        h.receive();
        s.deliver(socket(ip(224, 0, 0, 1), 5), new byte[] {1});
        s.deliver(new InetSocketAddress("::1", 53), new byte[] {1});
        h.assertNoFrame();
        assertEquals(3, h.stats().frames().droppedFiltered());
    }

    @Test
    void idleFlowsExpireAndCloseTheirSocket() {
        h.send(Packets.guestUdp(PEER, 5000, 6000, new byte[] {1}));
        FakeHostDatagrams.Socket s = h.host.last();
        h.tick(200_000);
        s.deliver(socket(PEER, 6000), new byte[] {2}); // a reply keeps it alive too
        h.receive();
        h.tick(239_000);
        assertEquals(1, h.stats().udp().flowsOpen());
        h.tick(1_000);
        assertTrue(s.closed);
        assertEquals(0, h.stats().udp().flowsOpen());
        assertEquals(1, h.stats().udp().flowsExpired());

        h.send(Packets.guestUdp(PEER, 5000, 6000, new byte[] {3}));
        assertEquals(2, h.host.sockets().size(), "the same guest port gets a fresh flow");
    }

    @Test
    void fullTableEvictsTheLeastRecentlyActiveFlow() {
        for (int port = 1; port <= Stack.MAX_UDP_FLOWS; port++) {
            h.send(Packets.guestUdp(PEER, port, 6000, new byte[] {1}));
            h.tick(1);
        }
        List<FakeHostDatagrams.Socket> sockets = new ArrayList<>(h.host.sockets());
        assertEquals(Stack.MAX_UDP_FLOWS, h.stats().udp().flowsOpen());
        sockets.get(0).deliver(socket(PEER, 6000), new byte[] {2}); // an answer makes port 1 recent again
        h.receive();

        h.send(Packets.guestUdp(PEER, 60000, 6000, new byte[] {1}));
        assertTrue(sockets.get(1).closed, "port 2 was the least recently active");
        assertTrue(!sockets.get(0).closed);
        assertEquals(Stack.MAX_UDP_FLOWS, h.stats().udp().flowsOpen());
        assertEquals(1, h.stats().udp().flowsEvicted());
        assertEquals(0, h.stats().udp().flowLimitDrops());
        assertEquals(1, h.host.last().sent.size(), "the new flow's datagram went out");

        h.send(Packets.guestUdp(PEER, 3, 6000, new byte[] {1})); // port 3 is active: port 4 goes next
        h.send(Packets.guestUdp(PEER, 60001, 6000, new byte[] {1}));
        assertTrue(!sockets.get(2).closed);
        assertTrue(sockets.get(3).closed);
        assertEquals(2, h.stats().udp().flowsEvicted());
    }

    @Test
    void dnsLookupsGetAFlowInAFullTableAndItsAnswer() {
        for (int port = 1; port <= Stack.MAX_UDP_FLOWS; port++) {
            h.send(Packets.guestUdp(PEER, port, 6000, new byte[] {1}));
        }
        h.tick(5);
        h.send(Packets.guestUdp(DNS, 50000, 53, Packets.dnsQuery(7)));
        FakeHostDatagrams.Socket resolver = h.host.last();
        assertEquals(1, resolver.sent.size(), "the query went out");
        // the flood goes on: a young DNS flow is not the first to go, its answer may be on its way
        for (int port = 60000; port < 60010; port++) {
            h.send(Packets.guestUdp(PEER, port, 6000, new byte[] {1}));
        }
        assertTrue(!resolver.closed);
        resolver.deliver(StackHarness.NS1, Packets.dnsAnswer(7, 0));
        assertEquals(53, h.receive().sport, "the answer reached the guest");

        h.tick(UdpNat.DNS_ANSWER_GRACE_MS);
        h.send(Packets.guestUdp(PEER, 60010, 6000, new byte[] {1}));
        assertTrue(resolver.closed, "an answered DNS flow is the first to make room");
        assertEquals(12, h.stats().udp().flowsEvicted(), "the query's, the flood's ten, and the last");
    }

    @Test
    void expiryClosesOnlyTheIdleFlowsOfEachKind() {
        h.send(Packets.guestUdp(DNS, 50000, 53, Packets.dnsQuery(7)));
        FakeHostDatagrams.Socket resolver = h.host.last();
        resolver.deliver(StackHarness.NS1, Packets.dnsAnswer(7, 0));
        h.receive();
        h.send(Packets.guestUdp(PEER, 5000, 6000, new byte[] {1}));
        FakeHostDatagrams.Socket other = h.host.last();
        h.tick(UdpNat.DNS_IDLE_TIMEOUT_MS);
        assertTrue(resolver.closed);
        assertTrue(!other.closed);
        assertEquals(1, h.stats().udp().flowsExpired());
    }

    @Test
    void socketOpenFailureDropsTheDatagram() {
        h.host.failNextOpens(1);
        h.send(Packets.guestUdp(PEER, 5000, 6000, new byte[] {1}));
        assertEquals(0, h.stats().udp().flowsOpen());
        assertEquals(1, h.stats().errors().hostSocketFailures());
        h.send(Packets.guestUdp(PEER, 5000, 6000, new byte[] {2}));
        assertEquals(1, h.stats().udp().flowsOpen());
        assertArrayEquals(new byte[] {2}, h.host.last().sent.get(0).payload());
    }

    @Test
    void largestDatagramBothWays() {
        byte[] payload = Packets.bytes(65507, 3);
        byte[] udp = Packets.udp(GUEST_IP, PEER, 5000, 6000, payload);
        for (int off = 0; off < udp.length; off += 1480) {
            int len = Math.min(1480, udp.length - off);
            boolean more = off + len < udp.length;
            h.send(Packets.ethernet(GATEWAY_MAC, GUEST_MAC, 0x0800, Packets.ipv4(GUEST_IP, PEER, 17,
                Arrays.copyOfRange(udp, off, off + len), 4242, (more ? 0x2000 : 0) | off / 8, 64)));
        }
        FakeHostDatagrams.Socket s = h.host.last();
        assertArrayEquals(payload, s.sent.get(0).payload());

        s.deliver(socket(PEER, 6000), payload);
        List<Decoded> fragments = new ArrayList<>();
        byte[] raw;
        while ((raw = h.sink.poll()) != null) {
            fragments.add(Decoded.of(raw));
        }
        assertEquals(45, fragments.size(), "65535 bytes at MTU 1500");
        Decoded d = Decoded.reassemble(fragments);
        assertArrayEquals(payload, d.payload);
        assertEquals(5000, d.dport);
    }

    @Test
    void fragmentsAtSmallMtu() {
        use(config(true, true, 576));
        h.send(Packets.guestUdp(PEER, 5000, 6000, new byte[] {1}));
        byte[] payload = Packets.bytes(2000, 8);
        h.host.last().deliver(socket(PEER, 6000), payload);
        List<Decoded> fragments = new ArrayList<>();
        byte[] raw;
        while ((raw = h.sink.poll()) != null) {
            Decoded d = Decoded.of(raw);
            assertTrue(d.totalLength <= 576);
            fragments.add(d);
        }
        assertEquals(4, fragments.size(), "2028 bytes in pieces of 552");
        assertArrayEquals(payload, Decoded.reassemble(fragments).payload);
    }

    @Test
    void guestSliceWithReaderIndexIsHandled() {
        byte[] frame = Packets.guestUdp(PEER, 5000, 6000, new byte[] {5, 6});
        ByteBuf big = h.alloc.buffer(frame.length + 100);
        big.writeZero(37).writeBytes(frame).writeZero(10);
        ByteBuf slice = big.retainedSlice(37, frame.length);
        big.release();
        h.stack.onFrame(slice);
        assertEquals(0, big.refCnt());
        assertArrayEquals(new byte[] {5, 6}, h.host.last().sent.get(0).payload());
    }

    @Test
    void closeClosesEverySocket() {
        h.send(Packets.guestUdp(PEER, 5000, 6000, new byte[] {1}));
        h.send(Packets.guestUdp(PEER, 5001, 6000, new byte[] {1}));
        h.stack.close();
        assertTrue(h.host.sockets().stream().allMatch(s -> s.closed));
        h.send(Packets.guestUdp(PEER, 5002, 6000, new byte[] {1}));
        assertEquals(2, h.host.sockets().size(), "a closed stack opens nothing");
    }
}
