package io.slirp4j.stack;

import static io.slirp4j.stack.Packets6.GATEWAY;
import static io.slirp4j.stack.Packets6.GUEST;
import static io.slirp4j.stack.Packets6.GUEST_LL;
import static io.slirp4j.stack.Packets6.ROUTER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.Packets6.Decoded6;
import io.slirp4j.stack.tcp.BufferBudget;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The guest's ICMPv6 pings of outside addresses through host echo sockets (a recording fake of ping sockets). */
class StackIcmpv6EchoTest {
    static final byte[] OUTSIDE = Packets6.addr("2001:db8:1::1");
    static final byte[] OTHER = Packets6.addr("2001:db8:2::9");
    static final byte[] HOST_SIDE = Packets6.addr("2001:db8:1::2");
    static final int MAX_FLOWS = 3;
    /** 1280 - 40 - 8: the most of a request an ICMPv6 error quotes. */
    static final int MAX_QUOTE = 1232;

    private final TrackingAllocator alloc = new TrackingAllocator();
    private final FakeSink sink = new FakeSink();
    private final FakeHostDatagrams udp = new FakeHostDatagrams(alloc);
    private final FakeHostPings pings = new FakeHostPings(alloc);
    private final FakeClock clock = new FakeClock();
    private final Stack stack = new Stack(NetworkConfig.defaults().withIpv6(Ipv6Network.defaults()), alloc, sink, udp,
        null, pings, new FakeNameservers(List.of()), clock, Stack.MAX_UDP_FLOWS, Stack.MAX_TCP_CONNECTIONS,
        BufferBudget.unlimited(), MAX_FLOWS);

    StackIcmpv6EchoTest() {
        stack.onInternalError(e -> {
            throw new AssertionError("internal error in the stack", e);
        });
    }

    @AfterEach
    void finish() {
        sink.releaseAll();
        stack.close();
        assertTrue(alloc.unreleased().isEmpty(), alloc.unreleased().size() + " buffers leaked");
        assertEquals(0, pings.openCount(), "echo sockets left open");
        assertEquals(0, stack.stats().errors().internalErrors());
    }

    private void send(byte[] frame) {
        ByteBuf buf = alloc.buffer(frame.length);
        buf.writeBytes(frame);
        stack.onFrame(buf);
        assertEquals(0, buf.refCnt());
    }

    private Decoded6 receive() {
        byte[] raw = sink.poll();
        assertTrue(raw != null, "a frame expected");
        return new Decoded6(raw);
    }

    private static byte[] ping(byte[] dst, int id, int seq, byte[] data, int hopLimit) {
        return Packets6.echoRequest(GUEST, dst, id, seq, data, hopLimit);
    }

    /** The ICMPv6 message of a guest frame (what the host socket is given). */
    private static byte[] message(byte[] frame) {
        return Arrays.copyOfRange(frame, 14 + 40, frame.length);
    }

    /** What an error about {@code frame} quotes: its IPv6 packet, up to {@value #MAX_QUOTE} bytes. */
    private static byte[] quoteOf(byte[] frame) {
        return Arrays.copyOfRange(frame, 14, Math.min(frame.length, 14 + MAX_QUOTE));
    }

    private static byte[] data(Decoded6 d) {
        return Arrays.copyOfRange(d.l4, 8, d.l4.length);
    }

    @Test
    void requestGoesOutThroughAnIpv6SocketAndTheReplyComesBackWithTheGuestsIdentifierAndSequence() {
        byte[] data = Packets.bytes(56, 3);
        byte[] first = ping(OUTSIDE, 0xBEEF, 1, data, 64);
        send(first);
        assertNull(sink.poll(), "nothing for the guest before the host answers");
        FakeHostPings.Socket s = pings.last();
        assertEquals(StandardProtocolFamily.INET6, s.family);
        assertNull(s.bindAddress);
        FakeHostPings.Sent sent = s.sent.get(0);
        assertEquals(Packets6.inet(OUTSIDE), sent.to());
        assertEquals(63, sent.ttl(), "we are one hop: the hop limit goes down by one");
        assertArrayEquals(message(first), sent.message(), "the guest's message as it sent it");

        s.reply(Packets6.inet(OUTSIDE), sent.message());
        Decoded6 reply = receive();
        assertEquals(Packets6.ICMPV6, reply.nextHeader);
        assertArrayEquals(OUTSIDE, reply.src);
        assertArrayEquals(GUEST, reply.dst);
        assertEquals(Packets.GUEST_MAC, reply.ethDst);
        assertEquals(255, reply.hopLimit);
        assertEquals(129, reply.type());
        assertEquals(0xBEEF, reply.u16(4));
        assertEquals(1, reply.u16(6));
        assertArrayEquals(data, data(reply));
        assertTrue(sink.flushed());

        // the same run keeps its socket, whatever the destination; another identifier gets its own
        send(ping(OUTSIDE, 0xBEEF, 2, data, 64));
        send(ping(OTHER, 0xBEEF, 3, data, 64));
        send(ping(OUTSIDE, 0x0001, 1, data, 64));
        assertEquals(2, pings.sockets().size());
        assertEquals(3, s.sent.size());
        assertEquals(Packets6.inet(OTHER), s.sent.get(2).to());
        s.reply(Packets6.inet(OTHER), s.sent.get(2).message());
        Decoded6 fromOther = receive();
        assertArrayEquals(OTHER, fromOther.src);
        assertEquals(3, fromOther.u16(6));

        var icmpv6 = stack.stats().icmpv6();
        assertEquals(4, icmpv6.echoToHost());
        assertEquals(2, icmpv6.echoRepliesFromHost());
        assertEquals(2, icmpv6.echoFlowsOpen());
        assertEquals(2, icmpv6.echoFlowsOpened());
        assertEquals(0, stack.stats().icmp().echoToHost(), "IPv4 counts nothing of it");
        assertEquals(0, stack.stats().icmp().echoFlowsOpen());
    }

    @Test
    void repliesLargerThanTheMtuAreFragmentedAndTheirOwnDataIsWhatTheGuestSees() {
        send(ping(OUTSIDE, 5, 9, new byte[] {1, 2, 3}, 64));
        byte[] data = Packets.bytes(3000, 1);
        pings.last().deliver(Packets6.inet(OUTSIDE), Packets6.echo(129, 0x7000, 9, data));
        assertTrue(sink.pending() >= 3, "fragments");
        int fragments = 0;
        for (byte[] raw = sink.poll(); raw != null; raw = sink.poll()) {
            assertEquals(44, raw[14 + 6], "a fragment header");
            fragments++;
        }
        assertTrue(fragments >= 3);
        assertEquals(1, stack.stats().icmpv6().echoRepliesFromHost());
    }

    @Test
    void aRequestWithHopLimitOneIsTimeExceededFromTheRouter() {
        byte[] frame = ping(OUTSIDE, 1, 1, new byte[16], 1);
        send(frame);
        Decoded6 error = receive();
        assertArrayEquals(ROUTER, error.src);
        assertArrayEquals(GUEST, error.dst);
        assertEquals(255, error.hopLimit);
        assertEquals(3, error.type());
        assertEquals(0, error.l4[1]);
        assertArrayEquals(quoteOf(frame), data(error), "quotes the whole request");
        assertEquals(0, pings.sockets().size());
        assertEquals(1, stack.stats().icmpv6().ttlExceeded());
        assertEquals(1, stack.stats().icmpv6().errorsSent());
    }

    @Test
    void hostErrorsReachTheGuestQuotingItsOwnRequest() {
        byte[] first = ping(OUTSIDE, 0x1234, 1, new byte[32], 64);
        byte[] second = ping(OUTSIDE, 0x1234, 2, Packets.bytes(1400, 9), 17);
        send(first);
        send(second);
        FakeHostPings.Socket s = pings.last();
        InetAddress router = Packets6.inet(HOST_SIDE);
        s.error(router, 3, 0, 0, 1);
        Decoded6 timeExceeded = receive();
        assertArrayEquals(HOST_SIDE, timeExceeded.src);
        assertArrayEquals(GUEST, timeExceeded.dst);
        assertEquals(255, timeExceeded.hopLimit);
        assertEquals(3, timeExceeded.type());
        assertArrayEquals(quoteOf(first), data(timeExceeded));

        s.error(router, 1, 3, 0, 2);
        Decoded6 unreachable = receive();
        assertEquals(1, unreachable.type());
        assertEquals(3, unreachable.l4[1], "address unreachable");
        assertEquals(8 + MAX_QUOTE, unreachable.l4.length, "as much of a large request as fits in 1280 bytes");
        assertArrayEquals(quoteOf(second), data(unreachable));
        assertEquals(1280, 40 + unreachable.l4.length, "the error fills the IPv6 minimum MTU");

        // packet too big carries the MTU: from the reporter, or from the router when the host said it itself
        s.error(router, 2, 0, 1400, 2);
        Decoded6 tooBig = receive();
        assertArrayEquals(HOST_SIDE, tooBig.src);
        assertEquals(2, tooBig.type());
        assertEquals(1400, (tooBig.u16(4) << 16) | tooBig.u16(6));
        s.error(null, 2, 0, 1280, 2);
        Decoded6 local = receive();
        assertArrayEquals(ROUTER, local.src);
        assertEquals(1280, (local.u16(4) << 16) | local.u16(6));
        // a reporter the guest cannot be shown (link-local on the host's side) is the router too
        s.error(Packets6.inet(Packets6.addr("fe80::1")), 1, 0, 0, 1);
        assertArrayEquals(ROUTER, receive().src);

        // a sequence number the flow never sent, and a kind not passed on (parameter problem)
        s.error(router, 1, 3, 0, 99);
        s.error(router, 4, 0, 40, 1);
        assertNull(sink.poll());
        var icmpv6 = stack.stats().icmpv6();
        assertEquals(5, icmpv6.errorsFromHost());
        assertEquals(5, icmpv6.errorsSent());
        assertEquals(2, icmpv6.droppedFromHost());
    }

    @Test
    void malformedForeignOrHiddenRepliesAreDropped() {
        send(ping(OUTSIDE, 1, 1, new byte[8], 64));
        FakeHostPings.Socket s = pings.last();
        s.deliver(Packets6.inet(OUTSIDE), new byte[] {(byte) 129, 0, 0, 0}); // shorter than a header
        s.deliver(Packets6.inet(OUTSIDE), Packets6.echo(128, 1, 1, new byte[0])); // not a reply
        s.deliver(Packets6.inet(OUTSIDE), Packets6.echo(0, 1, 1, new byte[0])); // an ICMPv4 reply
        s.deliver(Packets.inet(Packets.ip(198, 51, 100, 1)), Packets6.echo(129, 1, 1, new byte[0])); // IPv4 peer
        s.deliver(Packets6.inet(Packets6.addr("fd00::99")), Packets6.echo(129, 1, 1, new byte[0])); // in the prefix
        assertNull(sink.poll());
        assertEquals(5, stack.stats().icmpv6().droppedFromHost());
        // the host's loopback shows up as the gateway, as for UDP
        s.deliver(Packets6.inet(Packets6.addr("::1")), Packets6.echo(129, 1, 1, new byte[0]));
        assertArrayEquals(GATEWAY, receive().src);
    }

    @Test
    void onlyTheGuestsOwnPrefixMayPingOutAndOwnAddressesAreStillAnswered() {
        send(Packets6.echoRequest(GUEST_LL, OUTSIDE, 1, 1, new byte[8], 64)); // link-local: not beyond the link
        send(ping(Packets6.addr("fd00::99"), 1, 1, new byte[8], 64)); // another address of the prefix
        send(ping(Packets6.addr("fe80::99"), 1, 1, new byte[8], 64)); // someone link-local
        send(ping(Packets6.addr("ff0e::1"), 1, 1, new byte[8], 64)); // a group
        assertNull(sink.poll());
        assertEquals(0, pings.sockets().size());
        assertEquals(4, stack.stats().frames().droppedFiltered());
        send(ping(GATEWAY, 1, 1, new byte[8], 64));
        assertArrayEquals(GATEWAY, receive().src);
    }

    @Test
    void aSendTheHostRefusesIsUnreachableFromTheRouter() {
        pings.failNextSend = 101; // ENETUNREACH: no IPv6 route on the host
        byte[] frame = ping(OUTSIDE, 1, 1, new byte[8], 64);
        send(frame);
        Decoded6 error = receive();
        assertArrayEquals(ROUTER, error.src);
        assertEquals(1, error.type());
        assertEquals(0, error.l4[1], "no route to destination");
        assertArrayEquals(quoteOf(frame), data(error));
        pings.failNextSend = 113; // EHOSTUNREACH
        send(frame);
        assertEquals(3, receive().l4[1], "address unreachable");
        assertEquals(2, stack.stats().icmpv6().hostSendFailures());

        pings.failNextOpens = 1;
        send(ping(OUTSIDE, 2, 1, new byte[8], 64));
        assertNull(sink.poll());
        assertEquals(1, stack.stats().errors().hostSocketFailures());
    }

    @Test
    void idleFlowsExpireAndBothFamiliesShareTheLimit() {
        send(ping(OUTSIDE, 1, 1, new byte[8], 64));
        FakeHostPings.Socket s = pings.last();
        clock.advance(30_000);
        stack.onTimer();
        send(ping(OUTSIDE, 1, 2, new byte[8], 64)); // still in use: stays
        clock.advance(59_000);
        stack.onTimer();
        assertEquals(1, stack.stats().icmpv6().echoFlowsOpen());
        clock.advance(1_000);
        stack.onTimer();
        assertTrue(s.closed);
        assertEquals(0, stack.stats().icmpv6().echoFlowsOpen());
        assertEquals(1, stack.stats().icmpv6().echoFlowsExpired());

        // an IPv4 flow and IPv6 flows with the same identifier are flows of their own, in one table of MAX_FLOWS
        send(Packets.guestArpRequest(Packets.GATEWAY));
        sink.poll();
        send(Packets.ethernet(Packets.GATEWAY_MAC, Packets.GUEST_MAC, Packets.ETH_IPV4, Packets.ipv4(Packets.GUEST_IP,
            Packets.ip(198, 51, 100, 1), 1, Packets.icmpEcho(8, 1, 1, new byte[8]), 1, 0x4000, 64)));
        assertEquals(StandardProtocolFamily.INET, pings.last().family);
        send(ping(OUTSIDE, 1, 3, new byte[8], 64));
        send(ping(OUTSIDE, 2, 1, new byte[8], 64));
        assertEquals(1, stack.stats().icmp().echoFlowsOpen());
        assertEquals(2, stack.stats().icmpv6().echoFlowsOpen());
        send(ping(OUTSIDE, 3, 1, new byte[8], 64));
        assertTrue(pings.sockets().get(1).closed, "the IPv4 flow was the least recently used");
        assertEquals(0, stack.stats().icmp().echoFlowsOpen());
        assertEquals(1, stack.stats().icmp().echoFlowsEvicted());
        assertEquals(MAX_FLOWS, stack.stats().icmpv6().echoFlowsOpen());
    }

    @Test
    void aStackWithoutHostPingsDropsThemAsBefore() {
        StackHarness h = new StackHarness(NetworkConfig.defaults().withIpv6(Ipv6Network.defaults()));
        try {
            h.send(ping(OUTSIDE, 1, 1, new byte[8], 64));
            h.assertNoFrame();
            assertEquals(1, h.stats().frames().droppedUnsupported());
        } finally {
            h.finish();
        }
    }
}
