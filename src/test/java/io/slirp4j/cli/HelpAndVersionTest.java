package io.slirp4j.cli;

import static io.slirp4j.cli.CliTestSupport.HINT;
import static io.slirp4j.cli.CliTestSupport.failure;
import static io.slirp4j.cli.CliTestSupport.printed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
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
    void helpMarksNothingAsUnsupported() {
        assertFalse(printed("--help").contains("not yet supported"));
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

    /** The launcher, which answers some spellings of --help and --version itself (module directory: src/). */
    private static final Path LAUNCHER = Path.of("main/dist/bin/slirp4j");

    /**
     * The launcher prints the build's recorded output for the spellings in its case patterns without asking the
     * JVM: each must be help (or version) for the Java CLI, whatever follows in the option table. A new option
     * that makes a prefix ambiguous ({@code --hostname} would take {@code --h}) fails here until the launcher's
     * list drops it; the list also holds every prefix that works, so it is complete.
     */
    @ParameterizedTest
    @ValueSource(strings = {"help", "version"})
    void theLauncherAnswersOnlySpellingsTheCliReadsTheSameWay(String what) throws IOException {
        String script = Files.readString(LAUNCHER);
        Matcher m = Pattern.compile("(?m)^\\s*([^\\s()]+)\\) text=" + what + " ;;$").matcher(script);
        assertTrue(m.find(), () -> "no case pattern for " + what + " in " + LAUNCHER);
        List<String> launcher = List.of(m.group(1).split("\\|"));
        String text = printed("--" + what);
        for (String spelling : launcher) {
            ParseResult result = Cli.parse(spelling);
            assertTrue(result.equals(new ParseResult.Print(text)),
                () -> LAUNCHER + " answers " + spelling + " itself as " + what + ", but the CLI reads it as " + result);
        }
        List<String> all = new ArrayList<>(List.of("-" + what.charAt(0)));
        for (int end = 3; end <= what.length() + 2; end++) {
            String prefix = ("--" + what).substring(0, end);
            if (Cli.parse(prefix).equals(new ParseResult.Print(text))) {
                all.add(prefix);
            }
        }
        assertEquals(all, launcher, "the spellings the launcher answers itself");
    }

    /** The launcher's copies are bytes; ASCII reads the same whatever charset the JVM picks for stdout. */
    @ParameterizedTest
    @ValueSource(strings = {"--help", "--version"})
    void helpAndVersionAreAscii(String flag) {
        String text = printed(flag);
        assertTrue(StandardCharsets.US_ASCII.newEncoder().canEncode(text), text);
    }
}
