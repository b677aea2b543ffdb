package io.slirp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TcpTimersTest {
    /** TcpConfig's defaults for the three fixed durations. */
    private static TcpTimers defaults() {
        TcpConfig c = TcpConfig.builder().build();
        return new TcpTimers(c.handshakeTimeoutMs(), c.delayedAckMs(), c.timeWaitMs());
    }

    @Test
    void nothingIsArmedAtFirst() {
        TcpTimers t = new TcpTimers(75_000, 40, 2_000);
        assertEquals(TcpTimers.NEVER, t.next());
        assertFalse(t.retransmitDue(Long.MAX_VALUE - 1));
        assertFalse(t.persistDue(Long.MAX_VALUE - 1));
        assertFalse(t.delayedAckDue(Long.MAX_VALUE - 1));
        assertFalse(t.timeWaitDue(Long.MAX_VALUE - 1));
        assertFalse(t.handshakeDue(Long.MAX_VALUE - 1));
        assertFalse(t.keepaliveDue(Long.MAX_VALUE - 1));
        assertFalse(t.persistRunning());
    }

    @Test
    void aTimerIsDueFromItsDeadlineOnUntilStopped() {
        TcpTimers t = new TcpTimers(75_000, 40, 2_000);
        t.armRetransmit(1000, 200);
        assertEquals(1200, t.next());
        assertFalse(t.retransmitDue(1199));
        assertTrue(t.retransmitDue(1200));
        assertTrue(t.retransmitDue(5000), "nothing fires by itself: still due later");
        t.stopRetransmit();
        assertFalse(t.retransmitDue(5000));
        assertEquals(TcpTimers.NEVER, t.next());
    }

    @Test
    void theFixedDurationsComeFromTheConfig() {
        TcpConfig c = TcpConfig.builder().build();
        TcpTimers t = defaults();
        t.armHandshake(10);
        assertEquals(10 + c.handshakeTimeoutMs(), t.next());
        t.stopHandshake();
        t.armDelayedAckIfStopped(10);
        assertEquals(10 + c.delayedAckMs(), t.next());
        t.stopDelayedAck();
        t.armTimeWait(10);
        assertEquals(10 + c.timeWaitMs(), t.next());
        assertTrue(t.timeWaitDue(10 + c.timeWaitMs()));
    }

    @Test
    void nextIsTheEarliestOfAllSix() {
        TcpTimers t = new TcpTimers(75_000, 40, 2_000);
        t.armKeepalive(0, 60_000);
        t.armHandshake(0); // 75000
        t.armTimeWait(0); // 2000
        t.armPersist(0, 1500);
        t.armRetransmit(0, 1000);
        t.armDelayedAckIfStopped(900); // 940
        assertEquals(940, t.next());
        t.stopDelayedAck();
        assertEquals(1000, t.next());
        t.stopRetransmit();
        assertEquals(1500, t.next());
        t.stopPersist();
        assertEquals(2000, t.next());
        t.stopTimeWait();
        assertEquals(60_000, t.next());
        t.stopKeepalive();
        assertEquals(75_000, t.next());
        t.stopHandshake();
        assertEquals(TcpTimers.NEVER, t.next());
    }

    @Test
    void rearmingMovesTheDeadlineButTheIfStoppedFormsKeepARunningOne() {
        TcpTimers t = new TcpTimers(75_000, 40, 2_000);
        t.armRetransmitIfStopped(100, 300);
        t.armRetransmitIfStopped(200, 300);
        assertEquals(400, t.next(), "RFC 6298 5.1: a running timer is not restarted by new data");
        t.armRetransmit(200, 300);
        assertEquals(500, t.next(), "5.3: an ACK of new data restarts it");
        t.stopRetransmit();
        t.armDelayedAckIfStopped(100);
        t.armDelayedAckIfStopped(130);
        assertEquals(140, t.next(), "the delayed ACK is owed from the first unacknowledged segment");
        t.stopDelayedAck();
        t.armTimeWait(100);
        t.armTimeWait(1000);
        assertEquals(3000, t.next(), "a retransmitted FIN restarts TIME_WAIT");
    }

    @Test
    void keepaliveIsArmedWithTheDelayGivenAndRearmingMovesIt() {
        TcpTimers t = new TcpTimers(75_000, 40, 2_000);
        t.armKeepalive(100, 60_000);
        t.armKeepalive(5_000, 60_000);
        assertEquals(65_000, t.next(), "every segment from the guest moves it");
        assertFalse(t.keepaliveDue(64_999));
        assertTrue(t.keepaliveDue(65_000));
        t.armKeepalive(65_000, 10_000);
        assertEquals(75_000, t.next(), "the interval between probes");
    }

    @Test
    void persistRunningTellsWhetherAProbeIsScheduled() {
        TcpTimers t = new TcpTimers(75_000, 40, 2_000);
        t.armPersist(0, 200);
        assertTrue(t.persistRunning());
        assertTrue(t.persistDue(200));
        t.stopPersist();
        assertFalse(t.persistRunning());
    }
}
