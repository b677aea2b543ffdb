package io.slirp4j.stack.tcp;

import static io.slirp4j.stack.tcp.TcpHarness.bytes;
import static io.slirp4j.stack.wire.TcpSegment.ACK;
import static io.slirp4j.stack.wire.TcpSegment.FIN;
import static io.slirp4j.stack.wire.TcpSegment.PSH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stack-wide buffer budget: what connections charge (send buffer and offered receive window), that an
 * exhausted budget leaves every connection its floor and no more, that squeezed connections still make progress,
 * and that every byte charged is credited back.
 */
class BufferBudgetTest {
    private static final int G = TcpHarness.GUEST_ISN + 1;
    private static final int L = TcpHarness.OUR_ISN + 1;
    private static final int FLOOR = 16 * 1024;

    private BufferBudget budget;
    private TcpHarness a;
    private TcpHarness b;

    @AfterEach
    void everythingCreditedBack() {
        for (TcpHarness h : new TcpHarness[] {a, b}) {
            if (h != null) {
                h.abortAndAssertNoLeaks();
            }
        }
        if (budget != null) {
            assertEquals(0, budget.used(), "charges left after every connection closed");
        }
    }

    /** A connection on {@link #budget}. */
    private TcpHarness harness() {
        return new TcpHarness(c -> c.budget(budget).receiveBuffer(256 * 1024).sendBuffer(256 * 1024));
    }

    /** Handshake with MSS 1460 and no window scaling (windows are then plain byte counts). */
    private static void establishUnscaled(TcpHarness h) {
        h.acceptSyn(TcpHarness.GUEST_ISN, TcpHarness.OUR_ISN, 65535, o -> o.mss = 1460);
        h.send(ACK, G, L, 65535);
        assertEquals(TcpState.ESTABLISHED, h.conn.state());
        h.sent.clear();
    }

    @Test
    void theFloorShrinksAsConnectionsShareTheBudgetDownToTheMinimum() {
        BufferBudget shared = new BufferBudget(4 << 20, 64 << 10);
        assertEquals(64 << 10, shared.floor(), "no connection yet");
        for (int i = 0; i < 16; i++) {
            shared.join();
        }
        assertEquals(64 << 10, shared.floor(), "16 connections' floors take half the budget");
        shared.join();
        assertEquals((4 << 20) / (4 * 17), shared.floor(), "beyond that, their share of half the budget");
        for (int i = 17; i < 1000; i++) {
            shared.join();
        }
        assertEquals(BufferBudget.MIN_FLOOR, shared.floor(), "never below the minimum");
        for (int i = 0; i < 990; i++) {
            shared.leave();
        }
        assertEquals(10, shared.connections());
        assertEquals(64 << 10, shared.floor(), "back up as they close");
        assertEquals(64 << 10, shared.configuredFloor());
        assertEquals(8 << 10, new BufferBudget(0, 8 << 10).floor(), "a configured floor below the minimum stays");
    }

    @Test
    void connectionsJoinTheBudgetWhenMadeAndLeaveItWhenClosed() {
        budget = new BufferBudget(1 << 30, FLOOR);
        a = harness();
        establishUnscaled(a);
        b = harness();
        establishUnscaled(b);
        assertEquals(2, budget.connections());
        a.abortAndAssertNoLeaks();
        a = null;
        assertEquals(1, budget.connections());
    }

    @Test
    void aScarceBudgetGoesOnlyToConnectionsWhoseHostsTakeTheirData() {
        BufferBudget shared = new BufferBudget(400_000, FLOOR);
        shared.adjust(250_000);
        assertTrue(!shared.scarce());
        assertEquals(150_000, shared.room(64 << 10, 0), "plenty: everyone may grow");
        assertEquals(0, shared.shortages());
        shared.adjust(60_000);
        assertTrue(shared.scarce(), "less than a quarter left");
        assertEquals(1, shared.shortages(), "counted once as it runs short");
        shared.adjust(-20_000);
        shared.adjust(20_000);
        assertEquals(1, shared.shortages(), "hovering at the mark is the same shortage");
        shared.adjust(-120_000);
        shared.adjust(120_000);
        assertEquals(2, shared.shortages(), "running short again after half was free is a new one");
        assertEquals(0, shared.room(64 << 10, 0),
            "a connection whose host took nothing lately keeps what it holds");
        assertEquals(0, shared.room(64 << 10, 32 << 10),
            "nor does one whose host took half of it");
        assertEquals(20_000, shared.room(60_000, 40_000),
            "one that moves may grow to twice what its host took lately");
        assertEquals(90_000, shared.room(60_000, 1 << 20), "as far as the budget has room");
        shared.adjust(-310_000);
    }

    @Test
    void pastItsCapsAFloorShrinksToAFewSegmentsAndThenToNothingWhileConnectionsThatMoveMayStillGrow() {
        BufferBudget capped = new BufferBudget(400_000, FLOOR, 500_000, 600_000);
        capped.adjust(450_000);
        assertEquals(FLOOR, capped.floor(), "over the limit, under the floors' cap");
        assertEquals(0, capped.room(0, 0));
        assertEquals(50_000, capped.room(0, 25_000), "over the limit, one that moves may still grow");
        capped.adjust(100_000);
        assertEquals(BufferBudget.MIN_HOLD, capped.floor(), "past the floors' cap: a few segments");
        assertEquals(20_000, capped.room(30_000, 25_000));
        assertEquals(50_000, capped.room(0, 1 << 20), "up to the cap for those that move");
        capped.adjust(50_000);
        assertEquals(0, capped.floor(), "nothing at the last cap");
        assertEquals(0, capped.room(0, 1 << 20));
        capped.adjust(-600_000);
        assertThrows(IllegalArgumentException.class, () -> new BufferBudget(400_000, FLOOR, 500_000, 300_000));
    }

    @Test
    void offeredWindowAndSendBufferAreChargedAndCreditedOnAck() {
        budget = new BufferBudget(1 << 30, FLOOR);
        a = harness();
        establishUnscaled(a);
        assertEquals(65535, budget.used(), "the offered window is a promise and is charged");
        assertEquals(10_000, a.write(bytes(10_000, 1)));
        assertEquals(65535 + 10_000, budget.used());
        a.sent.clear();
        a.send(ACK, G, L + 10_000, 65535);
        assertEquals(65535, budget.used(), "acknowledged bytes are credited");
        a.autoConsume = false;
        a.send(ACK | PSH, G, L + 10_000, 65535, bytes(3000, 2));
        assertEquals(3000 + 65535, budget.used(),
            "received bytes stay charged until the host takes them; the window (capped at 64 KiB) moved on");
        a.conn.consumed(3000, a.now);
        assertEquals(65535, budget.used());
        a.conn.shutdownOutput(a.now);
        a.send(ACK | FIN, G + 3000, L + 10_001, 65535);
        assertEquals(0, budget.used(), "after the guest's FIN the window promises nothing");
    }

    @Test
    void anExhaustedBudgetLeavesEachConnectionItsFloorAndNoMore() {
        budget = new BufferBudget(100_000, FLOOR);
        a = harness();
        establishUnscaled(a);
        assertEquals(100_000 - 65535, a.write(bytes(200_000, 1)), "a takes what the budget has left");
        assertEquals(100_000, budget.used());
        assertEquals(1, budget.exhaustions());

        b = harness();
        assertEquals(FLOOR, b.acceptSyn(TcpHarness.GUEST_ISN, TcpHarness.OUR_ISN, 65535, o -> o.mss = 1460).h.window,
            "a new connection is offered its floor");
        b.send(ACK, G, L, 65535);
        b.sent.clear();
        assertEquals(FLOOR, b.write(bytes(200_000, 2)), "and may buffer its floor of host data");
        assertEquals(0, b.write(bytes(100, 3)));
        assertEquals(0, a.write(bytes(100, 4)), "a holds more than its floor already");
        assertEquals(100_000 + 2 * FLOOR, budget.used());
        assertTrue(budget.peak() <= budget.limit() + 2L * FLOOR * 2);
    }

    @Test
    void aSqueezedSenderIsWokenByItsOwnAcks() {
        budget = new BufferBudget(0, FLOOR);
        a = harness();
        establishUnscaled(a);
        assertEquals(FLOOR, a.write(bytes(FLOOR + 1, 1)));
        assertEquals(0, a.sendSpaceEvents, "never woken from inside the refused write");
        a.sent.clear();
        a.send(ACK, G, L + FLOOR / 2, 65535);
        assertEquals(1, a.sendSpaceEvents, "half the floor acknowledged: room again");
        assertEquals(FLOOR / 2, a.conn.sendSpace());
    }

    @Test
    void aSqueezedReceiveWindowReopensAsTheHostConsumes() {
        budget = new BufferBudget(0, FLOOR);
        a = harness();
        a.autoConsume = false;
        assertEquals(FLOOR, a.acceptSyn(TcpHarness.GUEST_ISN, TcpHarness.OUR_ISN, 65535, o -> o.mss = 1460).h.window);
        a.send(ACK, G, L, 65535);
        a.sent.clear();
        byte[] data = bytes(FLOOR, 1);
        for (int off = 0; off < FLOOR; off += 1024) {
            a.send(ACK | PSH, G + off, L, 65535, java.util.Arrays.copyOfRange(data, off, off + 1024));
        }
        int window = -1;
        while (!a.sent.isEmpty()) {
            window = a.recv().h.window;
        }
        assertEquals(0, window, "the floor is full");
        a.conn.consumed(FLOOR / 2, a.now);
        assertEquals(FLOOR / 2, a.recv(ACK, L, G + FLOOR).h.window,
            "half the floor consumed is a window update worth sending, even though the MSS is larger than it");
        assertEquals(FLOOR, budget.used(), "charged: the unconsumed half plus the offered half");
    }

    @Test
    void anIdleConnectionOffersAndChargesOnlyItsInitialWindowUntilTheHostConsumes() {
        budget = new BufferBudget(1 << 30, FLOOR);
        a = new TcpHarness(c -> c.budget(budget).initialReceiveWindow(64 * 1024));
        assertEquals(65535, a.acceptSyn(TcpHarness.GUEST_ISN, TcpHarness.OUR_ISN, 64240, o -> {
            o.mss = 1460;
            o.windowScale = 7;
        }).h.window);
        a.send(ACK, G, L, 1000);
        a.recvNothing(); // no window update: 64 KiB is all there is to offer, not the 4 MiB buffer
        assertEquals(65535, budget.used());
        // the host takes 32 KiB (half the buffer): the buffer doubles, and the guest hears of it
        byte[] data = bytes(32 * 1024, 1);
        for (int off = 0; off < data.length; off += 1024) {
            a.send(ACK | PSH, G + off, L, 1000, java.util.Arrays.copyOfRange(data, off, off + 1024));
        }
        int window = 0;
        while (!a.sent.isEmpty()) {
            window = a.recv().h.window;
        }
        assertEquals(128 * 1024 >> 7, window);
        // 64 KiB more (half of 128): 256 KiB, and so on up to the configured 4 MiB
        int seq = G + data.length;
        for (int i = 0; i < 64; i++) {
            a.send(ACK | PSH, seq, L, 1000, bytes(1024, i));
            seq += 1024;
        }
        while (!a.sent.isEmpty()) {
            window = a.recv().h.window;
        }
        assertEquals(256 * 1024 >> 7, window);
    }

    @Test
    void creditingMoreThanWasChargedIsAnError() {
        BufferBudget budget = new BufferBudget(10, 1);
        budget.adjust(5);
        assertThrows(IllegalStateException.class, () -> budget.adjust(-6));
        assertThrows(IllegalArgumentException.class, () -> new BufferBudget(-1, 1));
    }
}
