package io.slirp4j.stack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Out-of-order guest data waiting for the gap before it to fill.
 *
 * <p>Theory of operation: entries are disjoint byte ranges sorted by sequence number, each an exact-size copy of
 * the bytes (a guest frame may be a 64 KiB GSO buffer or share memory with others; copying the rare out-of-order
 * bytes keeps memory proportional to what is queued and lets the frame go). Sequence numbers are compared
 * relative to RCV.NXT ({@link Seq#diff}), which is safe because everything queued lies inside the receive window
 * (< 2^30).
 * {@link #add} stores only the parts of a segment not already queued, so duplicates and overlaps cost nothing;
 * the caller trims segments to the window first, so the queue never holds more than the window, and at most
 * {@code maxEntries} ranges (further pieces are dropped, and the guest retransmits them).
 * {@link #sackBlocks} reports contiguous runs for RFC 2018, the run holding the most recent arrival first.
 */
final class ReassemblyQueue {
    private final ByteBufAllocator alloc;
    private final int maxEntries;
    private int[] seqs = new int[8];
    private ByteBuf[] data = new ByteBuf[8];
    private int count;
    private int bytes;
    /** Sequence number of the latest byte range added, for the first SACK block. */
    private int lastAdded;

    ReassemblyQueue(ByteBufAllocator alloc, int maxEntries) {
        this.alloc = alloc;
        this.maxEntries = maxEntries;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int bytes() {
        return bytes;
    }

    int entries() {
        return count;
    }

    /**
     * Queues bytes {@code [seq, seq + length)} found at {@code buf[offset..]}; {@code seq} is after {@code rcvNxt}.
     * Returns the number of new bytes stored.
     */
    int add(int rcvNxt, int seq, ByteBuf buf, int offset, int length) {
        int stored = 0;
        int s = Seq.diff(seq, rcvNxt);
        int e = s + length;
        int i = 0;
        while (s < e) {
            while (i < count && Seq.diff(end(i), rcvNxt) <= s) {
                i++;
            }
            int pieceEnd = e;
            if (i < count) {
                int es = Seq.diff(seqs[i], rcvNxt);
                if (es <= s) {
                    s = Math.min(e, Seq.diff(end(i), rcvNxt));
                    continue;
                }
                pieceEnd = Math.min(e, es);
            }
            if (count == maxEntries) {
                return stored;
            }
            int n = pieceEnd - s;
            ByteBuf copy = alloc.buffer(n);
            copy.writeBytes(buf, offset + (s - Seq.diff(seq, rcvNxt)), n);
            insert(i, Seq.add(rcvNxt, s), copy);
            lastAdded = Seq.add(rcvNxt, s);
            bytes += n;
            stored += n;
            s = pieceEnd;
            i++;
        }
        return stored;
    }

    private int end(int i) {
        return Seq.add(seqs[i], data[i].readableBytes());
    }

    private void insert(int at, int seq, ByteBuf b) {
        if (count == seqs.length) {
            seqs = java.util.Arrays.copyOf(seqs, count * 2);
            data = java.util.Arrays.copyOf(data, count * 2);
        }
        System.arraycopy(seqs, at, seqs, at + 1, count - at);
        System.arraycopy(data, at, data, at + 1, count - at);
        seqs[at] = seq;
        data[at] = b;
        count++;
    }

    /**
     * Removes and returns the bytes that now follow {@code rcvNxt} directly (the caller owns the buffer), or null.
     * Entries wholly before {@code rcvNxt} are discarded on the way.
     */
    ByteBuf poll(int rcvNxt) {
        while (count > 0) {
            int s = Seq.diff(seqs[0], rcvNxt);
            if (s > 0) {
                return null;
            }
            ByteBuf b = data[0];
            removeFirst();
            bytes -= b.readableBytes();
            if (end0(s, b) <= 0) {
                b.release();
                continue;
            }
            b.skipBytes(-s);
            return b;
        }
        return null;
    }

    private static int end0(int relStart, ByteBuf b) {
        return relStart + b.readableBytes();
    }

    private void removeFirst() {
        System.arraycopy(seqs, 1, seqs, 0, count - 1);
        System.arraycopy(data, 1, data, 0, count - 1);
        data[--count] = null;
    }

    /**
     * Writes up to {@code max} SACK blocks as (left, right) pairs into {@code out}; returns the number written.
     * The block with the most recently added bytes comes first (RFC 2018 section 4), then the others in order.
     */
    int sackBlocks(int[] out, int max) {
        if (count == 0 || max == 0) {
            return 0;
        }
        int n = 0;
        int recentLeft = 0;
        int recentRight = 0;
        // the run holding lastAdded
        int i = 0;
        while (i < count) {
            int left = seqs[i];
            int right = end(i);
            int j = i + 1;
            while (j < count && seqs[j] == right) {
                right = end(j);
                j++;
            }
            if (Seq.ge(lastAdded, left) && Seq.lt(lastAdded, right)) {
                recentLeft = left;
                recentRight = right;
                out[0] = left;
                out[1] = right;
                n = 1;
                break;
            }
            i = j;
        }
        i = 0;
        while (i < count && n < max) {
            int left = seqs[i];
            int right = end(i);
            int j = i + 1;
            while (j < count && seqs[j] == right) {
                right = end(j);
                j++;
            }
            if (!(n > 0 && left == recentLeft && right == recentRight)) {
                out[2 * n] = left;
                out[2 * n + 1] = right;
                n++;
            }
            i = j;
        }
        return n;
    }

    /** How many contiguous runs the held segments form: the SACK blocks {@link #sackBlocks} can report. */
    int runs() {
        int runs = 0;
        for (int i = 0; i < count; i++) {
            if (i == 0 || seqs[i] != end(i - 1)) {
                runs++;
            }
        }
        return runs;
    }

    void release() {
        for (int i = 0; i < count; i++) {
            data[i].release();
            data[i] = null;
        }
        count = 0;
        bytes = 0;
    }
}
