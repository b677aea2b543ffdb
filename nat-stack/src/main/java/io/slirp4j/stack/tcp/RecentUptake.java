package io.slirp4j.stack.tcp;

/**
 * How much data a connection's peer took lately (the host socket's kernel, or the guest with its ACKs): the bytes
 * of the current period of {@link #PERIOD_MS} or of the one before, whichever is more, in the owner's milliseconds
 * (no clock of its own).
 *
 * <p>Why: once the buffer budget is scarce, a connection may grow only by what it moves (see
 * {@link BufferBudget#room}). Twice what its peer took in the last period or two is about twice its
 * bandwidth-delay product while its round trips are shorter than a period, so a connection that moves grows as
 * fast as its window lets it, doubling each round trip as slow start does; one whose peer stopped taking data has
 * no uptake after two periods and keeps only what it holds. Connections to peers that fill their host sockets and
 * stop hold, together, about twice what all of them moved in their last period: a fraction of the budget however
 * many there are.
 */
final class RecentUptake {
    static final long PERIOD_MS = 10;

    private long periodStart = Long.MIN_VALUE;
    private long current;
    private long previous;

    /** The peer took {@code bytes} at {@code now}. */
    void add(long bytes, long now) {
        roll(now);
        current += bytes;
    }

    /** The most the peer took in the current period or the one before it. */
    long recent(long now) {
        roll(now);
        return Math.max(current, previous);
    }

    private void roll(long now) {
        if (periodStart == Long.MIN_VALUE) {
            periodStart = now;
            return;
        }
        long periods = (now - periodStart) / PERIOD_MS;
        if (periods <= 0) {
            return;
        }
        previous = periods == 1 ? current : 0;
        current = 0;
        periodStart += periods * PERIOD_MS;
    }
}
