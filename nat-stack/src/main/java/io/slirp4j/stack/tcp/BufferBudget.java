package io.slirp4j.stack.tcp;

/**
 * One memory budget for the bytes all TCP connections of a stack hold: host data waiting for the guest's ACK
 * (send buffers) and the receive windows offered to the guest, counted as promises (bytes delivered to the host
 * socket but not yet taken by its kernel, plus the open window the guest may fill at any moment, out-of-order
 * bytes included).
 *
 * <p>Why promises: a window once offered cannot be taken back (RFC 9293 3.8.6), so charging only what arrived
 * would let a few hundred idle connections with open windows overshoot the budget together. Charging the offer
 * keeps the total strict.
 *
 * <p>Policy, per direction of each connection: while the budget has room, a connection may grow up to its own
 * buffer size; once the budget is used up, it may still hold {@link #floor()} bytes (so every connection keeps
 * making progress, if slowly) but grows no further. The floor is the configured one while the connections' floors
 * together take at most half the budget, and shrinks as more connections share it (to {@link #MIN_FLOOR} at
 * least): thousands of connections whose host peers do not read hold their floors for good, and with fixed floors
 * they would take the whole budget, leaving a connection that makes progress nothing but its own floor. So the
 * total stays under {@code limit + 2 * MIN_FLOOR * connections}, and a connection that the budget stopped is woken
 * by its own ACKs and host writes, never by another connection's. Once the budget is {@link #scarce()}, its room goes
 * only to connections whose hosts take their data (TcpConnection's receive ceiling): connections to peers that
 * stopped reading keep what they were given, and a connection that moves can still grow past its floor.
 *
 * <p>Connections charge and credit themselves ({@link TcpConnection} settles its account at the end of every
 * entry point); everything runs on the stack's event loop, so nothing here is synchronized.
 */
public final class BufferBudget {
    public static final int DEFAULT_FLOOR = 64 * 1024;
    /** The least a floor shrinks to however many connections share the budget: a dozen segments. */
    public static final int MIN_FLOOR = 16 * 1024;

    private final long limit;
    private final int floor;
    private long used;
    private long peak;
    private long exhaustions;
    /** Connections sharing the budget ({@link #join}, {@link #leave}). */
    private int connections;

    public BufferBudget(long limit, int floor) {
        if (limit < 0 || floor < 1) {
            throw new IllegalArgumentException("limit " + limit + ", floor " + floor);
        }
        this.limit = limit;
        this.floor = floor;
    }

    /** A budget that never runs out (engine tests, tools). */
    public static BufferBudget unlimited() {
        return new BufferBudget(Long.MAX_VALUE / 4, DEFAULT_FLOOR);
    }

    public long limit() {
        return limit;
    }

    /** The configured floor: what each direction of a connection may hold while few connections share the budget. */
    public int configuredFloor() {
        return floor;
    }

    /**
     * What each direction of a connection may hold however full the budget is now: the configured floor, or less
     * when that many connections' floors would take more than half the budget.
     */
    public int floor() {
        long share = limit / (4L * Math.max(1, connections));
        return (int) Math.max(Math.min(floor, share), Math.min(floor, MIN_FLOOR));
    }

    /** A connection starts sharing the budget. */
    void join() {
        connections++;
    }

    /** A connection closed (after crediting what it held). */
    void leave() {
        connections--;
    }

    /** Connections sharing the budget now. */
    public int connections() {
        return connections;
    }

    /** Bytes charged now. */
    public long used() {
        return used;
    }

    /** The most ever charged at once. */
    public long peak() {
        return peak;
    }

    /** How many times the budget ran out (charges crossing the limit from below). */
    public long exhaustions() {
        return exhaustions;
    }

    /** Less than a quarter of the budget is left: only connections that move their data may take it. */
    public boolean scarce() {
        return free() < limit / 4;
    }

    /** Bytes beyond what is charged that connections may still take. */
    public long free() {
        return Math.max(0, limit - used);
    }

    void adjust(long delta) {
        boolean hadRoom = used < limit;
        used += delta;
        if (used < 0) {
            throw new IllegalStateException("budget credited more than it was charged: " + used);
        }
        if (used > peak) {
            peak = used;
        }
        if (hadRoom && used >= limit) {
            exhaustions++;
        }
    }

    @Override
    public String toString() {
        return "BufferBudget[" + used + "/" + limit + " peak " + peak + "]";
    }
}
