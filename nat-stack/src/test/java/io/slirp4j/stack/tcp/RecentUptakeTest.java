package io.slirp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RecentUptakeTest {
    @Test
    void countsTheCurrentPeriodAtOnce() {
        RecentUptake u = new RecentUptake();
        assertEquals(0, u.recent(1000));
        u.add(500, 1000);
        u.add(700, 1003);
        assertEquals(1200, u.recent(1009));
    }

    @Test
    void keepsTheBusierOfTheLastTwoPeriods() {
        RecentUptake u = new RecentUptake();
        u.add(5000, 1000);
        u.add(100, 1012);
        assertEquals(5000, u.recent(1015), "the period before was busier");
        u.add(8000, 1019);
        assertEquals(8100, u.recent(1019));
        assertEquals(8100, u.recent(1025), "one period on, the last one still counts");
    }

    @Test
    void forgetsAHostThatStoppedTakingData() {
        RecentUptake u = new RecentUptake();
        u.add(1 << 20, 1000);
        assertEquals(0, u.recent(1000 + 2 * RecentUptake.PERIOD_MS), "two periods without uptake");
        u.add(300, 5000);
        assertEquals(300, u.recent(5001));
    }

    @Test
    void aClockThatStepsBackChangesNothing() {
        RecentUptake u = new RecentUptake();
        u.add(400, 1000);
        assertEquals(400, u.recent(990));
    }
}
