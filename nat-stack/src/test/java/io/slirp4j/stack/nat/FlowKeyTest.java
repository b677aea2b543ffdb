package io.slirp4j.stack.nat;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FlowKeyTest {
    /** The bucket Netty's LongObjectHashMap (the TCP table) takes for a key, in a table of {@code size} slots. */
    private static int bucket(long hash, int size) {
        return ((int) (hash ^ (hash >>> 32))) & (size - 1);
    }

    @Test
    void connectionsThatDifferOnlyInTheGuestPortSpreadOverTheTable() {
        Set<Integer> buckets = new HashSet<>();
        for (int port = 40_000; port < 42_000; port++) {
            buckets.add(bucket(FlowKey.ofIpv4(0x0a00_0264, port, 0x0a00_0202, 9000).hash(), 4096));
        }
        // 2,000 random keys in 4,096 slots fill about 1,590; the old hash put them all in one
        assertTrue(buckets.size() > 1_400, buckets.size() + " buckets");
    }

    @Test
    void connectionsThatDifferOnlyInThePeerSpreadToo() {
        Set<Integer> buckets = new HashSet<>();
        for (int peer = 0; peer < 2_000; peer++) {
            buckets.add(bucket(FlowKey.ofIpv4(0x0a00_0264, 40_000, 0xc633_6400 + peer, 443).hash(), 4096));
        }
        assertTrue(buckets.size() > 1_400, buckets.size() + " buckets");
    }
}
