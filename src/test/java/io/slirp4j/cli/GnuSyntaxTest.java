package io.slirp4j.cli;

import static io.slirp4j.cli.CliTestSupport.HINT;
import static io.slirp4j.cli.CliTestSupport.failure;
import static io.slirp4j.cli.CliTestSupport.run;
import static io.slirp4j.cli.CliTestSupport.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slirp4j.api.ForwardSpec;
import io.slirp4j.cli.Settings.NetnsType;
import io.slirp4j.stack.forward.ForwardProtocol;
import io.slirp4j.stack.wire.Ipv4Address;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** getopt_long's rules, as engines and scripts rely on them. */
class GnuSyntaxTest {

    private static final List<ForwardSpec> PUBLISHED =
        List.of(new ForwardSpec(ForwardProtocol.TCP, Ipv4Address.toInetAddress(0), 8080, 80));

    /** Every option in each of its spellings, given before and after the operands. */
    static Stream<Arguments> everyOptionInEveryForm() {
        return Stream.of(
            form(Settings::configure, true, "-c"),
            form(Settings::configure, true, "--configure"),
            form(Settings::exitFd, OptionalInt.of(4), "-e", "4"),
            form(Settings::exitFd, OptionalInt.of(4), "-e4"),
            form(Settings::exitFd, OptionalInt.of(4), "--exit-fd=4"),
            form(Settings::exitFd, OptionalInt.of(4), "--exit-fd", "4"),
            form(Settings::readyFd, OptionalInt.of(3), "-r", "3"),
            form(Settings::readyFd, OptionalInt.of(3), "-r3"),
            form(Settings::readyFd, OptionalInt.of(3), "--ready-fd=3"),
            form(Settings::readyFd, OptionalInt.of(3), "--ready-fd", "3"),
            form(Settings::mtu, 65520, "-m", "65520"),
            form(Settings::mtu, 65520, "-m65520"),
            form(Settings::mtu, 65520, "--mtu=65520"),
            form(Settings::mtu, 65520, "--mtu", "65520"),
            form(Settings::enableIpv6, true, "-6"),
            form(Settings::enableIpv6, true, "--enable-ipv6"),
            form(Settings::apiSocket, Optional.of("/run/s.sock"), "-a", "/run/s.sock"),
            form(Settings::apiSocket, Optional.of("/run/s.sock"), "-a/run/s.sock"),
            form(Settings::apiSocket, Optional.of("/run/s.sock"), "--api-socket=/run/s.sock"),
            form(Settings::apiSocket, Optional.of("/run/s.sock"), "--api-socket", "/run/s.sock"),
            form(s -> s.cidr().toString(), "10.0.135.128/25", "--cidr=10.0.135.128/25"),
            form(s -> s.cidr().toString(), "10.0.135.128/25", "--cidr", "10.0.135.128/25"),
            form(Settings::disableHostLoopback, true, "--disable-host-loopback"),
            form(Settings::usernsPath, Optional.of("/proc/7/ns/user"), "--userns-path=/proc/7/ns/user"),
            form(Settings::usernsPath, Optional.of("/proc/7/ns/user"), "--userns-path", "/proc/7/ns/user"),
            form(Settings::sandbox, Confine.REQUIRED, "--enable-sandbox"),
            form(Settings::seccomp, Confine.REQUIRED, "--enable-seccomp"),
            form(Settings::sandbox, Confine.OFF, "--disable-sandbox"),
            form(Settings::seccomp, Confine.OFF, "--disable-seccomp"),
            form(s -> s.outboundAddr().get().toString(), "Interface[name=eth0]", "--outbound-addr=eth0"),
            form(s -> s.outboundAddr().get().toString(), "Interface[name=eth0]", "--outbound-addr", "eth0"),
            form(s -> s.outboundAddr6().get().toString(), "Interface[name=eth0]", "--outbound-addr6=eth0"),
            form(s -> s.outboundAddr6().get().toString(), "Interface[name=eth0]", "--outbound-addr6", "eth0"),
            form(Settings::disableDns, true, "--disable-dns"),
            form(s -> s.macAddress().get().toString(), "02:00:00:00:00:01", "-c", "--macaddress=02:00:00:00:00:01"),
            form(s -> s.macAddress().get().toString(), "02:00:00:00:00:01", "-c", "--macaddress", "02:00:00:00:00:01"),
            form(Settings::targetType, Settings.TargetType.NETNS, "--target-type=netns"),
            form(Settings::targetType, Settings.TargetType.NETNS, "--target-type", "netns"),
            form(Settings::netnsType, NetnsType.PID, "--netns-type=pid"),
            form(Settings::netnsType, NetnsType.PID, "--netns-type", "pid"),
            form(Settings::publish, PUBLISHED, "-p", "8080:80"),
            form(Settings::publish, PUBLISHED, "-p8080:80"),
            form(Settings::publish, PUBLISHED, "--publish=8080:80"),
            form(Settings::publish, PUBLISHED, "--publish", "8080:80"));
    }

    private static Arguments form(Function<Settings, Object> field, Object expected, String... option) {
        return Arguments.of(String.join(" ", option), List.of(option), field, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyOptionInEveryForm")
    void optionBeforeOperands(String name, List<String> option, Function<Settings, Object> field, Object expected) {
        assertEquals(expected, field.apply(settingsOf(concat(option, List.of("42", "tap0")))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyOptionInEveryForm")
    void optionAfterOperands(String name, List<String> option, Function<Settings, Object> field, Object expected) {
        assertEquals(expected, field.apply(settingsOf(concat(List.of("42", "tap0"), option))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyOptionInEveryForm")
    void optionBetweenOperands(String name, List<String> option, Function<Settings, Object> field, Object expected) {
        assertEquals(expected, field.apply(settingsOf(concat(List.of("42"), concat(option, List.of("tap0")).toList()))));
    }

    private static Stream<String> concat(List<String> a, List<String> b) {
        return Stream.concat(a.stream(), b.stream());
    }

    private static Settings settingsOf(Stream<String> args) {
        return CliTestSupport.settings(args.toArray(String[]::new));
    }

    @Test
    void defaults() {
        Settings s = settings("42", "tap0");
        assertFalse(s.configure());
        assertEquals(OptionalInt.empty(), s.exitFd());
        assertEquals(OptionalInt.empty(), s.readyFd());
        assertEquals(1500, s.mtu());
        assertFalse(s.enableIpv6());
        assertEquals(Optional.empty(), s.apiSocket());
        assertEquals(Ipv4Cidr.DEFAULT, s.cidr());
        assertEquals(10 << 24 | 2 << 8, s.cidr().network());
        assertEquals(24, s.cidr().prefixLength());
        assertFalse(s.disableHostLoopback());
        assertEquals(NetnsType.PID, s.netnsType());
        assertEquals(Optional.empty(), s.usernsPath());
        assertEquals(Confine.BY_DEFAULT, s.sandbox());
        assertEquals(Confine.BY_DEFAULT, s.seccomp());
        assertEquals(Optional.empty(), s.outboundAddr());
        assertEquals(Optional.empty(), s.outboundAddr6());
        assertFalse(s.disableDns());
        assertEquals(Optional.empty(), s.macAddress());
        assertEquals(Settings.TargetType.NETNS, s.targetType());
        assertEquals(List.of(), s.publish());
        assertEquals(new Target.Pid(42), s.target());
        assertEquals(Optional.of("tap0"), s.tapName());
        assertEquals(Optional.of("/proc/42/ns/user"), s.effectiveUsernsPath());
        assertEquals(List.of(), run("42", "tap0").warnings());
    }

    @Test
    void podmanCommandLine() {
        Settings s = settings("--disable-host-loopback", "--mtu=65520", "--enable-sandbox", "--enable-seccomp",
            "--enable-ipv6", "-c", "-r", "3", "-e", "4", "--api-socket", "/run/user/1000/libpod/tmp/abc.net",
            "--netns-type=path", "/run/user/1000/netns/netns-1234", "tap0");
        assertTrue(s.disableHostLoopback());
        assertEquals(65520, s.mtu());
        assertTrue(s.sandbox() == Confine.REQUIRED && s.seccomp() == Confine.REQUIRED && s.enableIpv6()
            && s.configure());
        assertEquals(OptionalInt.of(3), s.readyFd());
        assertEquals(OptionalInt.of(4), s.exitFd());
        assertEquals(Optional.of("/run/user/1000/libpod/tmp/abc.net"), s.apiSocket());
        assertEquals(new Target.NetnsPath("/run/user/1000/netns/netns-1234"), s.target());
        assertEquals(Optional.empty(), s.effectiveUsernsPath());
        assertEquals(Optional.of("tap0"), s.tapName());
    }

    @Test
    void rootlesskitCommandLine() {
        Settings s = settings("--mtu", "65520", "-r", "3", "--disable-host-loopback", "--cidr", "10.0.3.0/24",
            "12345", "tap0");
        assertEquals(65520, s.mtu());
        assertEquals(OptionalInt.of(3), s.readyFd());
        assertEquals("10.0.3.0/24", s.cidr().toString());
        assertEquals(new Target.Pid(12345), s.target());
        assertFalse(s.configure());
    }

    @Test
    void shortOptionsCluster() {
        Settings s = settings("-c6", "42", "tap0");
        assertTrue(s.configure() && s.enableIpv6());
        s = settings("-cr3", "42", "tap0");
        assertTrue(s.configure());
        assertEquals(OptionalInt.of(3), s.readyFd());
        s = settings("-c6r", "3", "42", "tap0");
        assertTrue(s.configure() && s.enableIpv6());
        assertEquals(OptionalInt.of(3), s.readyFd());
        s = settings("-6cm9000", "42", "tap0");
        assertEquals(9000, s.mtu());
        // the value ends the cluster: "e4" is -r's value, not -e 4
        assertEquals("slirp4j: --ready-fd must be a non-negative integer (got 'e4')", failure("-re4", "42", "tap0"));
    }

    @Test
    void longOptionsMayBeShortenedToUnambiguousPrefixes() {
        assertEquals(9000, settings("--mt", "9000", "42", "tap0").mtu());
        assertEquals(9000, settings("--mt=9000", "42", "tap0").mtu());
        assertTrue(settings("--disable-host", "42", "tap0").disableHostLoopback());
        assertTrue(settings("--disable-d", "42", "tap0").disableDns());
        assertTrue(settings("--conf", "42", "tap0").configure());
        assertEquals(Confine.REQUIRED, settings("--enable-sa", "42", "tap0").sandbox());
        assertEquals(Confine.REQUIRED, settings("--enable-se", "42", "tap0").seccomp());
        assertEquals(Confine.OFF, settings("--disable-sa", "42", "tap0").sandbox());
        assertEquals(Confine.OFF, settings("--disable-se", "42", "tap0").seccomp());
        assertTrue(settings("--enable-i", "42", "tap0").enableIpv6());
        assertEquals(NetnsType.PATH, settings("--net=path", "/x", "tap0").netnsType());
    }

    @Test
    void exactNameWinsOverLongerNames() {
        Settings s = settings("--outbound-addr=10.0.0.1", "42", "tap0");
        assertTrue(s.outboundAddr().isPresent());
        assertFalse(s.outboundAddr6().isPresent());
    }

    @Test
    void ambiguousPrefixesAreErrors() {
        assertEquals("slirp4j: option '--disable-' is ambiguous; possibilities: '--disable-host-loopback'"
            + " '--disable-sandbox' '--disable-seccomp' '--disable-offloads' '--disable-dns'" + HINT,
            failure("--disable-", "42", "tap0"));
        assertEquals("slirp4j: option '--disable-s' is ambiguous; possibilities: '--disable-sandbox'"
            + " '--disable-seccomp'" + HINT, failure("--disable-s", "42", "tap0"));
        assertEquals("slirp4j: option '--enable-' is ambiguous; possibilities: '--enable-ipv6' '--enable-sandbox'"
            + " '--enable-seccomp'" + HINT, failure("--enable-", "42", "tap0"));
        assertEquals("slirp4j: option '--outbound' is ambiguous; possibilities: '--outbound-addr' '--outbound-addr6'"
            + HINT, failure("--outbound=eth0", "42", "tap0"));
        assertEquals("slirp4j: option '--c' is ambiguous; possibilities: '--configure' '--cidr' '--cidr6'"
            + " '--create-sandbox'" + HINT, failure("--c", "42", "tap0"));
    }

    @Test
    void onlyRealPrefixesMatch() {
        // looser matchers (picocli's, for one) take these as abbreviations; getopt_long does not
        assertEquals("slirp4j: unrecognized option '--d-h-l'" + HINT, failure("--d-h-l", "42", "tap0"));
        assertEquals("slirp4j: unrecognized option '--en-ip'" + HINT, failure("--en-ip", "42", "tap0"));
        assertEquals("slirp4j: unrecognized option '--disableHostLoopback'" + HINT,
            failure("--disableHostLoopback", "42", "tap0"));
    }

    @Test
    void deprecatedAliasesWorkWithAWarning() {
        ParseResult.Run r = run("--no-host-loopback", "42", "tap0");
        assertTrue(r.settings().disableHostLoopback());
        assertEquals(List.of("slirp4j: WARNING: --no-host-loopback is deprecated, use --disable-host-loopback"
            + " instead"), r.warnings());
        r = run("--create-sandbox", "42", "tap0");
        assertEquals(Confine.REQUIRED, r.settings().sandbox());
        assertEquals(List.of("slirp4j: WARNING: --create-sandbox is deprecated, use --enable-sandbox instead"),
            r.warnings());
        // prefixes of the aliases resolve to them too
        assertTrue(run("--no", "42", "tap0").settings().disableHostLoopback());
        assertEquals(1, run("--cr", "42", "tap0").warnings().size());
        // the alias warns even when the real name is given too
        assertEquals(1, run("--disable-host-loopback", "--no-host-loopback", "42", "tap0").warnings().size());
        // the real names give no warning
        assertEquals(List.of(), run("--disable-host-loopback", "--enable-sandbox", "42", "tap0").warnings());
    }

    @Test
    void valuesAreTakenWhateverTheyLookLike() {
        Settings s = settings("--api-socket", "-c", "42", "tap0");
        assertEquals(Optional.of("-c"), s.apiSocket());
        assertFalse(s.configure());
        assertEquals(Optional.of("--mtu"), settings("-a", "--mtu", "42", "tap0").apiSocket());
        assertEquals(Optional.of("--"), settings("--api-socket=--", "42", "tap0").apiSocket());
        assertEquals(Optional.of("--"), settings("--api-socket", "--", "42", "tap0").apiSocket());
        assertEquals(Optional.of("@file"), settings("--userns-path=@file", "42", "tap0").usernsPath());
        assertEquals(Optional.of("a=b"), settings("--api-socket=a=b", "42", "tap0").apiSocket());
        assertEquals(Optional.of("-"), settings("-a", "-", "42", "tap0").apiSocket());
    }

    @Test
    void operandsAreNeverExpandedOrInterpreted() {
        assertEquals(new Target.NetnsPath("@file"), settings("--netns-type=path", "@file", "tap0").target());
        assertEquals(new Target.NetnsPath("-"), settings("--netns-type=path", "-", "tap0").target());
    }

    @Test
    void doubleDashEndsOptions() {
        assertEquals(new Target.NetnsPath("-weird"), settings("--netns-type=path", "--", "-weird", "tap0").target());
        assertEquals(Optional.of("-c"), settings("--netns-type=path", "--", "/x", "-c").tapName());
        ParseResult.Run r = run("-c", "--", "42", "tap0", "--mtu=9000");
        assertEquals(1500, r.settings().mtu());
        assertEquals(List.of("slirp4j: WARNING: ignoring extra arguments after TAPNAME: --mtu=9000"), r.warnings());
        // only the first "--" is special
        assertEquals(Optional.of("--"), settings("--", "42", "--").tapName());
        assertEquals("slirp4j: PID must be a positive integer (got '-5')", failure("--", "-5", "tap0"));
    }

    @Test
    void laterOccurrenceOverridesEarlier() {
        assertEquals(9000, settings("--mtu=1500", "42", "tap0", "-m", "9000").mtu());
        assertEquals(NetnsType.PATH, settings("--netns-type=pid", "--netns-type=path", "/x", "tap0").netnsType());
        assertTrue(settings("-c", "-c", "42", "tap0").configure());
    }

    @Test
    void unknownOptions() {
        assertEquals("slirp4j: unrecognized option '--foo'" + HINT, failure("--foo", "42", "tap0"));
        assertEquals("slirp4j: unrecognized option '--foo=bar'" + HINT, failure("42", "tap0", "--foo=bar"));
        assertEquals("slirp4j: invalid option -- 'x'" + HINT, failure("-x", "42", "tap0"));
        assertEquals("slirp4j: invalid option -- 'x'" + HINT, failure("-cx", "42", "tap0"));
        assertEquals("slirp4j: invalid option -- '\uD83D\uDE00'" + HINT, failure("-\uD83D\uDE00", "42", "tap0"));
    }

    @Test
    void missingOptionArguments() {
        assertEquals("slirp4j: option '--mtu' requires an argument" + HINT, failure("42", "tap0", "--mtu"));
        assertEquals("slirp4j: option '--mtu' requires an argument" + HINT, failure("42", "tap0", "--mt"));
        assertEquals("slirp4j: option requires an argument -- 'm'" + HINT, failure("42", "tap0", "-m"));
        assertEquals("slirp4j: option requires an argument -- 'e'" + HINT, failure("42", "tap0", "-ce"));
        for (String option : List.of("--exit-fd", "--ready-fd", "--api-socket", "--cidr", "--netns-type",
                "--userns-path", "--outbound-addr", "--outbound-addr6", "--macaddress", "--target-type",
                "--publish")) {
            assertEquals("slirp4j: option '" + option + "' requires an argument" + HINT, failure("42", "tap0", option));
        }
    }

    @Test
    void flagsTakeNoArgument() {
        assertEquals("slirp4j: option '--configure' doesn't allow an argument" + HINT,
            failure("--configure=yes", "42", "tap0"));
        assertEquals("slirp4j: option '--disable-host-loopback' doesn't allow an argument" + HINT,
            failure("--disable-host=1", "42", "tap0"));
    }

    @Test
    void missingOperands() {
        assertEquals("slirp4j: missing PID argument" + HINT, failure());
        assertEquals("slirp4j: missing PID argument" + HINT, failure("-c"));
        assertEquals("slirp4j: missing TAPNAME argument" + HINT, failure("42"));
        assertEquals("slirp4j: missing PATH argument" + HINT, failure("--netns-type=path"));
        assertEquals("slirp4j: missing TAPNAME argument" + HINT, failure("--netns-type=path", "/x"));
        assertEquals("slirp4j: missing FD argument" + HINT, failure("--netns-type=tapfd"));
        assertEquals("slirp4j: missing PATH argument" + HINT, failure("--target-type=bess"));
    }

    @Test
    void extraOperandsAreIgnoredWithAWarningAsSlirp4netnsDoes() {
        ParseResult.Run r = run("42", "tap0", "x", "y");
        assertEquals(Optional.of("tap0"), r.settings().tapName());
        assertEquals(List.of("slirp4j: WARNING: ignoring extra arguments after TAPNAME: x y"), r.warnings());
    }
}
