package io.slirp4j.stack;

import static io.slirp4j.stack.Packets.GATEWAY;
import static io.slirp4j.stack.Packets.GATEWAY_MAC;
import static io.slirp4j.stack.Packets.GUEST_IP;
import static io.slirp4j.stack.Packets.GUEST_MAC;
import static io.slirp4j.stack.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.icmp.IcmpEngine;
import io.slirp4j.stack.tcp.BufferBudget;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The guest's pings of outside addresses through host echo sockets (a recording fake of ping sockets). */
class StackIcmpEchoTest {
    static final int OUTSIDE = ip(198, 51, 100, 1);
    static final int OTHER = ip(203, 0, 113, 9);
    static final int MAX_FLOWS = 3;

    private final TrackingAllocator alloc = new TrackingAllocator();
    private final FakeSink sink = new FakeSink();
    private final FakeHostDatagrams udp = new FakeHostDatagrams(alloc);
    private final FakeHostPings pings = new FakeHostPings(alloc);
    private final FakeClock clock = new FakeClock();
    private final Stack stack = new Stack(NetworkConfig.defaults(), alloc, sink, udp, null, pings,
        new FakeNameservers(List.of()), clock, Stack.MAX_UDP_FLOWS, Stack.MAX_TCP_CONNECTIONS,
        BufferBudget.unlimited(), MAX_FLOWS);

    StackIcmpEchoTest() {
        stack.onInternalError(e -> {
            throw new AssertionError("internal error in the stack", e);
        });
        send(Packets.guestArpRequest(GATEWAY)); // the stack learns the guest's MAC
        sink.poll();
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

    private Decoded receive() {
        return Decoded.of(sink.poll());
    }

    private static byte[] ping(int dst, int id, int seq, byte[] data, int ttl) {
        byte[] ip = Packets.ipv4(GUEST_IP, dst, 1, Packets.icmpEcho(8, id, seq, data), 0x4321, 0x4000, ttl);
        return Packets.ethernet(GATEWAY_MAC, GUEST_MAC, Packets.ETH_IPV4, ip);
    }

    @Test
    void requestGoesOutAndTheReplyComesBackWithTheGuestsIdentifierAndSequence() throws Exception {
        byte[] data = Packets.bytes(56, 7);
        send(ping(OUTSIDE, 0xBEEF, 1, data, 64));
        assertNull(sink.poll(), "nothing for the guest before the host answers");
        FakeHostPings.Socket s = pings.last();
        assertEquals(StandardProtocolFamily.INET, s.family);
        assertNull(s.bindAddress);
        FakeHostPings.Sent sent = s.sent.get(0);
        assertEquals(Packets.inet(OUTSIDE), sent.to());
        assertEquals(63, sent.ttl(), "we are one hop: the TTL goes down by one");
        assertArrayEquals(Packets.icmpEcho(8, 0xBEEF, 1, data), sent.message());

        s.reply(Packets.inet(OUTSIDE), sent.message());
        Decoded reply = receive();
        assertEquals(OUTSIDE, reply.src);
        assertEquals(GUEST_IP, reply.dst);
        assertEquals(GUEST_MAC, reply.ethDst);
        assertEquals(255, reply.ttl);
        assertEquals(0, reply.icmpType);
        assertEquals(0xBEEF, reply.icmpId());
        assertEquals(1, reply.icmpSeq());
        assertArrayEquals(data, reply.payload);
        assertTrue(sink.flushed());

        // the next request of the same ping run uses the same socket; another identifier gets its own
        send(ping(OUTSIDE, 0xBEEF, 2, data, 64));
        send(ping(OTHER, 0xBEEF, 3, data, 64));
        send(ping(OUTSIDE, 0x0001, 1, data, 64));
        assertEquals(2, pings.sockets().size());
        assertEquals(3, s.sent.size());
        assertEquals(Packets.inet(OTHER), s.sent.get(2).to());
        s.reply(Packets.inet(OTHER), s.sent.get(2).message());
        Decoded fromOther = receive();
        assertEquals(OTHER, fromOther.src);
        assertEquals(3, fromOther.icmpSeq());

        var icmp = stack.stats().icmp();
        assertEquals(4, icmp.echoToHost());
        assertEquals(2, icmp.echoRepliesFromHost());
        assertEquals(2, icmp.echoFlowsOpen());
        assertEquals(2, icmp.echoFlowsOpened());
    }

    @Test
    void theReplysOwnDataAndSequenceAreWhatTheGuestSees() {
        send(ping(OUTSIDE, 5, 9, new byte[] {1, 2, 3}, 64));
        // a host that answers with other data (it may): the guest sees that data
        pings.last().deliver(Packets.inet(OUTSIDE), Packets.icmpEcho(0, 0x7000, 9, new byte[] {4, 5, 6, 7}));
        Decoded reply = receive();
        assertArrayEquals(new byte[] {4, 5, 6, 7}, reply.payload);
        assertEquals(5, reply.icmpId());
    }

    @Test
    void aRequestWithTtlOneIsTimeExceededAtTheGateway() {
        byte[] frame = ping(OUTSIDE, 1, 1, new byte[8], 1);
        send(frame);
        Decoded error = receive();
        assertEquals(GATEWAY, error.src);
        assertEquals(11, error.icmpType);
        assertEquals(0, error.icmpCode);
        assertArrayEquals(Arrays.copyOfRange(frame, 14, 14 + 28), error.payload, "quotes header + 8 bytes");
        assertEquals(0, pings.sockets().size());
        assertEquals(1, stack.stats().icmp().ttlExceeded());
    }

    @Test
    void hostErrorsReachTheGuestQuotingItsOwnRequest() {
        byte[] first = ping(OUTSIDE, 0x1234, 1, new byte[32], 64);
        byte[] second = ping(OUTSIDE, 0x1234, 2, new byte[32], 17);
        send(first);
        send(second);
        FakeHostPings.Socket s = pings.last();
        InetAddress router = Packets.inet(ip(192, 0, 2, 1));
        s.error(router, 11, 0, 0, 1);
        Decoded timeExceeded = receive();
        assertEquals(ip(192, 0, 2, 1), timeExceeded.src);
        assertEquals(GUEST_IP, timeExceeded.dst);
        assertEquals(255, timeExceeded.ttl);
        assertEquals(11, timeExceeded.icmpType);
        assertArrayEquals(Arrays.copyOfRange(first, 14, 14 + 28), timeExceeded.payload);

        s.error(Packets.inet(OUTSIDE), 3, 1, 0, 2);
        Decoded unreachable = receive();
        assertEquals(OUTSIDE, unreachable.src);
        assertEquals(3, unreachable.icmpType);
        assertEquals(1, unreachable.icmpCode);
        assertArrayEquals(Arrays.copyOfRange(second, 14, 14 + 28), unreachable.payload);

        // raised by the host itself (no reporter), and "fragmentation needed" carries the MTU
        s.error(null, 3, 4, 1400, 2);
        Decoded fragNeeded = receive();
        assertEquals(GATEWAY, fragNeeded.src);
        assertEquals(1400, ((fragNeeded.l4[6] & 0xFF) << 8) | (fragNeeded.l4[7] & 0xFF));

        // a sequence number the flow never sent, and a kind libslirp does not forward (parameter problem)
        s.error(router, 3, 1, 0, 99);
        s.error(router, 12, 0, 0, 1);
        assertNull(sink.poll());
        assertEquals(3, stack.stats().icmp().errorsFromHost());
        assertEquals(2, stack.stats().icmp().droppedFromHost());
    }

    @Test
    void malformedOrHiddenRepliesAreDropped() {
        send(ping(OUTSIDE, 1, 1, new byte[8], 64));
        FakeHostPings.Socket s = pings.last();
        s.deliver(Packets.inet(OUTSIDE), new byte[] {0, 0, 0, 0}); // shorter than a header
        s.deliver(Packets.inet(OUTSIDE), Packets.icmpEcho(8, 1, 1, new byte[0])); // not a reply
        s.deliver(Packets.inet(ip(10, 0, 2, 50)), Packets.icmpEcho(0, 1, 1, new byte[0])); // looks like the guest's network
        assertNull(sink.poll());
        assertEquals(3, stack.stats().icmp().droppedFromHost());
        // the host's loopback shows up as the gateway, as for UDP
        s.deliver(Packets.inet(ip(127, 0, 0, 1)), Packets.icmpEcho(0, 1, 1, new byte[0]));
        assertEquals(GATEWAY, receive().src);
    }

    @Test
    void ownAddressesAreStillAnsweredByTheStackAndOthersAreFiltered() {
        send(ping(GATEWAY, 1, 1, new byte[8], 64));
        assertEquals(GATEWAY, receive().src);
        send(ping(ip(10, 0, 2, 50), 1, 1, new byte[8], 64)); // another address of the virtual network
        assertNull(sink.poll());
        assertEquals(0, pings.sockets().size());
    }

    @Test
    void aSendTheHostRefusesIsUnreachableFromTheGateway() {
        pings.failNextSend = 101; // ENETUNREACH
        byte[] frame = ping(OUTSIDE, 1, 1, new byte[8], 64);
        send(frame);
        Decoded error = receive();
        assertEquals(GATEWAY, error.src);
        assertEquals(3, error.icmpType);
        assertEquals(0, error.icmpCode);
        pings.failNextSend = 113; // EHOSTUNREACH
        send(frame);
        assertEquals(1, receive().icmpCode);
        assertEquals(2, stack.stats().icmp().hostSendFailures());

        pings.failNextOpens = 1;
        send(ping(OUTSIDE, 2, 1, new byte[8], 64));
        assertNull(sink.poll());
        assertEquals(1, stack.stats().errors().hostSocketFailures());
    }

    @Test
    void idleFlowsExpireAndTheirSocketsClose() {
        send(ping(OUTSIDE, 1, 1, new byte[8], 64));
        FakeHostPings.Socket s = pings.last();
        clock.advance(30_000);
        stack.onTimer();
        send(ping(OUTSIDE, 1, 2, new byte[8], 64)); // still in use: stays
        clock.advance(59_000);
        stack.onTimer();
        assertEquals(1, stack.stats().icmp().echoFlowsOpen());
        clock.advance(1_000);
        stack.onTimer();
        assertTrue(s.closed);
        assertEquals(0, stack.stats().icmp().echoFlowsOpen());
        assertEquals(1, stack.stats().icmp().echoFlowsExpired());
        // a late request opens a new flow
        send(ping(OUTSIDE, 1, 3, new byte[8], 64));
        assertEquals(2, pings.sockets().size());
    }

    @Test
    void beyondTheLimitTheLeastRecentlyUsedFlowCloses() {
        for (int id = 1; id <= MAX_FLOWS; id++) {
            send(ping(OUTSIDE, id, 1, new byte[8], 64));
        }
        send(ping(OUTSIDE, 1, 2, new byte[8], 64)); // flow 1 is now the most recently used
        send(ping(OUTSIDE, 4, 1, new byte[8], 64));
        assertEquals(MAX_FLOWS, stack.stats().icmp().echoFlowsOpen());
        assertTrue(pings.sockets().get(1).closed, "flow 2 was the least recently used");
        assertEquals(1, pings.openCount() - MAX_FLOWS + 1);
        assertEquals(1, stack.stats().icmp().echoFlowsEvicted());
    }

    @Test
    void closingTheStackClosesEveryEchoSocket() {
        send(ping(OUTSIDE, 1, 1, new byte[8], 64));
        send(ping(OUTSIDE, 2, 1, new byte[8], 64));
        stack.close();
        assertEquals(0, pings.openCount());
    }

    @Test
    void aStackWithoutHostPingsDropsThemAsBefore() {
        assertEquals(256, IcmpEngine.DEFAULT_MAX_ECHO_FLOWS);
        StackHarness h = new StackHarness().withGuestKnown();
        try {
            h.send(Packets.guestPing(OUTSIDE, 1, 1, new byte[8]));
            h.assertNoFrame();
            assertEquals(1, h.stats().frames().droppedUnsupported());
        } finally {
            h.finish();
        }
    }
}
