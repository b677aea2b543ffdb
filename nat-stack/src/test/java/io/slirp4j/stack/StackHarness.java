package io.slirp4j.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.List;

/** A Stack wired to fakes: a frame list, recording host sockets, settable nameservers, a manual clock. */
public final class StackHarness {
    public static final InetSocketAddress NS1 = Packets.socket(Packets.ip(192, 0, 2, 53), 53);
    public static final InetSocketAddress NS2 = Packets.socket(Packets.ip(198, 51, 100, 53), 53);

    public final NetworkConfig config;
    public final TrackingAllocator alloc = new TrackingAllocator();
    public final FakeSink sink;
    public final FakeHostDatagrams host = new FakeHostDatagrams(alloc);
    public final FakeClock clock = new FakeClock();
    public final FakeNameservers nameservers = new FakeNameservers(List.of(NS1, NS2));
    public final Stack stack;

    public StackHarness() {
        this(NetworkConfig.defaults());
    }

    public StackHarness(NetworkConfig config) {
        this(config, Stack.MAX_UDP_FLOWS);
    }

    public StackHarness(NetworkConfig config, int maxFlows) {
        this(config, maxFlows, LinkOffloads.NONE);
    }

    /** A stack whose link offers {@code offloads} (the sink finishes frames in software, recording each request). */
    public StackHarness(NetworkConfig config, LinkOffloads offloads) {
        this(config, Stack.MAX_UDP_FLOWS, offloads);
    }

    private StackHarness(NetworkConfig config, int maxFlows, LinkOffloads offloads) {
        this.config = config;
        this.sink = new FakeSink(offloads);
        this.stack = new Stack(config, alloc, sink, host, nameservers, clock, maxFlows);
        stack.onInternalError(e -> {
            throw new AssertionError("internal error in the stack", e);
        });
    }

    /** Hands a frame to the stack and checks that the stack released it. */
    public void send(byte[] frame) {
        ByteBuf buf = alloc.buffer(frame.length);
        buf.writeBytes(frame);
        stack.onFrame(buf);
        assertEquals(0, buf.refCnt(), "the stack must release every frame it is given");
        assertTrue(sink.flushed(), "frames sent but not flushed");
    }

    /** Lets the stack learn the guest's MAC (as any real guest does by ARPing for its gateway). */
    public StackHarness withGuestKnown() {
        send(Packets.guestArpRequest(Packets.GATEWAY));
        receive();
        return this;
    }

    public Decoded receive() {
        return Decoded.of(sink.poll());
    }

    public void assertNoFrame() {
        assertNull(sink.poll(), "no frame expected");
    }

    public void tick(long millis) {
        clock.advance(millis);
        stack.onTimer();
        assertTrue(sink.flushed(), "frames sent but not flushed");
    }

    public StackStats stats() {
        return stack.stats();
    }

    /** Releases what the sink holds, closes the stack and proves that no buffer and no socket is left open. */
    public void finish() {
        sink.releaseAll();
        stack.close();
        List<ByteBuf> live = alloc.unreleased();
        assertTrue(live.isEmpty(), live.size() + " buffers leaked");
        assertEquals(0, host.openCount(), "host sockets left open");
        assertEquals(0, stack.stats().errors().internalErrors(), "internal errors");
    }
}
