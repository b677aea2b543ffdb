package io.slirp4j.stack;

import static io.slirp4j.stack.Packets.DNS;
import static io.slirp4j.stack.Packets.DNS_MAC;
import static io.slirp4j.stack.Packets.GUEST_IP;
import static io.slirp4j.stack.Packets.ip;
import static io.slirp4j.stack.Packets.socket;
import static io.slirp4j.stack.StackHarness.NS1;
import static io.slirp4j.stack.StackHarness.NS2;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slirp4j.stack.udp.UdpNat;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StackDnsTest {
    private final StackHarness h = new StackHarness();

    @AfterEach
    void finish() {
        h.finish();
    }

    private FakeHostDatagrams.Socket query(int port, int id) {
        h.send(Packets.guestUdp(DNS, port, 53, Packets.dnsQuery(id)));
        return h.host.last();
    }

    @Test
    void forwardsToFirstNameserverAndAnswersFromDnsAddress() {
        FakeHostDatagrams.Socket s = query(33333, 0xABCD);
        assertEquals(1, s.sent.size());
        assertEquals(NS1, s.sent.get(0).to());
        assertArrayEquals(Packets.dnsQuery(0xABCD), s.sent.get(0).payload());

        byte[] answer = Packets.dnsAnswer(0xABCD, 40);
        s.deliver(NS1, answer);
        Decoded d = h.receive();
        assertEquals(DNS, d.src);
        assertEquals(53, d.sport);
        assertEquals(GUEST_IP, d.dst);
        assertEquals(33333, d.dport);
        assertEquals(DNS_MAC, d.ethSrc, "from the MAC the guest resolved for N+3");
        assertArrayEquals(answer, d.payload);
        StackStats st = h.stats();
        assertEquals(1, st.dns().queries());
        assertEquals(1, st.dns().answers());
        assertEquals(0, st.dns().pending());
    }

    @Test
    void failsOverToSecondNameserverAfterOneSecondAndPrefersIt() {
        FakeHostDatagrams.Socket s = query(33333, 1);
        h.tick(750);
        assertEquals(1, s.sent.size(), "not yet");
        h.tick(250);
        assertEquals(2, s.sent.size());
        assertEquals(NS2, s.sent.get(1).to());
        assertArrayEquals(s.sent.get(0).payload(), s.sent.get(1).payload(), "the same query bytes");
        assertEquals(1, h.stats().dns().retries());

        s.deliver(NS2, Packets.dnsAnswer(1, 0));
        assertEquals(53, h.receive().sport);

        FakeHostDatagrams.Socket next = query(33334, 2);
        assertEquals(NS2, next.sent.get(0).to(), "the nameserver that answered is now preferred");
    }

    @Test
    void lateAnswerFromFirstNameserverStillCounts() {
        FakeHostDatagrams.Socket s = query(33333, 7);
        h.tick(1000);
        s.deliver(NS1, Packets.dnsAnswer(7, 0));
        assertEquals(DNS, h.receive().src);
        s.deliver(NS2, Packets.dnsAnswer(7, 0));
        h.assertNoFrame(); // the duplicate from the second server is not news
    }

    @Test
    void givesUpAfterTryingAll() {
        FakeHostDatagrams.Socket s = query(33333, 9);
        h.tick(1000);
        h.tick(1000);
        assertEquals(2, s.sent.size());
        assertEquals(0, h.stats().dns().pending());
        assertEquals(1, h.stats().dns().timeouts());
        s.deliver(NS1, Packets.dnsAnswer(9, 0));
        h.assertNoFrame();
    }

    @Test
    void answersMustMatchIdServerAndBeResponses() {
        FakeHostDatagrams.Socket s = query(33333, 0x1111);
        s.deliver(NS1, Packets.dnsAnswer(0x1112, 0));
        s.deliver(socket(ip(203, 0, 113, 1), 53), Packets.dnsAnswer(0x1111, 0));
        s.deliver(NS1, Packets.dnsQuery(0x1111)); // QR clear: not an answer
        s.deliver(NS1, new byte[] {0x11, 0x11, (byte) 0x81});
        h.assertNoFrame();
        assertEquals(1, h.stats().dns().pending());
        s.deliver(NS1, Packets.dnsAnswer(0x1111, 0));
        assertEquals(DNS, h.receive().src);
    }

    @Test
    void noNameserversMeansPortUnreachable() {
        h.nameservers.set(List.of());
        h.send(Packets.guestUdp(DNS, 33333, 53, Packets.dnsQuery(1)));
        Decoded d = h.receive();
        assertEquals(3, d.icmpType);
        assertEquals(3, d.icmpCode);
        assertEquals(DNS, d.src);
        assertEquals(0, h.host.sockets().size());
        assertEquals(1, h.stats().dns().noNameservers());
    }

    @Test
    void ipv6Nameserver() {
        InetSocketAddress v6 = new InetSocketAddress("2001:db8::53", 53);
        h.nameservers.set(List.of(v6));
        h.send(Packets.guestUdp(DNS, 33333, 53, Packets.dnsQuery(3)));
        assertEquals(2, h.host.sockets().size(), "the flow's IPv4 socket and an IPv6 one for the query");
        FakeHostDatagrams.Socket s6 = h.host.last();
        assertEquals(new InetSocketAddress("::", 0), s6.local);
        assertEquals(v6, s6.sent.get(0).to());
        s6.deliver(v6, Packets.dnsAnswer(3, 5));
        Decoded d = h.receive();
        assertEquals(DNS, d.src);
        assertEquals(53, d.sport);
    }

    /** --outbound-addr6: the query socket for an IPv6 nameserver binds it (and the flow's IPv4 socket the IPv4 one). */
    @Test
    void ipv6NameserverFromTheOutboundAddress() throws Exception {
        InetAddress out4 = InetAddress.getByName("198.51.100.3");
        InetAddress out6 = InetAddress.getByName("2001:db8::3");
        StackHarness o = new StackHarness(NetworkConfig.defaults().withOutboundAddresses(out4, out6));
        try {
            InetSocketAddress v6 = new InetSocketAddress("2001:db8::53", 53);
            o.nameservers.set(List.of(v6));
            o.send(Packets.guestUdp(DNS, 33333, 53, Packets.dnsQuery(3)));
            assertEquals(new InetSocketAddress(out4, 0), o.host.sockets().get(0).local);
            FakeHostDatagrams.Socket s6 = o.host.last();
            assertEquals(new InetSocketAddress(out6, 0), s6.local);
            assertEquals(v6, s6.sent.get(0).to());
        } finally {
            o.finish();
        }
    }

    @Test
    void bigAnswerIsFragmentedToMtu() {
        FakeHostDatagrams.Socket s = query(33333, 0x4000);
        byte[] answer = Packets.dnsAnswer(0x4000, 4000 - 12);
        s.deliver(NS1, answer);
        List<Decoded> fragments = new ArrayList<>();
        byte[] raw;
        while ((raw = h.sink.poll()) != null) {
            Decoded f = Decoded.of(raw);
            assertTrue(f.totalLength <= 1500);
            fragments.add(f);
        }
        assertEquals(3, fragments.size());
        Decoded d = Decoded.reassemble(fragments);
        assertArrayEquals(answer, d.payload);
        assertEquals(53, d.sport);
        assertEquals(1, h.sink.flushes());
    }

    @Test
    void tooShortQueryIsDropped() {
        h.send(Packets.guestUdp(DNS, 33333, 53, new byte[11]));
        h.assertNoFrame();
        assertEquals(0, h.host.sockets().size());
        assertEquals(1, h.stats().dns().dropped());
    }

    @Test
    void guestRetryWithSameIdReplacesPendingQuery() {
        FakeHostDatagrams.Socket s = query(33333, 5);
        h.tick(600);
        query(33333, 5);
        assertEquals(1, h.stats().dns().pending());
        assertEquals(2, s.sent.size());
        h.tick(600);
        assertEquals(2, s.sent.size(), "the retry restarted the clock");
        h.tick(400);
        assertEquals(3, s.sent.size());
    }

    @Test
    void dnsFlowsExpireQuickly() {
        FakeHostDatagrams.Socket s = query(33333, 5);
        s.deliver(NS1, Packets.dnsAnswer(5, 0));
        h.receive();
        h.tick(UdpNat.DNS_IDLE_TIMEOUT_MS - 250);
        assertEquals(1, h.stats().udp().flowsOpen());
        h.tick(250);
        assertTrue(s.closed);
        assertEquals(0, h.stats().udp().flowsOpen());
    }

    @Test
    void flowUsedForMoreThanDnsKeepsTheLongTimeout() {
        FakeHostDatagrams.Socket s = query(33333, 5);
        h.send(Packets.guestUdp(ip(1, 2, 3, 4), 33333, 123, new byte[] {1}));
        h.tick(UdpNat.DNS_IDLE_TIMEOUT_MS * 2);
        assertEquals(1, h.stats().udp().flowsOpen());
        assertTrue(!s.closed);
        h.tick(UdpNat.IDLE_TIMEOUT_MS);
        assertTrue(s.closed);
    }

    @Test
    void unsolicitedDatagramsToResolverPortsAreDropped() {
        FakeHostDatagrams.Socket s = query(33333, 5);
        s.deliver(socket(ip(198, 18, 0, 1), 9), new byte[] {1, 2, 3});
        h.assertNoFrame();
    }

    @Test
    void closingAFlowDropsItsPendingQueries() {
        query(33333, 5);
        query(33334, 6);
        assertEquals(2, h.stats().dns().pending());
        h.stack.close();
        assertEquals(0, h.stats().dns().pending());
    }
}
