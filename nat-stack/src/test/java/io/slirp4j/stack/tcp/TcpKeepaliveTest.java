package io.slirp4j.stack.tcp;

import static io.slirp4j.stack.tcp.TcpHarness.bytes;
import static io.slirp4j.stack.wire.TcpSegment.ACK;
import static io.slirp4j.stack.wire.TcpSegment.FIN;
import static io.slirp4j.stack.wire.TcpSegment.PSH;
import static io.slirp4j.stack.wire.TcpSegment.RST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Keepalive toward the guest: probes after the idle time, answered or not, and the reset after the last one; what
 * restarts the idle time, and where no probe may go out.
 */
class TcpKeepaliveTest {
    private static final int G = TcpHarness.GUEST_ISN + 1;
    private static final int L = TcpHarness.OUR_ISN + 1;
    private static final long IDLE = TcpConfig.DEFAULT_KEEPALIVE_IDLE_MS;
    private static final long INTERVAL = TcpConfig.DEFAULT_KEEPALIVE_INTERVAL_MS;
    private static final int PROBES = TcpConfig.DEFAULT_KEEPALIVE_PROBES;
    private TcpHarness h = new TcpHarness();

    @AfterEach
    void noLeaks() {
        h.abortAndAssertNoLeaks();
    }

    /** A keepalive probe: ACK, SEG.SEQ = SND.NXT - 1, no data, acknowledging {@code rcvNxt}. */
    private void recvProbe(int sndNxt, int rcvNxt) {
        TcpHarness.Seg probe = h.recv(ACK, sndNxt - 1, rcvNxt);
        assertEquals(0, probe.len(), "a probe carries no data");
    }

    /**
     * Lets the probes go unanswered, each checked at its time (the first {@code firstIn} from now), and then the
     * reset.
     */
    private void probesUnansweredThenReset(long firstIn, int sndNxt, int rcvNxt) {
        assertEquals(firstIn, h.fireTimer(), "first probe at the end of the idle time");
        recvProbe(sndNxt, rcvNxt);
        for (int i = 1; i < PROBES; i++) {
            assertEquals(INTERVAL, h.fireTimer(), "probe " + (i + 1) + " one interval later");
            recvProbe(sndNxt, rcvNxt);
        }
        assertEquals(INTERVAL, h.fireTimer(), "the reset one interval after the last probe");
        h.recv(RST | ACK, sndNxt, rcvNxt);
        h.recvNothing();
        assertEquals(TcpState.CLOSED, h.conn.state());
        assertEquals(TcpCloseCause.KEEPALIVE_TIMEOUT, h.resetCause);
        assertEquals(Long.MAX_VALUE, h.conn.nextDeadline());
    }

    @Test
    void defaultsNoticeAVanishedGuestWithinTwoMinutes() {
        TcpConfig c = TcpConfig.defaults();
        assertEquals(60_000, c.keepaliveIdleMs());
        assertEquals(10_000, c.keepaliveIntervalMs());
        assertEquals(5, c.keepaliveProbes());
        assertEquals(110_000, c.keepaliveTimeoutMs());
    }

    @Test
    void silentGuestIsProbedThenReset() {
        h.establish();
        long start = h.now;
        h.advance(IDLE - 1);
        h.recvNothing();
        probesUnansweredThenReset(1, L, G);
        assertEquals(IDLE + PROBES * INTERVAL, h.now - start, "idle + probes * interval");
        assertEquals(List.of("reset KEEPALIVE_TIMEOUT", "closed"), h.events);
    }

    @Test
    void anAnswerToAProbeKeepsTheConnection() {
        h.establish();
        h.advance(IDLE);
        recvProbe(L, G);
        h.advance(INTERVAL);
        recvProbe(L, G);
        assertEquals(2, h.conn.keepaliveProbesOut());
        // the guest's kernel answers the old sequence number with an ACK of what it has
        h.send(ACK, G, L, 1000);
        h.recvNothing();
        assertEquals(0, h.conn.keepaliveProbesOut(), "the answer forgets the probes");
        assertEquals(h.now + IDLE, h.conn.nextDeadline(), "and starts the idle time again");
        // a guest that answers every probe keeps its idle connection for ever
        for (int round = 0; round < 50; round++) {
            h.advance(IDLE);
            recvProbe(L, G);
            h.advance(INTERVAL - 1); // late, but before the next probe
            h.send(ACK, G, L, 1000);
        }
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
        assertTrue(h.events.isEmpty(), h.events::toString);
    }

    @Test
    void guestDataRestartsTheIdleTime() {
        h.establish();
        h.advance(IDLE - 10_000);
        h.send(ACK | PSH, G, L, 1000, bytes(10, 1));
        h.advance(40);
        h.recv(ACK, L, G + 10); // the delayed ACK
        h.advance(IDLE - 40 - 1);
        h.recvNothing();
        h.advance(1);
        recvProbe(L, G + 10);
        // data in the middle of the probing: the probes are forgotten
        h.advance(INTERVAL);
        recvProbe(L, G + 10);
        h.send(ACK | PSH, G + 10, L, 1000, bytes(5, 2));
        assertEquals(0, h.conn.keepaliveProbesOut());
        h.advance(40);
        h.recv(ACK, L, G + 15);
        h.advance(IDLE - 40 - 1);
        h.recvNothing();
        probesUnansweredThenReset(1, L, G + 15);
    }

    @Test
    void dataWeSendAndTheGuestAcknowledgesKeepsItIdleFree() {
        h.establish();
        for (int i = 0; i < 10; i++) {
            h.advance(IDLE / 2);
            h.write(bytes(100, i));
            h.recv(ACK | PSH, L + 100 * i, G);
            h.send(ACK, G, L + 100 * (i + 1), 1000);
        }
        h.recvNothing();
        assertEquals(h.now + IDLE, h.conn.nextDeadline());
    }

    @Test
    void noProbeWhileDataIsOutstanding() {
        h.establish();
        h.write(bytes(100, 1));
        h.recv(ACK | PSH, L, G);
        // the guest vanished with our data unacknowledged: retransmissions, not probes, until they give up
        int retransmissions = 0;
        while (h.conn.state() != TcpState.CLOSED) {
            h.fireTimer(); // the keepalive timer too, which only re-arms
            TcpHarness.Seg s = h.sent.poll();
            if (s == null) {
                continue;
            }
            if ((s.flags() & RST) != 0) {
                break;
            }
            assertEquals(L, s.seq(), "a retransmission of the data, never a probe: " + s);
            assertEquals(100, s.len());
            retransmissions++;
        }
        assertEquals(h.config.maxRetransmits(), retransmissions);
        assertEquals(TcpCloseCause.RETRANSMIT_TIMEOUT, h.resetCause);
    }

    @Test
    void outstandingDataDefersTheProbeThenTheIdleTimeRunsAgain() {
        h.establish();
        h.advance(IDLE - 100);
        h.write(bytes(100, 1));
        h.recv(ACK | PSH, L, G);
        h.advance(100); // the keepalive time: data outstanding (the first retransmission is later still)
        h.recvNothing();
        h.advance(100);
        h.recv(ACK | PSH, L, G); // RTO 200 ms: a retransmission
        h.send(ACK, G, L + 100, 1000); // acknowledged at last
        h.advance(IDLE - 1);
        h.recvNothing();
        h.advance(1);
        recvProbe(L + 100, G);
    }

    @Test
    void closeWaitIsProbedAndReset() {
        h.establish();
        h.send(ACK | FIN, G, L, 1000);
        h.advance(40);
        h.recv(ACK, L, G + 1);
        assertEquals(TcpState.CLOSE_WAIT, h.conn.state());
        h.advance(IDLE - 40 - 1);
        h.recvNothing();
        probesUnansweredThenReset(1, L, G + 1);
    }

    @Test
    void finWait2IsProbedAndReset() {
        h.establish();
        h.conn.shutdownOutput(h.now);
        h.recv(ACK | FIN, L, G);
        h.send(ACK, G, L + 1, 1000);
        assertEquals(TcpState.FIN_WAIT_2, h.conn.state());
        h.advance(IDLE - 1);
        h.recvNothing();
        // SND.NXT is after our FIN: the probe repeats the FIN's sequence number, without the FIN
        probesUnansweredThenReset(1, L + 1, G);
    }

    @Test
    void finWait2WithALiveGuestStaysOpen() {
        h.establish();
        h.conn.shutdownOutput(h.now);
        h.recv(ACK | FIN, L, G);
        h.send(ACK, G, L + 1, 1000);
        for (int round = 0; round < 10; round++) {
            h.advance(IDLE);
            recvProbe(L + 1, G);
            h.send(ACK, G, L + 1, 1000);
        }
        assertEquals(TcpState.FIN_WAIT_2, h.conn.state());
        h.send(ACK | FIN, G, L + 1, 1000);
        h.recv(ACK, L + 1, G + 1);
        assertEquals(TcpState.TIME_WAIT, h.conn.state());
        assertEquals(h.now + h.config.timeWaitMs(), h.conn.nextDeadline(), "no keepalive in TIME_WAIT");
    }

    @Test
    void ourFinUnacknowledgedIsBoundedByItsRetransmissionsNotProbed() {
        h.establish();
        h.advance(IDLE - 1);
        h.conn.shutdownOutput(h.now);
        h.recv(ACK | FIN, L, G);
        int retransmissions = 0;
        while (h.conn.state() != TcpState.CLOSED) {
            h.fireTimer();
            TcpHarness.Seg s = h.sent.poll();
            if (s == null) {
                continue;
            }
            if ((s.flags() & RST) != 0) {
                break;
            }
            assertEquals(ACK | FIN, s.flags(), "a retransmitted FIN, never a probe: " + s);
            assertEquals(L, s.seq());
            retransmissions++;
        }
        assertEquals(h.config.maxRetransmits(), retransmissions);
        assertEquals(TcpCloseCause.RETRANSMIT_TIMEOUT, h.resetCause);
    }

    @Test
    void theHandshakeHasNoKeepaliveButItsOwnTimeout() {
        h.acceptSyn(TcpHarness.GUEST_ISN, TcpHarness.OUR_ISN, 8192, null);
        h.advance(h.config.handshakeTimeoutMs());
        assertEquals(TcpCloseCause.HANDSHAKE_TIMEOUT, h.resetCause);
        h.sent.removeIf(s -> (s.flags() & RST) == 0);
        h.recv(RST, L, 0);
        h.recvNothing();
    }

    @Test
    void configuredTimingsAreUsed() {
        h = new TcpHarness(b -> b.keepalive(2_000, 500, 2));
        h.establish();
        assertEquals(2_000, h.fireTimer());
        recvProbe(L, G);
        assertEquals(500, h.fireTimer());
        recvProbe(L, G);
        assertEquals(500, h.fireTimer());
        h.recv(RST | ACK, L, G);
        assertEquals(TcpCloseCause.KEEPALIVE_TIMEOUT, h.resetCause);
    }

    @Test
    void anUnacceptableSegmentStillShowsTheGuestIsThere() {
        h.establish();
        h.advance(IDLE);
        recvProbe(L, G);
        h.send(ACK, G - 5000, L, 1000); // an old sequence number: dropped with an ACK
        h.recv(ACK, L, G);
        assertEquals(0, h.conn.keepaliveProbesOut());
        assertFalse(h.conn.nextDeadline() < h.now + IDLE);
    }

    @Test
    void theProbeSequenceNumberWrapsAround() {
        h.establish(TcpHarness.GUEST_ISN, -7, 1000); // our ISN near the wrap: SND.NXT - 1 wraps
        h.advance(IDLE);
        recvProbe(-6, G);
    }
}
