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
 * they would take the whole budget, leaving a connection that makes progress nothing but its own floor. A
 * connection that the budget stopped is woken by its own ACKs and host writes, never by another connection's. Once
 * the budget is {@link #scarce()}, its room goes only to connections that move ({@link #room}): connections whose
 * peers stopped reading keep what they were given, and a connection that moves can still grow past its floor.
 *
 * <p>Two caps bound the whole, for the program, whose buffers live in a fixed amount of direct memory: floors are
 * granted only while the charges are under {@code floorsUpTo}, and beyond it, up to {@code movingUpTo}, only
 * connections that move may grow (every connection may still hold {@link #MIN_HOLD}, enough to show that it moves).
 * Floors are charged as connections fill them, at the floor of that moment, so connections that joined while the
 * floor was larger keep more, and thousands of connections whose peers never read would otherwise take the memory
 * that the others need to move at all; no charge passes {@code movingUpTo}.
 *
 * <p>Connections charge and credit themselves ({@link TcpConnection} settles its account at the end of every
 * entry point); everything runs on the stack's event loop, so nothing here is synchronized.
 */
public final class BufferBudget {
    public static final int DEFAULT_FLOOR = 64 * 1024;
    /** The least a floor shrinks to however many connections share the budget: a dozen segments. */
    public static final int MIN_FLOOR = 16 * 1024;
    /** What a connection may hold beyond {@code floorsUpTo}: a few segments, so that one that moves can show it. */
    public static final int MIN_HOLD = 4 * 1024;

    private final long limit;
    private final int floor;
    private final long floorsUpTo;
    private final long movingUpTo;
    private long used;
    private long peak;
    private long exhaustions;
    private long shortages;
    /** Scarce since the last shortage counted, and not back under half the limit since. */
    private boolean runningShort;
    /** Connections sharing the budget ({@link #join}, {@link #leave}). */
    private int connections;

    /** A budget whose floors have no cap and whose connections that move grow within the limit (tests, tools). */
    public BufferBudget(long limit, int floor) {
        this(limit, floor, Long.MAX_VALUE / 4, limit);
    }

    /**
     * @param floorsUpTo floors are granted while the charges are under this
     * @param movingUpTo connections that move grow while the charges are under this (at least {@code limit})
     */
    public BufferBudget(long limit, int floor, long floorsUpTo, long movingUpTo) {
        if (limit < 0 || floor < 1 || movingUpTo < limit || floorsUpTo < 0) {
            throw new IllegalArgumentException("limit " + limit + ", floor " + floor + ", caps " + floorsUpTo + "/"
                + movingUpTo);
        }
        this.limit = limit;
        this.floor = floor;
        this.floorsUpTo = floorsUpTo;
        this.movingUpTo = movingUpTo;
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
     * when that many connections' floors would take more than a quarter of the budget; past {@code floorsUpTo},
     * only {@link #MIN_HOLD}, and nothing past {@code movingUpTo}.
     */
    public int floor() {
        if (used >= floorsUpTo) {
            return used >= movingUpTo ? 0 : Math.min(floor, MIN_HOLD);
        }
        long share = limit / (4L * Math.max(1, connections));
        return (int) Math.max(Math.min(floor, share), Math.min(floor, MIN_FLOOR));
    }

    /**
     * The room beyond what it holds that a connection holding {@code held} bytes may take now, when its peer took
     * {@code recentUptake} bytes lately (see RecentUptake): all that is free while the budget has plenty; once it is
     * scarce, only up to twice the recent uptake (and up to {@code movingUpTo}), so a stream whose peer reads grows,
     * doubling each round trip, and one whose peer stopped does not.
     */
    public long room(long held, long recentUptake) {
        if (!scarce()) {
            return free();
        }
        return Math.min(Math.max(0, movingUpTo - used), Math.max(0, 2 * recentUptake - held));
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

    /**
     * How many times the budget ran short (became {@link #scarce()}) after having had half of it free: from then on
     * only connections that move may grow, so this, not running out, is when a flood of connections that do not move
     * has taken what it can. (A budget hovering at the mark counts once.)
     */
    public long shortages() {
        return shortages;
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
        if (!runningShort && scarce()) {
            shortages++;
            runningShort = true;
        } else if (runningShort && used < limit / 2) {
            runningShort = false;
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
