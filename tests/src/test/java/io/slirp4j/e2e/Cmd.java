package io.slirp4j.e2e;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Running commands with a time limit and captured output. Nothing here waits without a bound: a command that
 * overruns its limit is killed with all its descendants and reported as a failure with what it printed.
 */
public final class Cmd {
    /** PATH for every child: the sbin directories too, whatever the build's PATH holds. */
    static final String PATH = System.getenv().getOrDefault("PATH", "/usr/bin:/bin")
        + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    static final File DEV_NULL = new File("/dev/null");

    private Cmd() {}

    /** A finished command. */
    public record Result(List<String> argv, int exit, String out, String err) {
        public boolean ok() {
            return exit == 0;
        }

        /** Fails the test with the command and its output unless it exited 0; returns this for chaining. */
        public Result check() {
            if (exit != 0) {
                throw new AssertionError("command failed: " + describe());
            }
            return this;
        }

        public String describe() {
            return String.join(" ", argv) + "\n  exit " + exit + "\n  stdout: " + out.strip()
                + "\n  stderr: " + err.strip();
        }
    }

    public static Result run(Duration timeout, String... argv) {
        return run(timeout, Arrays.asList(argv));
    }

    public static Result run(Duration timeout, List<String> argv) {
        Process p = start(argv, ProcessBuilder.Redirect.from(DEV_NULL));
        Drain out = Drain.of(p.getInputStream());
        Drain err = Drain.of(p.getErrorStream());
        boolean done;
        try {
            done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            killTree(p.toHandle());
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + argv, e);
        }
        if (!done) {
            killTree(p.toHandle());
            throw new AssertionError("command timed out after " + timeout.toMillis() + " ms: " + String.join(" ", argv)
                + "\n  stdout: " + out.text(Duration.ofSeconds(1)) + "\n  stderr: " + err.text(Duration.ofSeconds(1)));
        }
        return new Result(List.copyOf(argv), p.exitValue(), out.text(Duration.ofSeconds(5)),
            err.text(Duration.ofSeconds(5)));
    }

    /** Starts a process with the harness's PATH, stdin as given, stdout and stderr as pipes. */
    public static Process start(List<String> argv, ProcessBuilder.Redirect stdin) {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.directory(new File("/"));
        pb.redirectInput(stdin);
        Map<String, String> env = pb.environment();
        env.put("PATH", PATH);
        env.put("LC_ALL", "C");
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + argv, e);
        }
    }

    /** Starts a long-lived process (a namespace holder) with no input and its output thrown away. */
    public static Process startQuiet(List<String> argv) {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.directory(new File("/"));
        pb.redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PATH", PATH);
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + argv, e);
        }
    }

    /** SIGKILLs a process and every descendant, then reaps what it can within a second. */
    public static void killTree(ProcessHandle root) {
        List<ProcessHandle> all = new ArrayList<>();
        root.descendants().forEach(all::add);
        all.add(root);
        for (ProcessHandle h : all) {
            h.destroyForcibly();
        }
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(1, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // best effort: a zombie of someone else's, or already gone
            }
        }
    }

    /** Sends a signal by name (TERM, KILL, INT, ...) with kill(1); returns whether kill succeeded. */
    public static boolean signal(long pid, String name) {
        return run(Duration.ofSeconds(5), "kill", "-" + name, Long.toString(pid)).ok();
    }

    /** Reads a stream to its end on a daemon thread. */
    static final class Drain {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final Thread thread;

        private Drain(InputStream in) {
            thread = new Thread(() -> {
                byte[] chunk = new byte[8192];
                try (in) {
                    int n;
                    while ((n = in.read(chunk)) > 0) {
                        synchronized (buf) {
                            buf.write(chunk, 0, n);
                        }
                    }
                } catch (IOException ignored) {
                    // the process went away
                }
            }, "drain");
            thread.setDaemon(true);
            thread.start();
        }

        static Drain of(InputStream in) {
            return new Drain(in);
        }

        /** Whether the stream has ended (every writer closed it). */
        boolean ended() {
            return !thread.isAlive();
        }

        /** What was read so far, after waiting up to {@code wait} for the end of the stream. */
        String text(Duration wait) {
            if (wait.toMillis() > 0) { // join(0) would wait for ever
                try {
                    thread.join(wait.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            synchronized (buf) {
                return buf.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
