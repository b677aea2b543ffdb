package io.slirp4j.stack.iface;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * One datagram being put together from its fragments, for either IP version's reassembler: which byte ranges of
 * the fragmentable part have arrived, and the bytes themselves, in one buffer.
 *
 * <p>Theory of operation (RFC 815's idea: track what has arrived, not what is missing): data goes to
 * {@code base + fragment offset}; when the first fragment arrives, its header part (the IPv4 header, or the
 * IPv6 header and the extension headers before the fragment header) is copied just before {@code base}, so the
 * finished datagram is contiguous without a second copy. The arrived ranges are kept sorted and merged; the
 * datagram is complete when the last fragment fixed the length and one range covers it all. A fragment that
 * partly overlaps data already received makes {@link #add} fail (the caller abandons the datagram, as Linux does
 * since FragmentSmack and RFC 5722 demands for IPv6); one that lies entirely within received data is a duplicate
 * and ignored. At most {@value #MAX_RANGES} disjoint ranges, and header plus data at most {@code maxTotal} bytes.
 *
 * <p>Ownership: the assembly owns its buffer until {@link #take()} hands it over or {@link #release()} frees it.
 */
public final class FragmentAssembly {
    public static final int MAX_RANGES = 64;

    public final long createdAt;
    private final ByteBufAllocator alloc;
    private final int base;
    private final int maxTotal;
    private ByteBuf data;
    private int headerLength;
    /** Data length, known once the last fragment arrived; -1 before. */
    private int payloadLength = -1;
    /** Sorted, disjoint, non-adjacent [starts[i], ends[i]) byte ranges received. */
    private final int[] starts = new int[MAX_RANGES];
    private final int[] ends = new int[MAX_RANGES];
    private int ranges;

    /**
     * @param base     where data offset 0 goes in the buffer: room for the longest header part before it
     * @param maxTotal the most header part and data together may be
     */
    public FragmentAssembly(ByteBufAllocator alloc, int base, int maxTotal, long now) {
        this.alloc = alloc;
        this.base = base;
        this.maxTotal = maxTotal;
        this.createdAt = now;
    }

    /**
     * Adds the data {@code [start, end)} of one fragment, read from {@code from} at {@code dataOffset}; {@code more}
     * is the fragment's more-fragments flag. The first fragment (start 0) also brings the header part:
     * {@code firstHeaderLength} bytes at {@code headerOffset}. Returns false when the datagram must be abandoned.
     */
    public boolean add(ByteBuf from, int dataOffset, int start, int end, boolean more, int headerOffset,
        int firstHeaderLength) {
        int maxEnd = ranges == 0 ? 0 : ends[ranges - 1];
        if (!more) {
            if ((payloadLength >= 0 && payloadLength != end) || end < maxEnd) {
                return false;
            }
            payloadLength = end;
        } else if (payloadLength >= 0 && end > payloadLength) {
            return false;
        }
        int i = 0;
        for (int k = 0; k < ranges; k++) {
            if (starts[k] <= start && end <= ends[k]) {
                return true; // a duplicate: everything in it has arrived already
            }
            if (starts[k] < end && ends[k] > start) {
                return false; // a partial overlap
            }
            if (starts[k] < start) {
                i = k + 1;
            }
        }
        boolean first = start == 0;
        int header = first ? firstHeaderLength : headerLength;
        if (header > 0 && header + Math.max(end, maxEnd) > maxTotal) {
            return false;
        }
        if (start == end) {
            return true; // an empty last fragment only tells the length
        }
        ensureCapacity(base + end);
        data.setBytes(base + start, from, dataOffset, end - start);
        if (first) {
            headerLength = header;
            data.setBytes(base - headerLength, from, headerOffset, headerLength);
        }
        return insertRange(i, start, end);
    }

    /** Records [start, end) at index i (ranges before i end at or before start), merging with neighbours. */
    private boolean insertRange(int i, int start, int end) {
        boolean joinsPrevious = i > 0 && ends[i - 1] == start;
        boolean joinsNext = i < ranges && starts[i] == end;
        if (joinsPrevious && joinsNext) {
            ends[i - 1] = ends[i];
            System.arraycopy(starts, i + 1, starts, i, ranges - i - 1);
            System.arraycopy(ends, i + 1, ends, i, ranges - i - 1);
            ranges--;
        } else if (joinsPrevious) {
            ends[i - 1] = end;
        } else if (joinsNext) {
            starts[i] = start;
        } else {
            if (ranges == MAX_RANGES) {
                return false;
            }
            System.arraycopy(starts, i, starts, i + 1, ranges - i);
            System.arraycopy(ends, i, ends, i + 1, ranges - i);
            starts[i] = start;
            ends[i] = end;
            ranges++;
        }
        return true;
    }

    private void ensureCapacity(int needed) {
        if (data == null) {
            data = alloc.buffer(Math.max(needed, 2048), base + maxTotal);
        } else if (data.capacity() < needed) {
            data.capacity(Math.min(Math.max(needed, data.capacity() * 2), data.maxCapacity()));
        }
    }

    public boolean complete() {
        return payloadLength >= 0 && headerLength > 0 && ranges == 1 && starts[0] == 0 && ends[0] == payloadLength;
    }

    public int headerLength() {
        return headerLength;
    }

    public int payloadLength() {
        return payloadLength;
    }

    /**
     * Hands over the complete datagram: reader index at its header part, writer index at its end. The caller fixes
     * the header fields that described the fragment and owns the buffer.
     */
    public ByteBuf take() {
        data.setIndex(base - headerLength, base + payloadLength);
        ByteBuf result = data;
        data = null;
        return result;
    }

    public void release() {
        if (data != null) {
            data.release();
            data = null;
        }
    }
}
