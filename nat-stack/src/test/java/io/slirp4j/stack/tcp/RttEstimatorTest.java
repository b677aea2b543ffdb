package io.slirp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RttEstimatorTest {
    /** TcpConfig's defaults: initial RTO 1 s, floor 200 ms, ceiling 60 s. */
    private static RttEstimator defaults() {
        TcpConfig c = TcpConfig.builder().build();
        assertEquals(1000, c.initialRtoMs());
        assertEquals(200, c.minRtoMs());
        assertEquals(60_000, c.maxRtoMs());
        return new RttEstimator(c.initialRtoMs(), c.minRtoMs(), c.maxRtoMs());
    }

    @Test
    void beforeAnySampleTheRtoIsTheInitialOne() {
        RttEstimator r = defaults();
        assertEquals(1000, r.rto());
        assertTrue(r.smoothedRtt() < 0);
        assertTrue(r.rttVariance() < 0);
        assertFalse(r.timing());
    }

    @Test
    void firstAndLaterSamplesFollowRfc6298() {
        RttEstimator r = defaults();
        r.sample(300);
        assertEquals(300.0, r.smoothedRtt(), "SRTT = R");
        assertEquals(150.0, r.rttVariance(), "RTTVAR = R/2");
        assertEquals(900, r.rto(), "SRTT + 4 * RTTVAR");
        r.sample(100);
        assertEquals(162.5, r.rttVariance(), "3/4 * 150 + 1/4 * |300 - 100|");
        assertEquals(275.0, r.smoothedRtt(), "7/8 * 300 + 1/8 * 100");
        assertEquals(925, r.rto());
        r.sample(275);
        assertEquals(121.875, r.rttVariance());
        assertEquals(275.0, r.smoothedRtt());
        assertEquals(763, r.rto(), "275 + 487.5, rounded up");
    }

    @Test
    void theRtoIsHeldWithinItsBounds() {
        RttEstimator r = defaults();
        r.sample(5);
        assertEquals(200, r.rto(), "5 + 4 * 2.5 = 15 ms -> the 200 ms floor");
        RttEstimator slow = defaults();
        slow.sample(50_000);
        assertEquals(60_000, slow.rto(), "50 s + 4 * 25 s -> the 60 s ceiling");
        RttEstimator narrow = new RttEstimator(1000, 10, 1000);
        narrow.sample(10);
        assertEquals(30, narrow.rto(), "10 + 4 * 5 within [10, 1000]");
    }

    @Test
    void theClockGranularityIsOneMillisecond() {
        RttEstimator r = new RttEstimator(1000, 1, 60_000);
        r.sample(0);
        assertEquals(1.0, r.smoothedRtt(), "a sample under one tick counts as one");
        assertEquals(3, r.rto(), "1 + max(G, 4 * 0.5) = 3");
        for (int i = 0; i < 100; i++) {
            r.sample(1);
        }
        assertTrue(r.rttVariance() < 0.25);
        assertEquals(2, r.rto(), "RTTVAR near 0: SRTT + G");
    }

    @Test
    void backOffDoublesUpToTheCeilingAndStaysUntilTheNextSample() {
        RttEstimator r = defaults();
        r.backOff();
        assertEquals(2000, r.rto());
        for (int i = 0; i < 10; i++) {
            r.backOff();
        }
        assertEquals(60_000, r.rto());
        r.sample(100);
        assertEquals(300, r.rto(), "a sample replaces the backed-off value");
        r.backOff();
        assertEquals(600, r.rto());
    }

    @Test
    void oneSegmentIsTimedAtATime() {
        RttEstimator r = defaults();
        r.onSend(1000, 10);
        r.onSend(2000, 50); // ignored: 1000 is being timed
        assertTrue(r.timing());
        r.onAck(1000, 80);
        assertTrue(r.timing(), "an ACK not beyond the timed sequence number is no sample");
        assertTrue(r.smoothedRtt() < 0);
        r.onAck(1001, 110);
        assertFalse(r.timing());
        assertEquals(100.0, r.smoothedRtt(), "timed from the first send");
        r.onAck(2001, 500);
        assertEquals(100.0, r.smoothedRtt(), "nothing timed: no sample");
    }

    @Test
    void timingAcrossTheSequenceWrap() {
        RttEstimator r = defaults();
        r.onSend(0xFFFFFFF0, 0);
        r.onAck(0xFFFFFFF0, 40);
        assertTrue(r.timing());
        r.onAck(0x20, 40);
        assertEquals(40.0, r.smoothedRtt());
    }

    @Test
    void karnARetransmissionDiscardsTheMeasurement() {
        RttEstimator r = defaults();
        r.onSend(1000, 0);
        r.onRetransmit();
        assertFalse(r.timing());
        r.onAck(5000, 3000);
        assertTrue(r.smoothedRtt() < 0, "the ACK may answer the retransmission: no sample");
        assertEquals(1000, r.rto());
    }

    @Test
    void aSynAckedOnceGivesASample() {
        RttEstimator r = defaults();
        r.onSend(7, 0);
        r.onSynAcked(5, false);
        assertFalse(r.timing());
        assertEquals(5.0, r.smoothedRtt());
        assertEquals(200, r.rto());
    }

    @Test
    void aRetransmittedSynGivesNoSampleAndItsBackOffIsForgotten() {
        RttEstimator r = defaults();
        r.onSend(7, 0);
        r.backOff();
        r.onRetransmit();
        r.onSend(7, 1000); // the SYN is timed again when resent
        assertEquals(2000, r.rto());
        r.onSynAcked(1010, true);
        assertFalse(r.timing());
        assertTrue(r.smoothedRtt() < 0, "Karn: no sample from a retransmitted SYN");
        assertEquals(1000, r.rto(), "back to the initial RTO");
    }

    @Test
    void aBackOffAfterASampleIsKeptWhenTheSynIsAcked() {
        RttEstimator r = defaults();
        r.sample(100);
        r.backOff();
        r.onSynAcked(0, true);
        assertEquals(600, r.rto(), "only the initial RTO is reset, never an estimate's back-off");
    }
}
