package io.slirp4j.stack.tcp;

import static io.slirp4j.stack.tcp.TcpHarness.bytes;
import static io.slirp4j.stack.wire.TcpSegment.ACK;
import static io.slirp4j.stack.wire.TcpSegment.FIN;
import static io.slirp4j.stack.wire.TcpSegment.PSH;
import static io.slirp4j.stack.wire.TcpSegment.RST;
import static io.slirp4j.stack.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every way a connection ends: both half-closes, simultaneous close, TIME_WAIT, resets and their validation. */
class TcpCloseTest {
    private static final int G = TcpHarness.GUEST_ISN + 1;
    private static final int L = TcpHarness.OUR_ISN + 1;
    private final TcpHarness h = new TcpHarness();

    @AfterEach
    void noLeaks() {
        h.abortAndAssertNoLeaks();
    }

    @Test
    void guestClosesFirstThenHostKeepsSending() {
        h.establish();
        h.send(ACK | FIN, G, L, 1000, bytes(20, 1));
        assertEquals(List.of("data 20", "fin"), h.events);
        h.recvNothing(); // as Linux in CLOSE_WAIT: the ACK is delayed, in case our FIN follows
        h.advance(40);
        h.recv(ACK, L, G + 21);
        assertEquals(TcpState.CLOSE_WAIT, h.conn.state());
        h.write(bytes(30, 2)); // half-close: the other direction still works
        h.recv(ACK | PSH, L, G + 21);
        h.send(ACK, G + 21, L + 30, 1000);
        h.conn.shutdownOutput(h.now);
        assertEquals(TcpState.LAST_ACK, h.conn.state());
        h.recv(ACK | FIN, L + 30, G + 21);
        h.send(ACK, G + 21, L + 31, 1000);
        assertEquals(TcpState.CLOSED, h.conn.state());
        assertEquals(List.of("data 20", "fin", "closed"), h.events);
    }

    @Test
    void hostClosesFirstThenGuestKeepsSendingThenTimeWait() {
        h.establish();
        h.conn.shutdownOutput(h.now);
        h.recv(ACK | FIN, L, G);
        assertEquals(TcpState.FIN_WAIT_1, h.conn.state());
        assertEquals(0, h.write(bytes(5, 1)), "no writes after shutdownOutput");
        h.send(ACK, G, L + 1, 1000);
        assertEquals(TcpState.FIN_WAIT_2, h.conn.state());
        h.send(ACK, G, L + 1, 1000, bytes(50, 3));
        assertArrayEquals(bytes(50, 3), h.receivedBytes());
        h.send(ACK | FIN, G + 50, L + 1, 1000);
        h.recv(ACK, L + 1, G + 51);
        assertEquals(TcpState.TIME_WAIT, h.conn.state());
        assertEquals(h.now + 2000, h.conn.nextDeadline());
        h.advance(1999);
        assertEquals(TcpState.TIME_WAIT, h.conn.state());
        h.advance(1);
        assertEquals(TcpState.CLOSED, h.conn.state());
        assertEquals(List.of("data 50", "fin", "closed"), h.events);
    }

    @Test
    void simultaneousClose() {
        h.establish();
        h.conn.shutdownOutput(h.now);
        h.recv(ACK | FIN, L, G);
        h.send(ACK | FIN, G, L, 1000); // crossed: the guest's FIN does not ack ours
        assertEquals(TcpState.CLOSING, h.conn.state());
        h.recv(ACK, L + 1, G + 1);
        h.send(ACK, G + 1, L + 1, 1000);
        assertEquals(TcpState.TIME_WAIT, h.conn.state());
        h.advance(2000);
        assertEquals(TcpState.CLOSED, h.conn.state());
        assertEquals(List.of("fin", "closed"), h.events);
    }

    @Test
    void finAckedAndGuestFinInOneSegment() {
        h.establish();
        h.conn.shutdownOutput(h.now);
        h.recv(ACK | FIN, L, G);
        h.send(ACK | FIN, G, L + 1, 1000);
        assertEquals(TcpState.TIME_WAIT, h.conn.state());
        h.recv(ACK, L + 1, G + 1);
    }

    @Test
    void finFollowsQueuedData() {
        h.establish();
        h.send(ACK, G, L, 0); // closed window: the data has to wait
        h.write(bytes(3000, 1));
        h.conn.shutdownOutput(h.now);
        h.sent.clear();
        h.send(ACK, G, L, 1000);
        h.recv();
        h.recv();
        TcpHarness.Seg last = h.recv(ACK | PSH | FIN, L + 2920, G);
        assertEquals(80, last.len(), "the FIN rides on the last data segment");
        h.send(ACK, G, L + 3001, 1000);
        assertEquals(TcpState.FIN_WAIT_2, h.conn.state());
        assertEquals(0, h.conn.sendQueued());
    }

    @Test
    void finAfterSentDataGoesAlone() {
        h.establish();
        h.write(bytes(100, 1));
        h.recv();
        h.conn.shutdownOutput(h.now);
        h.recv(ACK | FIN, L + 100, G);
    }

    @Test
    void finIsRetransmitted() {
        h.establish();
        h.conn.shutdownOutput(h.now);
        h.recv(ACK | FIN, L, G);
        h.fireTimer();
        h.recv(ACK | FIN, L, G);
        h.send(ACK, G, L + 1, 1000);
        assertEquals(TcpState.FIN_WAIT_2, h.conn.state());
    }

    @Test
    void finWaitsForAClosedWindowToDrainData() {
        h.establish();
        h.send(ACK, G, L, 0);
        h.write(bytes(10, 1));
        h.conn.shutdownOutput(h.now);
        h.recvNothing();
        h.send(ACK, G, L, 1000);
        h.recv(ACK | PSH | FIN, L, G);
    }

    @Test
    void timeWaitAcksARetransmittedFinAndRestartsItsTimer() {
        h.establish();
        h.conn.shutdownOutput(h.now);
        h.recv();
        h.send(ACK | FIN, G, L + 1, 1000);
        h.recv(ACK, L + 1, G + 1);
        h.advance(1500);
        h.send(ACK | FIN, G, L + 1, 1000);
        h.recv(ACK, L + 1, G + 1);
        assertEquals(h.now + 2000, h.conn.nextDeadline());
        assertEquals(TcpState.TIME_WAIT, h.conn.state());
    }

    @Test
    void newSynEndsTimeWait() {
        h.establish();
        h.conn.shutdownOutput(h.now);
        h.recv();
        h.send(ACK | FIN, G, L + 1, 1000);
        h.recv();
        assertEquals(TcpConnection.Disposition.HANDLED, h.send(SYN, G - 100, 0, 1000));
        assertEquals(TcpState.TIME_WAIT, h.conn.state(), "an old SYN does not reopen");
        h.sent.clear();
        assertEquals(TcpConnection.Disposition.REOPEN, h.send(SYN, G + 100_000, 0, 1000));
        assertEquals(TcpState.CLOSED, h.conn.state());
        assertEquals(List.of("fin", "closed"), h.events);
        h.recvNothing();
    }

    @Test
    void abortSendsResetAndCloses() {
        h.establish();
        h.write(bytes(100, 1));
        h.recv();
        h.conn.abort(h.now);
        h.recv(RST | ACK, L + 100, G);
        assertEquals(List.of("closed"), h.events, "no reset event for an abort the owner asked for");
        assertEquals(Long.MAX_VALUE, h.conn.nextDeadline());
    }

    @Test
    void resetValidationWithChallengeAck() {
        h.establish();
        h.send(RST, G + 10, 0, 0); // in window but not RCV.NXT: challenge ACK (RFC 5961 3.2)
        h.recv(ACK, L, G);
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
        h.send(RST, G + 5_000_000, 0, 0); // outside the 4 MiB window: silently dropped
        h.send(RST, G - 1, 0, 0);
        h.recvNothing();
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
        h.send(RST, G, 0, 0);
        assertEquals(TcpState.CLOSED, h.conn.state());
        assertEquals(List.of("reset RESET_BY_PEER", "closed"), h.events);
        h.recvNothing();
    }

    @Test
    void resetInHalfClosedStates() {
        h.establish();
        h.send(ACK | FIN, G, L, 1000);
        h.recvNothing(); // the FIN's ACK waits for ours
        h.send(RST, G + 1, 0, 0);
        assertEquals(List.of("fin", "reset RESET_BY_PEER", "closed"), h.events);
    }

    @Test
    void resetAfterBothFinsWithEverythingAckedIsAPlainClose() {
        h.establish();
        h.send(ACK | FIN, G, L, 1000);
        h.recvNothing(); // the FIN's ACK waits, and rides on our FIN
        h.conn.shutdownOutput(h.now);
        h.recv(ACK | FIN, L, G + 1);
        h.send(RST, G + 1, 0, 0);
        assertEquals(List.of("fin", "closed"), h.events);
    }

    @Test
    void resetInTimeWaitCloses() {
        h.establish();
        h.conn.shutdownOutput(h.now);
        h.recv();
        h.send(ACK | FIN, G, L + 1, 1000);
        h.recv();
        h.send(RST, G + 1, 0, 0);
        assertEquals(TcpState.CLOSED, h.conn.state());
        assertEquals(List.of("fin", "closed"), h.events);
    }

    @Test
    void lastAckGivesUpAfterRetries() {
        TcpHarness t = new TcpHarness(b -> b.maxRetransmits(2));
        t.establish();
        t.send(ACK | FIN, G, L, 1000);
        t.conn.shutdownOutput(t.now);
        t.sent.clear();
        t.fireTimer();
        t.fireTimer();
        t.fireTimer();
        assertEquals(TcpState.CLOSED, t.conn.state());
        assertEquals(TcpCloseCause.RETRANSMIT_TIMEOUT, t.resetCause);
        t.assertNoLeaks();
    }
}
