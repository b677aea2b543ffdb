package io.slirp4j.stack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * The bytes a connection has accepted from the host but the guest has not acknowledged yet, as a queue of
 * retained slices of the host's read buffers.
 *
 * <p>Theory of operation: {@link #append} keeps a retained slice of the caller's buffer, so a 64 KiB host read
 * is never copied; only writes shorter than {@value #SMALL_WRITE} bytes are copied into a shared tail chunk, so
 * that a chatty peer (one byte per read) does not pin one read buffer per byte. Bytes are addressed by their
 * position in the stream ({@code long}, never wraps): the first byte in the queue is at {@link #start()}.
 * {@link #payload} returns a region for a segment: a retained slice when it lies in one chunk (the common case,
 * segments are MSS-sized and chunks are reads), otherwise a composite of retained slices. A cursor remembers the
 * chunk of the last lookup, so sending a window's worth of segments in order costs O(1) per segment even with
 * thousands of chunks. {@link #drop} releases acknowledged chunks from the front.
 */
final class SendBuffer {
    static final int SMALL_WRITE = 512;
    private static final int TAIL_CAPACITY = 4096;

    private final ByteBufAllocator alloc;
    private ByteBuf[] chunks = new ByteBuf[16];
    private long[] starts = new long[16];
    private int head;
    private int count;
    private long start;
    private long end;
    /** A chunk we own and may still append small writes to: the last chunk when non-null. */
    private ByteBuf tail;
    private int cursor;

    SendBuffer(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** Stream position of the first buffered byte. */
    long start() {
        return start;
    }

    /** Stream position after the last buffered byte. */
    long end() {
        return end;
    }

    int size() {
        return (int) (end - start);
    }

    /** Takes the next {@code n} readable bytes of {@code src} (advancing its reader index). */
    void append(ByteBuf src, int n) {
        if (n <= 0) {
            return;
        }
        if (n < SMALL_WRITE) {
            if (tail != null && tail.writableBytes() >= n) {
                tail.writeBytes(src, n);
                end += n;
                return;
            }
            ByteBuf copy = alloc.buffer(Math.max(TAIL_CAPACITY, n));
            copy.writeBytes(src, n);
            push(copy);
            tail = copy;
            end += n;
            return;
        }
        push(src.readRetainedSlice(n));
        tail = null;
        end += n;
    }

    private void push(ByteBuf chunk) {
        if (count == chunks.length) {
            ByteBuf[] c = new ByteBuf[count * 2];
            long[] s = new long[count * 2];
            for (int i = 0; i < count; i++) {
                c[i] = chunks[(head + i) % chunks.length];
                s[i] = starts[(head + i) % chunks.length];
            }
            chunks = c;
            starts = s;
            cursor = (cursor - head + count) % count;
            head = 0;
        }
        int at = (head + count) % chunks.length;
        chunks[at] = chunk;
        starts[at] = end;
        count++;
    }

    /** Releases the first {@code n} bytes. */
    void drop(long n) {
        long newStart = Math.min(end, start + n);
        while (count > 0) {
            ByteBuf c = chunks[head];
            long chunkEnd = starts[head] + c.readableBytes();
            if (chunkEnd > newStart) {
                break;
            }
            if (c == tail) {
                tail = null;
            }
            c.release();
            chunks[head] = null;
            head = (head + 1) % chunks.length;
            count--;
        }
        start = newStart;
    }

    /**
     * A buffer holding {@code length} bytes from stream position {@code from} (which must lie in the buffer); the
     * caller releases it.
     */
    ByteBuf payload(long from, int length) {
        int i = find(from);
        ByteBuf c = chunks[(head + i) % chunks.length];
        int off = (int) (from - starts[(head + i) % chunks.length]);
        if (c.readableBytes() - off >= length) {
            return c.retainedSlice(c.readerIndex() + off, length);
        }
        CompositeByteBuf composite = alloc.compositeBuffer(16);
        int left = length;
        while (left > 0) {
            c = chunks[(head + i) % chunks.length];
            int n = Math.min(left, c.readableBytes() - off);
            composite.addComponent(true, c.retainedSlice(c.readerIndex() + off, n));
            left -= n;
            off = 0;
            i++;
        }
        return composite;
    }

    /** Index (relative to head) of the chunk holding stream position {@code pos}. */
    private int find(long pos) {
        if (pos < start || pos >= end) {
            throw new IndexOutOfBoundsException(pos + " not in [" + start + ", " + end + ")");
        }
        int rel = (cursor - head + chunks.length) % chunks.length;
        if (rel >= count || starts[cursor] > pos) {
            rel = 0;
        }
        while (true) {
            int at = (head + rel) % chunks.length;
            if (pos < starts[at] + chunks[at].readableBytes()) {
                cursor = at;
                return rel;
            }
            rel++;
        }
    }

    void release() {
        while (count > 0) {
            chunks[head].release();
            chunks[head] = null;
            head = (head + 1) % chunks.length;
            count--;
        }
        tail = null;
        start = end;
    }
}
