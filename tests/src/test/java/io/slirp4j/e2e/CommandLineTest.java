package io.slirp4j.e2e;

import static io.slirp4j.e2e.Checks.ARG_ERROR_TIMEOUT;
import static io.slirp4j.e2e.Checks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line as engines use it: --help and --version contents, and argument errors (exit 1, the quoted
 * messages of slirp4netns-interface.md). Every run happens in a private host namespace with a real guest PID as
 * target, so a wrongly accepted command still cannot touch the machine's network.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandLineTest {
    /** What podman and rootlesskit grep for in --help (slirp4netns-interface.md, "Feature detection"). */
    static final List<String> HELP_SUBSTRINGS = List.of("--disable-host-loopback", "--mtu", "--enable-sandbox",
        "--enable-seccomp", "--cidr", "--outbound-addr", "--enable-ipv6", "--netns-type", "--api-socket");

    private TestNetwork net;
    private String pid;

    @BeforeAll
    void setUp() {
        net = TestNetwork.create(Mode.ROOT);
        pid = Long.toString(net.guestPid());
    }

    @AfterAll
    void tearDown() {
        if (net != null) {
            net.close();
        }
    }

    private Cmd.Result run(String... args) {
        return net.runHelper(ARG_ERROR_TIMEOUT, args);
    }

    /** {@code %PID%} in an argument stands for the guest's PID. */
    private Cmd.Result runWithPid(List<String> args) {
        return run(args.stream().map(a -> a.replace("%PID%", pid)).toArray(String[]::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h"})
    void helpListsEveryOptionEnginesLookFor(String flag) {
        Cmd.Result r = run(flag);
        assertEquals(0, r.exit(), r::describe);
        for (String s : HELP_SUBSTRINGS) {
            assertTrue(r.out().contains(s), () -> "--help on stdout lacks " + s + ":\n" + r.describe());
        }
        assertFalse(Helper.hasStackTrace(r.err()), r::describe);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--version", "-v"})
    void versionHasTheLinesToolsRead(String flag) {
        Cmd.Result r = run(flag);
        assertEquals(0, r.exit(), r::describe);
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\S+ version \\S+.*")),
            () -> "no 'NAME version X' line:\n" + r.describe());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("commit: ")), () -> "no 'commit:' line:\n" + r.describe());
        Matcher m = Pattern.compile("(?m)^SLIRP_CONFIG_VERSION_MAX: (\\d+)$").matcher(r.out());
        assertTrue(m.find(), () -> "no 'SLIRP_CONFIG_VERSION_MAX: N' line:\n" + r.describe());
        assertTrue(Integer.parseInt(m.group(1)) >= 4, () -> "SLIRP_CONFIG_VERSION_MAX below 4:\n" + r.describe());
        System.out.println("--version says:\n" + r.out().strip().indent(2));
    }

    static Stream<Arguments> cidrErrors() {
        return Stream.of(
            Arguments.of("10.0.2.0", "invalid CIDR"),
            Arguments.of("24", "invalid CIDR"),
            Arguments.of("foo/24", "invalid CIDR"),
            Arguments.of("10.0.2/24", "invalid CIDR"),
            Arguments.of("300.0.2.0/24", "invalid CIDR"),
            Arguments.of("10.0.2.0/", "invalid CIDR"),
            Arguments.of("10.0.2.0/26", "prefix length needs to be 1-25"),
            Arguments.of("10.0.2.0/32", "prefix length needs to be 1-25"),
            Arguments.of("0.0.0.0/0", "prefix length needs to be 1-25"),
            // slirp4netns's own test: the prefix length is checked before the network address
            Arguments.of("10.0.2.100/26", "prefix length needs to be 1-25"),
            Arguments.of("10.0.2.100/24",
                "CIDR needs to be a network address like 10.0.2.0/24, not like 10.0.2.100/24"),
            Arguments.of("10.9.8.1/16",
                "CIDR needs to be a network address like 10.0.2.0/24, not like 10.0.2.100/24"));
    }

    @ParameterizedTest
    @MethodSource("cidrErrors")
    void badCidrIsRejectedWithTheMessageClientsMatch(String cidr, String message) {
        assertError(run("--cidr", cidr, pid, "tap0"), message);
        assertError(run("--cidr=" + cidr, pid, "tap0"), message);
        Checks.assertNoTap(net);
    }

    static Stream<Arguments> badCommandLines() {
        return Stream.of(
            Arguments.of("unknown long option", List.of("--bogus-option", "%PID%", "tap0")),
            Arguments.of("unknown short option", List.of("-Z", "%PID%", "tap0")),
            Arguments.of("missing TAPNAME", List.of("%PID%")),
            Arguments.of("missing TAPNAME with -c", List.of("-c", "%PID%")),
            Arguments.of("no positional at all", List.of()),
            Arguments.of("PID not a number", List.of("notapid", "tap0")),
            Arguments.of("PID zero", List.of("0", "tap0")),
            Arguments.of("PID negative", List.of("--", "-5", "tap0")),
            Arguments.of("MTU below 68", List.of("-m", "67", "%PID%", "tap0")),
            Arguments.of("MTU above 65521", List.of("--mtu=65522", "%PID%", "tap0")),
            Arguments.of("MTU not a number", List.of("--mtu", "big", "%PID%", "tap0")),
            Arguments.of("MTU missing its argument", List.of("%PID%", "tap0", "--mtu")),
            Arguments.of("exit fd not a number", List.of("-e", "x", "%PID%", "tap0")),
            Arguments.of("exit fd negative", List.of("--exit-fd=-1", "%PID%", "tap0")),
            Arguments.of("ready fd not a number", List.of("-r", "three", "%PID%", "tap0")),
            Arguments.of("bad --netns-type", List.of("--netns-type=docker", "%PID%", "tap0")),
            Arguments.of("--macaddress without -c", List.of("--macaddress", "02:11:22:33:44:55", "%PID%", "tap0")),
            Arguments.of("--macaddress malformed", List.of("-c", "--macaddress", "02:11:22:33:44", "%PID%", "tap0")),
            Arguments.of("--macaddress not hex", List.of("-c", "--macaddress=zz:11:22:33:44:55", "%PID%", "tap0")),
            Arguments.of("ambiguous prefix --disable-", List.of("--disable-", "%PID%", "tap0")),
            Arguments.of("--userns-path missing its argument", List.of("%PID%", "tap0", "--userns-path")),
            Arguments.of("--target-type unknown", List.of("--target-type=vde", "%PID%", "tap0")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCommandLines")
    void badCommandLineExitsOneWithAMessage(String what, List<String> args) {
        Cmd.Result r = runWithPid(args);
        assertError(r, "");
        Checks.assertNoTap(net);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/nonexistent/netns", "/proc/self/ns/user"})
    void badNetnsPathExitsOne(String path) {
        assertError(run("--netns-type=path", path, "tap0"), "");
    }

    /** Privileged, slirp4j never joins the user namespace, but a wrong path must still fail as in slirp4netns. */
    @ParameterizedTest
    @ValueSource(strings = {"/nonexistent/userns", "/proc/self/ns/net"})
    void badUsernsPathExitsOne(String path) {
        Cmd.Result r = runWithPid(List.of("--userns-path=" + path, "%PID%", "tap0"));
        assertError(r, path);
        Checks.assertNoTap(net);
    }

    @Test
    void vanishedPidExitsOne() {
        Process p = Cmd.startQuiet(List.of("true"));
        long gone = p.pid();
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertError(run(Long.toString(gone), "tap0"), "");
    }
}
