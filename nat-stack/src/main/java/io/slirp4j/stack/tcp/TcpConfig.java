package io.slirp4j.stack.tcp;

import io.netty.buffer.ByteBufAllocator;

/**
 * Per-stack TCP settings, immutable; {@link #builder()} starts from the defaults.
 *
 * <p>Why these defaults: the guest is on the same machine, so the RTT is microseconds and the limit is buffer
 * space, not the network. 4 MiB buffers let a guest stream at memory speed; the receive window scale is the
 * smallest shift that lets the whole receive buffer be advertised. RTO bounds are RFC 6298's (1 s initial, 60 s
 * max) with Linux's 200 ms floor instead of RFC's 1 s, because a 1 s floor would make every loss on a local link
 * stall for a second. TIME_WAIT is 2 s instead of 2*MSL (minutes): its only jobs here are to re-ACK a
 * retransmitted guest FIN whose ACK was lost and to keep the four-tuple from being reused by stray segments; the
 * guest is one hop away, so segments do not survive in the network for long, and the host side of the
 * connection was closed already (TIME_WAIT holds no host socket).
 *
 * <p>Keepalive (RFC 1122 4.2.3.6, the way Linux probes): 60 s of silence from the guest, then a probe every 10 s,
 * 5 unanswered probes and the connection is reset both ways, so a guest that vanished (a guest address that stopped talking
 * without closing: a fake source, a guest whose link went away) holds its host socket for at most 110 s after it
 * last spoke. Linux's 2 h idle time is there for peers across the internet, where probes cost and a peer may be
 * briefly unreachable; the guest is one hop away and a guest that exists always answers a probe (its kernel does,
 * whatever its application does), so the idle time can be short. The cost is one 40-byte segment each way per idle
 * connection per minute: 16384 idle connections make some 270 small segments a second, none on a busy one. The
 * probes apply in ESTABLISHED, CLOSE_WAIT and FIN_WAIT_2, the states in which nothing of ours need be outstanding;
 * the others are bounded already: SYN states by the handshake timeout (75 s), FIN_WAIT_1, CLOSING and LAST_ACK by
 * the retransmissions of our FIN ({@code maxRetransmits}), TIME_WAIT by {@code timeWaitMs}. A guest that is alive
 * and silent in FIN_WAIT_2 (it took our FIN and keeps its own direction open) is not bounded: half-closed
 * connections may wait for a long computation, the guest holds them as it may hold any idle connection, and the
 * connection limit bounds how many. The same three timings go to the host sockets (SO_KEEPALIVE, TCP_KEEPIDLE,
 * TCP_KEEPINTVL, TCP_KEEPCNT), where a peer that vanished ends in a reset that reaches the guest as an RST.
 */
public final class TcpConfig {
    /** See the class comment: a guest that vanished is noticed 60 s + 5 * 10 s = 110 s after it last spoke. */
    public static final long DEFAULT_KEEPALIVE_IDLE_MS = 60_000;
    public static final long DEFAULT_KEEPALIVE_INTERVAL_MS = 10_000;
    public static final int DEFAULT_KEEPALIVE_PROBES = 5;

    private final ByteBufAllocator allocator;
    private final BufferBudget budget;
    private final int receiveBuffer;
    private final int sendBuffer;
    private final int mss;
    private final long initialRtoMs;
    private final long minRtoMs;
    private final long maxRtoMs;
    private final int maxRetransmits;
    private final int maxSynRetransmits;
    private final long handshakeTimeoutMs;
    private final long delayedAckMs;
    private final long timeWaitMs;
    private final long keepaliveIdleMs;
    private final long keepaliveIntervalMs;
    private final int keepaliveProbes;
    private final boolean nagle;
    private final boolean windowScaling;
    private final boolean sack;
    private final int initialWindowSegments;
    private final int maxOutOfOrderSegments;
    private final int initialReceiveWindow;
    private final int segmentationBytes;

    private TcpConfig(Builder b) {
        this.allocator = b.allocator;
        this.budget = b.budget;
        this.receiveBuffer = b.receiveBuffer;
        this.sendBuffer = b.sendBuffer;
        this.mss = b.mss;
        this.initialRtoMs = b.initialRtoMs;
        this.minRtoMs = b.minRtoMs;
        this.maxRtoMs = b.maxRtoMs;
        this.maxRetransmits = b.maxRetransmits;
        this.maxSynRetransmits = b.maxSynRetransmits;
        this.handshakeTimeoutMs = b.handshakeTimeoutMs;
        this.delayedAckMs = b.delayedAckMs;
        this.timeWaitMs = b.timeWaitMs;
        this.keepaliveIdleMs = b.keepaliveIdleMs;
        this.keepaliveIntervalMs = b.keepaliveIntervalMs;
        this.keepaliveProbes = b.keepaliveProbes;
        this.nagle = b.nagle;
        this.windowScaling = b.windowScaling;
        this.sack = b.sack;
        this.initialWindowSegments = b.initialWindowSegments;
        this.maxOutOfOrderSegments = b.maxOutOfOrderSegments;
        this.initialReceiveWindow = b.initialReceiveWindow;
        this.segmentationBytes = b.segmentationBytes;
    }

    /**
     * The same configuration with another MSS: IPv6 connections use the IPv4 one's minus 20, the difference between
     * the two IP headers.
     */
    public TcpConfig withMss(int newMss) {
        Builder b = new Builder();
        b.allocator = allocator;
        b.budget = budget;
        b.receiveBuffer = receiveBuffer;
        b.sendBuffer = sendBuffer;
        b.mss = mss;
        b.initialRtoMs = initialRtoMs;
        b.minRtoMs = minRtoMs;
        b.maxRtoMs = maxRtoMs;
        b.maxRetransmits = maxRetransmits;
        b.maxSynRetransmits = maxSynRetransmits;
        b.handshakeTimeoutMs = handshakeTimeoutMs;
        b.delayedAckMs = delayedAckMs;
        b.timeWaitMs = timeWaitMs;
        b.keepaliveIdleMs = keepaliveIdleMs;
        b.keepaliveIntervalMs = keepaliveIntervalMs;
        b.keepaliveProbes = keepaliveProbes;
        b.nagle = nagle;
        b.windowScaling = windowScaling;
        b.sack = sack;
        b.initialWindowSegments = initialWindowSegments;
        b.maxOutOfOrderSegments = maxOutOfOrderSegments;
        b.initialReceiveWindow = initialReceiveWindow;
        b.segmentationBytes = segmentationBytes;
        b.mss = newMss;
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static TcpConfig defaults() {
        return builder().build();
    }

    public ByteBufAllocator allocator() {
        return allocator;
    }

    /** Shared by every connection made with this configuration. */
    public BufferBudget budget() {
        return budget;
    }

    public int receiveBuffer() {
        return receiveBuffer;
    }

    public int sendBuffer() {
        return sendBuffer;
    }

    /** The MSS we advertise and the upper bound of the one we send with: MTU - 40 for IPv4 (RFC 6691). */
    public int mss() {
        return mss;
    }

    public long initialRtoMs() {
        return initialRtoMs;
    }

    public long minRtoMs() {
        return minRtoMs;
    }

    public long maxRtoMs() {
        return maxRtoMs;
    }

    public int maxRetransmits() {
        return maxRetransmits;
    }

    public int maxSynRetransmits() {
        return maxSynRetransmits;
    }

    public long handshakeTimeoutMs() {
        return handshakeTimeoutMs;
    }

    public long delayedAckMs() {
        return delayedAckMs;
    }

    public long timeWaitMs() {
        return timeWaitMs;
    }

    /** Silence from the guest, with nothing of ours outstanding, before the first keepalive probe. */
    public long keepaliveIdleMs() {
        return keepaliveIdleMs;
    }

    /** Between unanswered keepalive probes. */
    public long keepaliveIntervalMs() {
        return keepaliveIntervalMs;
    }

    /** Unanswered keepalive probes after which the connection is reset. */
    public int keepaliveProbes() {
        return keepaliveProbes;
    }

    /** How long a guest that vanished holds an idle connection: idle + probes * interval. */
    public long keepaliveTimeoutMs() {
        return keepaliveIdleMs + keepaliveProbes * keepaliveIntervalMs;
    }

    public boolean nagle() {
        return nagle;
    }

    public boolean windowScaling() {
        return windowScaling;
    }

    public boolean sack() {
        return sack;
    }

    public int initialWindowSegments() {
        return initialWindowSegments;
    }

    public int maxOutOfOrderSegments() {
        return maxOutOfOrderSegments;
    }

    /**
     * The most payload in one segment the link cuts into MSS-sized ones (TCP segmentation offload), or 0 when the
     * link takes only segments within the MSS. See {@link Builder#segmentationOffload}.
     */
    public int segmentationBytes() {
        return segmentationBytes;
    }

    /**
     * The receive buffer a new connection starts with: the configured initial window, but at least ten MSS (the
     * guest's initial congestion window, RFC 6928) and at most {@link #receiveBuffer()}. It doubles as the host
     * takes the data, up to the full buffer (see TcpConnection), so that idle connections do not hold (and charge to
     * the budget) a full window each.
     */
    public int initialReceiveBuffer() {
        return (int) Math.min(receiveBuffer, Math.max(initialReceiveWindow, 10L * mss));
    }

    /** The window scale we offer: the smallest shift that fits the receive buffer in 16 bits (max 14, RFC 7323). */
    public int receiveWindowScale() {
        if (!windowScaling) {
            return 0;
        }
        int shift = 0;
        while (shift < 14 && (receiveBuffer >> shift) > 0xFFFF) {
            shift++;
        }
        return shift;
    }

    public static final class Builder {
        private ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
        private BufferBudget budget = BufferBudget.unlimited();
        private int receiveBuffer = 4 << 20;
        private int sendBuffer = 4 << 20;
        private int mss = 1460;
        private long initialRtoMs = 1000;
        private long minRtoMs = 200;
        private long maxRtoMs = 60_000;
        private int maxRetransmits = 15;
        private int maxSynRetransmits = 5;
        private long handshakeTimeoutMs = 75_000;
        private long delayedAckMs = 40;
        private long timeWaitMs = 2_000;
        private long keepaliveIdleMs = DEFAULT_KEEPALIVE_IDLE_MS;
        private long keepaliveIntervalMs = DEFAULT_KEEPALIVE_INTERVAL_MS;
        private int keepaliveProbes = DEFAULT_KEEPALIVE_PROBES;
        private boolean nagle = false;
        private boolean windowScaling = true;
        private boolean sack = true;
        private int initialWindowSegments = 10;
        private int segmentationBytes;
        private int maxOutOfOrderSegments = 512;
        private int initialReceiveWindow = 128 * 1024;

        public Builder allocator(ByteBufAllocator allocator) {
            this.allocator = allocator;
            return this;
        }

        public Builder budget(BufferBudget budget) {
            this.budget = budget;
            return this;
        }

        public Builder receiveBuffer(int bytes) {
            this.receiveBuffer = bytes;
            return this;
        }

        public Builder sendBuffer(int bytes) {
            this.sendBuffer = bytes;
            return this;
        }

        /**
         * The link cuts segments for us (TSO): send up to {@code maxBytes} of payload in one segment, whole MSS-sized
         * pieces of it, which the link sends as separate segments. Slow start then also credits a stretch ACK (one
         * that acknowledges a whole super-segment, as a receiver that coalesces them sends) with up to that many
         * bytes, as Linux counts acknowledged packets, not ACKs. 0 (the default) turns it off.
         */
        public Builder segmentationOffload(int maxBytes) {
            if (maxBytes < 0 || maxBytes > 65_535) {
                throw new IllegalArgumentException("segmentation offload of " + maxBytes + " bytes");
            }
            this.segmentationBytes = maxBytes;
            return this;
        }

        public Builder mss(int mss) {
            this.mss = mss;
            return this;
        }

        /** MSS for an IPv4 MTU: MTU - 20 (IP) - 20 (TCP). */
        public Builder mtu(int mtu) {
            this.mss = mtu - 40;
            return this;
        }

        public Builder initialRtoMs(long ms) {
            this.initialRtoMs = ms;
            return this;
        }

        public Builder minRtoMs(long ms) {
            this.minRtoMs = ms;
            return this;
        }

        public Builder maxRtoMs(long ms) {
            this.maxRtoMs = ms;
            return this;
        }

        public Builder maxRetransmits(int n) {
            this.maxRetransmits = n;
            return this;
        }

        public Builder maxSynRetransmits(int n) {
            this.maxSynRetransmits = n;
            return this;
        }

        public Builder handshakeTimeoutMs(long ms) {
            this.handshakeTimeoutMs = ms;
            return this;
        }

        public Builder delayedAckMs(long ms) {
            this.delayedAckMs = ms;
            return this;
        }

        public Builder timeWaitMs(long ms) {
            this.timeWaitMs = ms;
            return this;
        }

        /**
         * Keepalive toward the guest: after {@code idleMs} without a segment from the guest (and nothing of ours
         * unacknowledged), a probe every {@code intervalMs}; after {@code probes} unanswered, RST and close.
         */
        public Builder keepalive(long idleMs, long intervalMs, int probes) {
            if (idleMs < 1 || intervalMs < 1 || probes < 1) {
                throw new IllegalArgumentException("keepalive " + idleMs + "/" + intervalMs + "/" + probes);
            }
            this.keepaliveIdleMs = idleMs;
            this.keepaliveIntervalMs = intervalMs;
            this.keepaliveProbes = probes;
            return this;
        }

        public Builder keepalive(TcpKeepalive timings) {
            return keepalive(timings.idleMs(), timings.intervalMs(), timings.probes());
        }

        public Builder nagle(boolean on) {
            this.nagle = on;
            return this;
        }

        public Builder windowScaling(boolean on) {
            this.windowScaling = on;
            return this;
        }

        public Builder sack(boolean on) {
            this.sack = on;
            return this;
        }

        public Builder initialWindowSegments(int n) {
            this.initialWindowSegments = n;
            return this;
        }

        /** Integer.MAX_VALUE: every connection uses the whole receive buffer from the start. */
        public Builder initialReceiveWindow(int bytes) {
            this.initialReceiveWindow = bytes;
            return this;
        }

        public Builder maxOutOfOrderSegments(int n) {
            this.maxOutOfOrderSegments = n;
            return this;
        }

        public TcpConfig build() {
            if (mss < 64 || mss > 65495) {
                throw new IllegalArgumentException("mss " + mss);
            }
            if (receiveBuffer < mss || sendBuffer < 1) {
                throw new IllegalArgumentException("buffers " + receiveBuffer + "/" + sendBuffer);
            }
            if (minRtoMs < 1 || initialRtoMs < minRtoMs || maxRtoMs < initialRtoMs) {
                throw new IllegalArgumentException("rto bounds");
            }
            return new TcpConfig(this);
        }
    }
}
