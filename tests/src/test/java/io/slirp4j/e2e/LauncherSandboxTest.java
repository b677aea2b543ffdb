package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slirp4j.cli.Cli;
import io.slirp4j.cli.Confine;
import io.slirp4j.cli.ParseResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The launcher reads just enough of the command line to start the JVM in a mount namespace of its own for the
 * sandbox (tried by default, required by --enable-sandbox, left out with --disable-sandbox; not as root, in the
 * target's user namespace). Its reading must agree with the CLI's: every command line the CLI accepts gets a fresh
 * mount namespace exactly when the CLI does not leave the sandbox out. {@code SLIRP4J_JAVA} is a script that
 * reports the namespaces it was started in.
 */
class LauncherSandboxTest {
    static final String SAYS = "fake java:";

    /** Command lines (guest PID as {@code PID}), compared with the CLI's reading. */
    static final List<List<String>> ROOT_CASES = List.of(
        List.of("--disable-sandbox", "PID", "tap0"),
        List.of("--disable-sa", "-c", "PID", "tap0"),
        List.of("PID", "tap0", "--disable-sandbox", "--enable-seccomp"),
        List.of("-r", "3", "--disable-sandbox", "PID", "tap0"),
        List.of("--api-socket", "--disable-sandbox", "PID", "tap0"),
        List.of("-a", "--disable-sandbox", "PID", "tap0"),
        List.of("--", "PID", "--disable-sandbox"),
        List.of("--disable-seccomp", "PID", "tap0"),
        List.of("--enable-sandbox", "PID", "tap0"),
        List.of("--enable-sa", "PID", "tap0"),
        List.of("--enable-sandb", "-c", "PID", "tap0"),
        List.of("--create-sandbox", "PID", "tap0"),
        List.of("--cr", "PID", "tap0"),
        List.of("PID", "tap0", "--enable-sandbox"),
        List.of("-r", "3", "-e", "4", "--enable-sandbox", "PID", "tap0"),
        List.of("-r3", "-ce4", "--enable-sandbox", "PID", "tap0"),
        List.of("--netns-type=path", "--enable-sandbox", "/run/netns/x", "tap0"),
        List.of("--netns-type", "path", "--enable-sandbox", "/run/netns/x", "tap0"),
        List.of("--mtu", "65520", "--enable-sandbox", "--enable-seccomp", "PID", "tap0"),
        List.of("--api-socket", "--enable-sandbox", "PID", "tap0"),
        List.of("--api-socket=--enable-sandbox", "PID", "tap0"),
        List.of("--api", "--enable-sandbox", "PID", "tap0"),
        List.of("-a", "--enable-sandbox", "PID", "tap0"),
        List.of("-ca", "--enable-sandbox", "PID", "tap0"),
        List.of("--outbound-addr", "--enable-sandbox", "PID", "tap0"),
        List.of("--userns-path", "--enable-sandbox", "PID", "tap0"),
        List.of("--enable-seccomp", "PID", "tap0"),
        List.of("-c", "PID", "tap0"),
        List.of("--", "PID", "--enable-sandbox"),
        List.of("-c", "--", "PID", "tap0", "--enable-sandbox"));

    /** The namespaces the fake java reports: mount, user, and the variable the launcher sets. */
    record Seen(String mnt, String user, String from, int exit, String err) {}

    static Path fakeJava(Path dir) throws IOException {
        Path script = dir.resolve("java");
        Files.writeString(script, "#!/bin/sh\necho \"" + SAYS + " mnt=$(readlink /proc/self/ns/mnt)"
            + " user=$(readlink /proc/self/ns/user) from=${SLIRP4J_SANDBOX_FROM_MNTNS:-}\" >&2\nexit 97\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    static Seen run(TestNetwork net, List<String> prefix, Path java, List<String> args) {
        List<String> argv = new ArrayList<>(prefix);
        argv.addAll(List.of("env", "SLIRP4J_JAVA=" + java, Dist.publicLauncher()));
        argv.addAll(args);
        Cmd.Result r = Cmd.run(TestNetwork.CMD_TIMEOUT, argv);
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : r.err().split("\n")) {
            if (line.startsWith(SAYS)) {
                for (String f : line.substring(SAYS.length()).trim().split(" ")) {
                    int eq = f.indexOf('=');
                    fields.put(f.substring(0, eq), f.substring(eq + 1));
                }
            }
        }
        return new Seen(fields.get("mnt"), fields.get("user"), fields.get("from"), r.exit(), r.err());
    }

    static List<String> withPid(List<String> args, long pid) {
        return args.stream().map(a -> a.equals("PID") ? Long.toString(pid) : a).toList();
    }

    @Test
    void asRootTheLauncherPreparesASandboxExactlyWhenTheCliSeesOne() throws IOException {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            Path java = fakeJava(net.dir());
            String ownMnt = TestNetwork.nsId(net.hostPid(), "mnt");
            List<String> prefix = List.of("nsenter", "-t", Long.toString(net.hostPid()), "-m", "--");
            int compared = 0;
            for (List<String> template : ROOT_CASES) {
                List<String> args = withPid(template, net.guestPid());
                ParseResult parsed = Cli.parse(args.toArray(String[]::new));
                Seen seen = run(net, prefix, java, args);
                assertEquals(97, seen.exit(), () -> args + " did not reach java:\n" + seen.err());
                boolean prepared = !ownMnt.equals(seen.mnt());
                if (prepared) {
                    assertEquals(ownMnt, seen.from(), () -> args + ": the variable names the namespace it left");
                }
                if (parsed instanceof ParseResult.Run run) {
                    assertEquals(run.settings().sandbox() != Confine.OFF, prepared, () -> args + ": " + seen);
                    compared++;
                }
            }
            assertTrue(compared >= 20, "most cases are valid command lines: " + compared);
        }
    }

    @Test
    void notAsRootTheSandboxStartsInTheTargetsUserNamespace() throws IOException {
        try (TestNetwork net = TestNetwork.create(Mode.ROOTLESS)) {
            Path java = fakeJava(net.dir());
            long pid = net.guestPid();
            String guestUser = TestNetwork.nsId(pid, "user");
            String initUser = TestNetwork.nsId(ProcessHandle.current().pid(), "user");
            List<String> prefix = new ArrayList<>(List.of("nsenter", "-t", Long.toString(net.hostPid()), "-m", "--",
                "setpriv", "--reuid=" + Requirements.NOBODY, "--regid=" + Requirements.NOBODY, "--clear-groups",
                "--"));
            for (List<String> args : List.of(
                    List.of("--enable-sandbox", Long.toString(pid), "tap0"),
                    List.of("-c", "--enable-sandbox", "--", Long.toString(pid), "tap0"),
                    List.of("--netns-type=path", "--userns-path=/proc/" + pid + "/ns/user", "--enable-sandbox",
                        "/proc/" + pid + "/ns/net", "tap0"))) {
                Seen seen = run(net, prefix, java, args);
                assertEquals(guestUser, seen.user(), () -> args + ": " + seen);
                assertNotEquals(TestNetwork.nsId(net.hostPid(), "mnt"), seen.mnt(), () -> args + ": " + seen);
            }
            // by default too
            Seen byDefault = run(net, prefix, java, List.of("-c", Long.toString(pid), "tap0"));
            assertEquals(guestUser, byDefault.user(), byDefault::toString);
            // no target user namespace: one of its own when required, none when only tried
            Seen tapfd = run(net, prefix, java, List.of("--netns-type=tapfd", "--enable-sandbox", "5"));
            assertNotEquals(guestUser, tapfd.user(), tapfd::toString);
            assertNotEquals(initUser, tapfd.user(), tapfd::toString);
            Seen tapfdTried = run(net, prefix, java, List.of("--netns-type=tapfd", "5"));
            assertEquals(initUser, tapfdTried.user(), tapfdTried::toString);
            assertEquals("", tapfdTried.from(), tapfdTried::toString);
            // with --disable-sandbox, nothing changes
            Seen plain = run(net, prefix, java, List.of("-c", "--disable-sandbox", Long.toString(pid), "tap0"));
            assertEquals(initUser, plain.user(), plain::toString);
            assertEquals(TestNetwork.nsId(net.hostPid(), "mnt"), plain.mnt(), plain::toString);
        }
    }
}
