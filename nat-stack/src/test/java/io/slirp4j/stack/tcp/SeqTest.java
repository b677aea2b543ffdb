package io.slirp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SeqTest {
    private static final int MAX = 0xFFFFFFFF; // 2^32 - 1, the last sequence number before the wrap

    @Test
    void comparisonsAcrossTheWrap() {
        assertTrue(Seq.lt(MAX, 0), "0xFFFFFFFF comes before 0");
        assertTrue(Seq.gt(0, MAX));
        assertTrue(Seq.le(MAX, 0));
        assertTrue(Seq.ge(0, MAX));
        assertFalse(Seq.gt(MAX, 0));
        assertFalse(Seq.lt(0, MAX));
        assertTrue(Seq.lt(0xFFFFFF00, 0x100));
        assertTrue(Seq.gt(0x100, 0xFFFFFF00));
        // the signed boundary in the middle of the space is not a wrap either
        assertTrue(Seq.lt(Integer.MAX_VALUE, Integer.MIN_VALUE));
        assertTrue(Seq.gt(Integer.MIN_VALUE, Integer.MAX_VALUE));
    }

    @Test
    void equalNumbers() {
        for (int a : new int[] {0, 1, MAX, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertTrue(Seq.le(a, a));
            assertTrue(Seq.ge(a, a));
            assertFalse(Seq.lt(a, a));
            assertFalse(Seq.gt(a, a));
        }
    }

    @Test
    void halfTheSpaceApartIsTheLimit() {
        int a = 0x7000_0000;
        assertTrue(Seq.lt(a, a + Integer.MAX_VALUE), "2^31 - 1 ahead is still ahead");
        assertTrue(Seq.lt(a, a + (1 << 30)));
        // exactly 2^31 apart is ambiguous (RFC 1982): the signed difference calls it "before" both ways
        assertTrue(Seq.lt(a + Integer.MIN_VALUE, a));
        assertTrue(Seq.lt(a, a + Integer.MIN_VALUE));
    }

    @Test
    void addAndDiffWrap() {
        assertEquals(0, Seq.add(MAX, 1));
        assertEquals(0x0F, Seq.add(0xFFFFFFF0, 0x1F));
        assertEquals(MAX, Seq.add(0, -1));
        assertEquals(1, Seq.diff(0, MAX));
        assertEquals(-1, Seq.diff(MAX, 0));
        assertEquals(0x1F, Seq.diff(0x0F, 0xFFFFFFF0));
        assertEquals(-0x1F, Seq.diff(0xFFFFFFF0, 0x0F));
        assertEquals(0, Seq.diff(MAX, MAX));
    }

    @Test
    void windowEdges() {
        int start = 1000;
        assertTrue(Seq.inWindow(1000, start, 10), "left edge is inside");
        assertTrue(Seq.inWindow(1009, start, 10), "last byte is inside");
        assertFalse(Seq.inWindow(1010, start, 10), "right edge is outside");
        assertFalse(Seq.inWindow(999, start, 10), "before the left edge");
        assertFalse(Seq.inWindow(1000, start, 0), "an empty window holds nothing, not even its left edge");
        assertTrue(Seq.inWindow(1000, start, 1));
        assertFalse(Seq.inWindow(1001, start, 1));
    }

    @Test
    void windowAcrossTheWrap() {
        int start = 0xFFFFFFF0;
        int size = 0x20; // [0xFFFFFFF0, 0x10)
        assertTrue(Seq.inWindow(start, start, size));
        assertTrue(Seq.inWindow(MAX, start, size));
        assertTrue(Seq.inWindow(0, start, size));
        assertTrue(Seq.inWindow(0x0F, start, size));
        assertFalse(Seq.inWindow(0x10, start, size), "right edge, after the wrap");
        assertFalse(Seq.inWindow(0xFFFFFFEF, start, size));
        // a window ending exactly at the wrap
        assertTrue(Seq.inWindow(MAX, 0xFFFFFFFE, 2));
        assertFalse(Seq.inWindow(0, 0xFFFFFFFE, 2));
        // a window starting exactly at the wrap
        assertTrue(Seq.inWindow(0, 0, 5));
        assertFalse(Seq.inWindow(MAX, 0, 5));
    }

    @Test
    void largestWindowAWindowScaleAllows() {
        int start = 0xC000_0000;
        int size = 0xFFFF << 14; // just under 2^30
        assertTrue(Seq.inWindow(start + size - 1, start, size));
        assertFalse(Seq.inWindow(start + size, start, size));
        assertFalse(Seq.inWindow(start - 1, start, size));
    }

    @Test
    void inWindowMatchesTheRawFormItReplaced() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(9);
        for (int i = 0; i < 100_000; i++) {
            int start = r.nextInt();
            int size = r.nextInt(1 << 30);
            int seq = i % 2 == 0 ? r.nextInt() : start + r.nextInt(-4, size + 4);
            boolean raw = seq - start >= 0 && seq - (start + size) < 0;
            assertEquals(raw, Seq.inWindow(seq, start, size));
            assertEquals(Integer.compareUnsigned(seq - start, size) < 0, Seq.inWindow(seq, start, size),
                "for windows below 2^31 it is the unsigned offset test");
        }
    }
}
