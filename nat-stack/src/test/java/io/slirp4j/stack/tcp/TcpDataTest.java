package io.slirp4j.stack.tcp;

import static io.slirp4j.stack.tcp.TcpHarness.bytes;
import static io.slirp4j.stack.tcp.TcpHarness.concat;
import static io.slirp4j.stack.wire.TcpSegment.ACK;
import static io.slirp4j.stack.wire.TcpSegment.PSH;
import static io.slirp4j.stack.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Data both ways: delayed ACKs, out-of-order queue, SACK reporting, windows, back-pressure, Nagle, wrap-around. */
class TcpDataTest {
    private static final int G = TcpHarness.GUEST_ISN + 1;
    private static final int L = TcpHarness.OUR_ISN + 1;
    private TcpHarness h = new TcpHarness();

    @AfterEach
    void noLeaks() {
        h.abortAndAssertNoLeaks();
    }

    @Test
    void inOrderDataIsDeliveredAndAckDelayed() {
        h.establish();
        h.send(ACK | PSH, G, L, 1000, bytes(100, 1));
        assertEquals(List.of("data 100"), h.events);
        h.recvNothing();
        assertEquals(h.now + 40, h.conn.nextDeadline());
        h.advance(39);
        h.recvNothing();
        h.advance(1);
        h.recv(ACK, L, G + 100);
        assertArrayEquals(bytes(100, 1), h.receivedBytes());
    }

    @Test
    void everySecondSegmentIsAckedAtOnce() {
        h.establish();
        h.send(ACK, G, L, 1000, bytes(1460, 1));
        h.recvNothing();
        h.send(ACK, G + 1460, L, 1000, bytes(1460, 2));
        h.recv(ACK, L, G + 2920);
        h.send(ACK, G + 2920, L, 1000, bytes(10, 3));
        h.recvNothing();
    }

    @Test
    void ackRidesOnData() {
        h.establish();
        h.send(ACK, G, L, 1000, bytes(10, 1));
        h.write(bytes(20, 2));
        TcpHarness.Seg s = h.recv(ACK | PSH, L, G + 10);
        assertEquals(20, s.len());
        h.advance(100);
        h.recvNothing();
    }

    @Test
    void dataIsCutIntoMssSegmentsWithPushOnTheLast() {
        h.establish();
        byte[] data = bytes(3000, 5);
        assertEquals(3000, h.write(data));
        TcpHarness.Seg a = h.recv(ACK, L, G);
        TcpHarness.Seg b = h.recv(ACK, L + 1460, G);
        TcpHarness.Seg c = h.recv(ACK | PSH, L + 2920, G);
        assertEquals(1460, a.len());
        assertEquals(1460, b.len());
        assertEquals(80, c.len());
        assertArrayEquals(data, concat(a.payload, b.payload, c.payload));
        h.recvNothing();
        assertEquals(3000, h.conn.sendQueued());
        h.send(ACK, G, L + 3000, 1000);
        assertEquals(0, h.conn.sendQueued());
        assertEquals(h.now + h.config.keepaliveIdleMs(), h.conn.nextDeadline(),
            "RTO timer stops when all is acknowledged: only the keepalive is left");
    }

    @Test
    void sendWindowLimitsAndReopens() {
        h.acceptSyn(TcpHarness.GUEST_ISN, TcpHarness.OUR_ISN, 2920, o -> o.mss = 1460);
        h.send(ACK, G, L, 2920);
        h.events.clear();
        h.write(bytes(5000, 1));
        assertEquals(1460, h.recv(ACK, L, G).len());
        assertEquals(1460, h.recv(ACK, L + 1460, G).len());
        h.recvNothing();
        h.send(ACK, G, L + 1460, 2920);
        assertEquals(1460, h.recv(ACK, L + 2920, G).len());
        h.recvNothing();
        h.send(ACK, G, L + 4380, 8000);
        assertEquals(620, h.recv(ACK | PSH, L + 4380, G).len());
    }

    @Test
    void senderAvoidsSillyWindows() {
        h.acceptSyn(TcpHarness.GUEST_ISN, TcpHarness.OUR_ISN, 4000, o -> o.mss = 1460);
        h.send(ACK, G, L, 4000);
        h.write(bytes(10_000, 1));
        h.recv();
        h.recv();
        h.recvNothing(); // 1080 bytes of window left: less than a segment and half the max window, so wait
        h.send(ACK, G, L + 1460, 4000);
        assertEquals(1460, h.recv(ACK, L + 2920, G).len());
    }

    @Test
    void nagleHoldsSmallSegmentsWhileDataIsInFlight() {
        h = new TcpHarness(b -> b.nagle(true));
        h.establish();
        h.write(bytes(100, 1));
        h.recv(ACK | PSH, L, G);
        h.write(bytes(100, 2));
        h.write(bytes(100, 3));
        h.recvNothing();
        h.send(ACK, G, L + 100, 1000);
        assertEquals(200, h.recv(ACK | PSH, L + 100, G).len(), "held bytes coalesce into one segment");
    }

    @Test
    void withoutNagleEveryHostReadGoesOutAtOnce() {
        h.establish();
        h.write(bytes(100, 1));
        h.write(bytes(100, 2));
        h.recv(ACK | PSH, L, G);
        h.recv(ACK | PSH, L + 100, G);
    }

    @Test
    void outOfOrderQueueAndSackBlocks() {
        h.establish();
        h.send(ACK, G + 100, L, 1000, bytes(100, 2));
        TcpHarness.Seg a = h.recv(ACK, L, G);
        assertEquals(1, a.h.sackCount);
        assertEquals(G + 100, a.h.sack[0]);
        assertEquals(G + 200, a.h.sack[1]);
        h.send(ACK, G + 300, L, 1000, bytes(100, 4));
        TcpHarness.Seg b = h.recv(ACK, L, G);
        assertEquals(2, b.h.sackCount);
        assertEquals(G + 300, b.h.sack[0], "most recent block first (RFC 2018 4)");
        assertEquals(G + 100, b.h.sack[2]);
        assertEquals(200, h.conn.outOfOrderBytes());
        assertTrue(h.events.isEmpty());
        h.send(ACK, G, L, 1000, bytes(100, 1));
        TcpHarness.Seg c = h.recv(ACK, L, G + 200);
        assertEquals(1, c.h.sackCount);
        assertEquals(G + 300, c.h.sack[0]);
        assertEquals(List.of("data 100", "data 100"), h.events);
        h.send(ACK, G + 200, L, 1000, bytes(100, 3));
        TcpHarness.Seg d = h.recv(ACK, L, G + 400);
        assertEquals(0, d.h.sackCount);
        assertArrayEquals(concat(bytes(100, 1), bytes(100, 2), bytes(100, 3), bytes(100, 4)), h.receivedBytes());
        assertEquals(0, h.conn.outOfOrderBytes());
    }

    @Test
    void overlappingAndDuplicateSegmentsAreDeliveredOnce() {
        h.establish();
        byte[] all = bytes(1000, 9);
        h.send(ACK, G + 500, L, 1000, java.util.Arrays.copyOfRange(all, 500, 700));
        h.send(ACK, G + 600, L, 1000, java.util.Arrays.copyOfRange(all, 600, 900));
        h.send(ACK, G + 500, L, 1000, java.util.Arrays.copyOfRange(all, 500, 700));
        assertEquals(400, h.conn.outOfOrderBytes());
        h.send(ACK, G, L, 1000, java.util.Arrays.copyOfRange(all, 0, 600));
        h.send(ACK, G + 100, L, 1000, java.util.Arrays.copyOfRange(all, 100, 1000));
        h.send(ACK, G, L, 1000, java.util.Arrays.copyOfRange(all, 0, 1000));
        assertArrayEquals(all, h.receivedBytes());
    }

    @Test
    void withoutSackNoBlocksAreSent() {
        h.acceptSyn(TcpHarness.GUEST_ISN, TcpHarness.OUR_ISN, 8192, o -> o.mss = 1460);
        h.send(ACK, G, L, 8192);
        h.send(ACK, G + 100, L, 8192, bytes(100, 2));
        assertEquals(0, h.recv(ACK, L, G).h.sackCount);
    }

    @Test
    void receiveWindowFollowsTheHostAndReopensWithAnUpdate() {
        h = new TcpHarness(b -> b.receiveBuffer(8192));
        h.autoConsume = false;
        h.acceptSyn(TcpHarness.GUEST_ISN, TcpHarness.OUR_ISN, 8192, o -> o.mss = 1460);
        h.send(ACK, G, L, 8192);
        h.send(ACK, G, L, 8192, bytes(4096, 1));
        assertEquals(4096, h.recv(ACK, L, G + 4096).h.window, "more than 2*MSS unacknowledged: ACK at once");
        h.send(ACK, G + 4096, L, 8192, bytes(4096, 2));
        assertEquals(0, h.recv(ACK, L, G + 8192).h.window);
        assertEquals(8192, h.conn.unconsumed());
        // a zero-window probe is answered, not accepted
        h.send(ACK, G + 8192, L, 8192, bytes(1, 3));
        assertEquals(0, h.recv(ACK, L, G + 8192).h.window);
        h.conn.consumed(1000, h.now);
        h.recvNothing(); // less than an MSS: no update (receiver SWS avoidance)
        h.conn.consumed(3000, h.now);
        assertEquals(4000, h.recv(ACK, L, G + 8192).h.window, "window update sent at once");
        h.conn.consumed(1000, h.now);
        h.recvNothing(); // 5000 is not twice 4000: rides on the next ACK
        h.conn.consumed(4192, h.now);
        h.recvNothing(); // 4000 left is room for two segments, whose ACK will carry the window
        h.send(ACK, G + 8192, L, 8192, bytes(10, 4));
        assertEquals(8192 + 10, h.receivedBytes().length);
        h.advance(40);
        assertEquals(8182, h.recv(ACK, L, G + 8202).h.window, "the reopened window on the (delayed) ACK");
    }

    @Test
    void dataBeyondTheWindowIsTrimmed() {
        h = new TcpHarness(b -> b.receiveBuffer(4000));
        h.autoConsume = false;
        h.acceptSyn(TcpHarness.GUEST_ISN, TcpHarness.OUR_ISN, 8192, o -> o.mss = 1460);
        h.send(ACK, G, L, 8192);
        h.send(ACK, G, L, 8192, bytes(5000, 1));
        assertEquals(4000, h.receivedBytes().length);
        h.recv(ACK, L, G + 4000);
    }

    @Test
    void windowScalingAppliesToBothDirections() {
        h.establish();
        assertEquals(128_000, h.conn.sendWindow());
        h.send(ACK, G, L, 1000, bytes(10, 1));
        h.advance(40);
        TcpHarness.Seg ack = h.recv(ACK, L, G + 10);
        assertEquals((4 << 20) >> 7, ack.h.window, "the whole 4 MiB buffer, scaled by 7");
    }

    @Test
    void sendBufferIsBoundedAndSignalsSpace() {
        h = new TcpHarness(b -> b.sendBuffer(10_000));
        h.establish();
        assertEquals(10_000, h.write(bytes(15_000, 1)));
        assertEquals(0, h.conn.sendSpace());
        assertEquals(0, h.write(bytes(10, 1)));
        while (h.sent.poll() != null) {
            // drain the segments
        }
        h.send(ACK, G, L + 1460, 1000);
        assertEquals(0, h.sendSpaceEvents, "1460 free is less than a quarter of the buffer");
        h.send(ACK, G, L + 2920, 1000);
        assertEquals(1, h.sendSpaceEvents);
        h.send(ACK, G, L + 4380, 1000);
        assertEquals(1, h.sendSpaceEvents, "once per short write");
        assertEquals(4380, h.write(bytes(5000, 2)));
    }

    @Test
    void reentrantCallsFromCallbacks() {
        h.establish();
        h.onDataHook = c -> h.write(bytes(5, 7));
        h.send(ACK, G, L, 1000, bytes(10, 1));
        TcpHarness.Seg s = h.recv(ACK | PSH, L, G + 10);
        assertEquals(5, s.len(), "a write from onData goes out with the ACK");
        h.recvNothing();
        h.onDataHook = c -> c.abort(h.now);
        h.send(ACK, G + 10, L + 5, 1000, bytes(10, 1));
        h.recv(io.slirp4j.stack.wire.TcpSegment.RST | ACK, L + 5, G + 20);
        assertEquals(TcpState.CLOSED, h.conn.state());
        assertEquals(1, h.closedEvents);
        h.recvNothing();
    }

    @Test
    void sequenceNumbersWrapAround() {
        int guestIsn = 0xFFFF_FF00;
        int ourIsn = 0xFFFF_FFF0;
        h.establish(guestIsn, ourIsn, 1000);
        byte[] up = bytes(600, 3);
        h.send(ACK, guestIsn + 1, ourIsn + 1, 1000, java.util.Arrays.copyOfRange(up, 0, 300));
        h.send(ACK, guestIsn + 301, ourIsn + 1, 1000, java.util.Arrays.copyOfRange(up, 300, 600));
        h.recv(ACK, ourIsn + 1, guestIsn + 601);
        assertEquals(guestIsn + 601, h.conn.rcvNxt());
        assertTrue(Integer.compareUnsigned(h.conn.rcvNxt(), 1000) < 0, "wrapped");
        assertArrayEquals(up, h.receivedBytes());
        byte[] down = bytes(3000, 4);
        h.write(down);
        TcpHarness.Seg a = h.recv(ACK, ourIsn + 1, guestIsn + 601);
        TcpHarness.Seg b = h.recv(ACK, ourIsn + 1461, guestIsn + 601);
        TcpHarness.Seg c = h.recv(ACK | PSH, ourIsn + 2921, guestIsn + 601);
        assertArrayEquals(down, concat(a.payload, b.payload, c.payload));
        // out of order across the wrap point
        h.send(ACK, guestIsn + 701, ourIsn + 1461, 1000, bytes(100, 6));
        h.recv(ACK, ourIsn + 3001, guestIsn + 601);
        h.send(ACK, guestIsn + 601, ourIsn + 3001, 1000, bytes(100, 5));
        h.recv(ACK, ourIsn + 3001, guestIsn + 801);
        assertEquals(0, h.conn.sendQueued());
    }

    @Test
    void synInEstablishedDrawsChallengeAck() {
        h.establish();
        h.send(SYN, G + 5000, 0, 1000);
        h.recv(ACK, L, G);
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
    }

    @Test
    void ackOfUnsentDataIsDroppedWithAnAck() {
        h.establish();
        h.send(ACK, G, L + 10, 1000, bytes(10, 1));
        h.recv(ACK, L, G);
        assertTrue(h.events.isEmpty(), "the segment's data is not taken");
    }

    @Test
    void outOfWindowSegmentIsAnsweredWithAnAck() {
        h.establish();
        h.send(ACK, G - 2000, L, 1000, bytes(10, 1));
        h.recv(ACK, L, G);
        h.send(ACK, G + 500_000, L, 1000, bytes(10, 1));
        h.recv(ACK, L, G);
        assertTrue(h.events.isEmpty());
    }
}
