package io.slirp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NewRenoTest {
    private static final int MSS = 1460;
    private static final int ISS = 1000;

    /** IW10 (TcpConfig's default), handshake done: SND.UNA = ISS + 1. */
    private static NewReno established() {
        int iw = TcpConfig.builder().build().initialWindowSegments();
        assertEquals(10, iw);
        NewReno cc = new NewReno(iw, ISS);
        cc.onSynAcked(MSS);
        return cc;
    }

    /** Three duplicate ACKs at {@code una} with {@code flight} bytes out; returns the third's answer. */
    private static boolean threeDupAcks(NewReno cc, int una, int flight) {
        assertFalse(cc.onDuplicateAck(una, una + flight, MSS));
        assertFalse(cc.onDuplicateAck(una, una + flight, MSS));
        return cc.onDuplicateAck(una, una + flight, MSS);
    }

    /** {@code n} ACKs of one segment each, nothing left in flight; returns the new SND.UNA. */
    private static int ackSegments(NewReno cc, int una, int n) {
        for (int i = 0; i < n; i++) {
            una += MSS;
            assertFalse(cc.onNewAck(una, una, MSS, MSS));
        }
        return una;
    }

    @Test
    void beforeTheHandshakeThereIsNoWindow() {
        NewReno cc = new NewReno(10, ISS);
        assertEquals(0, cc.window());
        assertEquals(Integer.MAX_VALUE, cc.slowStartThreshold());
        assertFalse(cc.inRecovery());
    }

    @Test
    void theInitialWindowIsTenSegmentsAndNeverAboveTheCap() {
        assertEquals(10 * MSS, established().window());
        NewReno huge = new NewReno(1_000_000, ISS);
        huge.onSynAcked(MSS);
        assertEquals(NewReno.MAX_CWND, huge.window(), "2^30 bytes at most");
    }

    @Test
    void slowStartGrowsByAtMostOneSegmentPerAck() {
        NewReno cc = established();
        int una = ISS + 1;
        una += 3 * MSS;
        assertFalse(cc.onNewAck(una, una + 5 * MSS, 3 * MSS, MSS));
        assertEquals(11 * MSS, cc.window(), "a stretch ACK of three segments still adds one (RFC 5681 3.1)");
        una += 100;
        cc.onNewAck(una, una, 100, MSS);
        assertEquals(11 * MSS + 100, cc.window(), "a small ACK adds what it acknowledged");
    }

    @Test
    void congestionAvoidanceAddsOneSegmentPerWindowOfBytes() {
        NewReno cc = established();
        int una = ISS + 1;
        cc.onRetransmitTimeout(una, una + 20 * MSS, MSS); // ssthresh 10 segments, cwnd 1
        una = ackSegments(cc, una, 9);
        assertEquals(10 * MSS, cc.window(), "slow start up to ssthresh");
        assertEquals(10 * MSS, cc.slowStartThreshold());
        una = ackSegments(cc, una, 9);
        assertEquals(10 * MSS, cc.window(), "nine segments acknowledged: less than a window");
        una = ackSegments(cc, una, 1);
        assertEquals(11 * MSS, cc.window(), "a whole window acknowledged: one segment more");
        una = ackSegments(cc, una, 10);
        assertEquals(11 * MSS, cc.window(), "the next step needs 11 segments' worth");
        ackSegments(cc, una, 1);
        assertEquals(12 * MSS, cc.window());
    }

    @Test
    void theThirdDuplicateAckStartsFastRetransmitAndTheWindowIsSetAfterIt() {
        NewReno cc = established();
        int una = ISS + 1;
        int flight = 13140;
        assertTrue(threeDupAcks(cc, una, flight));
        assertTrue(cc.inRecovery());
        assertEquals(6570, cc.slowStartThreshold(), "half the flight");
        assertEquals(10 * MSS, cc.window(), "unchanged while the connection retransmits");
        cc.onFastRetransmitted(MSS);
        assertEquals(6570 + 3 * MSS, cc.window(), "ssthresh + 3 segments");
        assertFalse(cc.onDuplicateAck(una, una + flight, MSS));
        assertEquals(6570 + 4 * MSS, cc.window(), "each further duplicate inflates by one segment");
    }

    @Test
    void ssthreshIsAtLeastTwoSegments() {
        NewReno cc = established();
        assertTrue(threeDupAcks(cc, ISS + 1, MSS));
        assertEquals(2 * MSS, cc.slowStartThreshold());
        NewReno timedOut = established();
        timedOut.onRetransmitTimeout(ISS + 1, ISS + 1 + 100, MSS);
        assertEquals(2 * MSS, timedOut.slowStartThreshold());
        assertEquals(MSS, timedOut.window(), "the loss window");
    }

    @Test
    void aPartialAckRetransmitsTheNextHoleThenDeflates() {
        NewReno cc = established();
        int una = ISS + 1;
        int max = una + 13140;
        assertTrue(threeDupAcks(cc, una, 13140));
        cc.onFastRetransmitted(MSS);
        int before = cc.window();
        una += 2 * MSS;
        assertTrue(cc.onNewAck(una, max, 2 * MSS, MSS), "below recover: a partial ACK");
        assertEquals(before, cc.window(), "unchanged while the hole is retransmitted");
        assertTrue(cc.inRecovery());
        cc.onPartialAckRetransmitted(2 * MSS, MSS);
        assertEquals(before - 2 * MSS + MSS, cc.window(), "deflated by what was acked, one segment added back");
        int w = cc.window();
        una += 100;
        assertTrue(cc.onNewAck(una, max, 100, MSS));
        cc.onPartialAckRetransmitted(100, MSS);
        assertEquals(w - 100, cc.window(), "less than a segment acked: nothing added back");
        NewReno small = established();
        int smallUna = ISS + 1;
        int smallMax = smallUna + 10 * MSS;
        assertTrue(threeDupAcks(small, smallUna, 10 * MSS));
        small.onFastRetransmitted(MSS); // 5 + 3 segments = 11680 bytes
        for (int i = 0; i < 11; i++) {
            smallUna += 1000;
            assertTrue(small.onNewAck(smallUna, smallMax, 1000, MSS));
            small.onPartialAckRetransmitted(1000, MSS);
            assertEquals(Math.max(MSS, 11680 - 1000 * (i + 1)), small.window(), "never below one segment");
        }
    }

    @Test
    void theAckOfRecoverEndsRecovery() {
        NewReno cc = established();
        int una = ISS + 1;
        int max = una + 13140;
        assertTrue(threeDupAcks(cc, una, 13140));
        cc.onFastRetransmitted(MSS);
        assertFalse(cc.onNewAck(max, max, 13140, MSS));
        assertFalse(cc.inRecovery());
        assertEquals(2 * MSS, cc.window(), "min(ssthresh, max(flight, MSS) + MSS) with nothing in flight");
        assertEquals(0, cc.duplicateAcks());

        NewReno busy = established();
        assertTrue(threeDupAcks(busy, una, 13140));
        busy.onFastRetransmitted(MSS);
        assertFalse(busy.onNewAck(max, max + 10 * MSS, 13140, MSS), "new data sent during recovery");
        assertEquals(6570, busy.window(), "capped by ssthresh");
    }

    @Test
    void duplicateAcksOfTheSameLossEventStartNoSecondRecovery() {
        NewReno cc = established();
        int una = ISS + 1;
        int max = una + 20 * MSS;
        cc.onRetransmitTimeout(una, max, MSS);
        assertEquals(MSS, cc.window());
        assertFalse(cc.inRecovery());
        una += MSS;
        cc.onNewAck(una, max, MSS, MSS);
        assertFalse(threeDupAcks(cc, una, max - una), "SND.UNA - 1 is below recover (SND.MAX at the timeout)");
        assertFalse(cc.inRecovery());
        una = max;
        cc.onNewAck(una, max + 10 * MSS, 19 * MSS, MSS);
        assertFalse(threeDupAcks(cc, una, 10 * MSS), "an ACK must cover more than recover (RFC 6582 3.2 step 2)");
        una += MSS;
        cc.onNewAck(una, max + 10 * MSS, MSS, MSS);
        assertTrue(threeDupAcks(cc, una, 9 * MSS), "past recover, a new loss event is recognised");
    }

    @Test
    void anAckOfNewDataResetsTheDuplicateCount() {
        NewReno cc = established();
        int una = ISS + 1;
        assertFalse(cc.onDuplicateAck(una, una + 5 * MSS, MSS));
        assertFalse(cc.onDuplicateAck(una, una + 5 * MSS, MSS));
        una += MSS;
        cc.onNewAck(una, una + 4 * MSS, MSS, MSS);
        assertEquals(0, cc.duplicateAcks());
        assertFalse(cc.onDuplicateAck(una, una + 4 * MSS, MSS));
        assertFalse(cc.onDuplicateAck(una, una + 4 * MSS, MSS));
        assertTrue(cc.onDuplicateAck(una, una + 4 * MSS, MSS));
    }

    @Test
    void aTimeoutEndsRecovery() {
        NewReno cc = established();
        int una = ISS + 1;
        assertTrue(threeDupAcks(cc, una, 10 * MSS));
        cc.onFastRetransmitted(MSS);
        cc.onRetransmitTimeout(una, una + 10 * MSS, MSS);
        assertFalse(cc.inRecovery());
        assertEquals(MSS, cc.window());
        assertEquals(5 * MSS, cc.slowStartThreshold());
        assertEquals(0, cc.duplicateAcks());
    }

    @Test
    void recoveryAcrossTheSequenceWrap() {
        NewReno cc = new NewReno(10, 0xFFFFF000);
        cc.onSynAcked(MSS);
        int una = 0xFFFFF001;
        int max = una + 8 * MSS; // past 2^32
        assertTrue(threeDupAcks(cc, una, 8 * MSS));
        assertEquals(4 * MSS, cc.slowStartThreshold());
        cc.onFastRetransmitted(MSS);
        assertTrue(cc.onNewAck(una + 4 * MSS, max, 4 * MSS, MSS), "still below recover across the wrap");
        cc.onPartialAckRetransmitted(4 * MSS, MSS);
        assertFalse(cc.onNewAck(max, max, 4 * MSS, MSS));
        assertFalse(cc.inRecovery());
    }

    @Test
    void theWindowNeverExceedsTheCap() {
        NewReno cc = new NewReno(1 << 20, ISS);
        cc.onSynAcked(1 << 10); // exactly 2^30
        assertEquals(NewReno.MAX_CWND, cc.window());
        cc.onNewAck(ISS + 1 + 1000, ISS + 1 + 5000, 1000, 1 << 10);
        assertEquals(NewReno.MAX_CWND, cc.window(), "slow start stops at the cap");
    }

    @Test
    void withSegmentationOffloadAStretchAckEarnsWhatItAcknowledgesUpToSsthresh() {
        NewReno cc = new NewReno(10, ISS, 64 * MSS);
        cc.onSynAcked(MSS);
        int una = ISS + 1 + 10 * MSS;
        assertFalse(cc.onNewAck(una, una, 10 * MSS, MSS));
        assertEquals(20 * MSS, cc.window(), "one ACK of a ten-segment super-segment adds ten");
        // a loss sets ssthresh; slow start back up stops there, not a super-segment beyond it
        int flight = 20 * MSS;
        assertTrue(threeDupAcks(cc, una, flight));
        cc.onFastRetransmitted(MSS);
        cc.onRetransmitTimeout(una, una + flight, MSS);
        assertEquals(MSS, cc.window());
        assertEquals(10 * MSS, cc.slowStartThreshold());
        // what was sent before the timeout comes back: one segment per ACK (RFC 3465 2.3), however much it covers
        una += 8 * MSS;
        assertFalse(cc.onNewAck(una, una + 12 * MSS, 8 * MSS, MSS));
        assertEquals(2 * MSS, cc.window());
        una += 12 * MSS; // recover reached: stretch credit again, but only up to ssthresh
        assertFalse(cc.onNewAck(una, una, 12 * MSS, MSS));
        assertEquals(10 * MSS, cc.window(), "capped at ssthresh");
    }
}
