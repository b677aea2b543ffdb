package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Runs a {@code pasta} program the way the engines do, inside a {@link TestNetwork}: Podman 6 (its argv, the
 * {@code --map-guest-addr} retry, a netns file bound in the private host's mount namespace) and RootlessKit (its
 * version probes and its argv with the guest's PID). Every run is waited for with a time limit and its combined
 * stdout+stderr captured, as both engines read it ({@code CombinedOutput}), including whether the output pipe closed
 * when the parent exited (an engine's read would otherwise hang on a daemon holding it).
 *
 * <p>Every process started carries the environment variable {@link #TAG_VAR} with a value unique to this engine;
 * the daemons pasta forks are found by it (and by its pid file) and killed by pid on teardown.
 */
final class PastaEngine {
    static final String TAG_VAR = "SLIRP4J_E2E_PASTA_TAG";
    static final Duration RUN_TIMEOUT = Duration.ofSeconds(20);
    static final String PODMAN_DNS = "169.254.1.1";
    static final String PODMAN_HOST_MAP = "169.254.1.2";
    private static final AtomicInteger SEQ = new AtomicInteger();

    final TestNetwork net;
    final PastaImpl impl;
    final Mode mode;
    final String tag;
    /** A directory the user pasta runs as may write (pid files). */
    final Path runDir;
    private final List<String> notes = new ArrayList<>();
    private int netnsFiles;
    private List<String> pastaOptions = List.of();
    /** What Podman's argv says for -T and -U ({@code -T none -U none}), unless a test replaces it. */
    List<String> namespaceForwards = List.of("-T", "none", "-U", "none");

    PastaEngine(TestNetwork net, PastaImpl impl) {
        this.net = net;
        this.impl = impl;
        this.mode = net.mode();
        this.tag = "e2e-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet() + "-" + System.nanoTime();
        this.runDir = net.dir().resolve("run");
        try {
            Files.createDirectories(runDir);
            if (mode.unprivileged()) {
                Files.setAttribute(runDir, "unix:uid", Requirements.NOBODY);
                Files.setAttribute(runDir, "unix:gid", Requirements.NOBODY);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        net.closeLater(this::killDaemons);
    }

    /** Prints a line for pasta-notes.md (what the implementation did, what was skipped and why). */
    void note(String line) {
        String full = "[pasta-e2e " + impl.label() + " " + mode + "] " + line;
        notes.add(full);
        System.out.println(full);
    }

    List<String> notes() {
        return notes;
    }

    // ---- running

    /** A finished run: exit status, combined output, ms to exit, and whether the output reached EOF by then. */
    record Run(List<String> argv, int exit, String output, long exitMillis, boolean outputClosed) {
        String describe() {
            return String.join(" ", argv) + "\n  exit " + exit + " after " + exitMillis + " ms, output "
                + (outputClosed ? "closed" : "STILL OPEN") + "\n  output: " + output.strip();
        }
    }

    /**
     * The command prefix of this mode: root in the private host namespaces; uid 65534 there (RootlessKit's parent);
     * or uid 65534 already in the guest's user namespace with the host's network (Podman's rootless pasta).
     */
    List<String> argv(List<String> args) {
        List<String> argv = new ArrayList<>(net.helperPrefix());
        argv.add("env");
        argv.add(TAG_VAR + "=" + tag);
        argv.add(impl.path(mode).toString());
        argv.addAll(args);
        return argv;
    }

    /** Runs pasta with {@code args} to its (parent's) exit. */
    Run run(List<String> args) {
        List<String> argv = argv(args);
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.directory(new File("/"));
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectErrorStream(true);
        pb.environment().put("PATH", Cmd.PATH);
        pb.environment().put("LC_ALL", "C");
        long start = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + argv, e);
        }
        Cmd.Drain output = Cmd.Drain.of(p.getInputStream());
        boolean done;
        try {
            done = p.waitFor(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Cmd.killTree(p.toHandle());
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        long exitMillis = (System.nanoTime() - start) / 1_000_000;
        if (!done) {
            Cmd.killTree(p.toHandle());
            fail("pasta did not exit within " + RUN_TIMEOUT.toSeconds() + " s: " + String.join(" ", argv)
                + "\n  output: " + output.text(Duration.ZERO));
        }
        String text = output.text(Duration.ofSeconds(2));
        return new Run(List.copyOf(argv), p.exitValue(), text, exitMillis, output.ended());
    }

    Run run(String... args) {
        return run(List.of(args));
    }

    static String firstLine(String output) {
        return output.lines().filter(l -> !l.isBlank() && !l.startsWith("Failed to send")).findFirst().orElse("");
    }

    static String lastLine(String output) {
        List<String> lines = output.lines().filter(l -> !l.isBlank() && !l.startsWith("Failed to send")).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    // ---- Podman

    /** What Podman's start of pasta did: the first run, and the retry without --map-guest-addr if there was one. */
    record PodmanStart(Run first, Run last, List<String> workaround) {
        boolean mapGuestAddr() {
            return first == last;
        }
    }

    /**
     * Podman 6's pasta argv: {@code --config-net}, the port options, {@code --dns-forward 169.254.1.1},
     * {@code -t/-u none} when no such forward is given, {@code -T none -U none --no-map-gw --quiet --netns PATH},
     * then (for its bridge-network namespace) {@code --pid FILE}, and last {@code --map-guest-addr 169.254.1.2}.
     */
    static List<String> podmanArgs(List<String> extra, List<String> tcp, List<String> udp, Path netns, Path pidFile) {
        List<String> a = new ArrayList<>(extra);
        a.add("--config-net");
        for (String t : tcp) {
            a.add("-t");
            a.add(t);
        }
        for (String u : udp) {
            a.add("-u");
            a.add(u);
        }
        a.addAll(List.of("--dns-forward", PODMAN_DNS));
        if (tcp.isEmpty()) {
            a.addAll(List.of("-t", "none"));
        }
        if (udp.isEmpty()) {
            a.addAll(List.of("-u", "none"));
        }
        a.addAll(List.of("-T", "none", "-U", "none", "--no-map-gw", "--quiet", "--netns", netns.toString()));
        if (pidFile != null) {
            a.addAll(List.of("--pid", pidFile.toString()));
        }
        a.addAll(List.of("--map-guest-addr", PODMAN_HOST_MAP));
        return a;
    }

    /**
     * Starts pasta as Podman does: if it exits 1 saying {@code unrecognized option '--map-guest-addr}, runs it again
     * without the last two arguments. As root, an implementation's {@linkplain PastaImpl#rootWorkaround known
     * root failure} is retried with its workaround (noted).
     */
    PodmanStart podman(List<String> tcp, List<String> udp, Path netns, Path pidFile) {
        PodmanStart start = podmanAttempt(List.of(), tcp, udp, netns, pidFile);
        List<String> workaround = mode == Mode.ROOT && start.last().exit() != 0
            ? impl.rootWorkaround(start.last()) : List.of();
        if (!workaround.isEmpty()) {
            note("as root, Podman's argv failed (exit " + start.last().exit() + ": \""
                + lastLine(start.last().output()) + "\"); WORKAROUND: ran it again with " + workaround);
            start = podmanAttempt(workaround, tcp, udp, netns, pidFile);
        }
        return start;
    }

    /** What containers.conf's {@code pasta_options} would add to Podman's argv (none unless set). */
    PastaEngine pastaOptions(String... options) {
        this.pastaOptions = List.of(options);
        return this;
    }

    private PodmanStart podmanAttempt(List<String> workaround, List<String> tcp, List<String> udp, Path netns,
        Path pidFile) {
        List<String> extra = new ArrayList<>(pastaOptions);
        extra.addAll(workaround);
        workaround = extra;
        List<String> args = podmanArgs(workaround, tcp, udp, netns, pidFile);
        int t = args.indexOf("-T");
        args = new ArrayList<>(args.subList(0, t));
        args.addAll(namespaceForwards);
        List<String> full = podmanArgs(workaround, tcp, udp, netns, pidFile);
        args.addAll(full.subList(t + 4, full.size()));
        Run first = run(args);
        Run last = first;
        if (first.exit() == 1 && first.output().contains("unrecognized option '--map-guest-addr")) {
            note("podman retry: first run exit 1 after " + first.exitMillis() + " ms with \""
                + firstLine(first.output()) + "\", rerun without --map-guest-addr " + PODMAN_HOST_MAP);
            last = run(args.subList(0, args.size() - 2));
        }
        return new PodmanStart(first, last, workaround);
    }

    /** A file bound to the guest's network namespace in the private host's mount namespace, as Podman's netns file. */
    Path netnsFile() {
        Path file = net.dir().resolve("netns-" + (++netnsFiles));
        try {
            Files.createFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        net.closeLater(() -> {
            net.host("umount", "-l", file.toString());
            Files.deleteIfExists(file);
        });
        net.host("mount", "--bind", net.guestNetns().toString(), file.toString()).check();
        return file;
    }

    /** What Podman does when the container's network goes: unmount (lazily, pasta holds it open) and unlink. */
    void deleteNetns(Path file) {
        net.host("umount", "-l", file.toString()).check();
        net.host("rm", "-f", file.toString()).check();
    }

    // ---- RootlessKit

    /** RootlessKit's argv (pkg/network/pasta, with the defaults: 10.0.2.0/24, tap0, MTU 65520) for {@code pid}. */
    static List<String> rootlesskitArgs(boolean ipv4Only, boolean hostLoToNsLo, boolean noMapGw, long pid) {
        return rootlesskitArgs(ipv4Only, hostLoToNsLo, noMapGw, false, pid);
    }

    /** With {@code portsAuto}, as RootlessKit's implicit port driver asks: {@code --tcp-ports=auto --udp-ports=auto}. */
    static List<String> rootlesskitArgs(boolean ipv4Only, boolean hostLoToNsLo, boolean noMapGw, boolean portsAuto,
        long pid) {
        List<String> a = new ArrayList<>(List.of("--stderr", "--ns-ifname=tap0", "--mtu=65520", "--config-net",
            "--address=10.0.2.100", "--netmask=24", "--gateway=10.0.2.2", "--dns-forward=10.0.2.3"));
        if (noMapGw) {
            a.add("--no-map-gw");
        }
        if (ipv4Only) {
            a.add("--ipv4-only");
        }
        a.addAll(portsAuto ? List.of("--tcp-ports=auto", "--udp-ports=auto")
            : List.of("--tcp-ports=none", "--udp-ports=none"));
        if (hostLoToNsLo) {
            a.add("--host-lo-to-ns-lo");
        }
        a.add(Long.toString(pid));
        return a;
    }

    // ---- the daemons

    /** Live (not zombie) processes carrying this engine's tag in their environment or command line. */
    List<Long> daemons() {
        List<Long> found = new ArrayList<>();
        byte[] needle = (TAG_VAR + "=" + tag).getBytes(StandardCharsets.US_ASCII);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(name);
                if (pid == ProcessHandle.current().pid() || !alive(pid)) {
                    continue;
                }
                try {
                    if (contains(Files.readAllBytes(p.resolve("environ")), needle)
                        || contains(Files.readAllBytes(p.resolve("cmdline")), tag.getBytes(StandardCharsets.US_ASCII))) {
                        found.add(pid);
                    }
                } catch (IOException ignored) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Whether {@code pid} exists and is not a zombie (the daemons' parent is init, which reaps when it likes). */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Waits up to {@code limit} for {@code pid} to end; returns the ms it took, or -1 if it still runs. */
    static long awaitExit(long pid, Duration limit) {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!alive(pid)) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            TestNetwork.sleep(10);
        }
        return alive(pid) ? -1 : limit.toMillis();
    }

    /** The daemon's pid from a pid file, which must name a live tagged process. */
    long pidFromFile(Path pidFile) {
        String content;
        try {
            content = Files.readString(pidFile);
        } catch (IOException e) {
            throw new AssertionError("no pid file " + pidFile + " after pasta exited", e);
        }
        long pid = Long.parseLong(content.strip());
        if (!alive(pid)) {
            fail("pid file " + pidFile + " says " + content.strip() + ", which is not alive");
        }
        return pid;
    }

    /** SIGKILLs every tagged process, by pid (teardown, also after a failed test). */
    void killDaemons() {
        for (long pid : daemons()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            awaitExit(pid, Duration.ofSeconds(2));
        }
    }
}
