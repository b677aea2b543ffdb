package io.slirp4j.stack.tcp;

/**
 * A connection's timer deadlines, in the owner's milliseconds, with no clock of its own.
 *
 * <p>Theory of operation: six one-shot timers, each a deadline or {@link #NEVER}: retransmission (armed with
 * the RTO the {@link RttEstimator} gives), persist (zero-window probes, armed with the connection's back-off),
 * keepalive (armed with the idle time or the probe interval, as the connection chooses), delayed ACK, TIME_WAIT
 * and the handshake (the last three with their durations from {@link TcpConfig}). A timer
 * is due from its deadline on ({@code now >= deadline}) until stopped or re-armed; nothing fires by itself.
 * {@link #next()} is the earliest deadline, which the connection's owner waits for; the connection decides, in
 * its own order, which due timers to run. Arming computes {@code now + duration} and nothing else.
 */
final class TcpTimers {
    /** The deadline of a stopped timer. */
    static final long NEVER = Long.MAX_VALUE;

    private final long handshakeTimeoutMs;
    private final long delayedAckMs;
    private final long timeWaitMs;

    private long retransmit = NEVER;
    private long persist = NEVER;
    private long delayedAck = NEVER;
    private long timeWait = NEVER;
    private long handshake = NEVER;
    private long keepalive = NEVER;

    TcpTimers(long handshakeTimeoutMs, long delayedAckMs, long timeWaitMs) {
        this.handshakeTimeoutMs = handshakeTimeoutMs;
        this.delayedAckMs = delayedAckMs;
        this.timeWaitMs = timeWaitMs;
    }

    /** The earliest deadline of all, or {@link #NEVER}. */
    long next() {
        return Math.min(Math.min(Math.min(retransmit, persist), Math.min(delayedAck, timeWait)),
            Math.min(handshake, keepalive));
    }

    // retransmission (RFC 6298 5)

    void armRetransmit(long now, long rto) {
        retransmit = now + rto;
    }

    /** Arms the retransmission timer unless it is running already (RFC 6298 5.1). */
    void armRetransmitIfStopped(long now, long rto) {
        if (retransmit == NEVER) {
            retransmit = now + rto;
        }
    }

    void stopRetransmit() {
        retransmit = NEVER;
    }

    boolean retransmitDue(long now) {
        return now >= retransmit;
    }

    // persist (zero-window probes)

    void armPersist(long now, long backoff) {
        persist = now + backoff;
    }

    void stopPersist() {
        persist = NEVER;
    }

    boolean persistRunning() {
        return persist != NEVER;
    }

    boolean persistDue(long now) {
        return now >= persist;
    }

    // keepalive

    /** (Re)arms the keepalive timer {@code delay} from now: the idle time, or the interval between probes. */
    void armKeepalive(long now, long delay) {
        keepalive = now + delay;
    }

    void stopKeepalive() {
        keepalive = NEVER;
    }

    boolean keepaliveDue(long now) {
        return now >= keepalive;
    }

    // delayed ACK

    /** Starts the delayed-ACK timer unless it is running: the ACK is owed delayedAckMs after the first segment. */
    void armDelayedAckIfStopped(long now) {
        if (delayedAck == NEVER) {
            delayedAck = now + delayedAckMs;
        }
    }

    void stopDelayedAck() {
        delayedAck = NEVER;
    }

    boolean delayedAckDue(long now) {
        return now >= delayedAck;
    }

    // TIME_WAIT

    /** Starts (or restarts, for a retransmitted FIN) TIME_WAIT's timer. */
    void armTimeWait(long now) {
        timeWait = now + timeWaitMs;
    }

    void stopTimeWait() {
        timeWait = NEVER;
    }

    boolean timeWaitDue(long now) {
        return now >= timeWait;
    }

    // handshake

    void armHandshake(long now) {
        handshake = now + handshakeTimeoutMs;
    }

    void stopHandshake() {
        handshake = NEVER;
    }

    boolean handshakeDue(long now) {
        return now >= handshake;
    }
}
