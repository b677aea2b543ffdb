package io.slirp4j.stack.tcp;

import static io.slirp4j.stack.wire.TcpSegment.ACK;
import static io.slirp4j.stack.wire.TcpSegment.RST;
import static io.slirp4j.stack.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slirp4j.stack.wire.TcpHeader;
import io.slirp4j.stack.wire.TcpSegment;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Opening: passive, active, simultaneous; options (MSS, window scale, SACK-permitted); SYN timers; refusals. */
class TcpHandshakeTest {
    private static final int G = TcpHarness.GUEST_ISN;
    private static final int L = TcpHarness.OUR_ISN;
    private TcpHarness h = new TcpHarness();

    @AfterEach
    void noLeaks() {
        h.abortAndAssertNoLeaks();
    }

    @Test
    void passiveOpenWithLinuxOptions() {
        TcpHarness.Seg synAck = h.acceptSyn(G, L, 64240, o -> {
            o.mss = 1460;
            o.windowScale = 7;
            o.sackPermitted = true;
        });
        assertEquals(1460, synAck.h.mss);
        assertEquals(7, synAck.h.windowScale, "4 MiB needs shift 7");
        assertTrue(synAck.h.sackPermitted);
        assertEquals(65535, synAck.h.window, "SYN windows are never scaled");
        assertEquals(TcpHarness.LOCAL_PORT, synAck.h.sourcePort);
        assertEquals(TcpHarness.GUEST_PORT, synAck.h.destinationPort);
        h.send(ACK, G + 1, L + 1, 500);
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
        assertEquals(List.of("established"), h.events);
        assertEquals(1460, h.conn.sendMss());
        assertEquals(7, h.conn.sendWindowShift());
        assertEquals(7, h.conn.receiveWindowShift());
        assertEquals(500 << 7, h.conn.sendWindow());
        assertTrue(h.conn.sackPermitted());
        h.recvNothing(); // 65535 leaves the guest room for segments that draw an ACK: no frame just for the window
        h.send(ACK, G + 1, L + 1, 500, new byte[10]);
        h.advance(40);
        assertEquals(32768, h.recv(ACK, L + 1, G + 11).h.window, "the real (scaled) window, on the next ACK");
    }

    @Test
    void realWindowAnnouncedAtOnceWhenTheFirstFlightExceedsTheSynAckWindow() {
        h = new TcpHarness(b -> b.mss(65480)); // MTU 65520: two segments are beyond 65535
        h.acceptSyn(G, L, 64240, o -> {
            o.mss = 65480;
            o.windowScale = 7;
        });
        h.send(ACK, G + 1, L + 1, 500);
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
        assertEquals(32768, h.recv(ACK, L + 1, G + 1).h.window, "the real (scaled) window, announced at once");
        h.recvNothing();
    }

    @Test
    void passiveOpenWithoutOptionsUsesDefaultsAndNoScaling() {
        TcpHarness.Seg synAck = h.acceptSyn(G, L, 8192, null);
        assertEquals(-1, synAck.h.windowScale, "no WS in a SYN-ACK unless the SYN had it (RFC 7323 2.2)");
        assertFalse(synAck.h.sackPermitted);
        assertEquals(1460, synAck.h.mss, "our MSS is always advertised");
        h.send(ACK, G + 1, L + 1, 8192);
        assertEquals(TcpHarness.OUR_ISN + 1, h.conn.sndUna());
        assertEquals(536, h.conn.sendMss(), "RFC 9293 default MSS when none is offered");
        assertEquals(0, h.conn.receiveWindowShift());
        assertEquals(8192, h.conn.sendWindow());
        // our window field is unscaled and capped at 65535 even with a 4 MiB buffer
        h.send(ACK, G + 1, L + 1, 8192, new byte[10]);
        h.advance(40);
        TcpHarness.Seg ack = h.recv(ACK, L + 1, G + 11);
        assertEquals(65535, ack.h.window);
    }

    @Test
    void mssIsClampedToOurMtuAndRespectsTheGuests() {
        h.acceptSyn(G, L, 8192, o -> o.mss = 9000);
        assertEquals(1460, h.conn.sendMss());
        h.conn.abort(h.now);
        h.sent.clear();
        h.acceptSyn(G, L, 8192, o -> o.mss = 1000);
        assertEquals(1000, h.conn.sendMss());
        h.conn.abort(h.now);
        h.sent.clear();
        h = new TcpHarness(b -> b.mtu(576));
        TcpHarness.Seg synAck = h.acceptSyn(G, L, 8192, o -> o.mss = 1460);
        assertEquals(536, synAck.h.mss);
        assertEquals(536, h.conn.sendMss());
        // data segments respect it
        h.send(ACK, G + 1, L + 1, 8192);
        h.write(new byte[1200]);
        assertEquals(536, h.recv().len());
        assertEquals(536, h.recv().len());
        assertEquals(128, h.recv().len());
    }

    @Test
    void windowScaleDerivedFromReceiveBuffer() {
        assertEquals(0, TcpConfig.builder().receiveBuffer(65535).build().receiveWindowScale());
        assertEquals(1, TcpConfig.builder().receiveBuffer(65536).build().receiveWindowScale());
        assertEquals(7, TcpConfig.builder().receiveBuffer(4 << 20).build().receiveWindowScale());
        assertEquals(14, TcpConfig.builder().receiveBuffer(Integer.MAX_VALUE).build().receiveWindowScale());
        assertEquals(0, TcpConfig.builder().windowScaling(false).build().receiveWindowScale());
    }

    @Test
    void guestWindowScaleAbove14IsClamped() {
        h.acceptSyn(G, L, 8192, o -> o.windowScale = 20);
        h.send(ACK, G + 1, L + 1, 1);
        assertEquals(14, h.conn.sendWindowShift());
        assertEquals(1 << 14, h.conn.sendWindow());
    }

    @Test
    void activeOpen() {
        h.conn = TcpConnection.connect(h.config, h, 8080, 2222, L, h.now);
        assertEquals(TcpState.SYN_SENT, h.conn.state());
        TcpHarness.Seg syn = h.recv(SYN, L, 0);
        assertEquals(1460, syn.h.mss);
        assertEquals(7, syn.h.windowScale);
        assertTrue(syn.h.sackPermitted);
        assertEquals(8080, syn.h.sourcePort);
        assertEquals(2222, syn.h.destinationPort);
        h.now += 5;
        h.send(SYN | ACK, G, L + 1, 29200, new byte[0], o -> {
            o.mss = 1400;
            o.windowScale = 2;
        });
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
        assertEquals(List.of("established"), h.events);
        h.recv(ACK, L + 1, G + 1);
        assertEquals(1400, h.conn.sendMss());
        assertEquals(29200, h.conn.sendWindow(), "the SYN-ACK's window is not scaled");
        assertEquals(200, h.conn.retransmissionTimeout(), "RTT sample from the SYN: 5 ms -> min RTO");
        assertEquals(10 * 1400, h.conn.congestionWindow(), "IW10");
    }

    @Test
    void activeOpenPeerWithoutWindowScaling() {
        h.conn = TcpConnection.connect(h.config, h, 8080, 2222, L, h.now);
        h.recv(SYN, L, 0);
        h.send(SYN | ACK, G, L + 1, 29200, new byte[0], o -> o.mss = 1460);
        TcpHarness.Seg ack = h.recv(ACK, L + 1, G + 1);
        assertEquals(0, h.conn.receiveWindowShift());
        assertEquals(0, h.conn.sendWindowShift());
        assertEquals(65535, ack.h.window, "unscaled window capped at 65535");
        assertFalse(h.conn.sackPermitted());
        h.send(ACK, G + 1, L + 1, 1000);
        assertEquals(1000, h.conn.sendWindow(), "not shifted");
    }

    @Test
    void simultaneousOpen() {
        h.conn = TcpConnection.connect(h.config, h, 8080, 2222, L, h.now);
        h.recv(SYN, L, 0);
        h.send(SYN, G, 0, 29200, new byte[0], o -> {
            o.mss = 1460;
            o.windowScale = 3;
            o.sackPermitted = true;
        });
        assertEquals(TcpState.SYN_RECEIVED, h.conn.state());
        TcpHarness.Seg synAck = h.recv(SYN | ACK, L, G + 1);
        assertEquals(7, synAck.h.windowScale);
        h.send(SYN | ACK, G, L + 1, 29200);
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
        assertEquals(List.of("established"), h.events);
        h.recv(ACK, L + 1, G + 1);
        assertEquals(3, h.conn.sendWindowShift());
        h.write(new byte[] {1, 2, 3});
        assertEquals(3, h.recv(ACK | TcpSegment.PSH, L + 1, G + 1).len());
    }

    @Test
    void synAckRetransmittedWithBackOffThenHandshakeTimeout() {
        h.acceptSyn(G, L, 8192, null);
        long[] expected = {1000, 2000, 4000, 8000, 16000};
        for (long e : expected) {
            assertEquals(e, h.fireTimer());
            h.recv(SYN | ACK, L, G + 1);
        }
        assertEquals(32000, h.fireTimer());
        h.recv(RST, L + 1, 0);
        assertEquals(TcpState.CLOSED, h.conn.state());
        assertEquals(List.of("reset HANDSHAKE_TIMEOUT", "closed"), h.events);
        assertEquals(Long.MAX_VALUE, h.conn.nextDeadline());
    }

    @Test
    void handshakeTimeoutCapsTheRetries() {
        h = new TcpHarness(b -> b.handshakeTimeoutMs(2500).maxSynRetransmits(100));
        h.acceptSyn(G, L, 8192, null);
        assertEquals(1000, h.fireTimer());
        h.recv(SYN | ACK, L, G + 1);
        assertEquals(1500, h.fireTimer());
        h.recv(RST, L + 1, 0);
        assertEquals(TcpCloseCause.HANDSHAKE_TIMEOUT, h.resetCause);
    }

    @Test
    void retransmittedGuestSynGetsSynAckAgain() {
        h.acceptSyn(G, L, 8192, null);
        h.send(SYN, G, 0, 8192);
        h.recv(SYN | ACK, L, G + 1);
        assertEquals(TcpState.SYN_RECEIVED, h.conn.state());
    }

    @Test
    void badAckInSynReceivedIsReset() {
        h.acceptSyn(G, L, 8192, null);
        h.send(ACK, G + 1, L + 77, 8192);
        h.recv(RST, L + 77, 0);
        assertEquals(TcpState.SYN_RECEIVED, h.conn.state());
    }

    @Test
    void rstInSynReceivedCloses() {
        h.acceptSyn(G, L, 8192, null);
        h.send(RST, G + 1, 0, 0);
        assertEquals(TcpState.CLOSED, h.conn.state());
        assertEquals(List.of("reset RESET_BY_PEER", "closed"), h.events);
        h.recvNothing();
    }

    @Test
    void handshakeAckCarryingDataAndFin() {
        h.acceptSyn(G, L, 8192, o -> o.mss = 1460);
        h.send(ACK | TcpSegment.FIN, G + 1, L + 1, 8192, new byte[] {9, 8, 7});
        assertEquals(List.of("established", "data 3", "fin"), h.events);
        assertEquals(TcpState.CLOSE_WAIT, h.conn.state());
        h.recvNothing(); // delayed, in case our FIN follows
        h.advance(40);
        h.recv(ACK, L + 1, G + 5);
    }

    @Test
    void activeOpenRefusedByRst() {
        h.conn = TcpConnection.connect(h.config, h, 8080, 2222, L, h.now);
        h.recv(SYN, L, 0);
        h.send(RST, 0, L + 7, 0); // RST without ACK: ignored
        assertEquals(TcpState.SYN_SENT, h.conn.state());
        h.send(RST | ACK, 0, L + 1, 0);
        assertEquals(TcpState.CLOSED, h.conn.state());
        assertEquals(List.of("reset REFUSED", "closed"), h.events);
    }

    @Test
    void synSentBadAckDrawsReset() {
        h.conn = TcpConnection.connect(h.config, h, 8080, 2222, L, h.now);
        h.recv(SYN, L, 0);
        h.send(SYN | ACK, G, L + 100, 8192);
        h.recv(RST, L + 100, 0);
        assertEquals(TcpState.SYN_SENT, h.conn.state());
    }

    @Test
    void synRetransmissionAndRtoResetAfterHandshake() {
        h.conn = TcpConnection.connect(h.config, h, 8080, 2222, L, h.now);
        h.recv(SYN, L, 0);
        assertEquals(1000, h.fireTimer());
        h.recv(SYN, L, 0);
        h.send(SYN | ACK, G, L + 1, 8192);
        h.recv(ACK, L + 1, G + 1);
        assertEquals(1000, h.conn.retransmissionTimeout(), "no RTT sample from a retransmitted SYN (Karn)");
    }

    @Test
    void writesBeforeEstablishmentAreSentAfterIt() {
        h.acceptSyn(G, L, 8192, o -> o.mss = 1460);
        assertEquals(5, h.write(new byte[] {1, 2, 3, 4, 5}));
        h.shutdownOutputAndCheckNothingSent();
        h.send(ACK, G + 1, L + 1, 8192);
        TcpHarness.Seg s = h.recv(ACK | TcpSegment.PSH | TcpSegment.FIN, L + 1, G + 1);
        assertEquals(5, s.len());
        assertEquals(TcpState.FIN_WAIT_1, h.conn.state());
    }

    @Test
    void resetForUnknownSegments() {
        TcpHeader out = new TcpHeader();
        TcpHeader in = new TcpHeader();
        in.sourcePort = 1;
        in.destinationPort = 2;
        in.seq = 100;
        in.flags = SYN;
        TcpSegment syn = h.segment(in, new byte[0]);
        assertTrue(TcpConnection.resetFor(syn, out));
        assertEquals(RST | ACK, out.flags);
        assertEquals(101, out.ack);
        assertEquals(0, out.seq);
        assertEquals(2, out.sourcePort);
        syn.buffer().release();
        in.flags = ACK;
        in.ack = 555;
        TcpSegment ack = h.segment(in, new byte[3]);
        assertTrue(TcpConnection.resetFor(ack, out));
        assertEquals(RST, out.flags);
        assertEquals(555, out.seq);
        ack.buffer().release();
        in.flags = RST;
        TcpSegment rst = h.segment(in, new byte[0]);
        assertFalse(TcpConnection.resetFor(rst, out));
        rst.buffer().release();
    }
}
