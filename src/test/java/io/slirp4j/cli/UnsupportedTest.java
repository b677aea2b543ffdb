package io.slirp4j.cli;

import static io.slirp4j.cli.CliTestSupport.failure;
import static io.slirp4j.cli.CliTestSupport.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Options whose feature is missing parse fully but are refused, never silently ignored. */
class UnsupportedTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--enable-sandbox         | --enable-sandbox",
        "--create-sandbox         | --enable-sandbox",
        "--enable-seccomp         | --enable-seccomp"})
    void refused(String option, String named) {
        String[] args = option.startsWith("--target-type") ? new String[] {option, "/run/b.sock"}
            : new String[] {option, "42", "tap0"};
        assertEquals("slirp4j: " + named + " is not supported yet by this version", failure(args));
        // the parser itself accepted it: the refusal is a separate step
        settings(args);
    }

    @Test
    void everyUnsupportedFeatureIsListed() {
        assertEquals("slirp4j: --enable-sandbox is not supported yet by this version\n"
                + "slirp4j: --enable-seccomp is not supported yet by this version",
            failure("--disable-host-loopback", "--mtu=65520", "--enable-sandbox", "--enable-seccomp",
                "--enable-ipv6", "-c", "-r", "3", "-e", "4", "--netns-type=path", "/run/netns/x", "tap0"));
    }

    @Test
    void invalidValuesAreReportedBeforeUnsupportedFeatures() {
        assertEquals("slirp4j: --outbound-addr must be an IPv4 address or an interface name (got '::1')",
            failure("--enable-ipv6", "--outbound-addr=::1", "42", "tap0"));
    }

    @Test
    void supportedSettingsPass() {
        ParseResult result = Cli.parse("--disable-host-loopback", "--mtu=65520", "-c", "-r", "3", "-e", "4",
            "--disable-dns", "--cidr=10.0.3.0/24", "--macaddress=02:00:00:00:00:01", "--netns-type=path",
            "--api-socket=/run/s.sock", "-p", "8080:80", "--publish=[::1]:5353:53/udp", "--outbound-addr=eth0",
            "--outbound-addr6=2001:db8::1",
            "/run/netns/x", "tap0");
        assertInstanceOf(ParseResult.Run.class, result);
        assertEquals(Optional.empty(), Unsupported.check(((ParseResult.Run) result).settings()));
        assertInstanceOf(ParseResult.Run.class, Cli.parse("--netns-type=tapfd", "3"));
        assertInstanceOf(ParseResult.Run.class, Cli.parse("--target-type=netns", "1", "tap0"));
        ParseResult bess = Cli.parse("--target-type=bess", "/run/b.sock");
        assertEquals(Optional.empty(), Unsupported.check(((ParseResult.Run) bess).settings()));
    }
}
