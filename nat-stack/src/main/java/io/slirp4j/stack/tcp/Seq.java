package io.slirp4j.stack.tcp;

/**
 * TCP sequence-number arithmetic (RFC 9293 3.4) on plain {@code int}s, modulo 2^32.
 *
 * <p>Theory of operation: a sequence number is an {@code int} holding the 32 unsigned bits of the wire field.
 * Adding a length wraps for free in two's complement; comparing two sequence numbers means looking at the sign of
 * their difference (RFC 1982 serial-number arithmetic), which is correct whenever they are less than 2^31 apart,
 * as everything a connection compares is (windows are below 2^30). smoltcp's {@code TcpSeqNumber} and gVisor's
 * {@code seqnum} do the same with a wrapper type; here they are static methods so that no segment allocates.
 * Every comparison is written exactly as the raw {@code a - b < 0} it names, so replacing one by the other
 * changes nothing.
 */
final class Seq {
    private Seq() {
    }

    /** {@code a} comes before {@code b}. */
    static boolean lt(int a, int b) {
        return a - b < 0;
    }

    /** {@code a} comes before {@code b} or is {@code b}. */
    static boolean le(int a, int b) {
        return a - b <= 0;
    }

    /** {@code a} comes after {@code b}. */
    static boolean gt(int a, int b) {
        return a - b > 0;
    }

    /** {@code a} comes after {@code b} or is {@code b}. */
    static boolean ge(int a, int b) {
        return a - b >= 0;
    }

    /**
     * {@code seq} lies in {@code [start, start + size)}: at or after {@code start} and before the right edge. An
     * empty window ({@code size == 0}) holds nothing. {@code size} is below 2^31.
     */
    static boolean inWindow(int seq, int start, int size) {
        return ge(seq, start) && lt(seq, start + size);
    }

    /** The sequence number {@code n} bytes after {@code seq} (before it for negative {@code n}), wrapping. */
    static int add(int seq, int n) {
        return seq + n;
    }

    /**
     * The signed distance from {@code b} to {@code a}: how many bytes {@code a} lies after {@code b} (negative if
     * before), for numbers less than 2^31 apart.
     */
    static int diff(int a, int b) {
        return a - b;
    }
}
