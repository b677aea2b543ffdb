package io.slirp4j.stack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.slirp4j.stack.wire.TcpHeader;
import io.slirp4j.stack.wire.TcpSegment;

/**
 * One TCP connection with the guest: the RFC 9293 state machine, with no threads, sockets or clock of its own.
 *
 * <p>Theory of operation. The owner (the NAT) feeds it guest segments ({@link #onSegment}), host data
 * ({@link #write}, {@link #shutdownOutput}, {@link #abort}), host progress ({@link #consumed}) and time
 * ({@link #onTimer} at {@link #nextDeadline()}); the connection answers through {@link TcpOutput}. Every entry
 * point does its state work first and then, once, {@link #transmit}s what the state allows, so a burst of input
 * produces one ACK, and callbacks that re-enter (e.g. {@code consumed} from {@code onData}) only change state.
 *
 * <p>Sequence numbers are {@code int}s compared and subtracted through {@link Seq} (signed difference, RFC 1982
 * style), so wrap-around is free.
 * The send side keeps SND.UNA, SND.NXT and SND.MAX (the highest ever sent: after a timeout SND.NXT goes back to
 * SND.UNA and resends, go-back-N as BSD does, and an ACK is valid up to SND.MAX). Send data lives in a
 * {@link SendBuffer} of retained host-read slices starting at SND.UNA (after the SYN); the FIN takes the sequence
 * number after the last byte once {@link #shutdownOutput} was called.
 *
 * <p>Loss recovery: RTO per RFC 6298, computed by an {@link RttEstimator} (one segment timed at a time, Karn's
 * rule, exponential back-off, 200 ms floor, 60 s ceiling); the connection arms the timer and aborts after
 * {@code maxRetransmits} expiries without progress. All six timers (retransmission, persist, keepalive, delayed
 * ACK, TIME_WAIT, handshake) are deadlines kept by one {@link TcpTimers}; {@link #onTimer} decides which due ones
 * run, in that order: TIME_WAIT, handshake, retransmission, persist, keepalive, delayed ACK. Congestion control is a
 * {@link CongestionControl}, today {@link NewReno} (RFC 5681 + 6582): slow start from 10 segments, congestion
 * avoidance by byte counting, fast retransmit on the third duplicate ACK, partial ACKs retransmit the next hole
 * and stay in recovery until SND.MAX at entry is acknowledged; it keeps the window and decides, the connection
 * sends (and retransmits). The sender does not use the guest's SACK blocks (only our receive side reports them).
 *
 * <p>Keepalive (RFC 1122 4.2.3.6, as Linux does it): every segment from the guest in a synchronized state
 * re-arms the keepalive timer {@code keepaliveIdleMs} ahead and forgets unanswered probes. When it expires with
 * nothing of ours outstanding (no unacknowledged or unsent data, no FIN waiting for its ACK: that leaves
 * ESTABLISHED, CLOSE_WAIT and FIN_WAIT_2), it sends a probe, an ACK with SEG.SEQ = SND.NXT - 1 and no data,
 * which a live guest answers with an ACK (the sequence number is old), and re-arms {@code keepaliveIntervalMs}
 * ahead; after {@code keepaliveProbes} unanswered probes it sends RST and closes ({@link
 * TcpCloseCause#KEEPALIVE_TIMEOUT}). With something outstanding the retransmission or persist timer bounds the
 * wait, and the keepalive timer only re-arms. So a guest that vanished holds a connection for at most idle +
 * probes * interval (see {@link TcpConfig} for the defaults and why); one that is alive never loses one to it.
 *
 * <p>Flow control: the receive window is the receive buffer minus the bytes delivered to the owner and not yet
 * {@link #consumed} (out-of-order bytes sit inside the advertised window, so they need no separate account). The
 * right edge never moves left (RFC 9293 3.8.6), grows only in steps of min(buffer/2, MSS) (receiver SWS
 * avoidance, RFC 1122 4.2.3.3), and a window update is sent at once when the window at least doubles while the
 * guest has less than two segments' room left, which covers the guest sitting at zero window (with more room,
 * what the guest sends draws an immediate ACK that carries the window). Zero windows from the guest are probed
 * with Linux's probe (an ACK with SEG.SEQ = SND.UNA - 1, which forces an ACK carrying the window) on the back-off
 * timer; probes answered with any ACK never make the connection time out.
 *
 * <p>ACKs: delayed by {@code delayedAckMs} unless two segments (or 2*MSS bytes) are unacknowledged, a segment
 * arrived out of order or filled a gap, a FIN arrived after ours, or the window opened enough to matter. A FIN
 * that finds us ESTABLISHED is ACKed late, as Linux does, so that the ACK usually rides on our own FIN. Every
 * segment we send carries the current ACK and window, so delayed ACKs ride on data when there is any.
 *
 * <p>Memory: send buffer at most {@code sendBuffer} bytes (plus the tails of the host buffers the slices pin),
 * reassembly queue at most the receive window and {@code maxOutOfOrderSegments} ranges; nothing else grows. Both
 * are also held to the stack-wide {@link BufferBudget}: send buffer and offered window are charged to it at the
 * end of every entry point; once the budget is scarce, each grows only by what its peer took lately (the host
 * socket for the window, the guest's ACKs for the send buffer), and beyond the floor not at all once it is used up.
 *
 * <p>TIME_WAIT: this object lingers, with its buffers released (a few hundred bytes), for {@code timeWaitMs},
 * re-ACKing a retransmitted guest FIN, then reports {@link TcpOutput#onClosed}. It holds nothing of the host:
 * the owner closes the host socket when the guest's FIN has been passed on and the host's EOF given to
 * {@link #shutdownOutput}. A new SYN from the same guest port with a higher sequence number ends TIME_WAIT early
 * ({@link Disposition#REOPEN}, RFC 6191's rule without timestamps).
 *
 * <p>RST and SYN validation follow RFC 5961: an RST is accepted only at exactly RCV.NXT, an in-window RST or any
 * SYN in a synchronized state draws a challenge ACK, and ACKs for data never sent or older than the largest
 * window are dropped with an ACK.
 */
public final class TcpConnection {
    /** What {@link #onSegment} did with a segment. */
    public enum Disposition {
        /** The segment belonged to this connection (even if it was dropped as invalid). */
        HANDLED,
        /**
         * A SYN that starts a new incarnation of this four-tuple arrived in TIME_WAIT: this connection closed
         * (onClosed was called) and the owner should treat the SYN as a brand-new connection attempt.
         */
        REOPEN
    }

    /** RFC 9293 3.7.1: the MSS to assume when the peer sends no MSS option (IPv4). */
    public static final int DEFAULT_PEER_MSS = 536;
    private static final int MIN_MSS = 64;
    private static final int MAX_SACK_BLOCKS_SENT = 3;

    private final TcpConfig config;
    private final TcpOutput output;
    private final int localPort;
    private final int remotePort;
    private final boolean active;
    private Object attachment;

    private TcpState state;
    private final TcpHeader header = new TcpHeader();

    // ---- send side ----
    private final int iss;
    private int sndUna;
    private int sndNxt;
    private int sndMax;
    /** Send window in bytes (already scaled), and the segment that last updated it. */
    private int sndWnd;
    private int sndWl1;
    private int sndWl2;
    private int maxSndWnd;
    private int sndShift;
    private int sndMss;
    /** Transmission held back by the owner (see {@link #cork}). */
    private boolean corked;
    private final SendBuffer sendBuffer;
    /** Sequence number of the byte at {@code sendBuffer.start()}. */
    private int bufSeq;
    private boolean finQueued;
    private boolean wantSendSpace;

    // congestion control (cwnd, ssthresh, duplicate ACKs and recovery are the CongestionControl's)
    private final CongestionControl congestion;

    // retransmission timer (RFC 6298; the estimate and the RTO are the RttEstimator's)
    private final RttEstimator rtt;
    private int retries;
    private boolean synRetransmitted;

    // timer deadlines: retransmission, persist, delayed ACK, TIME_WAIT, handshake
    private final TcpTimers timers;

    // persist timer back-off (zero-window probes)
    private long persistBackoff;
    private int probesUnanswered;

    /** Keepalive probes sent since the guest last sent anything. */
    private int keepaliveProbesOut;

    // ---- receive side ----
    private int irs;
    private int rcvNxt;
    /** RCV.NXT + the window last advertised: the right edge, which never moves left. */
    private int rcvAdvRight;
    private final int rcvShift;
    private int unconsumed;
    /** What the host took lately: how much receive room a connection may take from a scarce budget. */
    private final RecentUptake takenLately = new RecentUptake();
    /** What the guest acknowledged lately: the same for send room. */
    private final RecentUptake ackedLately = new RecentUptake();
    private final ReassemblyQueue reassembly;
    private boolean remoteFin;
    private boolean sackOk;

    // ACK scheduling
    private boolean ackNow;
    private int segmentsUnacked;
    private int bytesUnacked;

    private boolean closedReported;
    private int depth;
    /** What this connection has charged to the budget (see {@link #settleBudget}). */
    private long charged;
    /** The receive buffer in use now: grows from the initial size to the configured one as the host keeps up. */
    private int receiveBuffer;
    /** Bytes the host took since the receive buffer last grew. */
    private long consumedSinceGrowth;

    private TcpConnection(TcpConfig config, TcpOutput output, int localPort, int remotePort, int iss, boolean active) {
        this.config = config;
        config.budget().join();
        this.output = output;
        this.localPort = localPort;
        this.remotePort = remotePort;
        this.iss = iss;
        this.active = active;
        this.sendBuffer = new SendBuffer(config.allocator());
        this.reassembly = new ReassemblyQueue(config.allocator(), config.maxOutOfOrderSegments());
        this.rcvShift = config.receiveWindowScale();
        this.receiveBuffer = config.initialReceiveBuffer();
        this.rtt = new RttEstimator(config.initialRtoMs(), config.minRtoMs(), config.maxRtoMs());
        this.sndUna = iss;
        this.sndNxt = iss + 1;
        this.sndMax = iss + 1;
        this.bufSeq = iss + 1;
        this.sndMss = Math.min(config.mss(), DEFAULT_PEER_MSS);
        this.congestion = new NewReno(config.initialWindowSegments(), iss, config.segmentationBytes());
        this.timers = new TcpTimers(config.handshakeTimeoutMs(), config.delayedAckMs(), config.timeWaitMs());
    }

    /**
     * A connection from a guest SYN (already validated by the owner, who connected the host socket): answers
     * SYN-ACK now and is in SYN-RECEIVED. Local port is the SYN's destination port.
     */
    public static TcpConnection accept(TcpConfig config, TcpOutput output, TcpSegment syn, int iss, long now) {
        TcpConnection c = new TcpConnection(config, output, syn.destinationPort(), syn.sourcePort(), iss, false);
        c.state = TcpState.SYN_RECEIVED;
        c.irs = syn.seq();
        c.rcvNxt = c.irs + 1;
        c.takeSynOptions(syn);
        c.sndWnd = syn.window(); // never scaled in a SYN (RFC 7323 2.2)
        c.sndWl1 = syn.seq();
        c.sndWl2 = c.sndUna;
        c.maxSndWnd = c.sndWnd;
        c.timers.armHandshake(now);
        c.sendFirstSyn(now);
        return c;
    }

    /** The SYN (or SYN-ACK) a new connection opens with, sent as one unit of engine work (see {@code depth}). */
    private void sendFirstSyn(long now) {
        depth++;
        try {
            sendSyn(now);
        } finally {
            depth--;
            settleBudget();
        }
    }

    /** A connection we open to the guest (inbound port forward): sends SYN now and is in SYN-SENT. */
    public static TcpConnection connect(TcpConfig config, TcpOutput output, int localPort, int remotePort, int iss,
        long now) {
        TcpConnection c = new TcpConnection(config, output, localPort, remotePort, iss, true);
        c.state = TcpState.SYN_SENT;
        c.timers.armHandshake(now);
        c.sendFirstSyn(now);
        return c;
    }

    /**
     * Fills {@code out} with the RST that answers {@code segment} when no connection exists for it (RFC 9293
     * 3.10.7.1): nothing for an RST (returns false); for a segment with ACK, {@code <SEQ=SEG.ACK><CTL=RST>};
     * otherwise {@code <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>}. Ports are swapped.
     */
    public static boolean resetFor(TcpSegment segment, TcpHeader out) {
        if (segment.has(TcpSegment.RST)) {
            return false;
        }
        out.clear();
        out.sourcePort = segment.destinationPort();
        out.destinationPort = segment.sourcePort();
        if (segment.has(TcpSegment.ACK)) {
            out.seq = segment.ack();
            out.flags = TcpSegment.RST;
        } else {
            out.seq = 0;
            out.ack = segment.seq() + segment.sequenceLength();
            out.flags = TcpSegment.RST | TcpSegment.ACK;
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------------
    // Accessors

    public TcpState state() {
        return state;
    }

    public int localPort() {
        return localPort;
    }

    public int remotePort() {
        return remotePort;
    }

    /** True for connections made with {@link #connect}. */
    public boolean isActive() {
        return active;
    }

    public Object attachment() {
        return attachment;
    }

    public void attach(Object attachment) {
        this.attachment = attachment;
    }

    /** The earliest time {@link #onTimer} has work, or {@link Long#MAX_VALUE}. */
    public long nextDeadline() {
        if (state == TcpState.CLOSED) {
            return Long.MAX_VALUE;
        }
        return timers.next();
    }

    /** Bytes {@link #write} would accept now. */
    public int sendSpace() {
        if (finQueued || state == TcpState.CLOSED || state == TcpState.TIME_WAIT) {
            return 0;
        }
        int size = sendBuffer.size();
        BufferBudget budget = config.budget();
        long room = Math.max(budget.floor() - size, budget.room(size, ackedLately.recent(lastNow)));
        return (int) Math.max(0, Math.min(config.sendBuffer() - size, room));
    }

    /** Bytes accepted from the host and not yet acknowledged by the guest. */
    public int sendQueued() {
        return sendBuffer.size();
    }

    /** Bytes delivered through onData and not yet {@link #consumed}. */
    public int unconsumed() {
        return unconsumed;
    }

    /** Bytes of out-of-order guest data held. */
    public int outOfOrderBytes() {
        return reassembly.bytes();
    }

    public int sendMss() {
        return sndMss;
    }

    public int congestionWindow() {
        return congestion.window();
    }

    public int slowStartThreshold() {
        return congestion.slowStartThreshold();
    }

    public int sendWindow() {
        return sndWnd;
    }

    public long retransmissionTimeout() {
        return rtt.rto();
    }

    public double smoothedRtt() {
        return rtt.smoothedRtt();
    }

    /** Our window scale (0 if not negotiated). */
    public int receiveWindowShift() {
        return wsOn ? rcvShift : 0;
    }

    /** The guest's window scale (0 if not negotiated). */
    public int sendWindowShift() {
        return sndShift;
    }

    public boolean sackPermitted() {
        return sackOk;
    }

    public int sndUna() {
        return sndUna;
    }

    public int sndNxt() {
        return sndNxt;
    }

    public int rcvNxt() {
        return rcvNxt;
    }

    public boolean inFastRecovery() {
        return congestion.inRecovery();
    }

    /** Keepalive probes sent and not answered yet (anything the guest sends answers them). */
    public int keepaliveProbesOut() {
        return keepaliveProbesOut;
    }

    // ------------------------------------------------------------------------------------------------------
    // Host-side inputs

    /**
     * Queues host data for the guest: takes as many readable bytes of {@code data} as fit in the send buffer
     * (advancing its reader index; the caller keeps ownership of {@code data} and of the rest) and returns how
     * many. Fewer than offered means the buffer is full: stop reading the host socket until
     * {@link TcpOutput#onSendSpace}. Returns 0 after {@link #shutdownOutput} or once closed.
     */
    public int write(ByteBuf data, long now) {
        int n = Math.min(data.readableBytes(), sendSpace());
        boolean refused = n < data.readableBytes();
        if (n > 0) {
            enter(now);
            try {
                sendBuffer.append(data, n);
                settleBudget();
            } finally {
                exit(now);
            }
        }
        if (refused && state != TcpState.CLOSED) {
            // only now: a wake-up from inside this call would reach an owner that has not yet seen the refusal
            wantSendSpace = true;
        }
        return n;
    }

    /** The host socket reached EOF: send FIN after the queued data (half-close toward the guest). Idempotent. */
    public void shutdownOutput(long now) {
        if (finQueued || state == TcpState.CLOSED) {
            return;
        }
        enter(now);
        try {
            finQueued = true;
            wantSendSpace = false;
            if (state == TcpState.ESTABLISHED) {
                state = TcpState.FIN_WAIT_1;
            } else if (state == TcpState.CLOSE_WAIT) {
                state = TcpState.LAST_ACK;
            }
            // SYN states: the FIN waits for the handshake (see establish())
        } finally {
            exit(now);
        }
    }

    /** The host connection was reset (or the owner gives up): RST to the guest, then closed. */
    public void abort(long now) {
        if (state == TcpState.CLOSED) {
            return;
        }
        if (state != TcpState.SYN_SENT && state != TcpState.TIME_WAIT) {
            sendReset(sndNxt, state != TcpState.SYN_RECEIVED);
        }
        terminate(null);
    }

    /**
     * The host took {@code n} bytes of data delivered through onData: they leave the receive buffer and the
     * window opens (with an immediate window update if the guest may be waiting for it).
     */
    public void consumed(int n, long now) {
        if (n <= 0 || state == TcpState.CLOSED) {
            return;
        }
        enter(now);
        try {
            unconsumed = Math.max(0, unconsumed - n);
            takenLately.add(n, now);
            growReceiveBuffer(n);
            if (state.synchronizedState() && !remoteFin && windowUpdateUrgent()) {
                ackNow = true;
            }
        } finally {
            exit(now);
        }
    }

    /**
     * Whether the window we could offer now must be announced at once: it at least doubles what the guest has
     * left, and what it has left is under two of our MSS. With two segments' room the guest can send what draws
     * an immediate ACK (see {@link #receive}), which carries the new window anyway; with less it may wait out
     * our delayed ACK, or sit at zero window.
     */
    private boolean windowUpdateUrgent() {
        int advertised = Math.max(0, Seq.diff(rcvAdvRight, rcvNxt));
        int possible = maxWindow();
        return advertised < 2 * config.mss() && possible - advertised >= windowStep() && possible >= 2 * advertised;
    }

    /**
     * Receive-buffer auto-tuning, simply: each time the host has taken half the current buffer, the buffer
     * doubles (up to the configured size). A busy connection reaches full size within a few windows; an idle one
     * keeps offering (and charging to the budget) only its initial window.
     */
    private void growReceiveBuffer(int consumed) {
        if (receiveBuffer >= config.receiveBuffer()) {
            return;
        }
        consumedSinceGrowth += consumed;
        if (consumedSinceGrowth >= receiveBuffer / 2) {
            receiveBuffer = (int) Math.min(config.receiveBuffer(), 2L * receiveBuffer);
            consumedSinceGrowth = 0;
        }
    }

    /** Time passed: runs whatever timers expired. */
    public void onTimer(long now) {
        if (state == TcpState.CLOSED) {
            return;
        }
        enter(now);
        try {
            if (timers.timeWaitDue(now)) {
                terminate(null);
                return;
            }
            if (timers.handshakeDue(now) && !state.synchronizedState()) {
                if (state == TcpState.SYN_RECEIVED) {
                    sendReset(sndNxt, false);
                }
                terminate(TcpCloseCause.HANDSHAKE_TIMEOUT);
                return;
            }
            if (timers.retransmitDue(now)) {
                retransmitTimeout(now);
                if (state == TcpState.CLOSED) {
                    return;
                }
            }
            if (timers.persistDue(now)) {
                persistTimeout(now);
                if (state == TcpState.CLOSED) {
                    return;
                }
            }
            if (timers.keepaliveDue(now)) {
                keepaliveTimeout(now);
                if (state == TcpState.CLOSED) {
                    return;
                }
            }
            if (timers.delayedAckDue(now)) {
                timers.stopDelayedAck();
                ackNow = true;
            }
        } finally {
            exit(now);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Guest segments (RFC 9293 3.10.7)

    /**
     * A segment from the guest for this connection's four-tuple, checksum already verified. The view and its
     * buffer are borrowed for the call (payload the connection keeps is retained or copied).
     */
    public Disposition onSegment(TcpSegment seg, long now) {
        if (state == TcpState.CLOSED) {
            return Disposition.HANDLED;
        }
        enter(now);
        try {
            if (state == TcpState.SYN_SENT) {
                synSentInput(seg, now);
            } else {
                return otherInput(seg, now);
            }
        } finally {
            heardFromGuest(now);
            exit(now);
        }
        return Disposition.HANDLED;
    }

    /**
     * Any segment shows the guest is there (even one dropped as unacceptable: the answer to a keepalive probe is
     * an ACK of what we sent): the idle time starts again, unanswered probes are forgotten.
     */
    private void heardFromGuest(long now) {
        keepaliveProbesOut = 0;
        if (state.synchronizedState() && state != TcpState.TIME_WAIT) {
            timers.armKeepalive(now, config.keepaliveIdleMs());
        }
    }

    private void synSentInput(TcpSegment seg, long now) {
        int flags = seg.flags();
        boolean ack = (flags & TcpSegment.ACK) != 0;
        if (ack && (Seq.le(seg.ack(), iss) || Seq.gt(seg.ack(), sndMax))) {
            if ((flags & TcpSegment.RST) == 0) {
                sendReset(seg.ack(), false);
            }
            return;
        }
        if ((flags & TcpSegment.RST) != 0) {
            if (ack) {
                terminate(TcpCloseCause.REFUSED);
            }
            return;
        }
        if ((flags & TcpSegment.SYN) == 0) {
            return;
        }
        irs = seg.seq();
        rcvNxt = irs + 1;
        takeSynOptions(seg);
        if (ack) {
            sndWnd = seg.window(); // not scaled in a SYN
            sndWl1 = seg.seq();
            sndWl2 = seg.ack();
            maxSndWnd = sndWnd;
            ackOfSyn(seg.ack(), now);
            ackNow = true;
            // data or FIN on a SYN-ACK is rare; it is not acknowledged and the guest sends it again
            establish();
        } else {
            // simultaneous open (RFC 9293 figure 8): answer SYN-ACK from SYN-RECEIVED
            state = TcpState.SYN_RECEIVED;
            sndWnd = seg.window();
            sndWl1 = seg.seq();
            sndWl2 = sndUna;
            maxSndWnd = sndWnd;
            sndNxt = iss;
            sendSyn(now);
        }
    }

    private Disposition otherInput(TcpSegment seg, long now) {
        int flags = seg.flags();
        int seq = seg.seq();
        int payload = seg.payloadLength();
        int segLen = seg.sequenceLength();
        boolean rst = (flags & TcpSegment.RST) != 0;
        boolean syn = (flags & TcpSegment.SYN) != 0;

        if (state == TcpState.SYN_RECEIVED && syn && !rst && seq == irs) {
            if ((flags & TcpSegment.ACK) == 0) {
                // the guest did not see our SYN-ACK: send it again (backed off by the timer only)
                sendSynAck();
                return Disposition.HANDLED;
            }
            int ack = seg.ack();
            if (Seq.gt(ack, sndUna) && Seq.le(ack, sndMax)) {
                // simultaneous open: the guest's SYN-ACK answers our SYN (RFC 5961 4.2 lets it through, as Linux)
                sndWnd = seg.window(); // a SYN's window is never scaled
                sndWl1 = seq;
                sndWl2 = ack;
                maxSndWnd = Math.max(maxSndWnd, sndWnd);
                ackOfSyn(ack, now);
                ackNow = true;
                establish();
                return Disposition.HANDLED;
            }
        }
        if (state == TcpState.TIME_WAIT && syn && !rst && (flags & TcpSegment.ACK) == 0 && Seq.gt(seq, rcvNxt)) {
            terminate(null);
            return Disposition.REOPEN;
        }

        if (state == TcpState.TIME_WAIT && (flags & TcpSegment.FIN) != 0 && !rst && !syn) {
            // a retransmitted guest FIN: our ACK was lost; ACK again and restart the timer (RFC 9293 3.10.7.4)
            ackNow = true;
            timers.armTimeWait(now);
            return Disposition.HANDLED;
        }

        // 1. sequence number acceptability
        int wnd = Math.max(0, Seq.diff(rcvAdvRight, rcvNxt));
        if (!acceptable(seq, segLen, wnd)) {
            if (!rst) {
                ackNow = true;
            }
            return Disposition.HANDLED;
        }

        // 2. RST (RFC 5961 3.2)
        if (rst) {
            if (seq == rcvNxt) {
                if (state == TcpState.TIME_WAIT || remoteFin && finQueued && Seq.ge(sndUna, finSeq())) {
                    // both directions were complete, all our data acknowledged, only our FIN outstanding: nothing
                    // was lost, so this is a plain close (e.g. the guest's TIME_WAIT ended before the ACK of its
                    // FIN reached us; our FIN retransmission then drew an RST)
                    terminate(null);
                } else {
                    terminate(TcpCloseCause.RESET_BY_PEER);
                }
            } else {
                ackNow = true; // challenge ACK
            }
            return Disposition.HANDLED;
        }

        // 4. SYN in a synchronized state (RFC 5961 4.2): challenge ACK
        if (syn) {
            ackNow = true;
            return Disposition.HANDLED;
        }

        // 5. ACK
        if ((flags & TcpSegment.ACK) == 0) {
            return Disposition.HANDLED;
        }
        int ack = seg.ack();
        if (state == TcpState.SYN_RECEIVED) {
            if (Seq.gt(ack, sndUna) && Seq.le(ack, sndMax)) {
                sndWnd = seg.window() << sndShift;
                sndWl1 = seq;
                sndWl2 = ack;
                maxSndWnd = Math.max(maxSndWnd, sndWnd);
                ackOfSyn(ack, now);
                if (windowUpdateUrgent()) {
                    // the SYN-ACK could only offer 64 KiB (never scaled), less than two segments at a large MTU:
                    // announce the real window now rather than after a delayed ACK the guest would stall on
                    ackNow = true;
                }
                establish();
                if (state == TcpState.CLOSED) {
                    return Disposition.HANDLED;
                }
            } else {
                sendReset(ack, false);
                return Disposition.HANDLED;
            }
        }
        if (!processAck(seg, ack, now)) {
            return Disposition.HANDLED;
        }
        if (state == TcpState.CLOSED) {
            return Disposition.HANDLED;
        }

        // 7. segment text
        boolean finInOrder = false;
        if (payload > 0 || (flags & TcpSegment.FIN) != 0) {
            switch (state) {
                case ESTABLISHED:
                case FIN_WAIT_1:
                case FIN_WAIT_2:
                    finInOrder = receive(seg, seq, payload, (flags & TcpSegment.FIN) != 0);
                    if (state == TcpState.CLOSED) {
                        return Disposition.HANDLED;
                    }
                    break;
                default:
                    // the guest's FIN came already: only a retransmitted FIN can arrive; ACK it
                    if ((flags & TcpSegment.FIN) != 0 && seq + payload == rcvNxt - 1) {
                        ackNow = true;
                        if (state == TcpState.TIME_WAIT) {
                            timers.armTimeWait(now);
                        }
                    } else if (payload > 0) {
                        ackNow = true;
                    }
                    break;
            }
        }

        // 8. FIN
        if (finInOrder) {
            finReceived(now);
        }
        return Disposition.HANDLED;
    }

    /** RFC 9293's acceptability test, relaxed as Linux does: a segment starting at RCV.NXT is always acceptable. */
    private boolean acceptable(int seq, int segLen, int wnd) {
        if (segLen == 0) {
            if (wnd == 0) {
                return seq == rcvNxt;
            }
            return Seq.inWindow(seq, rcvNxt, wnd);
        }
        if (seq == rcvNxt) {
            return true;
        }
        if (wnd == 0) {
            return false;
        }
        int last = seq + segLen - 1;
        return Seq.inWindow(seq, rcvNxt, wnd) || Seq.inWindow(last, rcvNxt, wnd);
    }

    /** Returns false if the segment must be dropped (ACK of something never sent, or far too old). */
    private boolean processAck(TcpSegment seg, int ack, long now) {
        if (Seq.gt(ack, sndMax)) {
            ackNow = true;
            return false;
        }
        if (Seq.lt(ack, sndUna - Math.max(maxSndWnd, 1))) {
            ackNow = true; // RFC 5961 5.2: older than anything the guest could legitimately ACK
            return false;
        }
        int seq = seg.seq();
        int window = seg.window() << sndShift;
        boolean newData = Seq.gt(ack, sndUna);
        if (ack == sndUna && !newData) {
            boolean duplicate = seg.payloadLength() == 0 && !seg.has(TcpSegment.FIN) && window == sndWnd
                && sndMax != sndUna && Seq.ge(seq, sndWl1);
            if (duplicate) {
                onDuplicateAck(now);
            }
            retries = 0; // the guest is alive (e.g. answering probes at a zero window)
            probesUnanswered = 0;
        } else if (newData) {
            onNewAck(ack, now);
        }
        // window update (RFC 9293 3.10.7.4)
        if (Seq.lt(sndWl1, seq) || (sndWl1 == seq && Seq.le(sndWl2, ack))) {
            sndWnd = window;
            sndWl1 = seq;
            sndWl2 = ack;
            maxSndWnd = Math.max(maxSndWnd, sndWnd);
            if (sndWnd > 0) {
                timers.stopPersist();
                persistBackoff = 0;
            }
        }
        // state transitions when our FIN is acknowledged
        if (finQueued && sndUna == finSeq() + 1) {
            switch (state) {
                case FIN_WAIT_1:
                    state = TcpState.FIN_WAIT_2;
                    break;
                case CLOSING:
                    enterTimeWait(now);
                    break;
                case LAST_ACK:
                    terminate(null);
                    return false;
                default:
                    break;
            }
        }
        return true;
    }

    private void onDuplicateAck(long now) {
        if (congestion.onDuplicateAck(sndUna, sndMax, sndMss)) {
            // fast retransmit: recovery has begun; the window is set once the segment is out
            rtt.onRetransmit();
            retransmitFirst(now);
            congestion.onFastRetransmitted(sndMss);
        }
    }

    private void onNewAck(int ack, long now) {
        int acked = Seq.diff(ack, sndUna);
        rtt.onAck(ack, now);
        retries = 0;
        probesUnanswered = 0;
        // acknowledged data leaves the send buffer (the FIN's sequence number is not data)
        int dataAcked = Math.min(Seq.diff(ack, bufSeq), sendBuffer.size());
        if (dataAcked > 0) {
            sendBuffer.drop(dataAcked);
            ackedLately.add(dataAcked, now);
            bufSeq += dataAcked;
        }
        sndUna = ack;
        if (Seq.lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        if (congestion.onNewAck(sndUna, sndMax, acked, sndMss)) {
            // partial ACK in recovery: retransmit the next hole, then the window deflates
            retransmitFirst(now);
            congestion.onPartialAckRetransmitted(acked, sndMss);
        }
        // RFC 6298 5.2 / 5.3
        if (sndUna == sndMax) {
            timers.stopRetransmit();
        } else {
            timers.armRetransmit(now, rtt.rto());
        }
    }

    /** The ACK of our SYN: handshake bookkeeping common to both directions. */
    private void ackOfSyn(int ack, long now) {
        sndUna = ack;
        if (Seq.lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        rtt.onSynAcked(now, synRetransmitted); // Karn for the SYN; forgets the SYN back-off if there is no sample
        retries = 0;
        timers.stopRetransmit();
        timers.stopHandshake();
        congestion.onSynAcked(sndMss);
    }

    private void establish() {
        state = TcpState.ESTABLISHED;
        if (finQueued) {
            state = TcpState.FIN_WAIT_1;
        }
        output.onEstablished(this);
    }

    /** Processes payload (and notes a FIN) of an acceptable segment; returns true if the FIN is now in order. */
    private boolean receive(TcpSegment seg, int seq, int payload, boolean fin) {
        int offset = seg.payloadOffset();
        int skip = Seq.diff(rcvNxt, seq);
        if (skip > 0) {
            if (skip > payload) {
                // only the FIN (or nothing) is new
                return fin && seq + payload == rcvNxt;
            }
            offset += skip;
            payload -= skip;
            seq = rcvNxt;
        }
        int room = Seq.diff(rcvAdvRight, seq);
        if (payload > room) {
            payload = Math.max(0, room);
            fin = false; // the FIN lies beyond the window
            ackNow = true; // tell the guest where the window ends
        }
        if (seq != rcvNxt) {
            if (payload > 0) {
                reassembly.add(rcvNxt, seq, seg.buffer(), offset, payload);
            }
            ackNow = true; // out of order: duplicate ACK (with SACK) at once (RFC 5681 4.2)
            return false;
        }
        boolean hadGap = !reassembly.isEmpty();
        if (payload > 0) {
            ByteBuf data = seg.buffer().retainedSlice(offset, payload);
            rcvNxt += payload;
            unconsumed += payload;
            segmentsUnacked++;
            bytesUnacked += payload;
            output.onData(this, data);
            if (state == TcpState.CLOSED) {
                return false;
            }
        }
        if (hadGap) {
            ackNow = true; // filled (part of) a hole: ACK at once (RFC 5681 4.2)
            ByteBuf next;
            while ((next = reassembly.poll(rcvNxt)) != null) {
                int n = next.readableBytes();
                rcvNxt += n;
                unconsumed += n;
                output.onData(this, next);
                if (state == TcpState.CLOSED) {
                    return false;
                }
            }
        }
        if (segmentsUnacked >= 2 || bytesUnacked >= 2 * config.mss()) {
            ackNow = true;
        } else if (payload > 0) {
            timers.armDelayedAckIfStopped(lastNow);
        }
        return fin && seq + payload == rcvNxt;
    }

    private void finReceived(long now) {
        if (!reassembly.isEmpty()) {
            reassembly.release(); // bytes beyond the FIN cannot be valid
        }
        rcvNxt++;
        remoteFin = true;
        switch (state) {
            case ESTABLISHED:
                // as Linux in CLOSE_WAIT: the ACK waits (delayed) for our own FIN, which usually follows within a
                // host round trip once the host peer sees the EOF, and then rides on it
                timers.armDelayedAckIfStopped(now);
                state = TcpState.CLOSE_WAIT;
                break;
            case FIN_WAIT_1:
                // had the same segment acknowledged our FIN, processAck would have moved us to FIN-WAIT-2
                state = TcpState.CLOSING;
                break;
            case FIN_WAIT_2:
                enterTimeWait(now);
                break;
            default:
                break;
        }
        if (state != TcpState.CLOSE_WAIT) {
            ackNow = true; // our FIN is out already: nothing will carry the ACK
        }
        output.onRemoteFin(this);
    }

    private void enterTimeWait(long now) {
        state = TcpState.TIME_WAIT;
        timers.armTimeWait(now);
        timers.stopRetransmit();
        timers.stopPersist();
        timers.stopKeepalive();
        sendBuffer.release();
        reassembly.release();
    }

    // ------------------------------------------------------------------------------------------------------
    // Timers

    private void retransmitTimeout(long now) {
        timers.stopRetransmit();
        if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) {
            retries++;
            if (retries > config.maxSynRetransmits() || timers.handshakeDue(now)) {
                if (state == TcpState.SYN_RECEIVED) {
                    sendReset(sndNxt, false);
                }
                terminate(TcpCloseCause.HANDSHAKE_TIMEOUT);
                return;
            }
            rtt.backOff();
            synRetransmitted = true;
            rtt.onRetransmit();
            sendSyn(now);
            return;
        }
        if (sndUna == sndMax) {
            return;
        }
        if (retries >= config.maxRetransmits()) {
            sendReset(sndNxt, true);
            terminate(TcpCloseCause.RETRANSMIT_TIMEOUT);
            return;
        }
        retries++;
        congestion.onRetransmitTimeout(sndUna, sndMax, sndMss); // loss window, ssthresh, recover = SND.MAX
        rtt.onRetransmit();
        sndNxt = sndUna; // go back N
        rtt.backOff();
        timers.armRetransmit(now, rtt.rto());
        if (sndWnd == 0) {
            // nothing may be resent into a zero window: probe it, so a live guest answers (and resets retries)
            emit(sndUna - 1, TcpSegment.ACK, Unpooled.EMPTY_BUFFER);
        }
    }

    private void persistTimeout(long now) {
        timers.stopPersist();
        if (sndWnd != 0 || sendBuffer.size() == 0 && !finQueued) {
            return;
        }
        if (probesUnanswered >= config.maxRetransmits()) {
            sendReset(sndNxt, true);
            terminate(TcpCloseCause.RETRANSMIT_TIMEOUT);
            return;
        }
        probesUnanswered++;
        // an old sequence number forces the guest to answer with an ACK showing its window
        emit(sndUna - 1, TcpSegment.ACK, Unpooled.EMPTY_BUFFER);
        persistBackoff = Math.min(config.maxRtoMs(), persistBackoff == 0 ? rtt.rto() : persistBackoff * 2);
        timers.armPersist(now, persistBackoff);
    }

    /**
     * The guest was silent for the idle time (or the interval since the last probe): probe it, or give up on it
     * after {@code keepaliveProbes} unanswered probes. See the class comment.
     */
    private void keepaliveTimeout(long now) {
        timers.stopKeepalive();
        if (!state.synchronizedState() || state == TcpState.TIME_WAIT) {
            return;
        }
        if (!idleForKeepalive()) {
            // the retransmission or persist timer bounds this wait; look again after another idle time
            keepaliveProbesOut = 0;
            timers.armKeepalive(now, config.keepaliveIdleMs());
            return;
        }
        if (keepaliveProbesOut >= config.keepaliveProbes()) {
            sendReset(sndNxt, true);
            terminate(TcpCloseCause.KEEPALIVE_TIMEOUT);
            return;
        }
        keepaliveProbesOut++;
        // an old sequence number and no data: the guest answers with an ACK, and takes nothing from it
        emit(sndNxt - 1, TcpSegment.ACK, Unpooled.EMPTY_BUFFER);
        timers.armKeepalive(now, config.keepaliveIntervalMs());
    }

    /**
     * Nothing of ours is outstanding or waiting: no data unacknowledged or unsent, no FIN unacknowledged. True
     * only in ESTABLISHED, CLOSE_WAIT (before the host's EOF) and FIN_WAIT_2.
     */
    private boolean idleForKeepalive() {
        return (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT || state == TcpState.FIN_WAIT_2)
            && sndUna == sndMax && sendBuffer.size() == 0 && (!finQueued || state == TcpState.FIN_WAIT_2);
    }

    // ------------------------------------------------------------------------------------------------------
    // Output

    /** The time of the entry point being processed (for timers armed deep inside input processing). */
    private long lastNow;

    private void enter(long now) {
        depth++;
        lastNow = now;
    }

    /**
     * Holds transmission back until {@link #uncork}: what {@link #write} takes meanwhile leaves together, in as few
     * segments as the windows allow (the owner corks for one read loop of the host socket, whose reads come in
     * pieces of the socket's queue, so that a link that cuts segments gets 64 KiB frames rather than one per read).
     * Only transmission waits: a connection that closes meanwhile reports it as ever.
     */
    public void cork() {
        corked = true;
    }

    /** Ends {@link #cork}: sends what the windows allow now. */
    public void uncork(long now) {
        if (corked) {
            corked = false;
            enter(now);
            exit(now);
        }
    }

    private void exit(long now) {
        if (--depth > 0) {
            return;
        }
        depth++;
        try {
            for (int round = 0; round < 4 && state != TcpState.CLOSED && !corked; round++) {
                transmit(now);
                int space = sendSpace();
                // wake the owner once a quarter of what this connection may hold now is free
                if (wantSendSpace && state != TcpState.CLOSED && !finQueued
                    && space >= Math.max(1, Math.min(config.sendBuffer(), sendBuffer.size() + space) / 4)) {
                    wantSendSpace = false;
                    output.onSendSpace(this);
                    continue;
                }
                break;
            }
        } finally {
            depth--;
            settleBudget();
        }
        if (state == TcpState.CLOSED) {
            reportClosed();
        }
    }

    private int finSeq() {
        return Seq.add(bufSeq, sendBuffer.size());
    }

    /** Sends what the windows allow, then an ACK if one is owed. */
    private void transmit(long now) {
        switch (state) {
            case ESTABLISHED:
            case CLOSE_WAIT:
            case FIN_WAIT_1:
            case CLOSING:
            case LAST_ACK:
                sendData(now);
                break;
            default:
                break;
        }
        if (ackNow && state != TcpState.CLOSED && state != TcpState.SYN_SENT) {
            if (state == TcpState.SYN_RECEIVED) {
                sendSynAck();
            } else {
                // SND.MAX, not SND.NXT: while resending after a timeout SND.NXT is old, and a pure ACK with an
                // old sequence number is unacceptable to the guest, which would drop the ACK in it (BSD does this)
                emit(sndMax, TcpSegment.ACK, Unpooled.EMPTY_BUFFER);
            }
        }
    }

    private void sendData(long now) {
        while (true) {
            int offset = Seq.diff(sndNxt, bufSeq);
            int remaining = sendBuffer.size() - offset;
            boolean finDue = finQueued && sndNxt == finSeq();
            if (remaining <= 0 && !finDue) {
                break; // all sent (or the FIN is already out)
            }
            remaining = Math.max(0, remaining);
            int effMss = Math.max(1, sndMss - segmentOptionsLength());
            int inFlight = Seq.diff(sndNxt, sndUna);
            long usable = Math.min((long) sndWnd, (long) congestion.window()) - inFlight;
            int len = (int) Math.max(0, Math.min(Math.min(remaining, maxSegmentPayload(effMss)), usable));
            if (len > effMss && (len < remaining || (config.nagle() && inFlight > 0))) {
                // a super-segment the link cuts: whole segments only, unless its short tail ends the data and
                // Nagle, if on, would let it go now (nothing in flight), as Linux's tcp_mss_split_point
                len -= len % effMss;
            }
            // the FIN goes with the last byte, or alone (even into a zero window, as Linux does)
            boolean fin = finQueued && sndNxt + len == finSeq();
            if (len == 0 && !fin) {
                break; // window or congestion window closed
            }
            if (len > 0 && len < remaining && len < effMss && len < maxSndWnd / 2 && inFlight > 0) {
                break; // sender SWS avoidance (RFC 9293 3.8.6.2.1): wait for a full segment's worth of window
            }
            if (config.nagle() && len > 0 && len < effMss && inFlight > 0) {
                break; // Nagle: a small segment waits for the ACK of what is in flight
            }
            ByteBuf payload = len == 0 ? Unpooled.EMPTY_BUFFER
                : sendBuffer.payload(sendBuffer.start() + offset, len);
            int flags = TcpSegment.ACK | (fin ? TcpSegment.FIN : 0)
                | (len > 0 && len == remaining ? TcpSegment.PSH : 0);
            if (sndNxt == sndMax && len > 0) {
                rtt.onSend(sndNxt, now); // new data only (Karn); times it unless a segment is timed already
            }
            try {
                emit(sndNxt, flags, payload);
            } finally {
                payload.release();
            }
            sndNxt += len + (fin ? 1 : 0);
            if (Seq.gt(sndNxt, sndMax)) {
                sndMax = sndNxt;
            }
            timers.armRetransmitIfStopped(now, rtt.rto());
            timers.stopPersist();
            if (fin) {
                break;
            }
        }
        // zero window with data waiting and nothing in flight: the persist timer probes it
        if (sndWnd == 0 && sndNxt == sndUna && sndUna == sndMax && sendBuffer.size() > Seq.diff(sndNxt, bufSeq)
            && !timers.persistRunning()) {
            persistBackoff = rtt.rto();
            timers.armPersist(now, persistBackoff);
        }
    }

    /** Retransmits one segment at SND.UNA (fast retransmit, partial ACK) without moving SND.NXT. */
    private void retransmitFirst(long now) {
        int offset = Seq.diff(sndUna, bufSeq);
        int remaining = sendBuffer.size() - offset;
        int effMss = Math.max(1, sndMss - segmentOptionsLength());
        // never beyond SND.MAX: segment boundaries move (SACK options shrink the payload), and bytes sent here
        // would not be counted as sent
        boolean finSent = finQueued && Seq.gt(sndMax, finSeq());
        int sent = Seq.diff(finSent ? finSeq() : sndMax, sndUna);
        int len = Math.max(0, Math.min(Math.min(remaining, effMss), sent));
        boolean fin = finSent && sndUna + len == finSeq();
        if (len == 0 && !fin) {
            return;
        }
        ByteBuf payload = len == 0 ? Unpooled.EMPTY_BUFFER : sendBuffer.payload(sendBuffer.start() + offset, len);
        try {
            emit(sndUna, TcpSegment.ACK | (fin ? TcpSegment.FIN : 0), payload);
        } finally {
            payload.release();
        }
        timers.armRetransmit(now, rtt.rto());
    }

    /**
     * The most payload for one segment: the MSS, or with segmentation offload as many whole MSS-sized pieces as fit
     * in the link's limit (the link cuts them, see {@link TcpConfig#segmentationBytes()}).
     */
    private int maxSegmentPayload(int effMss) {
        int limit = config.segmentationBytes();
        return limit > effMss ? limit - limit % effMss : effMss;
    }

    private int segmentOptionsLength() {
        if (sackOk && !reassembly.isEmpty()) {
            // the blocks emit() will send: runs of adjacent segments merge into one
            return 4 + 8 * Math.min(MAX_SACK_BLOCKS_SENT, reassembly.runs());
        }
        return 0;
    }

    /** Sends SYN (SYN-SENT) or SYN-ACK (SYN-RECEIVED) and arms the handshake timer. */
    private void sendSyn(long now) {
        rtt.onSend(iss, now);
        timers.armRetransmit(now, rtt.rto());
        if (state == TcpState.SYN_SENT) {
            header.clear();
            fillPorts();
            header.seq = iss;
            header.flags = TcpSegment.SYN;
            header.window = Math.min(0xFFFF, receiveBuffer);
            header.mss = config.mss();
            if (config.windowScaling()) {
                header.windowScale = rcvShift;
            }
            header.sackPermitted = config.sack();
            rcvAdvRight = header.window; // meaningless until IRS is known; reset in takeSynOptions
            output.sendSegment(this, header, Unpooled.EMPTY_BUFFER);
        } else {
            sendSynAck();
        }
    }

    private void sendSynAck() {
        header.clear();
        fillPorts();
        header.seq = iss;
        header.ack = rcvNxt;
        header.flags = TcpSegment.SYN | TcpSegment.ACK;
        int w = Math.min(0xFFFF, maxWindow());
        header.window = w;
        rcvAdvRight = rcvNxt + Math.max(w, Seq.diff(rcvAdvRight, rcvNxt));
        header.mss = config.mss();
        if (wsOn) {
            header.windowScale = rcvShift;
        }
        header.sackPermitted = sackOk;
        clearAckState();
        output.sendSegment(this, header, Unpooled.EMPTY_BUFFER);
    }

    private boolean wsOn;

    private void takeSynOptions(TcpSegment syn) {
        int peerMss = syn.mss() > 0 ? syn.mss() : DEFAULT_PEER_MSS;
        sndMss = Math.max(MIN_MSS, Math.min(config.mss(), peerMss));
        // RFC 7323 2.2: scaling is on only if both SYNs carry the option; a passive side only echoes it
        wsOn = config.windowScaling() && syn.windowScale() >= 0;
        sndShift = wsOn ? Math.min(14, syn.windowScale()) : 0;
        sackOk = config.sack() && syn.sackPermitted();
        rcvAdvRight = rcvNxt;
    }

    /**
     * The largest window the receive buffer and the budget allow now, capped by what the window field can
     * express. The window already offered is charged, so only growth beyond it needs budget room.
     */
    private int maxWindow() {
        int shift = wsOn ? rcvShift : 0;
        return (int) Math.max(0, Math.min(receiveCeiling() - unconsumed, 0xFFFFL << shift));
    }

    /**
     * What this connection may hold on the receive side now (unconsumed bytes plus window): its receive buffer,
     * as far as the budget allows beyond what is charged already, and never less than the budget's floor. While the
     * budget is scarce, a connection grows only by what its host takes (see {@link BufferBudget#room}): thousands of
     * connections to peers that stopped reading keep what they were given, but cannot take the last of the budget
     * from a connection that moves (which would otherwise be held to its floor).
     */
    private long receiveCeiling() {
        BufferBudget budget = config.budget();
        long held = unconsumed + Math.max(0, Seq.diff(rcvAdvRight, rcvNxt));
        long room = budget.room(held, takenLately.recent(lastNow));
        return Math.min(receiveBuffer, Math.max(budget.floor(), held + room));
    }

    /**
     * The smallest window increase worth announcing (receiver SWS avoidance, RFC 1122 4.2.3.3: min(buffer/2,
     * MSS)), where the buffer is what the budget lets this connection hold now, so that a window squeezed by the
     * budget still opens.
     */
    private int windowStep() {
        return (int) Math.max(1, Math.min(receiveCeiling() / 2, config.mss()));
    }

    /** Brings this connection's charge on the budget up to date: send buffer plus receive promises. */
    private void settleBudget() {
        long holding = 0;
        if (state != TcpState.CLOSED) {
            holding = sendBuffer.size();
            if (state != TcpState.SYN_SENT) {
                holding += unconsumed;
                if (!remoteFin) {
                    holding += Math.max(0, Seq.diff(rcvAdvRight, rcvNxt)); // after the guest's FIN nothing can fill it
                }
            }
        }
        if (holding != charged) {
            config.budget().adjust(holding - charged);
            charged = holding;
        }
    }

    /** The raw window field for a non-SYN segment, moving the right edge (never left, SWS-avoiding steps). */
    private int windowField() {
        int shift = wsOn ? rcvShift : 0;
        int current = Math.max(0, Seq.diff(rcvAdvRight, rcvNxt));
        int w = maxWindow();
        if (remoteFin) {
            w = current; // nothing more will come; keep the edge where it is
        }
        if (w < current) {
            w = current;
        } else if (w - current < windowStep() && w < maxWindowCap(shift)) {
            w = current; // receiver SWS avoidance: no small increases
        }
        int raw = (int) Math.min(0xFFFF, ((long) w + (1L << shift) - 1) >>> shift);
        int advertised = raw << shift;
        if (advertised < current) {
            advertised = current;
        }
        rcvAdvRight = rcvNxt + advertised;
        settleBudget(); // before the next segment of this burst sizes its window from the budget
        return raw;
    }

    private static int maxWindowCap(int shift) {
        return (int) Math.min(Integer.MAX_VALUE, 0xFFFFL << shift);
    }

    private void fillPorts() {
        header.sourcePort = localPort;
        header.destinationPort = remotePort;
    }

    /** Emits a synchronized-state segment carrying ACK, window and SACK blocks. Borrows {@code payload}. */
    private void emit(int seq, int flags, ByteBuf payload) {
        header.clear();
        fillPorts();
        header.seq = seq;
        header.ack = rcvNxt;
        header.flags = flags;
        header.window = windowField();
        if (sackOk && !reassembly.isEmpty()) {
            header.sackCount = reassembly.sackBlocks(header.sack, MAX_SACK_BLOCKS_SENT);
        }
        clearAckState();
        output.sendSegment(this, header, payload);
    }

    private void clearAckState() {
        ackNow = false;
        timers.stopDelayedAck();
        segmentsUnacked = 0;
        bytesUnacked = 0;
    }

    private void sendReset(int seq, boolean withAck) {
        header.clear();
        fillPorts();
        header.seq = seq;
        if (withAck) {
            header.ack = rcvNxt;
            header.flags = TcpSegment.RST | TcpSegment.ACK;
        } else {
            header.flags = TcpSegment.RST;
        }
        output.sendSegment(this, header, Unpooled.EMPTY_BUFFER);
    }

    /** Goes to CLOSED, releases everything, reports the cause (if abnormal) and then the close. */
    private void terminate(TcpCloseCause cause) {
        if (state == TcpState.CLOSED) {
            return;
        }
        state = TcpState.CLOSED;
        sendBuffer.release();
        reassembly.release();
        settleBudget();
        config.budget().leave();
        timers.stopRetransmit();
        timers.stopPersist();
        timers.stopDelayedAck();
        timers.stopTimeWait();
        timers.stopKeepalive(); // the handshake deadline stays, as before (nextDeadline() is NEVER once CLOSED)
        ackNow = false;
        wantSendSpace = false;
        if (cause != null) {
            output.onReset(this, cause);
        }
        if (depth == 0) {
            reportClosed();
        }
    }

    private void reportClosed() {
        if (!closedReported) {
            closedReported = true;
            output.onClosed(this);
        }
    }

    @Override
    public String toString() {
        return "TcpConnection[" + localPort + "<->" + remotePort + " " + state + " una=" + Integer.toUnsignedString(sndUna)
            + " nxt=" + Integer.toUnsignedString(sndNxt) + " rcv=" + Integer.toUnsignedString(rcvNxt) + " cwnd=" + congestion.window()
            + " wnd=" + sndWnd + "]";
    }
}
