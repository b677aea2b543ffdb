package io.slirp4j.stack.tcp;

/**
 * A connection's round-trip time estimate and retransmission timeout (RFC 6298), with no clock of its own.
 *
 * <p>Theory of operation: one segment is timed at a time. The connection reports each segment it may time
 * ({@link #onSend}: a SYN, or new data at SND.MAX, never a retransmission); the first one starts the measurement
 * and later ones are ignored until it ends. An ACK beyond the timed sequence number ({@link #onAck}) ends it with a
 * sample. Karn's rule: a retransmission ({@link #onRetransmit}) discards the measurement, so an ACK that may answer
 * either copy is never a sample; for the SYN, which is timed again when resent, {@link #onSynAcked} is told
 * whether it was resent. Samples are whole milliseconds, at least one (the clock's granularity, G); the first
 * sets SRTT = R and RTTVAR = R/2, later ones update them with alpha = 1/8 and beta = 1/4 (RFC 6298 2.2, 2.3);
 * RTO = SRTT + max(G, 4 * RTTVAR), rounded up and held within [min, max]. Until the first sample the RTO is the
 * initial one. {@link #backOff} doubles it on each expiry (5.5), up to max, and it stays backed off until the
 * next sample. The connection owns the timer itself and arms it with {@link #rto()}.
 */
final class RttEstimator {
    /** G: the clock ticks in milliseconds; the smallest sample and the smallest variance term. */
    private static final long CLOCK_GRANULARITY_MS = 1;
    private static final double ALPHA = 0.125;
    private static final double BETA = 0.25;
    private static final int K = 4;

    private final long initialRtoMs;
    private final long minRtoMs;
    private final long maxRtoMs;

    private double srtt;
    private double rttvar;
    private boolean haveRtt;
    private long rto;

    private boolean timing;
    private int timedSeq;
    private long timedAt;

    /** Bounds as {@link TcpConfig} validates them: {@code 1 <= minRtoMs <= initialRtoMs <= maxRtoMs}. */
    RttEstimator(long initialRtoMs, long minRtoMs, long maxRtoMs) {
        this.initialRtoMs = initialRtoMs;
        this.minRtoMs = minRtoMs;
        this.maxRtoMs = maxRtoMs;
        this.rto = initialRtoMs;
    }

    /** The retransmission timeout now, in milliseconds. */
    long rto() {
        return rto;
    }

    /** SRTT in milliseconds, or -1 before the first sample. */
    double smoothedRtt() {
        return haveRtt ? srtt : -1;
    }

    /** RTTVAR in milliseconds, or -1 before the first sample. */
    double rttVariance() {
        return haveRtt ? rttvar : -1;
    }

    /** True while a segment is being timed. */
    boolean timing() {
        return timing;
    }

    /** A segment starting at {@code seq} that may be timed was sent: timed unless one already is. */
    void onSend(int seq, long now) {
        if (!timing) {
            timing = true;
            timedSeq = seq;
            timedAt = now;
        }
    }

    /** An ACK acknowledging new data arrived: a sample if it covers the timed segment. */
    void onAck(int ack, long now) {
        if (timing && Seq.gt(ack, timedSeq)) {
            timing = false;
            sample(now - timedAt);
        }
    }

    /** Karn's rule: something was retransmitted, so the measurement in progress (if any) is discarded. */
    void onRetransmit() {
        timing = false;
    }

    /**
     * The SYN (or SYN-ACK) was acknowledged: a sample from it unless it was {@code retransmitted} (Karn);
     * otherwise, with no sample yet, the RTO goes back to the initial one, forgetting the SYN's back-off (in the
     * spirit of RFC 6298 5.7). Ends the measurement either way.
     */
    void onSynAcked(long now, boolean retransmitted) {
        if (timing && !retransmitted) {
            timing = false;
            sample(now - timedAt);
        } else if (!haveRtt) {
            rto = initialRtoMs;
        }
        timing = false;
    }

    /** The retransmission timer expired: the RTO doubles, up to the maximum (RFC 6298 5.5). */
    void backOff() {
        rto = Math.min(maxRtoMs, rto * 2);
    }

    /** Takes a round-trip time of {@code r} milliseconds (RFC 6298 2.2, 2.3). */
    void sample(long r) {
        double m = Math.max(CLOCK_GRANULARITY_MS, r);
        if (!haveRtt) {
            srtt = m;
            rttvar = m / 2;
            haveRtt = true;
        } else {
            rttvar = (1 - BETA) * rttvar + BETA * Math.abs(srtt - m);
            srtt = (1 - ALPHA) * srtt + ALPHA * m;
        }
        rto = clamp((long) Math.ceil(srtt + Math.max(CLOCK_GRANULARITY_MS, K * rttvar)));
    }

    private long clamp(long value) {
        return Math.max(minRtoMs, Math.min(maxRtoMs, value));
    }
}
