package io.slirp4j.stack.tcp;

/**
 * NewReno congestion control (RFC 5681 with RFC 6582's fast recovery), in bytes.
 *
 * <p>Theory of operation: the window starts at {@code initialWindowSegments} segments once the handshake
 * completes (10 by default, RFC 6928) and grows by slow start (at most one segment per ACK, RFC 5681 3.1) below
 * ssthresh (or by up to {@code stretchAckBytes} for an ACK that covers a whole TSO super-segment, which a
 * receiver that coalesces segments acknowledges at once; Linux credits acknowledged packets the same way) and by
 * byte counting above it (one segment each time a window's worth of bytes is acknowledged).
 * The third duplicate ACK, unless it belongs to a loss event already handled (SND.UNA - 1 before "recover"),
 * sets ssthresh to half the flight (at least two segments), remembers SND.MAX in "recover" and enters recovery:
 * after the retransmission cwnd = ssthresh + 3 segments, and each further duplicate ACK inflates it by one
 * segment. A partial ACK (below recover) has the next hole retransmitted and deflates cwnd by the bytes acked,
 * adding one segment back if at least one was acked; the ACK of recover ends recovery with cwnd =
 * min(ssthresh, max(flight, one segment) + one segment) (RFC 6582 3.2 step 3, option 2). A retransmission
 * timeout sets ssthresh the same way, cwnd to one segment (the loss window) and recover to SND.MAX, so the
 * duplicate ACKs it causes start no second reduction (RFC 6582 4). The window never exceeds 2^30 bytes.
 */
final class NewReno implements CongestionControl {
    static final int MAX_CWND = 1 << 30;

    private final int initialWindowSegments;
    private final int stretchAckBytes;
    private int cwnd;
    private int ssthresh = Integer.MAX_VALUE;
    private int bytesAckedInCa;
    private int dupAcks;
    private boolean inRecovery;
    private int recover;

    /** {@code iss}: the initial send sequence number, the first "recover" (RFC 6582 3.2 step 1). */
    NewReno(int initialWindowSegments, int iss) {
        this(initialWindowSegments, iss, 0);
    }

    /** As above; slow start credits one ACK with up to {@code stretchAckBytes} (0: one segment, RFC 5681 3.1). */
    NewReno(int initialWindowSegments, int iss, int stretchAckBytes) {
        this.initialWindowSegments = initialWindowSegments;
        this.stretchAckBytes = stretchAckBytes;
        this.recover = iss;
    }

    @Override
    public int window() {
        return cwnd;
    }

    @Override
    public int slowStartThreshold() {
        return ssthresh;
    }

    @Override
    public boolean inRecovery() {
        return inRecovery;
    }

    /** Duplicate ACKs counted since the last ACK of new data (outside recovery) or the end of recovery. */
    int duplicateAcks() {
        return dupAcks;
    }

    @Override
    public void onSynAcked(int mss) {
        cwnd = Math.min(MAX_CWND, initialWindowSegments * mss);
    }

    @Override
    public boolean onDuplicateAck(int sndUna, int sndMax, int mss) {
        dupAcks++;
        if (inRecovery) {
            cwnd = Math.min(MAX_CWND, cwnd + mss); // RFC 6582 3.2 step 4: inflate
        } else if (dupAcks == 3 && Seq.ge(sndUna - 1, recover)) {
            // RFC 6582 3.2 step 2 (the recover check avoids a second reduction for one loss event)
            int flight = Seq.diff(sndMax, sndUna);
            ssthresh = Math.max(flight / 2, 2 * mss);
            recover = sndMax;
            inRecovery = true;
            return true;
        }
        return false;
    }

    @Override
    public void onFastRetransmitted(int mss) {
        cwnd = ssthresh + 3 * mss;
    }

    @Override
    public boolean onNewAck(int sndUna, int sndMax, int acked, int mss) {
        if (inRecovery) {
            if (Seq.ge(sndUna, recover)) {
                // full ACK: RFC 6582 3.2 step 3, option (2)
                int flight = Seq.diff(sndMax, sndUna);
                cwnd = Math.min(ssthresh, Math.max(flight, mss) + mss);
                inRecovery = false;
                dupAcks = 0;
                return false;
            }
            return true; // partial ACK: the next hole is retransmitted first
        }
        dupAcks = 0;
        if (cwnd < ssthresh) {
            // a stretch ACK earns up to stretchAckBytes, but never past ssthresh (Linux's tcp_slow_start), and
            // while the data sent before a timeout is being acknowledged (SND.UNA below recover) one segment
            // only (RFC 3465 2.3: those ACKs may cover what the receiver already had)
            int credit = stretchAckBytes > mss && Seq.ge(sndUna, recover) ? stretchAckBytes : mss;
            int grown = (int) Math.min(MAX_CWND, (long) cwnd + Math.min(acked, credit));
            cwnd = Math.min(grown, Math.max(ssthresh, cwnd + mss));
        } else {
            bytesAckedInCa += acked;
            if (bytesAckedInCa >= cwnd) {
                bytesAckedInCa -= cwnd;
                cwnd = Math.min(MAX_CWND, cwnd + mss);
            }
        }
        return false;
    }

    @Override
    public void onPartialAckRetransmitted(int acked, int mss) {
        // deflate by what was acked, add back one segment
        cwnd = Math.max(mss, cwnd - acked + (acked >= mss ? mss : 0));
    }

    @Override
    public void onRetransmitTimeout(int sndUna, int sndMax, int mss) {
        // RFC 5681 (4): loss window; RFC 6582 4: remember SND.MAX so later dup ACKs do not start recovery
        int flight = Seq.diff(sndMax, sndUna);
        ssthresh = Math.max(flight / 2, 2 * mss);
        cwnd = mss;
        bytesAckedInCa = 0;
        recover = sndMax;
        inRecovery = false;
        dupAcks = 0;
    }
}
