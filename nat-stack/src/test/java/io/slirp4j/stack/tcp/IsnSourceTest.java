package io.slirp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.slirp4j.stack.nat.FlowKey;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IsnSourceTest {
    private static final int GUEST = 0x0a000264;
    private static final int PEER = 0xc6336402;

    @Test
    void onOneFourTupleTheIsnRunsAt250000PerSecond() {
        IsnSource isn = IsnSource.rfc6528();
        int first = isn.next(FlowKey.ofIpv4(GUEST, 80, PEER, 5555), 1_000);
        assertEquals(first, isn.next(FlowKey.ofIpv4(GUEST, 80, PEER, 5555), 1_000), "the same tuple at the same time");
        assertEquals(first + 250_000, isn.next(FlowKey.ofIpv4(GUEST, 80, PEER, 5555), 2_000));
        assertEquals(first + 250 * 3_600_000, isn.next(FlowKey.ofIpv4(GUEST, 80, PEER, 5555), 3_601_000), "wraps like sequence numbers");
    }

    @Test
    void differentFourTuplesAndSecretsGiveUnrelatedIsns() {
        IsnSource isn = IsnSource.rfc6528();
        Set<Integer> seen = new HashSet<>();
        seen.add(isn.next(FlowKey.ofIpv4(GUEST, 80, PEER, 5555), 0));
        seen.add(isn.next(FlowKey.ofIpv4(GUEST, 81, PEER, 5555), 0));
        seen.add(isn.next(FlowKey.ofIpv4(GUEST, 80, PEER, 5556), 0));
        seen.add(isn.next(FlowKey.ofIpv4(GUEST + 1, 80, PEER, 5555), 0));
        seen.add(isn.next(FlowKey.ofIpv4(GUEST, 80, PEER + 1, 5555), 0));
        seen.add(isn.next(new FlowKey(1, 2, 80, 3, 4, 5555), 0));
        seen.add(isn.next(new FlowKey(1, 2, 80, 3, 5, 5555), 0));
        assertEquals(7, seen.size(), "each field of the tuple counts, IPv6 addresses' too");
        // 2^-32 odds of a false failure
        assertNotEquals(isn.next(FlowKey.ofIpv4(GUEST, 80, PEER, 5555), 0), IsnSource.rfc6528().next(FlowKey.ofIpv4(GUEST, 80, PEER, 5555), 0));
    }

    @Test
    void fixedIsFixed() {
        assertEquals(7, IsnSource.fixed(7).next(FlowKey.ofIpv4(GUEST, 80, PEER, 5555), 123));
    }
}
