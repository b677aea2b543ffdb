package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A running slirp4j. The launcher is started through
 * {@code bash -c 'exec 3>&1 4<&0 </dev/null >/dev/null; exec "$@"'} (fd numbers configurable), so the helper's fd 3 (its {@code -r} fd) is
 * the pipe that this object reads as the process's stdout, and its fd 4 (its {@code -e} fd) is the pipe this
 * object writes as the process's stdin; the helper's own stdin and stdout are /dev/null and its stderr is
 * captured. Every wrapper in between (nsenter, setpriv, bash) execs, so {@link #pid()} is the helper's JVM.
 */
public final class Helper implements AutoCloseable {
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    public static final int READY_FD = 3;
    public static final int EXIT_FD = 4;

    /** The bash wrapper that turns our stdout pipe into fd {@code ready} and our stdin pipe into fd {@code exit}. */
    static String fdWrapper(int ready, int exit) {
        return "exec " + ready + ">&1 " + exit + "<&0 </dev/null >/dev/null; exec \"$@\"";
    }
    /**
     * The system property that runs every helper unconfined: {@code --disable-sandbox --disable-seccomp} before the
     * test's own options (the tests module's second surefire execution sets it). Helpers confine themselves by
     * default, so the suite runs confined first, and then again as users who leave confinement out get it.
     */
    public static final String UNCONFINED_PROPERTY = "slirp4j.e2e.unconfined";
    public static final List<String> UNCONFINED_OPTIONS = List.of("--disable-sandbox", "--disable-seccomp");

    /** Whether this run starts every helper unconfined (see {@link #UNCONFINED_PROPERTY}). */
    public static boolean unconfinedRun() {
        return Boolean.getBoolean(UNCONFINED_PROPERTY);
    }

    private static final Pattern STACK_TRACE = Pattern.compile(
        "(?m)^\\s+at [\\w$.]+\\(|Exception in thread|^Caused by: |\\bat java\\.base/");

    private final List<String> argv;
    private final Process proc;
    private final ByteArrayOutputStream readyBytes = new ByteArrayOutputStream();
    private final CountDownLatch firstReadyByte = new CountDownLatch(1);
    private final CountDownLatch readyEof = new CountDownLatch(1);
    private final Cmd.Drain stderr;
    private final OutputStream exitFd;
    private volatile long readyAtNanos;
    private final long startedAtNanos;

    private Helper(List<String> argv) {
        this.argv = List.copyOf(argv);
        this.startedAtNanos = System.nanoTime();
        this.proc = Cmd.start(argv, ProcessBuilder.Redirect.PIPE);
        this.exitFd = proc.getOutputStream();
        this.stderr = Cmd.Drain.of(proc.getErrorStream());
        InputStream ready = proc.getInputStream();
        Thread reader = new Thread(() -> {
            try (ready) {
                int b;
                while ((b = ready.read()) >= 0) {
                    synchronized (readyBytes) {
                        readyBytes.write(b);
                    }
                    if (firstReadyByte.getCount() > 0) {
                        readyAtNanos = System.nanoTime();
                        firstReadyByte.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the process went away
            } finally {
                readyEof.countDown();
            }
        }, "ready-fd-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** How to start a helper. */
    public static final class Builder {
        private final TestNetwork net;
        private final List<String> options;
        private List<String> positionals;
        private boolean readyFd = true;
        private boolean exitFd = true;
        private int readyFdNumber = READY_FD;
        private int exitFdNumber = EXIT_FD;
        private List<String> via = List.of();
        private boolean ownConfinement;

        Builder(TestNetwork net, List<String> options) {
            this.net = net;
            this.options = options;
            this.positionals = List.of(Long.toString(net.guestPid()), "tap0");
        }

        /** Replaces the default positionals (guest PID, tap0). */
        public Builder target(String... positionals) {
            this.positionals = List.of(positionals);
            return this;
        }

        /** Whether to pass {@code -r 3} (default yes). */
        public Builder readyFd(boolean on) {
            this.readyFd = on;
            return this;
        }

        /** Whether to pass {@code -e 4} (default yes). */
        public Builder exitFd(boolean on) {
            this.exitFd = on;
            return this;
        }

        /** Which fd numbers the helper gets for the ready and exit pipes (default 3 and 4). */
        public Builder fdNumbers(int ready, int exit) {
            this.readyFdNumber = ready;
            this.exitFdNumber = exit;
            return this;
        }

        /** This test chooses the confinement flags itself: an unconfined run adds none ({@link #UNCONFINED_PROPERTY}). */
        public Builder ownConfinement() {
            this.ownConfinement = true;
            return this;
        }

        /** A command that runs between the fd wrapper and the launcher and must exec its arguments. */
        public Builder via(String... command) {
            this.via = List.of(command);
            return this;
        }

        public Helper start() {
            List<String> argv = net.helperPrefix();
            argv.addAll(List.of("bash", "-c", fdWrapper(readyFdNumber, exitFdNumber), "bash"));
            argv.addAll(via);
            argv.add(net.launcher());
            if (unconfinedRun() && !ownConfinement) {
                argv.addAll(UNCONFINED_OPTIONS);
            }
            if (readyFd) {
                argv.addAll(List.of("-r", Integer.toString(readyFdNumber)));
            }
            if (exitFd) {
                argv.addAll(List.of("-e", Integer.toString(exitFdNumber)));
            }
            argv.addAll(options);
            argv.addAll(positionals);
            Helper h = new Helper(argv);
            net.register(h);
            return h;
        }
    }

    public long pid() {
        return proc.pid();
    }

    /**
     * Whether this helper removes its socket files (API, BESS) at exit: only outside the sandbox, which it enters by
     * default where it can (else it says so); in the sandbox the files are out of its reach, and stay (as
     * slirp4netns's do).
     */
    public boolean removesItsSocketsAtExit() {
        return argv.contains("--disable-sandbox") || stderr().contains("WARNING: running without the sandbox");
    }

    public List<String> argv() {
        return argv;
    }

    public boolean isAlive() {
        return proc.isAlive();
    }

    /** Everything the helper wrote to stderr so far; once it has exited, everything it wrote. */
    public String stderr() {
        // after exit the drain thread may not have copied the pipe's last bytes yet
        return stderr.text(proc.isAlive() ? Duration.ZERO : Duration.ofSeconds(5));
    }

    /**
     * Waits a little (at most 5 s) for {@code text} on the helper's stderr: the pipe is drained by a thread of the
     * test's, so what the helper wrote before its ready byte may not be here yet when the byte is.
     */
    public void awaitStderr(String text) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!stderr().contains(text)) {
            if (System.nanoTime() > deadline) {
                fail("no \"" + text + "\" on stderr\n" + describe());
            }
            TestNetwork.sleep(20);
        }
    }

    /** Waits for the first byte on the ready fd; fails with the helper's stderr if it dies or times out. */
    public Helper awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!firstReadyByte.await(50, TimeUnit.MILLISECONDS)) {
                if (!proc.isAlive()) {
                    // it may have written the byte just before dying: check once more
                    if (firstReadyByte.await(200, TimeUnit.MILLISECONDS)) {
                        break;
                    }
                    fail("helper exited with status " + proc.exitValue() + " before it was ready\n" + describe());
                }
                if (System.nanoTime() > deadline) {
                    fail("helper not ready within " + timeout.toMillis() + " ms\n" + describe());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return this;
    }

    /** Milliseconds from process start to the ready byte (or -1 if none yet). */
    public long startupMillis() {
        return firstReadyByte.getCount() == 0 ? (readyAtNanos - startedAtNanos) / 1_000_000 : -1;
    }

    /** All bytes read from the ready fd, after waiting up to {@code timeout} for its end of file. */
    public byte[] readyFdContents(Duration timeout) {
        try {
            if (!readyEof.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("the ready fd did not reach end of file within " + timeout.toMillis() + " ms (got "
                    + readyFdSoFar().length + " bytes)\n" + describe());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return readyFdSoFar();
    }

    public byte[] readyFdSoFar() {
        synchronized (readyBytes) {
            return readyBytes.toByteArray();
        }
    }

    /** Writes to the helper's exit fd (data there must not end it). */
    public void writeExitFd(byte[] data) {
        try {
            exitFd.write(data);
            exitFd.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("write to the exit fd", e);
        }
    }

    /** Closes the writing end of the exit fd; returns System.nanoTime() just before the close. */
    public long closeExitFd() {
        long t = System.nanoTime();
        try {
            exitFd.close();
        } catch (IOException e) {
            throw new UncheckedIOException("close the exit fd", e);
        }
        return t;
    }

    /** The exit status if the helper ends within {@code timeout}. */
    public OptionalInt waitFor(Duration timeout) {
        try {
            if (proc.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return OptionalInt.of(proc.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return OptionalInt.empty();
    }

    /** Waits for the end and returns the status; fails if it is still running after {@code timeout}. */
    public int awaitExit(Duration timeout) {
        OptionalInt status = waitFor(timeout);
        if (status.isEmpty()) {
            fail("helper still running " + timeout.toMillis() + " ms later\n" + describe());
        }
        return status.getAsInt();
    }

    /** Sends a signal (TERM, INT, KILL, ...) to the helper's JVM. */
    public void signal(String name) {
        if (!Cmd.signal(pid(), name)) {
            fail("kill -" + name + " " + pid() + " failed");
        }
    }

    /** User+system CPU time of the helper so far, in clock ticks (normally 1/100 s). */
    public long cpuTicks() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5)
        } catch (IOException e) {
            throw new UncheckedIOException("helper gone?", e);
        }
    }

    /** What the start-up line says of our own tap with offloads ({@code true}) or with {@code --disable-offloads}. */
    public static String tapMode(boolean offloads) {
        return offloads ? "vnet header (12 bytes), offloads csum tso4 tso6" + USO_OUT : "no vnet header";
    }

    /** How the start-up line ends for a tap with offloads on this kernel: from 6.2 it takes UDP super-frames. */
    public static final String USO_OUT = kernelAtLeast(6, 2) ? " uso4 uso6" : "";

    static boolean kernelAtLeast(int major, int minor) {
        java.util.regex.Matcher m = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(System.getProperty("os.version"));
        if (!m.find()) {
            return false;
        }
        int ma = Integer.parseInt(m.group(1));
        return ma > major || ma == major && Integer.parseInt(m.group(2)) >= minor;
    }

    /** {@link #assertTapMode(String)} for {@link #tapMode(boolean)}. */
    public void assertTapMode(boolean offloads) {
        assertTapMode(tapMode(offloads));
    }

    /**
     * Waits (at most 5 s: the stack starts after the ready byte) for the start-up line and fails unless it says
     * {@code "(fd N, " + mode + ")"}: how the tap was set up.
     */
    public void assertTapMode(String mode) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Pattern line = Pattern.compile("\\(fd \\d+, (.*)\\), MTU ");
        while (true) {
            java.util.regex.Matcher m = line.matcher(stderr());
            if (m.find()) {
                assertEquals(mode, m.group(1), this::describe);
                return;
            }
            assertTrue(System.nanoTime() < deadline && isAlive(), () -> "no start-up line\n" + describe());
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Fails unless the helper still runs and has printed no stack trace. */
    public void assertHealthy() {
        assertTrue(isAlive(), this::describe);
        assertNoStackTrace();
    }

    /** Fails if stderr shows a Java stack trace (an uncaught exception, or one logged with its trace). */
    public void assertNoStackTrace() {
        String err = stderr();
        assertFalse(STACK_TRACE.matcher(err).find(), () -> "helper printed a stack trace:\n" + err);
    }

    public static boolean hasStackTrace(String text) {
        return STACK_TRACE.matcher(text).find();
    }

    public String describe() {
        return "  command: " + String.join(" ", argv) + "\n  ready fd bytes: "
            + new String(readyFdSoFar(), StandardCharsets.ISO_8859_1) + "\n  stderr:\n" + stderr().indent(4);
    }

    /** SIGTERM, then SIGKILL (with every descendant) if it is still running 3 s later. */
    @Override
    public void close() {
        if (proc.isAlive()) {
            proc.destroy();
            if (waitFor(Duration.ofSeconds(3)).isEmpty()) {
                Cmd.killTree(proc.toHandle());
            }
        }
        try {
            exitFd.close();
        } catch (IOException ignored) {
            // already closed
        }
        List<ProcessHandle> left = new ArrayList<>();
        proc.descendants().forEach(left::add);
        left.forEach(ProcessHandle::destroyForcibly);
    }
}
