package io.slirp4j.stack.tcp;

import static io.slirp4j.stack.tcp.TcpHarness.bytes;
import static io.slirp4j.stack.wire.TcpSegment.ACK;
import static io.slirp4j.stack.wire.TcpSegment.PSH;
import static io.slirp4j.stack.wire.TcpSegment.RST;
import static io.slirp4j.stack.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** RFC 6298 timer values and back-off, go-back-N, fast retransmit, NewReno, zero-window probing, give-up. */
class TcpRetransmissionTest {
    private static final int G = TcpHarness.GUEST_ISN + 1;
    private static final int L = TcpHarness.OUR_ISN + 1;
    private TcpHarness h = new TcpHarness();

    @AfterEach
    void noLeaks() {
        h.abortAndAssertNoLeaks();
    }

    /** Active open whose SYN was retransmitted, so no RTT sample exists yet (RTO = initial 1 s). */
    private void establishWithoutRttSample() {
        h.conn = TcpConnection.connect(h.config, h, 80, TcpHarness.GUEST_PORT, TcpHarness.OUR_ISN, h.now);
        h.recv(SYN, TcpHarness.OUR_ISN, 0);
        h.fireTimer();
        h.recv(SYN, TcpHarness.OUR_ISN, 0);
        h.send(SYN | ACK, G - 1, L, 1000, new byte[0], o -> {
            o.mss = 1460;
            o.windowScale = 7;
        });
        h.recv(ACK, L, G);
        assertEquals(1000, h.conn.retransmissionTimeout());
        assertTrue(h.conn.smoothedRtt() < 0);
    }

    @Test
    void rttSamplesFollowRfc6298() {
        establishWithoutRttSample();
        h.write(bytes(100, 1));
        h.recv();
        h.now += 300;
        h.send(ACK, G, L + 100, 1000);
        assertEquals(300.0, h.conn.smoothedRtt());
        assertEquals(900, h.conn.retransmissionTimeout(), "SRTT + 4 * RTTVAR = 300 + 4 * 150");
        h.write(bytes(100, 2));
        h.recv();
        h.now += 100;
        h.send(ACK, G, L + 200, 1000);
        assertEquals(275.0, h.conn.smoothedRtt(), "7/8 * 300 + 1/8 * 100");
        assertEquals(925, h.conn.retransmissionTimeout(), "RTTVAR = 3/4 * 150 + 1/4 * 200 = 162.5");
    }

    @Test
    void rtoHasAFloor() {
        h.establish(); // the handshake's RTT was 0 ms
        assertEquals(200, h.conn.retransmissionTimeout());
    }

    @Test
    void rtoBacksOffToTheCeiling() {
        h = new TcpHarness(b -> b.maxRtoMs(1000));
        h.establish();
        h.write(bytes(100, 1));
        h.recv(ACK | PSH, L, G);
        for (long expected : new long[] {200, 400, 800, 1000, 1000}) {
            assertEquals(expected, h.fireTimer());
            assertEquals(100, h.recv(ACK | PSH, L, G).len());
        }
        h.send(ACK, G, L + 100, 1000);
        assertEquals(h.now + h.config.keepaliveIdleMs(), h.conn.nextDeadline(), "only the keepalive is left");
        assertEquals(1000, h.conn.retransmissionTimeout(), "Karn: the back-off stays until a clean sample");
        h.write(bytes(100, 2));
        h.recv();
        h.now += 10;
        h.send(ACK, G, L + 200, 1000);
        assertEquals(200, h.conn.retransmissionTimeout());
    }

    @Test
    void givesUpAfterMaxRetransmits() {
        h = new TcpHarness(b -> b.maxRetransmits(3));
        h.establish();
        h.write(bytes(100, 1));
        h.recv();
        for (int i = 0; i < 3; i++) {
            h.fireTimer();
            h.recv(ACK | PSH, L, G);
        }
        h.fireTimer();
        h.recv(RST | ACK, L + 100, G);
        assertEquals(TcpState.CLOSED, h.conn.state());
        assertEquals(List.of("reset RETRANSMIT_TIMEOUT", "closed"), h.events);
    }

    @Test
    void timeoutGoesBackNWithALossWindow() {
        h.establish();
        h.write(bytes(4380, 1));
        h.recv();
        h.recv();
        h.recv();
        h.fireTimer();
        assertEquals(1460, h.recv(ACK, L, G).len());
        h.recvNothing(); // cwnd is one segment
        assertEquals(1460, h.conn.congestionWindow());
        assertEquals(2920, h.conn.slowStartThreshold());
        h.send(ACK, G, L + 1460, 1000);
        h.recv(ACK, L + 1460, G);
        h.recv(ACK | PSH, L + 2920, G);
        h.recvNothing();
    }

    @Test
    void fastRetransmitAndNewRenoRecovery() {
        h.establish();
        h.write(bytes(14_600, 1));
        for (int i = 0; i < 10; i++) {
            h.recv();
        }
        h.recvNothing();
        h.send(ACK, G, L + 1460, 1000);
        h.send(ACK, G, L + 1460, 1000);
        h.send(ACK, G, L + 1460, 1000);
        h.recvNothing();
        h.send(ACK, G, L + 1460, 1000);
        TcpHarness.Seg r = h.recv(ACK, L + 1460, G);
        assertEquals(1460, r.len());
        assertTrue(h.conn.inFastRecovery());
        assertEquals(6570, h.conn.slowStartThreshold(), "half of the 13140 bytes in flight");
        assertEquals(6570 + 3 * 1460, h.conn.congestionWindow());
        h.recvNothing();
        // partial ACK: the next hole is resent at once and recovery continues
        h.send(ACK, G, L + 4380, 1000);
        assertEquals(1460, h.recv(ACK, L + 4380, G).len());
        assertTrue(h.conn.inFastRecovery());
        // full ACK ends recovery with cwnd = min(ssthresh, flight + MSS)
        h.send(ACK, G, L + 14_600, 1000);
        assertFalse(h.conn.inFastRecovery());
        assertEquals(2920, h.conn.congestionWindow());
        assertEquals(0, h.conn.sendQueued());
    }

    @Test
    void dupAcksInflateTheWindowDuringRecovery() {
        h.establish();
        h.write(bytes(14_600, 1));
        h.sent.clear();
        for (int i = 0; i < 3; i++) {
            h.send(ACK, G, L, 1000);
        }
        h.recv(ACK, L, G);
        int cwnd = h.conn.congestionWindow();
        h.send(ACK, G, L, 1000);
        assertEquals(cwnd + 1460, h.conn.congestionWindow());
    }

    @Test
    void segmentsWithDataOrWindowChangesAreNotDuplicateAcks() {
        h.establish();
        h.write(bytes(14_600, 1));
        h.sent.clear();
        h.send(ACK, G, L, 1000, bytes(1, 1));
        h.send(ACK, G + 1, L, 1001);
        h.send(ACK, G + 1, L, 1002);
        h.send(ACK, G + 1, L, 1003);
        assertFalse(h.conn.inFastRecovery());
    }

    @Test
    void zeroWindowIsProbedWithBackOff() {
        h.establish();
        h.send(ACK, G, L, 0);
        assertEquals(0, h.conn.sendWindow());
        h.write(bytes(100, 1));
        h.recvNothing();
        assertEquals(200, h.fireTimer());
        TcpHarness.Seg probe = h.recv(ACK, L - 1, G);
        assertEquals(0, probe.len());
        assertEquals(400, h.fireTimer());
        h.recv(ACK, L - 1, G);
        assertEquals(800, h.fireTimer());
        h.recv(ACK, L - 1, G);
        h.send(ACK, G, L, 1000);
        assertEquals(100, h.recv(ACK | PSH, L, G).len());
    }

    @Test
    void answeredProbesNeverTimeOutButSilenceDoes() {
        h = new TcpHarness(b -> b.maxRetransmits(2).maxRtoMs(1000));
        h.establish();
        h.send(ACK, G, L, 0);
        h.write(bytes(100, 1));
        for (int i = 0; i < 10; i++) {
            h.fireTimer();
            h.recv(ACK, L - 1, G);
            h.send(ACK, G, L, 0); // the guest answers, window still zero
        }
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
        h.fireTimer();
        h.recv(ACK, L - 1, G);
        h.fireTimer();
        h.recv(ACK, L - 1, G);
        h.fireTimer();
        h.recv(RST | ACK, L, G);
        assertEquals(TcpCloseCause.RETRANSMIT_TIMEOUT, h.resetCause);
    }

    @Test
    void windowClosingWithDataInFlightProbesOnTimeout() {
        h.establish();
        h.write(bytes(100, 1));
        h.recv();
        h.send(ACK, G, L, 0); // nothing acknowledged, window closed
        h.fireTimer();
        h.recv(ACK, L - 1, G); // a probe, not data into a zero window
        h.send(ACK, G, L + 100, 10);
        assertEquals(0, h.conn.sendQueued(), "the data had arrived after all");
    }
}
