package io.slirp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.TrackingAllocator;
import io.slirp4j.stack.wire.ParseResult;
import io.slirp4j.stack.wire.TcpHeader;
import io.slirp4j.stack.wire.TcpSegment;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * smoltcp-style segment-level driver for one {@link TcpConnection}: the test plays the guest with {@link #send}
 * and checks what the connection emitted with {@link #recv}. Every emitted segment goes through the real wire
 * format (emit with checksum, parse back), so the wire code is exercised on every step. The clock is a plain
 * field moved by {@link #advance} (which also runs due timers, as the NAT's timer queue would).
 */
final class TcpHarness implements TcpOutput {
    static final int GUEST = 0x0A000264;
    static final int REMOTE = 0x5DB8D822;
    static final int GUEST_PORT = 40000;
    static final int LOCAL_PORT = 80;

    /** An emitted segment, copied. */
    static final class Seg {
        final TcpHeader h;
        final byte[] payload;

        Seg(TcpHeader h, byte[] payload) {
            this.h = h;
            this.payload = payload;
        }

        int seq() {
            return h.seq;
        }

        int ack() {
            return h.ack;
        }

        int flags() {
            return h.flags;
        }

        int len() {
            return payload.length;
        }

        @Override
        public String toString() {
            return h + " len=" + payload.length;
        }
    }

    final TrackingAllocator alloc = new TrackingAllocator();
    TcpConfig config;
    TcpConnection conn;
    long now = 1_000_000;
    final Deque<Seg> sent = new ArrayDeque<>();
    final List<String> events = new ArrayList<>();
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    boolean autoConsume = true;
    int sendSpaceEvents;
    int closedEvents;
    TcpCloseCause resetCause;
    /** Called inside onData, to test re-entrancy. */
    Consumer<TcpConnection> onDataHook;

    TcpHarness() {
        this(b -> { });
    }

    TcpHarness(Consumer<TcpConfig.Builder> tweak) {
        // segment-level tests reason about the full window; the growth of the receive buffer has its own tests
        TcpConfig.Builder b = TcpConfig.builder().allocator(alloc).initialReceiveWindow(Integer.MAX_VALUE);
        tweak.accept(b);
        config = b.build();
    }

    // ---- TcpOutput ----

    @Override
    public void sendSegment(TcpConnection c, TcpHeader header, ByteBuf payload) {
        int len = payload.readableBytes();
        ByteBuf wire = alloc.buffer(header.headerLength() + len);
        try {
            wire.writerIndex(header.headerLength());
            wire.writeBytes(payload, payload.readerIndex(), len);
            TcpSegment.emitHeaderIpv4(wire, 0, header, len, REMOTE, GUEST);
            TcpSegment view = new TcpSegment();
            assertEquals(ParseResult.OK, view.wrapIpv4(wire, 0, wire.writerIndex(), REMOTE, GUEST));
            TcpHeader copy = view.toHeader(new TcpHeader());
            byte[] bytes = new byte[len];
            wire.getBytes(view.payloadOffset(), bytes);
            sent.add(new Seg(copy, bytes));
        } finally {
            wire.release();
        }
    }

    @Override
    public void onEstablished(TcpConnection c) {
        events.add("established");
    }

    @Override
    public void onData(TcpConnection c, ByteBuf data) {
        int n = data.readableBytes();
        byte[] b = new byte[n];
        data.readBytes(b);
        data.release();
        received.writeBytes(b);
        events.add("data " + n);
        if (autoConsume) {
            c.consumed(n, now);
        }
        if (onDataHook != null) {
            onDataHook.accept(c);
        }
    }

    @Override
    public void onRemoteFin(TcpConnection c) {
        events.add("fin");
    }

    @Override
    public void onReset(TcpConnection c, TcpCloseCause cause) {
        events.add("reset " + cause);
        resetCause = cause;
    }

    @Override
    public void onSendSpace(TcpConnection c) {
        sendSpaceEvents++;
        events.add("space");
    }

    @Override
    public void onClosed(TcpConnection c) {
        closedEvents++;
        events.add("closed");
    }

    // ---- driving ----

    /** A guest segment builder: flags, seq, ack, raw window, payload; options via {@code opts}. */
    TcpConnection.Disposition send(int flags, int seq, int ack, int window, byte[] payload, Consumer<TcpHeader> opts) {
        TcpHeader h = new TcpHeader();
        h.sourcePort = GUEST_PORT;
        h.destinationPort = LOCAL_PORT;
        h.seq = seq;
        h.ack = ack;
        h.flags = flags;
        h.window = window;
        if (opts != null) {
            opts.accept(h);
        }
        TcpSegment view = segment(h, payload);
        try {
            return conn.onSegment(view, now);
        } finally {
            view.buffer().release();
        }
    }

    TcpConnection.Disposition send(int flags, int seq, int ack, int window, byte[] payload) {
        return send(flags, seq, ack, window, payload, null);
    }

    TcpConnection.Disposition send(int flags, int seq, int ack, int window) {
        return send(flags, seq, ack, window, new byte[0], null);
    }

    /** A parsed view over a fresh buffer holding {@code h} + payload (caller releases view.buffer()). */
    TcpSegment segment(TcpHeader h, byte[] payload) {
        ByteBuf buf = alloc.buffer(h.headerLength() + payload.length + 7);
        buf.writerIndex(h.headerLength());
        buf.writeBytes(payload);
        TcpSegment.emitHeaderIpv4(buf, 0, h, payload.length, GUEST, REMOTE);
        TcpSegment view = new TcpSegment();
        assertEquals(ParseResult.OK, view.wrapIpv4(buf, 0, buf.writerIndex(), GUEST, REMOTE));
        return view;
    }

    Seg recv() {
        Seg s = sent.poll();
        assertNotNull(s, "expected a segment");
        return s;
    }

    /** Receives and checks flags, seq, ack (any window). */
    Seg recv(int flags, int seq, int ack) {
        Seg s = recv();
        assertEquals(TcpSegment.flagsToString(flags), TcpSegment.flagsToString(s.flags()), "flags of " + s);
        assertEquals(Integer.toUnsignedString(seq), Integer.toUnsignedString(s.seq()), "seq of " + s);
        if ((flags & TcpSegment.ACK) != 0) {
            assertEquals(Integer.toUnsignedString(ack), Integer.toUnsignedString(s.ack()), "ack of " + s);
        }
        return s;
    }

    void recvNothing() {
        assertNull(sent.peek(), () -> "unexpected segment " + sent.peek());
    }

    /** Moves the clock and runs the timer if it is due (possibly several times). */
    void advance(long ms) {
        long target = now + ms;
        while (conn.nextDeadline() <= target) {
            now = Math.max(now, conn.nextDeadline());
            conn.onTimer(now);
        }
        now = target;
    }

    /** Runs the timer exactly at its deadline; returns the time that passed. */
    long fireTimer() {
        long d = conn.nextDeadline();
        assertTrue(d != Long.MAX_VALUE, "no timer armed");
        long passed = d - now;
        now = d;
        conn.onTimer(now);
        return passed;
    }

    int write(byte[] data) {
        ByteBuf b = alloc.buffer(data.length);
        b.writeBytes(data);
        try {
            return conn.write(b, now);
        } finally {
            b.release();
        }
    }

    void shutdownOutputAndCheckNothingSent() {
        conn.shutdownOutput(now);
        recvNothing();
    }

    byte[] receivedBytes() {
        return received.toByteArray();
    }

    /** Test teardown: ends a connection a test left open (releasing its buffers), then checks nothing leaked. */
    void abortAndAssertNoLeaks() {
        if (conn != null && conn.state() != TcpState.CLOSED) {
            conn.abort(now);
        }
        assertNoLeaks();
    }

    void assertNoLeaks() {
        List<ByteBuf> live = alloc.unreleased();
        if (!live.isEmpty()) {
            fail(live.size() + " buffers not released (state " + conn.state() + ")");
        }
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    // ---- common set-ups ----

    static final int GUEST_ISN = 10_000;
    static final int OUR_ISN = 50_000;

    /** Guest SYN (with {@code opts}) -> accept -> SYN-ACK checked. Returns the SYN-ACK. */
    Seg acceptSyn(int guestIsn, int ourIsn, int window, Consumer<TcpHeader> opts) {
        TcpHeader h = new TcpHeader();
        h.sourcePort = GUEST_PORT;
        h.destinationPort = LOCAL_PORT;
        h.seq = guestIsn;
        h.flags = TcpSegment.SYN;
        h.window = window;
        if (opts != null) {
            opts.accept(h);
        }
        TcpSegment syn = segment(h, new byte[0]);
        try {
            conn = TcpConnection.accept(config, this, syn, ourIsn, now);
        } finally {
            syn.buffer().release();
        }
        assertEquals(TcpState.SYN_RECEIVED, conn.state());
        return recv(TcpSegment.SYN | TcpSegment.ACK, ourIsn, guestIsn + 1);
    }

    /** A full passive handshake with typical Linux options (MSS 1460, WS 7, SACK-permitted). */
    void establish(int guestIsn, int ourIsn, int rawWindow) {
        acceptSyn(guestIsn, ourIsn, 64240, h -> {
            h.mss = 1460;
            h.windowScale = 7;
            h.sackPermitted = true;
        });
        send(TcpSegment.ACK, guestIsn + 1, ourIsn + 1, rawWindow);
        assertEquals(TcpState.ESTABLISHED, conn.state());
        if (2L * config.mss() > 65535) {
            // 65535 (all a SYN-ACK can say) is less than two segments: the scaled window at once
            assertEquals(32768, recv(TcpSegment.ACK, ourIsn + 1, guestIsn + 1).h.window);
        }
        recvNothing();
        events.clear();
    }

    void establish() {
        establish(GUEST_ISN, OUR_ISN, 1000); // 1000 << 7 = 128000 bytes of window
    }
}
