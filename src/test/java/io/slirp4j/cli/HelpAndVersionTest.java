package io.slirp4j.cli;

import static io.slirp4j.cli.CliTestSupport.HINT;
import static io.slirp4j.cli.CliTestSupport.failure;
import static io.slirp4j.cli.CliTestSupport.printed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** --help is how podman and rootlesskit detect features; --version is read by tools and tests. */
class HelpAndVersionTest {

    @ParameterizedTest
    @ValueSource(strings = {"--disable-host-loopback", "--mtu", "--enable-sandbox", "--enable-seccomp", "--cidr",
        "--outbound-addr", "--enable-ipv6", "--netns-type", "--api-socket"})
    void helpHasWhatEnginesGrepFor(String substring) {
        assertTrue(printed("--help").contains(substring), substring);
    }

    @Test
    void helpLayout() {
        String help = printed("--help");
        List<String> lines = Arrays.asList(help.split("\n", -1));
        assertEquals("Usage: slirp4j [OPTION]... PID|PATH|FD [TAPNAME]", lines.get(0));
        assertEquals("       slirp4j api --socket PATH add|list|remove ...  (see slirp4j api --help)", lines.get(1));
        assertFalse(lines.get(2).isBlank());
        assertEquals("", lines.get(3));
        assertTrue(help.contains("\n-m, --mtu=MTU            specify MTU (default=1500, min=68, max=65521)\n"), help);
        assertTrue(help.contains("\n-e, --exit-fd=FD         "));
        assertTrue(help.contains("\n-r, --ready-fd=FD        "));
        assertTrue(help.contains("\n--cidr=CIDR              "));
        assertTrue(help.contains("default=10.0.2.0/24"));
        assertTrue(help.contains("\n--netns-type=TYPE        "));
        assertTrue(help.contains("[pid|path|tapfd], default=pid"));
        assertTrue(help.contains("\n--macaddress=MAC         "));
        assertTrue(help.contains("\n--disable-host-loopback  "));
        assertTrue(help.contains("\n-h, --help               show this help and exit\n"));
        assertTrue(help.contains("\n-v, --version            show version and exit\n"));
        assertTrue(help.contains("\nExamples:\n  slirp4j -c $PID tap0\n"), help);
        assertFalse(help.endsWith("\n"));
        for (String line : lines) {
            assertTrue(line.length() <= 100, () -> "too wide: " + line);
        }
    }

    @Test
    void helpListsEveryOptionButTheDeprecatedAliases() {
        String help = printed("--help");
        for (Options.Option option : Options.ALL) {
            assertEquals(!option.deprecatedAlias(), help.contains(option.name() + (option.takesArgument()
                ? "=" + option.argLabel() : " ")), option.name());
        }
        assertFalse(help.contains("--no-host-loopback"));
        assertFalse(help.contains("--create-sandbox"));
    }

    @Test
    void helpMarksWhatIsNotSupportedYet() {
        String help = printed("--help");
        for (String option : List.of("-6, --enable-ipv6", "--enable-sandbox ",
                "--enable-seccomp ", "--outbound-addr=IPv4", "--outbound-addr6=IPv6")) {
            assertTrue(line(help, option).endsWith(" (not yet supported)"), option);
        }
        assertTrue(line(help, "--target-type=TYPE").endsWith(" (bess not yet supported)"));
        for (String option : List.of("-c, --configure", "-m, --mtu", "--cidr", "--disable-host-loopback",
                "--netns-type", "--userns-path", "--disable-dns", "--macaddress", "-r, --ready-fd", "-e, --exit-fd",
                "-a, --api-socket", "-p, --publish")) {
            assertFalse(line(help, option).contains("not yet supported"), option);
        }
    }

    private static String line(String help, String start) {
        return Arrays.stream(help.split("\n")).filter(l -> l.startsWith(start)).findFirst().orElseThrow();
    }

    @Test
    void helpInEveryForm() {
        String help = printed("--help");
        assertEquals(help, printed("-h"));
        assertEquals(help, printed("--he"));
        assertEquals(help, printed("42", "tap0", "-h"));
        assertEquals(help, printed("-ch"));
        assertEquals(help, printed("--mtu=1", "--help"));
        // getopt order: what comes after --help is not looked at, what comes before is
        assertEquals(help, printed("-h", "--foo"));
        assertEquals("slirp4j: unrecognized option '--foo'" + HINT, failure("--foo", "-h"));
        // after "--" it is an operand
        assertEquals("slirp4j: PID must be a positive integer (got '--help')", failure("--", "--help", "tap0"));
    }

    @Test
    void version() {
        String version = printed("--version");
        String[] lines = version.split("\n");
        assertEquals(3, lines.length, version);
        assertTrue(Pattern.matches("slirp4j version \\d+\\.\\d+\\.\\d+\\S*", lines[0]), lines[0]);
        assertTrue(Pattern.matches("commit: (unknown|[0-9a-f]{7,40})", lines[1]), lines[1]);
        assertEquals("SLIRP_CONFIG_VERSION_MAX: 4", lines[2]);
        assertEquals(version, printed("-v"));
        assertEquals(version, printed("--vers"));
        assertEquals(version, printed("--v"));
        assertEquals(version, printed("-c", "-v", "--foo"));
    }
}
