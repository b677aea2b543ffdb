package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * --enable-sandbox and --enable-seccomp, seen from outside (every thread's status, the helper's root, its mounts
 * and descriptors) and from inside: the helper runs the probes of {@code SLIRP4J_TEST_CONFINEMENT_PROBE} once
 * confined and prints what each call returned. An unconfined helper runs the same probes, to show they can tell.
 */
class ConfinementTest {
    static final String EPERM = "errno 1 ";
    static final String ENOENT = "errno 2 ";
    static final String ENOSYS = "errno 38 ";
    static final long CAP_NET_BIND_SERVICE = 1L << 10;
    static final int GUEST_PORT = 7000;

    /** What a confined helper's probes must answer (prefixes of the printed results). */
    static final Map<String, String> CONFINED = Map.ofEntries(
        Map.entry("READ_FILE", ENOENT), Map.entry("EXECVE", EPERM), Map.entry("MOUNT", EPERM),
        Map.entry("PTRACE", EPERM), Map.entry("UNSHARE", EPERM), Map.entry("SETNS", EPERM),
        Map.entry("CLONE3", ENOSYS), Map.entry("CHROOT", EPERM), Map.entry("PIDFD_OPEN", EPERM),
        Map.entry("PRCTL_SET_DUMPABLE", EPERM), Map.entry("PRCTL_SET_NAME", "ok"),
        Map.entry("PROCESS_VM_READV", EPERM));

    /** A helper with -c, an API socket, the probes reading {@code secret}, and {@code flags}. */
    static Helper start(TestNetwork net, Path secret, Path socket, String... flags) {
        List<String> options = new ArrayList<>(List.of("-c", "--api-socket", socket.toString()));
        options.addAll(List.of(flags));
        Helper h = net.helper(options.toArray(String[]::new)).ownConfinement()
            .via("env", "SLIRP4J_TEST_CONFINEMENT_PROBE=" + secret)
            .start().awaitReady(Helper.READY_TIMEOUT);
        net.assertContained(h);
        return h;
    }

    /** A file outside /etc and /run that every mode's helper could read unconfined, and the API socket's path. */
    static Path[] files(TestNetwork net) throws IOException {
        Path dir = net.dir().resolve("confinement");
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "not for the helper");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        return new Path[] {secret, dir.resolve("api.sock")};
    }

    /**
     * The probes' results, from the helper's stderr: printed before the ready byte, but the pipe is drained on a
     * thread of its own, so wait for all of them.
     */
    static Map<String, String> probes(Helper h) {
        long deadline = System.currentTimeMillis() + 10_000;
        Map<String, String> results = probesSoFar(h);
        while (results.size() < CONFINED.size() && System.currentTimeMillis() < deadline) {
            TestNetwork.sleep(50);
            results = probesSoFar(h);
        }
        return results;
    }

    private static Map<String, String> probesSoFar(Helper h) {
        Map<String, String> results = new LinkedHashMap<>();
        for (String line : h.stderr().split("\n")) {
            if (line.startsWith("slirp4j: probe ")) {
                String rest = line.substring("slirp4j: probe ".length());
                int colon = rest.indexOf(": ");
                results.put(rest.substring(0, colon), rest.substring(colon + 2));
            }
        }
        return results;
    }

    static void assertProbes(Map<String, String> expected, Helper h) {
        Map<String, String> got = probes(h);
        assertEquals(expected.keySet(), got.keySet(), () -> "probes run:\n" + h.describe());
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertTrue(got.get(e.getKey()).startsWith(e.getValue()),
                () -> e.getKey() + " answered " + got.get(e.getKey()) + ", expected " + e.getValue() + "\n" + got
                    + "\n" + h.describe());
        }
    }

    /**
     * Each thread's status fields, by thread id; threads that end meanwhile (the JVM ends compiler threads it no
     * longer needs, and an ending thread's status can come cut short) are read again, then left out.
     */
    static Map<String, Map<String, String>> threads(long pid) throws IOException {
        Map<String, Map<String, String>> all = new LinkedHashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                Map<String, String> fields = Map.of();
                for (int attempt = 0; attempt < 3 && !fields.containsKey("Seccomp"); attempt++) {
                    fields = status(task);
                }
                String state = fields.getOrDefault("State", "");
                if (fields.containsKey("Seccomp") && !state.startsWith("Z") && !state.startsWith("X")) {
                    all.put(task.getFileName().toString(), fields);
                } else if (Files.exists(task) && !state.startsWith("Z") && !state.startsWith("X")) {
                    throw new AssertionError("thread " + task + " has no readable status: " + fields);
                }
            }
        }
        return all;
    }

    private static Map<String, String> status(Path task) {
        Map<String, String> fields = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(task.resolve("status"))) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
                }
            }
        } catch (IOException e) {
            // the thread ended
        }
        return fields;
    }

    static void assertEveryThread(long pid, boolean seccomp, boolean capabilitiesDropped) throws IOException {
        Map<String, Map<String, String>> threads = threads(pid);
        assertTrue(threads.size() > 5, "a JVM's threads: " + threads.keySet());
        threads.forEach((tid, f) -> {
            String who = "thread " + tid + " (" + f.get("Name") + "): " + f;
            assertEquals(seccomp ? "2" : "0", f.get("Seccomp"), who);
            if (seccomp || capabilitiesDropped) {
                assertEquals("1", f.get("NoNewPrivs"), who);
            }
            for (String set : List.of("CapPrm", "CapEff", "CapBnd", "CapAmb")) {
                long caps = Long.parseUnsignedLong(f.get(set), 16);
                if (capabilitiesDropped) {
                    assertEquals(0, caps & ~CAP_NET_BIND_SERVICE, set + " holds more than CAP_NET_BIND_SERVICE, " + who);
                }
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Mode.class)
    void bothFlagsConfineEveryThreadAndTheHelperKeepsServing(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Path[] f = files(net);
            Helper h = start(net, f[0], f[1], "--enable-sandbox", "--enable-seccomp");
            assertProbes(CONFINED, h);
            assertEveryThread(h.pid(), true, true);
            assertOwnReadOnlyRoot(h.pid(), f[0]);
            if (mode == Mode.ROOT) {
                // root keeps CAP_NET_BIND_SERVICE: forwards of low ports added later still work
                assertTrue((Long.parseUnsignedLong(threads(h.pid()).values().iterator().next().get("CapEff"), 16)
                    & CAP_NET_BIND_SERVICE) != 0, "CAP_NET_BIND_SERVICE kept");
            }

            // and it serves: ICMP, TCP to the host, DNS-free; a forward added through the API afterwards
            Checks.ping(net, "10.0.2.2");
            TcpPeers.Server hostEcho = net.closeLater(new TcpPeers.Server(net.hostNetns(), TcpTest.HOST_LOOPBACK,
                TcpTest::echo));
            try (SocketChannel s = TcpPeers.connectFromGuest(net, new InetSocketAddress("10.0.2.2",
                    hostEcho.port()))) {
                PortForwardTest.echoOnce(s, 256 << 10, 1);
            }
            net.closeLater(new TcpPeers.Server(net.guestNetns(), new InetSocketAddress(GUEST_PORT), TcpTest::echo));
            int hostPort = mode == Mode.ROOT ? 80 : 8080;
            Api.id(Api.addTcp(f[1], "127.0.0.1", hostPort, GUEST_PORT));
            try (SocketChannel c = TcpPeers.socketIn(net.hostNetns())) {
                c.connect(new InetSocketAddress("127.0.0.1", hostPort));
                PortForwardTest.echoOnce(c, 64 << 10, 2);
            }
            h.assertHealthy();
        }
    }

    /**
     * The helper's root is not the host's: its own, holding no /proc, /sys, home or test files, every mount in it
     * read-only, and the helper holds no descriptor of a directory (through which it could reach the old root).
     */
    static void assertOwnReadOnlyRoot(long pid, Path secret) throws IOException {
        Path root = Path.of("/proc/" + pid + "/root");
        Object rootKey = Files.readAttributes(root, BasicFileAttributes.class).fileKey();
        assertNotEquals(Files.readAttributes(Path.of("/"), BasicFileAttributes.class).fileKey(), rootKey,
            "the helper's root is the host's");
        for (String absent : List.of("proc", "sys", "home", "root", "var", secret.toString().substring(1))) {
            assertFalse(Files.exists(root.resolve(absent)), "the helper sees /" + absent);
        }
        assertTrue(Files.exists(root.resolve("etc/resolv.conf")), "resolv.conf stays readable");
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/mountinfo"))) {
            String options = line.split(" ")[5];
            assertTrue(options.equals("ro") || options.startsWith("ro,"), "a writable mount: " + line);
        }
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    assertFalse(Files.isDirectory(fd), () -> "fd " + fd.getFileName() + " is a directory: "
                        + readLink(fd));
                } catch (UncheckedIOException ignored) {
                    // closed meanwhile
                }
            }
        }
    }

    private static String readLink(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * Without a flag the helper confines itself as fully as with both (buildah passes neither), and says nothing
     * about it; it also answers API requests as before.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void confinedByDefault(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Path[] f = files(net);
            Helper h = start(net, f[0], f[1]);
            assertProbes(CONFINED, h);
            assertEveryThread(h.pid(), true, true);
            assertOwnReadOnlyRoot(h.pid(), f[0]);
            assertFalse(h.stderr().contains("WARNING"), h::describe);
            Checks.ping(net, "10.0.2.2");
            Api.list(f[1]);
            h.assertHealthy();
        }
    }

    /**
     * Where the sandbox cannot be had (here: root without CAP_SYS_ADMIN, serving an inherited tap fd), a helper
     * that was not asked for it says so once and serves, still under the seccomp filter; asked for it, it stops.
     */
    @Test
    void aSandboxThatCannotBeHadIsAWarningUnlessRequired() throws Exception {
        Requirements.namespaces("perl", "setpriv");
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            String[] withoutSysAdmin = {"perl", "-e", AttachTest.TAP_FD_OPENER, Long.toString(net.guestPid()), "7",
                "setpriv", "--bounding-set=-sys_admin", "--inh-caps=-sys_admin", "--"};
            Helper tried = net.helper("--netns-type=tapfd").ownConfinement().target("7").via(withoutSysAdmin)
                .start().awaitReady(Helper.READY_TIMEOUT);
            tried.awaitStderr("slirp4j: WARNING: running without the sandbox (");
            assertEveryThread(tried.pid(), true, false);
            net.guest("ip", "link", "set", "tap0", "up").check();
            net.guest("ip", "addr", "add", "10.0.2.100/24", "dev", "tap0").check();
            Checks.ping(net, "10.0.2.2");
            tried.assertHealthy();
            tried.close();

            Helper required = net.helper("--netns-type=tapfd", "--enable-sandbox").ownConfinement().target("7")
                .via(withoutSysAdmin).start();
            assertNotEquals(0, required.awaitExit(TestNetwork.CMD_TIMEOUT), required::describe);
            assertEquals(0, required.readyFdSoFar().length, () -> "a required sandbox failed after ready: "
                + required.describe());
        }
    }

    /** Each flag alone does its part only; with both left out, the same probes succeed or fail otherwise. */
    @Test
    void eachFlagAloneAndNeither() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            Path[] f = files(net);
            Helper seccompOnly = start(net, f[0], f[1], "--enable-seccomp", "--disable-sandbox");
            Map<String, String> expected = new LinkedHashMap<>(CONFINED);
            expected.put("READ_FILE", "ok"); // the host's files: no sandbox
            assertProbes(expected, seccompOnly);
            assertEveryThread(seccompOnly.pid(), true, false);
            assertEquals(Files.readAttributes(Path.of("/proc/" + net.hostPid() + "/root"), BasicFileAttributes.class)
                .fileKey(), Files.readAttributes(Path.of("/proc/" + seccompOnly.pid() + "/root"),
                BasicFileAttributes.class).fileKey(), "no sandbox: the host's root");
            seccompOnly.close();

            Helper sandboxOnly = start(net, f[0], net.dir().resolve("confinement/api2.sock"), "--enable-sandbox",
                "--disable-seccomp");
            // no filter: the calls reach the kernel, which looks at their arguments (the paths do not exist) before
            // the missing capabilities; what the sandbox adds is that the host's file is not there
            assertProbes(Map.ofEntries(Map.entry("READ_FILE", ENOENT), Map.entry("EXECVE", ENOENT),
                Map.entry("MOUNT", ENOENT), Map.entry("PTRACE", "errno 3 "), Map.entry("UNSHARE", "ok"),
                Map.entry("SETNS", "errno 9 "), Map.entry("CLONE3", "errno 22 "), Map.entry("CHROOT", ENOENT),
                Map.entry("PIDFD_OPEN", "ok"), Map.entry("PRCTL_SET_DUMPABLE", "ok"),
                Map.entry("PRCTL_SET_NAME", "ok"), Map.entry("PROCESS_VM_READV", "ok")), sandboxOnly);
            assertEveryThread(sandboxOnly.pid(), false, true);
            assertOwnReadOnlyRoot(sandboxOnly.pid(), f[0]);
            sandboxOnly.close();

            // unconfined: what the probes see when nothing stops them
            Helper plain = start(net, f[0], net.dir().resolve("confinement/api3.sock"), "--disable-sandbox",
                "--disable-seccomp");
            Map<String, String> got = probes(plain);
            assertEquals("ok", got.get("READ_FILE"), got::toString);
            assertTrue(got.get("EXECVE").startsWith(ENOENT), got::toString);
            assertEquals("ok", got.get("UNSHARE"), got::toString);
            assertFalse(got.get("CLONE3").startsWith(ENOSYS), got::toString);
            Map<String, String> anyThread = threads(plain.pid()).values().iterator().next();
            assertEquals("0", anyThread.get("Seccomp"));
            assertNotEquals(0, Long.parseUnsignedLong(anyThread.get("CapEff"), 16) & ~CAP_NET_BIND_SERVICE);
        }
    }

    /** The JVM started without the launcher has no mount namespace of its own: the sandbox refuses to pivot. */
    @Test
    void sandboxWithoutTheLauncherIsRefused() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            Path dist = Path.of(Dist.launcher()).getParent().getParent();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Cmd.Result r = Cmd.run(TestNetwork.CMD_TIMEOUT, "nsenter", "-t", Long.toString(net.hostPid()), "-n",
                "-m", "--", java, "-Dslirp4j.native=" + dist.resolve("lib/libslirp4j.so"), "-jar",
                dist.resolve("lib/slirp4j.jar").toString(), "--enable-sandbox", Long.toString(net.guestPid()),
                "tap0");
            Checks.assertError(r, "the sandbox needs a mount namespace of its own, which the slirp4j launcher");
        }
    }
}
