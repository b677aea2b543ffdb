package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import io.slirp4j.tap.Namespaces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The namespaces of one test, all held by processes this object started and kills on {@link #close()}:
 * <ul>
 *   <li>a private "host" network + mount namespace ({@code unshare --net --mount --propagation private}), with
 *       only {@code lo} (up), where the helper runs and where its host sockets live; its {@code /etc/resolv.conf}
 *       is a bind mount of a file the test writes ({@link #resolvConf(String)}), so the helper never sees the
 *       machine's resolver;</li>
 *   <li>optionally an "internet" namespace joined to the host one by a veth pair: 198.51.100.1/24 and
 *       2001:db8:1::1/64 there, 198.51.100.2/24 and 2001:db8:1::2/64 on the host side (documentation prefixes), the
 *       host's IPv6 default route pointing there (so that an IPv6 destination elsewhere is a router's business, as
 *       on a real host), and nothing else;</li>
 *   <li>the guest network namespace the helper serves: root's, or one made by uid 65534 together with its own
 *       user namespace ({@link Mode}).</li>
 * </ul>
 * No namespace has a route to anything but these, so nothing the guest sends can leave the machine.
 */
public final class TestNetwork implements AutoCloseable {
    public static final String INTERNET_ADDRESS = "198.51.100.1";
    public static final String INTERNET_HOST_SIDE = "198.51.100.2";
    public static final String INTERNET_ADDRESS6 = "2001:db8:1::1";
    public static final String INTERNET_HOST_SIDE6 = "2001:db8:1::2";
    public static final Duration CMD_TIMEOUT = Duration.ofSeconds(30);

    /** Networks not yet closed: a shutdown hook closes them if the test JVM ends early (e.g. SIGTERM). */
    private static final java.util.Set<TestNetwork> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (TestNetwork n : LIVE) {
                n.close();
            }
        }, "e2e-teardown"));
    }

    private final Mode mode;
    private final Path dir;
    private final Path resolvConf;
    private final Deque<AutoCloseable> cleanups = new ArrayDeque<>();
    private final List<Helper> helpers = new ArrayList<>();
    private Process hostHolder;
    private Process guestHolder;
    private Process internetHolder;
    private Udp.Server resolver;

    private TestNetwork(Mode mode) throws IOException {
        this.mode = mode;
        this.dir = Files.createTempDirectory("slirp4j-e2e-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        this.resolvConf = dir.resolve("resolv.conf");
    }

    public static TestNetwork create(Mode mode) {
        return create(mode, false);
    }

    /** The name the {@linkplain #createLikeRealHost real-host network}'s resolver answers, and its address. */
    public static final String RESOLVER_TEST_NAME = "pasta-e2e.example";
    public static final String RESOLVER_TEST_ADDRESS = "203.0.113.53";

    /**
     * A private host that looks like a real one to a program that copies the host's configuration (pasta): the
     * internet namespace, an IPv4 default route via 198.51.100.1 on {@code veth-h} (next to the IPv6 one every
     * internet network has), and a resolver: a test DNS responder in the internet namespace on 198.51.100.1:53
     * ({@link Dns#standardAnswer}, A records with {@link #RESOLVER_TEST_ADDRESS}), named by the host's
     * resolv.conf. Opt-in: {@link #create(Mode, boolean)} keeps its IPv4 routing (none beyond the veth's /24).
     */
    public static TestNetwork createLikeRealHost(Mode mode) {
        TestNetwork net = create(mode, true);
        try {
            net.host("ip", "route", "add", "default", "via", INTERNET_ADDRESS, "dev", "veth-h").check();
            net.resolver = net.closeLater(Dns.responder(net.internetNetns(), new InetSocketAddress(INTERNET_ADDRESS,
                53), Frames.ip(RESOLVER_TEST_ADDRESS), false));
            net.resolvConf("nameserver " + INTERNET_ADDRESS + "\n");
            return net;
        } catch (RuntimeException | Error e) {
            net.close();
            throw e;
        }
    }

    /** The resolver of a {@link #createLikeRealHost} network (its peers are who asked). */
    public Udp.Server resolver() {
        if (resolver == null) {
            throw new IllegalStateException("this TestNetwork was not created by createLikeRealHost");
        }
        return resolver;
    }

    /** Creates the namespaces; on any failure kills what it started and fails the test. */
    public static TestNetwork create(Mode mode, boolean withInternet) {
        Requirements.forMode(mode);
        TestNetwork net;
        try {
            net = new TestNetwork(mode);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LIVE.add(net);
        try {
            net.setUp(withInternet);
            return net;
        } catch (RuntimeException | Error e) {
            net.close();
            throw e;
        }
    }

    private void setUp(boolean withInternet) {
        hostHolder = holder(List.of("unshare", "--net", "--mount", "--propagation", "private", "sleep", "infinity"));
        host("ip", "link", "set", "lo", "up").check();
        resolvConf("nameserver 127.0.0.1\n");
        Cmd.run(CMD_TIMEOUT, "nsenter", "-t", pid(hostHolder), "-m", "--", "mount", "--bind", resolvConf.toString(),
            "/etc/resolv.conf").check();
        List<String> guest = new ArrayList<>();
        if (mode.unprivileged()) {
            guest.addAll(asNobody());
            guest.addAll(List.of("unshare", "--user", "--map-root-user", "--net", "sleep", "infinity"));
        } else {
            guest.addAll(List.of("unshare", "--net", "sleep", "infinity"));
        }
        guestHolder = holder(guest);
        if (withInternet) {
            internetHolder = holder(List.of("unshare", "--net", "sleep", "infinity"));
            String inet = pid(internetHolder);
            host("ip", "link", "add", "veth-h", "type", "veth", "peer", "name", "veth-i", "netns", inet).check();
            host("ip", "addr", "add", INTERNET_HOST_SIDE + "/24", "dev", "veth-h").check();
            // nodad: usable at once, not "tentative" for a second
            host("ip", "-6", "addr", "add", INTERNET_HOST_SIDE6 + "/64", "dev", "veth-h", "nodad").check();
            host("ip", "link", "set", "veth-h", "up").check();
            internet("ip", "link", "set", "lo", "up").check();
            internet("ip", "addr", "add", INTERNET_ADDRESS + "/24", "dev", "veth-i").check();
            internet("ip", "-6", "addr", "add", INTERNET_ADDRESS6 + "/64", "dev", "veth-i", "nodad").check();
            internet("ip", "link", "set", "veth-i", "up").check();
            host("ip", "-6", "route", "add", "default", "via", INTERNET_ADDRESS6, "dev", "veth-h").check();
        }
    }

    static List<String> asNobody() {
        return List.of("setpriv", "--reuid=" + Requirements.NOBODY, "--regid=" + Requirements.NOBODY,
            "--clear-groups", "--");
    }

    /** Starts a namespace-holding process and waits until it has become {@code sleep} (namespaces made). */
    Process holder(List<String> argv) {
        Process p = Cmd.startQuiet(argv);
        cleanups.push(() -> Cmd.killTree(p.toHandle()));
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Path comm = Path.of("/proc", Long.toString(p.pid()), "comm");
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                fail("namespace holder died at once (exit " + p.exitValue() + "): " + argv);
            }
            try {
                if (Files.readString(comm).strip().equals("sleep")) {
                    return p;
                }
            } catch (IOException ignored) {
                // not there yet
            }
            sleep(10);
        }
        fail("namespace holder not ready within 15 s: " + argv);
        return p;
    }

    static String pid(Process p) {
        return Long.toString(p.pid());
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    // ---- who is who

    public Mode mode() {
        return mode;
    }

    /** A world-readable scratch directory, deleted on close. */
    public Path dir() {
        return dir;
    }

    public long hostPid() {
        return hostHolder.pid();
    }

    public long guestPid() {
        return guestHolder.pid();
    }

    public Process guestHolder() {
        return guestHolder;
    }

    public Path hostNetns() {
        return Path.of("/proc", pid(hostHolder), "ns", "net");
    }

    public Path guestNetns() {
        return Path.of("/proc", pid(guestHolder), "ns", "net");
    }

    public Path guestUserns() {
        return Path.of("/proc", pid(guestHolder), "ns", "user");
    }

    public Path internetNetns() {
        if (internetHolder == null) {
            throw new IllegalStateException("this TestNetwork was created without the internet namespace");
        }
        return Path.of("/proc", pid(internetHolder), "ns", "net");
    }

    // ---- commands

    /** Runs a command in the private host namespace (network and mount), as root. */
    public Cmd.Result host(String... argv) {
        return Cmd.run(CMD_TIMEOUT, concat(List.of("nsenter", "-t", pid(hostHolder), "-n", "-m", "--"), argv));
    }

    /** Runs a command in the "internet" namespace, as root. */
    public Cmd.Result internet(String... argv) {
        return Cmd.run(CMD_TIMEOUT, concat(List.of("nsenter", "-t", pid(internetHolder), "-n", "--"), argv));
    }

    /** Runs a command in the guest: as root for a root guest, as the guest's uid 0 in its user namespace else. */
    public Cmd.Result guest(String... argv) {
        return guest(CMD_TIMEOUT, argv);
    }

    public Cmd.Result guest(Duration timeout, String... argv) {
        return Cmd.run(timeout, concat(guestPrefix(), argv));
    }

    List<String> guestPrefix() {
        List<String> prefix = new ArrayList<>();
        if (mode.unprivileged()) {
            prefix.addAll(asNobody());
            prefix.addAll(List.of("nsenter", "-t", pid(guestHolder), "-U", "-n", "--preserve-credentials", "--"));
        } else {
            prefix.addAll(List.of("nsenter", "-t", pid(guestHolder), "-n", "--"));
        }
        return prefix;
    }

    static List<String> concat(List<String> prefix, String... rest) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(Arrays.asList(rest));
        return all;
    }

    // ---- code in namespaces (root only: the test JVM switches one fresh thread)

    /** Runs {@code task} on a fresh thread inside {@code netns}; sockets it creates stay in that namespace. */
    public static <T> T in(Path netns, Callable<T> task) {
        try {
            return Namespaces.inNetworkNamespace(netns, task);
        } catch (IOException e) {
            throw new UncheckedIOException("in " + netns, e);
        }
    }

    public <T> T inGuest(Callable<T> task) {
        return in(guestNetns(), task);
    }

    public <T> T inHost(Callable<T> task) {
        return in(hostNetns(), task);
    }

    public <T> T inInternet(Callable<T> task) {
        return in(internetNetns(), task);
    }

    // ---- resolv.conf seen by the helper

    /** Replaces the content of the helper's /etc/resolv.conf (same inode, so the bind mount shows it). */
    public void resolvConf(String content) {
        try {
            Files.writeString(resolvConf, content, StandardCharsets.US_ASCII, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            Files.setPosixFilePermissions(resolvConf, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- helpers

    /** A helper launch: options first, then by default the guest's PID and {@code tap0}. */
    public Helper.Builder helper(String... options) {
        return new Helper.Builder(this, List.of(options));
    }

    /**
     * Starts a helper with {@code -r}/{@code -e} and the options given, waits for its ready byte, and checks that
     * it really runs in the private host namespace ({@link #assertContained}).
     */
    public Helper startHelper(String... options) {
        Helper h = helper(options).start().awaitReady(Helper.READY_TIMEOUT);
        assertContained(h);
        return h;
    }

    /**
     * The hard rule, checked rather than assumed: the helper's own network namespace (where its host sockets
     * live) is this test's private host namespace, and so is its mount namespace (its resolv.conf); a helper in a
     * sandbox has a mount namespace of its own, made from that one, and must see the same resolv.conf.
     */
    public void assertContained(Helper h) {
        String helperNet = nsId(h.pid(), "net");
        String helperMnt = nsId(h.pid(), "mnt");
        boolean sameNet = helperNet.equals(nsId(hostPid(), "net"));
        boolean sameResolvConf = helperMnt.equals(nsId(hostPid(), "mnt"))
            || (!h.argv().contains("--disable-sandbox") && sameFile(h.pid(), hostPid(), "etc/resolv.conf"));
        if (!sameNet || !sameResolvConf) {
            h.close();
            fail("helper " + h.pid() + " is not in the private host namespaces: net " + helperNet + " vs "
                + nsId(hostPid(), "net") + ", mnt " + helperMnt + " vs " + nsId(hostPid(), "mnt"));
        }
    }

    /** Whether two processes see the same file at {@code path} (relative to each one's root). */
    static boolean sameFile(long pidA, long pidB, String path) {
        try {
            Object a = Files.readAttributes(Path.of("/proc/" + pidA + "/root/" + path),
                java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            Object b = Files.readAttributes(Path.of("/proc/" + pidB + "/root/" + path),
                java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            return a != null && a.equals(b);
        } catch (IOException e) {
            return false;
        }
    }

    /** The namespace a process is in, as the kernel names it (e.g. {@code net:[4026532281]}). */
    public static String nsId(long pid, String type) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", type)).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("process " + pid + " gone?", e);
        }
    }

    /** The command line prefix that runs the launcher as this mode's helper, in the private host namespace. */
    List<String> helperPrefix() {
        List<String> argv = new ArrayList<>(List.of("nsenter", "-t", pid(hostHolder), "-n", "-m", "--"));
        switch (mode) {
            case ROOT -> { }
            case ROOTLESS -> argv.addAll(asNobody());
            case PODMAN -> {
                argv.addAll(asNobody());
                argv.addAll(List.of("nsenter", "-t", pid(guestHolder), "-U", "--preserve-credentials", "--"));
            }
            default -> throw new IllegalStateException();
        }
        return argv;
    }

    String launcher() {
        return mode == Mode.ROOT ? Dist.launcher() : Dist.publicLauncher();
    }

    /** Runs the helper to completion with stdout/stderr captured (for --help, --version and bad flags). */
    public Cmd.Result runHelper(Duration timeout, String... args) {
        List<String> argv = helperPrefix();
        argv.add(launcher());
        argv.addAll(Arrays.asList(args));
        return Cmd.run(timeout, argv);
    }

    void register(Helper h) {
        helpers.add(h);
    }

    /** Closes {@code c} on teardown, before the namespaces go (last registered, first closed). */
    public <C extends AutoCloseable> C closeLater(C c) {
        cleanups.push(c);
        return c;
    }

    /** Kills every helper, server and namespace holder this network started, and deletes its directory. */
    @Override
    public void close() {
        // a JUnit timeout interrupts the test thread: teardown must still run to the end
        boolean interrupted = Thread.interrupted();
        try {
            closeAll();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeAll() {
        LIVE.remove(this);
        for (Helper h : helpers) {
            try {
                h.close();
            } catch (RuntimeException e) {
                System.err.println("teardown: " + e);
            }
        }
        while (!cleanups.isEmpty()) {
            try {
                cleanups.pop().close();
            } catch (Exception e) {
                System.err.println("teardown: " + e);
            }
        }
        Dist.deleteTree(dir);
    }
}
