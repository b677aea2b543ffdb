package io.slirp4j.stack.iface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slirp4j.stack.wire.MacAddress;
import org.junit.jupiter.api.Test;

class NeighborsTest {
    @Test
    void learnLookupUpdate() {
        Neighbors n = new Neighbors();
        assertEquals(MacAddress.NONE, n.lookup(5));
        n.learn(5, 0xAAL, 0);
        assertEquals(0xAAL, n.lookup(5));
        n.learn(5, 0xBBL, 1);
        assertEquals(0xBBL, n.lookup(5));
        assertEquals(1, n.size());
    }

    @Test
    void fullTableReplacesLeastRecent() {
        Neighbors n = new Neighbors();
        for (int i = 0; i < Neighbors.CAPACITY; i++) {
            n.learn(i, 100 + i, 10 + i);
        }
        n.learn(0, 100, 1000); // refresh the first
        n.learn(999, 7, 1001);
        assertEquals(Neighbors.CAPACITY, n.size());
        assertEquals(100, n.lookup(0));
        assertEquals(MacAddress.NONE, n.lookup(1), "the stalest entry went");
        assertEquals(7, n.lookup(999));
    }

    @Test
    void requestsAreRateLimitedPerAddress() {
        Neighbors n = new Neighbors();
        assertTrue(n.shouldRequest(1, 0));
        assertFalse(n.shouldRequest(1, 999));
        assertTrue(n.shouldRequest(2, 999));
        assertTrue(n.shouldRequest(1, 1000));
        n.learn(1, 5, 1001);
        assertTrue(n.shouldRequest(1, 1002), "learning forgets the request");
        for (int i = 10; i < 10 + 2 * Neighbors.REQUEST_SLOTS; i++) {
            assertTrue(n.shouldRequest(i, 2000));
        }
    }
}
