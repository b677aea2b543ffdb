package io.slirp4j.stack.iface;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.wire.InAny;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames for a guest address (either family, as {@link InAny} halves) whose MAC is not known yet, held while its
 * ARP request or neighbour solicitation is out: Linux keeps such a
 * queue per neighbour (unres_qlen_bytes) and libslirp keeps the packet too, so the first datagram of an inbound
 * port forward, sent before the guest has said anything, is delivered rather than lost.
 *
 * <p>Bounded twice: {@value #MAX_BYTES_PER_ADDRESS} bytes per address (the oldest frame goes first beyond that,
 * as Linux does) and at most {@value #MAX_ADDRESSES} addresses; a frame waits at most {@value #MAX_WAIT_MS} ms
 * (three ARP requests). Ownership: a parked frame belongs to this queue until it is taken or dropped.
 */
final class ParkedFrames {
    static final int MAX_BYTES_PER_ADDRESS = 256 * 1024;
    static final int MAX_ADDRESSES = 8;
    static final long MAX_WAIT_MS = 3000;

    private static final class Queue {
        final long hi;
        final long lo;
        final ArrayDeque<ByteBuf> frames = new ArrayDeque<>();
        final ArrayDeque<Long> parkedAt = new ArrayDeque<>();
        int bytes;

        Queue(long hi, long lo) {
            this.hi = hi;
            this.lo = lo;
        }
    }

    private final List<Queue> queues = new ArrayList<>(MAX_ADDRESSES);

    boolean isEmpty() {
        return queues.isEmpty();
    }

    /** Parks {@code frame} (ownership passes); returns how many frames were dropped to make room. */
    int park(long hi, long lo, ByteBuf frame, long now) {
        Queue q = find(hi, lo);
        int dropped = 0;
        if (q == null) {
            if (queues.size() == MAX_ADDRESSES) {
                frame.release();
                return 1;
            }
            q = new Queue(hi, lo);
            queues.add(q);
        }
        q.frames.add(frame);
        q.parkedAt.add(now);
        q.bytes += frame.readableBytes();
        while (q.bytes > MAX_BYTES_PER_ADDRESS && q.frames.size() > 1) {
            dropOldest(q);
            dropped++;
        }
        return dropped;
    }

    /** Takes every frame parked for {@code address}, oldest first (ownership passes to the caller). */
    List<ByteBuf> take(long hi, long lo) {
        Queue q = find(hi, lo);
        if (q == null) {
            return List.of();
        }
        queues.remove(q);
        return new ArrayList<>(q.frames);
    }

    /** Drops frames that waited too long; returns how many. */
    int expire(long now) {
        int dropped = 0;
        for (int i = queues.size() - 1; i >= 0; i--) {
            Queue q = queues.get(i);
            while (!q.parkedAt.isEmpty() && now - q.parkedAt.peek() >= MAX_WAIT_MS) {
                dropOldest(q);
                dropped++;
            }
            if (q.frames.isEmpty()) {
                queues.remove(i);
            }
        }
        return dropped;
    }

    /** Drops everything. */
    void clear() {
        for (Queue q : queues) {
            q.frames.forEach(ByteBuf::release);
        }
        queues.clear();
    }

    private static void dropOldest(Queue q) {
        ByteBuf f = q.frames.poll();
        q.parkedAt.poll();
        q.bytes -= f.readableBytes();
        f.release();
    }

    private Queue find(long hi, long lo) {
        for (Queue q : queues) {
            if (q.lo == lo && q.hi == hi) {
                return q;
            }
        }
        return null;
    }
}
