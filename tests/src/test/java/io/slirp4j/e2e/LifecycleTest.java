package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The ready fd, the exit fd, signals, and a target that goes away. */
class LifecycleTest {
    /** slirp4netns-interface.md: the exit fd ends the helper; engines expect it to be quick (documented 200 ms). */
    static final long EXIT_FD_BOUND_MILLIS = 200;
    /** What the assertion allows: far above the 30-50 ms measured, so that only a real wait fails it on a busy CI. */
    static final long EXIT_FD_SLACK_MILLIS = 2000;

    @ParameterizedTest
    @EnumSource(Mode.class)
    void readyFdGetsExactlyTheByteOneThenEndOfFile(Mode mode) {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Helper h = net.startHelper("-c");
            byte[] ready = h.readyFdContents(Duration.ofSeconds(10));
            assertEquals("1", new String(ready, StandardCharsets.ISO_8859_1), "ready fd contents");
            assertTrue(h.isAlive(), () -> "helper died after signalling ready\n" + h.describe());
            // ready means ready: the network answers at once
            Checks.ping(net, "10.0.2.2");
            System.out.printf("[%s] ready byte after %d ms%n", mode, h.startupMillis());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void closingTheExitFdEndsItWithStatusZeroQuickly(Mode mode) {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Helper h = net.startHelper("-c");
            Checks.ping(net, "10.0.2.2");
            TestNetwork.sleep(300); // let start-up work (JIT, GC) settle
            long closedAt = h.closeExitFd();
            int status = h.awaitExit(Duration.ofSeconds(10));
            long ms = (System.nanoTime() - closedAt) / 1_000_000;
            System.out.printf("[%s] exit fd closed -> process exit: %d ms (documented bound %d ms), status %d%n",
                mode, ms, EXIT_FD_BOUND_MILLIS, status);
            assertEquals(0, status, h::describe);
            assertTrue(ms <= EXIT_FD_SLACK_MILLIS, "helper took " + ms + " ms to exit after the exit fd closed");
            h.assertNoStackTrace();
            Checks.assertNoTap(net);
        }
    }

    /** Some podman versions pass {@code -e 3 -r 4}. */
    @Test
    void exitFdThreeReadyFdFour() {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            Helper h = net.helper("-c").fdNumbers(4, 3).start().awaitReady(Helper.READY_TIMEOUT);
            assertEquals("1", new String(h.readyFdContents(Duration.ofSeconds(10)), StandardCharsets.ISO_8859_1));
            Checks.ping(net, "10.0.2.3");
            h.closeExitFd();
            assertEquals(0, h.awaitExit(Duration.ofSeconds(10)), h::describe);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void dataOnTheExitFdDoesNotEndIt(Mode mode) {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Helper h = net.startHelper("-c");
            TestNetwork.sleep(500);
            long before = h.cpuTicks();
            for (int i = 0; i < 100; i++) {
                h.writeExitFd(("not a reason to exit " + i + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            TestNetwork.sleep(1000);
            long ticks = h.cpuTicks() - before;
            System.out.printf("[%s] CPU while data sat on the exit fd: %d ticks in ~1 s%n", mode, ticks);
            assertTrue(h.isAlive(), () -> "data on the exit fd ended the helper\n" + h.describe());
            assertTrue(ticks < 80, "helper busy (" + ticks + " ticks in 1 s): spinning on a readable exit fd?");
            Checks.ping(net, "10.0.2.2");
            // more than a pipe holds: a writer must not block (the helper reads and ignores what it gets)
            Thread writer = new Thread(() -> h.writeExitFd(new byte[200_000]), "exit-fd-writer");
            writer.setDaemon(true);
            writer.start();
            try {
                writer.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertTrue(!writer.isAlive(), "a 200 kB write to the exit fd blocked: the helper does not drain it");
            assertTrue(h.isAlive(), () -> "data on the exit fd ended the helper\n" + h.describe());
            h.closeExitFd();
            assertEquals(0, h.awaitExit(Duration.ofSeconds(10)), h::describe);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void sigtermEndsIt(Mode mode) {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Helper h = net.startHelper("-c");
            Checks.ping(net, "10.0.2.2");
            h.signal("TERM");
            int status = h.awaitExit(Duration.ofSeconds(10));
            System.out.printf("[%s] exit status after SIGTERM: %d%n", mode, status);
            assertTrue(status == 0 || status == 143,
                () -> "unexpected status " + status + " after SIGTERM\n" + h.describe());
            h.assertNoStackTrace();
            Checks.assertNoTap(net);
        }
    }

    /** A {@code -r FD} that is not open is an error before anything is made, not a write into our own fds. */
    @Test
    void readyFdThatIsNotOpenIsAnError() {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            Cmd.Result r = net.runHelper(Duration.ofSeconds(30), "-c", "-r", "9", Long.toString(net.guestPid()),
                "tap0");
            Checks.assertError(r, "write(9): Bad file descriptor");
            Checks.assertNoTap(net);
        }
    }

    /** With {@code -e FD} where FD is not open, the helper ends (slirp4netns: POLLNVAL counts as exit). */
    @Test
    void exitFdThatIsNotOpenEndsIt() {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            Helper h = net.helper("-c", "-e", "9").exitFd(false).start();
            OptionalInt status = h.waitFor(Duration.ofSeconds(20));
            assertTrue(status.isPresent(), () -> "helper still running with a closed exit fd\n" + h.describe());
            System.out.printf("exit status with a never-open exit fd: %d%n", status.getAsInt());
            assertEquals(0, status.getAsInt(), h::describe);
            h.assertNoStackTrace();
        }
    }

    @Test
    void startsWithoutReadyAndExitFds() {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            Helper h = net.helper("-c").readyFd(false).exitFd(false).start();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!net.guest("ip", "-o", "-4", "addr", "show", "dev", "tap0").out().contains("10.0.2.100")) {
                assertTrue(h.isAlive(), h::describe);
                assertTrue(System.nanoTime() < deadline, () -> "tap0 never configured\n" + h.describe());
                TestNetwork.sleep(100);
            }
            // configured is not the same as serving: allow a few pings
            Cmd.Result r = net.guest("ping", "-n", "-c", "10", "-i", "0.2", "-W", "2", "10.0.2.2");
            assertTrue(r.out().contains(" 0% packet loss") || !r.out().contains("100% packet loss"), r::describe);
            h.signal("TERM");
            h.awaitExit(Duration.ofSeconds(10));
        }
    }

    /**
     * The guest's namespace holder dies while the helper runs. The helper must not hang forever or crash: it
     * either exits by itself or keeps running harmlessly until its exit fd closes.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void vanishedTargetWhileRunning(Mode mode) {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Helper h = net.startHelper("-c");
            Checks.ping(net, "10.0.2.2");
            Cmd.killTree(net.guestHolder().toHandle());
            OptionalInt early = h.waitFor(Duration.ofSeconds(3));
            if (early.isPresent()) {
                System.out.printf("[%s] target gone: helper exited by itself with status %d%n", mode,
                    early.getAsInt());
            } else {
                long before = h.cpuTicks();
                TestNetwork.sleep(1000);
                long ticks = h.cpuTicks() - before;
                System.out.printf("[%s] target gone: helper still running (%d CPU ticks in 1 s); closing exit fd%n",
                    mode, ticks);
                assertTrue(ticks < 80, "helper spins after its target vanished: " + ticks + " ticks in 1 s");
                h.closeExitFd();
                assertEquals(0, h.awaitExit(Duration.ofSeconds(10)), h::describe);
            }
            h.assertNoStackTrace();
        }
    }

    /**
     * A host namespace whose lo is down (a bare {@code unshare --net}): start-up must not log a stack trace
     * (an early build printed one from Netty's interface scan).
     */
    @Test
    void hostNamespaceWithLoopbackDown() {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            net.host("ip", "link", "set", "lo", "down").check();
            Helper h = net.startHelper("-c");
            Checks.ping(net, "10.0.2.2");
            h.assertNoStackTrace();
            h.closeExitFd();
            assertEquals(0, h.awaitExit(Duration.ofSeconds(10)), h::describe);
        }
    }

    /** The target died before the helper started: a clean error, exit 1. */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void vanishedTargetBeforeStart(Mode mode) {
        try (TestNetwork net = TestNetwork.create(mode)) {
            String pid = Long.toString(net.guestPid());
            Cmd.killTree(net.guestHolder().toHandle());
            Helper h = net.helper().target(pid, "tap0").start();
            int status = h.awaitExit(Duration.ofSeconds(30));
            assertEquals(1, status, h::describe);
            assertTrue(h.stderr().lines().anyMatch(l -> l.startsWith("slirp4j: ")), h::describe);
            assertEquals(0, h.readyFdSoFar().length, "ready byte written although start-up failed");
            h.assertNoStackTrace();
        }
    }

    /** The guest holder dies during start-up: whatever happens, no hang and no stack trace. */
    @Test
    void targetVanishingDuringStartUp() {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            Helper h = net.helper("-c").start();
            TestNetwork.sleep(150);
            Cmd.killTree(net.guestHolder().toHandle());
            OptionalInt status = h.waitFor(Duration.ofSeconds(5));
            if (status.isEmpty()) {
                h.closeExitFd();
                status = h.waitFor(Duration.ofSeconds(10));
            }
            assertTrue(status.isPresent(), "helper neither exited nor honoured its exit fd");
            System.out.printf("target killed 150 ms into start-up: status %d, ready bytes %d%n", status.getAsInt(),
                h.readyFdSoFar().length);
            assertTrue(List.of(0, 1).contains(status.getAsInt()), h::describe);
            h.assertNoStackTrace();
        }
    }
}
