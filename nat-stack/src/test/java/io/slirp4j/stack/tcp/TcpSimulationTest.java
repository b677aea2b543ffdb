package io.slirp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.TrackingAllocator;
import io.slirp4j.stack.wire.ParseResult;
import io.slirp4j.stack.wire.TcpHeader;
import io.slirp4j.stack.wire.TcpSegment;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two engines talking over a simulated link that loses, duplicates, reorders, delays and corrupts segments.
 * One connects (the NAT's inbound-forward role), the other accepts the first SYN (the NAT's outbound role). Each
 * side streams pseudo-random bytes through {@code write} in random chunk sizes, obeying back-pressure (it only
 * retries after {@code onSendSpace}), consumes what it receives sometimes at once and sometimes much later (so
 * windows close and zero-window probing runs), then half-closes. Checked: every byte arrives exactly once and in
 * order, both FINs are seen, both connections reach CLOSED without a reset, and every buffer is released.
 * Everything (link, buffer sizes, MSS, options, chunking, consumer speed) is drawn from the seed, so a failure
 * names a seed that reproduces it exactly.
 */
class TcpSimulationTest {
    private static final int ADDR_A = 0x0A000001;
    private static final int ADDR_B = 0x0A000002;

    @Test
    void manySeedsOneMebibyteEachWay() {
        long started = System.nanoTime();
        long segments = 0;
        long retransmitted = 0;
        int first = Integer.getInteger("tcp.sim.first", 1);
        int seeds = Integer.getInteger("tcp.sim.seeds", 200);
        for (int seed = first; seed < first + seeds; seed++) {
            Sim sim = new Sim(seed, 1 << 20);
            segments += sim.run();
            retransmitted += sim.retransmittedSegments;
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        System.out.println("TCP simulation: " + seeds + " seeds x 2 MiB, " + segments + " segments ("
            + retransmitted + " retransmissions) in " + ms + " ms");
    }

    @ParameterizedTest
    @ValueSource(ints = {1001, 1002, 1003, 1004})
    void fourMebibytesEachWay(int seed) {
        new Sim(seed, 4 << 20).run();
    }

    @Test
    void cleanLinkHasNoRetransmissions() {
        Sim sim = new Sim(7, 1 << 20);
        sim.loss = 0;
        sim.duplicate = 0;
        sim.corrupt = 0;
        sim.jitter = 0;
        sim.slowConsumer = false;
        sim.run();
        assertEquals(0, sim.retransmittedSegments, "nothing lost, nothing resent");
    }

    /** One run. */
    static final class Sim {
        final int seed;
        final SplittableRandom rnd;
        final TrackingAllocator alloc = new TrackingAllocator();
        final PriorityQueue<Event> queue = new PriorityQueue<>();
        long now = 0;
        long order;
        double loss;
        double duplicate;
        double corrupt;
        long baseDelay;
        long jitter;
        boolean slowConsumer;
        final int bytesEachWay;
        final TcpConfig configA;
        final TcpConfig configB;
        final Side a;
        final Side b;
        final TcpSegment view = new TcpSegment();
        long segmentsSent;
        long retransmittedSegments;

        Sim(int seed, int bytesEachWay) {
            this.seed = seed;
            this.rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L);
            this.bytesEachWay = bytesEachWay;
            double[] losses = {0, 0.005, 0.02, 0.05, 0.1};
            loss = losses[rnd.nextInt(losses.length)];
            duplicate = rnd.nextInt(3) == 0 ? 0.02 : 0;
            corrupt = rnd.nextInt(4) == 0 ? 0.005 : 0;
            baseDelay = 1 + rnd.nextInt(20);
            jitter = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(10);
            slowConsumer = rnd.nextInt(3) == 0;
            configA = randomConfig();
            configB = randomConfig();
            a = new Side("A", ADDR_A, ADDR_B, seed);
            b = new Side("B", ADDR_B, ADDR_A, seed + 77);
            a.peer = b;
            b.peer = a;
        }

        private TcpConfig randomConfig() {
            int[] mtus = {576, 1500, 9000, 65535};
            int[] buffers = {8 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20};
            return TcpConfig.builder()
                .allocator(alloc)
                .mtu(mtus[rnd.nextInt(mtus.length)])
                .receiveBuffer(Math.max(70_000, buffers[rnd.nextInt(buffers.length)]))
                .sendBuffer(buffers[rnd.nextInt(buffers.length)])
                .windowScaling(rnd.nextInt(4) != 0)
                .sack(rnd.nextBoolean())
                .nagle(rnd.nextInt(4) == 0)
                .maxRetransmits(30)
                .maxSynRetransmits(30)
                .handshakeTimeoutMs(600_000)
                // RFC-sized TIME_WAIT: with 10% loss the peer's backed-off RTO can exceed the 2 s default, and then
                // its FIN retransmission meets an RST after our TIME_WAIT ended (a reset, though nothing was lost)
                .timeWaitMs(60_000)
                .budget(randomBudget())
                // a third send super-segments (a link with TSO; the peer takes them whole, as a guest does)
                .segmentationOffload(rnd.nextInt(3) == 0 ? 65_435 : 0)
                .build();
        }

        /** A third of the sides run out of budget at once (limit below one buffer, or zero): floors only. */
        private BufferBudget randomBudget() {
            if (rnd.nextInt(3) != 0) {
                return BufferBudget.unlimited();
            }
            int[] floors = {2 << 10, 16 << 10, 64 << 10};
            return new BufferBudget(rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(256 << 10), floors[rnd.nextInt(floors.length)]);
        }

        /** Runs to completion; returns the number of segments sent. */
        long run() {
            int isnA = rnd.nextInt(5) == 0 ? -1 - rnd.nextInt(3000) : rnd.nextInt();
            int isnB = rnd.nextInt(5) == 0 ? -1 - rnd.nextInt(3000) : rnd.nextInt();
            b.isn = isnB;
            a.conn = TcpConnection.connect(configA, a, 5000, 6000, isnA, now);
            a.pump();
            long steps = 0;
            while (true) {
                long t = queue.isEmpty() ? Long.MAX_VALUE : queue.peek().at;
                t = Math.min(t, a.conn.nextDeadline());
                if (b.conn != null) {
                    t = Math.min(t, b.conn.nextDeadline());
                }
                if (t == Long.MAX_VALUE) {
                    break;
                }
                if (t > 3_600_000 || ++steps > 20_000_000) {
                    fail(describe("stalled at t=" + t));
                }
                now = Math.max(now, t);
                if (!queue.isEmpty() && queue.peek().at <= now) {
                    queue.poll().run();
                } else if (a.conn.nextDeadline() <= now) {
                    a.conn.onTimer(now);
                    a.pump();
                } else {
                    b.conn.onTimer(now);
                    b.pump();
                }
                if ((steps & 4095) == 0) {
                    alloc.forgetReleased();
                }
            }
            java.util.function.Supplier<String> where = () -> describe("end");
            assertNull(a.reset, where);
            assertNull(b.reset, where);
            assertEquals(bytesEachWay, a.received, where);
            assertEquals(bytesEachWay, b.received, where);
            assertTrue(a.finSeen && b.finSeen, where);
            assertEquals(1, a.closed, where);
            assertEquals(1, b.closed, where);
            assertEquals(TcpState.CLOSED, a.conn.state(), where);
            assertEquals(TcpState.CLOSED, b.conn.state(), where);
            assertEquals(0, alloc.unreleased().size(), () -> describe("end") + ": buffers not released");
            assertEquals(0, configA.budget().used(), () -> describe("end") + ": A's budget not credited back");
            assertEquals(0, configB.budget().used(), () -> describe("end") + ": B's budget not credited back");
            return segmentsSent;
        }

        /** The last segments on the link, printed with a failure. */
        final java.util.ArrayDeque<String> trace = new java.util.ArrayDeque<>();

        /** -Dtcp.sim.trace=N keeps the last N segments for failure messages (off by default: it is slow). */
        final int traceLines = Integer.getInteger("tcp.sim.trace", 0);

        void trace(String line) {
            if (trace.size() == traceLines) {
                trace.poll();
            }
            trace.add(line);
        }

        String describe(String what) {
            return String.join("\n", trace) + "\nseed " + seed + " " + what + ": loss=" + loss + " dup=" + duplicate + " delay=" + baseDelay + "+"
                + jitter + " slow=" + slowConsumer + " A=" + a.conn + " sent=" + a.written + " got=" + a.received
                + " B=" + b.conn + " sent=" + b.written + " got=" + b.received
                + " budgets A=" + configA.budget() + " B=" + configB.budget();
        }

        abstract class Event implements Comparable<Event> {
            final long at;
            final long seq = order++;

            Event(long at) {
                this.at = at;
            }

            abstract void run();

            @Override
            public int compareTo(Event o) {
                return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq);
            }
        }

        final class Delivery extends Event {
            final Side to;
            final ByteBuf wire;

            Delivery(long at, Side to, ByteBuf wire) {
                super(at);
                this.to = to;
                this.wire = wire;
            }

            @Override
            void run() {
                try {
                    to.deliver(wire);
                } finally {
                    wire.release();
                }
            }
        }

        final class Consume extends Event {
            final Side side;
            final int n;

            Consume(long at, Side side, int n) {
                super(at);
                this.side = side;
                this.n = n;
            }

            @Override
            void run() {
                if (side.conn.state() != TcpState.CLOSED) {
                    side.conn.consumed(n, now);
                }
                side.pump();
            }
        }

        /** One endpoint: the engine plus a host application that writes a stream and verifies the other. */
        final class Side implements TcpOutput {
            final String name;
            final int self;
            final int other;
            final int streamSeed;
            Side peer;
            TcpConnection conn;
            int isn;
            long written;
            long received;
            ByteBuf pending;
            boolean blocked;
            boolean shutdown;
            boolean finSeen;
            int closed;
            TcpCloseCause reset;
            int highestSeq;
            boolean sentAny;

            Side(String name, int self, int other, int streamSeed) {
                this.name = name;
                this.self = self;
                this.other = other;
                this.streamSeed = streamSeed;
            }

            byte streamByte(long i, int s) {
                long x = (i + s) * 0x9E3779B97F4A7C15L;
                return (byte) (x >>> 56 ^ x >>> 23);
            }

            void deliver(ByteBuf wire) {
                ParseResult r = view.wrapIpv4(wire, 0, wire.writerIndex(), other, self);
                if (r != ParseResult.OK) {
                    return; // a corrupted segment (one flipped bit never passes the checksum)
                }
                if (conn != null && conn.state() == TcpState.CLOSED) {
                    // what the NAT does for a four-tuple it no longer knows
                    TcpHeader rst = new TcpHeader();
                    if (TcpConnection.resetFor(view, rst)) {
                        sendSegment(null, rst, io.netty.buffer.Unpooled.EMPTY_BUFFER);
                    }
                    return;
                }
                if (conn == null) {
                    if (view.flags() != TcpSegment.SYN) {
                        return;
                    }
                    TcpConfig config = this == a ? configA : configB;
                    conn = TcpConnection.accept(config, this, view, isn, now);
                } else {
                    conn.onSegment(view, now);
                }
                pump();
            }

            /** The host application: write while there is space, half-close at the end. */
            void pump() {
                if (conn == null || blocked || shutdown || conn.state() == TcpState.CLOSED) {
                    return;
                }
                while (written < bytesEachWay) {
                    if (pending == null) {
                        int n = (int) Math.min(bytesEachWay - written, 1 + rnd.nextInt(rnd.nextBoolean() ? 700 : 70_000));
                        pending = alloc.buffer(n);
                        for (int i = 0; i < n; i++) {
                            pending.writeByte(streamByte(written + i, streamSeed));
                        }
                    }
                    int want = pending.readableBytes();
                    int took = conn.write(pending, now);
                    written += took;
                    if (pending.readableBytes() == 0) {
                        pending.release();
                        pending = null;
                    }
                    if (took < want) {
                        blocked = true;
                        return;
                    }
                }
                shutdown = true;
                conn.shutdownOutput(now);
            }

            @Override
            public void sendSegment(TcpConnection c, TcpHeader h, ByteBuf payload) {
                segmentsSent++;
                int len = payload.readableBytes();
                if (len > 0 || h.has(TcpSegment.FIN)) {
                    if (sentAny && h.seq - highestSeq < 0) {
                        retransmittedSegments++;
                    }
                    if (!sentAny || h.seq + len - highestSeq > 0) {
                        highestSeq = h.seq + len;
                    }
                    sentAny = true;
                }
                boolean lost = rnd.nextDouble() < loss;
                if (traceLines > 0) {
                    trace(now + " " + name + " " + h + " len=" + len + (lost ? " LOST" : "") + " st=" + (c == null ? "-" : c.state()));
                }
                if (lost) {
                    return;
                }
                int copies = rnd.nextDouble() < duplicate ? 2 : 1;
                for (int k = 0; k < copies; k++) {
                    ByteBuf wire = alloc.buffer(h.headerLength() + len);
                    wire.writerIndex(h.headerLength());
                    wire.writeBytes(payload, payload.readerIndex(), len);
                    TcpSegment.emitHeaderIpv4(wire, 0, h, len, self, other);
                    if (rnd.nextDouble() < corrupt) {
                        int at = rnd.nextInt(wire.writerIndex());
                        wire.setByte(at, wire.getByte(at) ^ (1 << rnd.nextInt(8)));
                    }
                    long delay = baseDelay + (jitter == 0 ? 0 : rnd.nextLong(jitter + 1));
                    queue.add(new Delivery(now + delay, peer, wire));
                }
            }

            @Override
            public void onData(TcpConnection c, ByteBuf data) {
                int n = data.readableBytes();
                try {
                    for (int i = 0; i < n; i++) {
                        byte expected = peer.streamByte(received + i, peer.streamSeed);
                        if (data.getByte(data.readerIndex() + i) != expected) {
                            fail(describe(name + " corrupt byte at " + (received + i)));
                        }
                    }
                } finally {
                    data.release();
                }
                received += n;
                if (slowConsumer && rnd.nextInt(4) == 0) {
                    queue.add(new Consume(now + rnd.nextInt(300), this, n));
                } else {
                    c.consumed(n, now);
                }
            }

            @Override
            public void onRemoteFin(TcpConnection c) {
                assertEquals(bytesEachWay, received, describe(name + " FIN before all data"));
                finSeen = true;
            }

            @Override
            public void onReset(TcpConnection c, TcpCloseCause cause) {
                reset = cause;
            }

            @Override
            public void onSendSpace(TcpConnection c) {
                blocked = false;
                pump();
            }

            @Override
            public void onClosed(TcpConnection c) {
                closed++;
                if (pending != null) {
                    pending.release();
                    pending = null;
                }
            }
        }
    }
}
