package io.slirp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.TrackingAllocator;
import org.junit.jupiter.api.Test;

/** The send queue of retained slices and the out-of-order queue, directly. */
class BuffersTest {
    private final TrackingAllocator alloc = new TrackingAllocator();

    private ByteBuf data(int n, int seed) {
        ByteBuf b = alloc.buffer(n);
        for (int i = 0; i < n; i++) {
            b.writeByte(i + seed);
        }
        return b;
    }

    @Test
    void sendBufferSlicesWithoutCopyingAndSpansChunks() {
        SendBuffer sb = new SendBuffer(alloc);
        ByteBuf big = data(2000, 0);
        sb.append(big, 2000);
        assertEquals(0, big.readableBytes());
        int before = alloc.allocations();
        ByteBuf small1 = data(100, 50);
        sb.append(small1, 100);
        ByteBuf small2 = data(100, 60);
        sb.append(small2, 100); // coalesced into one tail chunk
        assertEquals(2200, sb.size());
        ByteBuf p = sb.payload(1900, 200);
        for (int i = 0; i < 100; i++) {
            assertEquals((byte) (1900 + i), p.getByte(p.readerIndex() + i));
            assertEquals((byte) (50 + i), p.getByte(p.readerIndex() + 100 + i));
        }
        p.release();
        ByteBuf q = sb.payload(0, 1460);
        assertEquals(1460, q.readableBytes());
        q.release();
        big.release();
        small1.release();
        small2.release();
        sb.drop(2050);
        assertEquals(150, sb.size());
        ByteBuf r = sb.payload(2100, 50);
        assertEquals((byte) 60, r.getByte(r.readerIndex()));
        r.release();
        sb.drop(150);
        assertEquals(0, sb.size());
        assertEquals(0, alloc.unreleased().size());
        assertEquals(before + 3, alloc.allocations(), "two small writes, one tail chunk (+ their sources)");
    }

    @Test
    void reassemblyQueueMergesAndReportsRuns() {
        ReassemblyQueue q = new ReassemblyQueue(alloc, 16);
        ByteBuf src = data(1000, 0);
        int base = -500; // across the wrap
        assertEquals(100, q.add(base, base + 100, src, 100, 100));
        assertEquals(100, q.add(base, base + 300, src, 300, 100));
        assertEquals(100, q.add(base, base + 150, src, 150, 200), "only the gap 200..300 is new");
        assertEquals(0, q.add(base, base + 100, src, 100, 300));
        int[] blocks = new int[8];
        assertEquals(1, q.sackBlocks(blocks, 3));
        assertEquals(base + 100, blocks[0]);
        assertEquals(base + 400, blocks[1]);
        assertNull(q.poll(base));
        ByteBuf got = q.poll(base + 150);
        assertEquals(50, got.readableBytes());
        assertEquals((byte) 150, got.getByte(got.readerIndex()));
        got.release();
        q.release();
        src.release();
        assertEquals(0, alloc.unreleased().size());
    }

    @Test
    void reassemblyQueueIsBoundedInEntries() {
        ReassemblyQueue q = new ReassemblyQueue(alloc, 2);
        ByteBuf src = data(1000, 0);
        q.add(0, 100, src, 100, 10);
        q.add(0, 200, src, 200, 10);
        assertEquals(0, q.add(0, 300, src, 300, 10));
        assertEquals(2, q.entries());
        q.release();
        src.release();
        assertEquals(0, alloc.unreleased().size());
    }
}
