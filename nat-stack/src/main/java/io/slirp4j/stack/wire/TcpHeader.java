package io.slirp4j.stack.wire;

/**
 * A TCP header as values (smoltcp's {@code TcpRepr}): what {@link TcpSegment#emitHeader} writes and what the TCP
 * engine hands to whoever sends its segments.
 *
 * <p>Theory of operation: one mutable instance is reused for every segment a connection emits, so building a
 * segment allocates nothing; a consumer that needs the values later copies them. Options are present when their
 * field says so: {@code mss > 0}, {@code windowScale >= 0}, {@code sackPermitted}, {@code sackCount > 0},
 * {@code timestamps}. {@link #headerLength()} is the 20 fixed bytes plus the options, padded to 32 bits, in the
 * order Linux uses (MSS, SACK-permitted + timestamps, window scale, SACK blocks), which packs them without waste.
 * Sequence and acknowledgment numbers are plain 32-bit values in an {@code int}; the window is the raw 16-bit
 * field (already scaled down by the sender).
 */
public final class TcpHeader {
    public static final int MAX_SACK_BLOCKS = 4;

    public int sourcePort;
    public int destinationPort;
    public int seq;
    public int ack;
    /** {@link TcpSegment#FIN} and friends. */
    public int flags;
    /** The raw 16-bit window field. */
    public int window;
    /** MSS option value, or 0 for none. */
    public int mss;
    /** Window scale option shift, or -1 for none. */
    public int windowScale = -1;
    public boolean sackPermitted;
    /** SACK blocks as (left, right) pairs in {@link #sack}; 0 for no SACK option. */
    public int sackCount;
    public final int[] sack = new int[2 * MAX_SACK_BLOCKS];
    public boolean timestamps;
    public int tsVal;
    public int tsEcr;

    /** Resets every field to "plain header, no options". */
    public TcpHeader clear() {
        sourcePort = 0;
        destinationPort = 0;
        seq = 0;
        ack = 0;
        flags = 0;
        window = 0;
        mss = 0;
        windowScale = -1;
        sackPermitted = false;
        sackCount = 0;
        timestamps = false;
        tsVal = 0;
        tsEcr = 0;
        return this;
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Bytes of options before padding. */
    public int optionsLength() {
        int n = 0;
        if (mss > 0) {
            n += 4;
        }
        if (sackPermitted || timestamps) {
            // SACK-permitted rides in the two NOPs that would otherwise align the timestamps (Linux's layout)
            n += timestamps ? 12 : 4;
        }
        if (windowScale >= 0) {
            n += 4;
        }
        if (sackCount > 0) {
            n += 4 + 8 * Math.min(sackCount, MAX_SACK_BLOCKS);
        }
        return n;
    }

    /** The header length in bytes (a multiple of 4, at most 60 for any combination a sane sender makes). */
    public int headerLength() {
        return TcpSegment.MIN_HEADER_LENGTH + ((optionsLength() + 3) & ~3);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append(sourcePort).append('>').append(destinationPort).append(' ').append(TcpSegment.flagsToString(flags))
            .append(" seq=").append(Integer.toUnsignedString(seq)).append(" ack=")
            .append(Integer.toUnsignedString(ack)).append(" win=").append(window);
        if (mss > 0) {
            b.append(" mss=").append(mss);
        }
        if (windowScale >= 0) {
            b.append(" ws=").append(windowScale);
        }
        if (sackPermitted) {
            b.append(" sackOK");
        }
        for (int i = 0; i < sackCount; i++) {
            b.append(" sack=").append(Integer.toUnsignedString(sack[2 * i])).append('-')
                .append(Integer.toUnsignedString(sack[2 * i + 1]));
        }
        if (timestamps) {
            b.append(" ts=").append(Integer.toUnsignedString(tsVal)).append('/').append(Integer.toUnsignedString(tsEcr));
        }
        return b.toString();
    }
}
