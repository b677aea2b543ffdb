package io.slirp4j.cli;

import static io.slirp4j.cli.CliTestSupport.HINT;
import static io.slirp4j.cli.CliTestSupport.failure;
import static io.slirp4j.cli.CliTestSupport.printed;
import static io.slirp4j.cli.CliTestSupport.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slirp4j.api.ForwardSpec;
import io.slirp4j.stack.forward.ForwardProtocol;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code -p [HOST_ADDR:]HOST_PORT:GUEST_PORT[/tcp|udp]}: every accepted form and every refusal. */
class PublishTest {

    private static List<ForwardSpec> publish(String... options) {
        return settings(Stream.concat(Arrays.stream(options), Stream.of("42", "tap0")).toArray(String[]::new))
            .publish();
    }

    private static String publishFailure(String spec) {
        return failure("-p", spec, "42", "tap0");
    }

    private static ForwardSpec spec(String protocol, String address, int hostPort, int guestPort) throws Exception {
        return new ForwardSpec(ForwardProtocol.valueOf(protocol.toUpperCase(Locale.ROOT)),
            InetAddress.getByName(address), hostPort, guestPort);
    }

    @Test
    void noneByDefault() {
        assertEquals(List.of(), publish());
    }

    @Test
    void everyGnuForm() throws Exception {
        List<ForwardSpec> expected = List.of(spec("tcp", "0.0.0.0", 8080, 80));
        assertEquals(expected, publish("-p", "8080:80"));
        assertEquals(expected, publish("-p8080:80"));
        assertEquals(expected, publish("--publish=8080:80"));
        assertEquals(expected, publish("--publish", "8080:80"));
        assertEquals(expected, publish("--pub=8080:80"));
        assertEquals(expected, publish("--p", "8080:80"));
        assertEquals(expected, settings("42", "-p", "8080:80", "tap0").publish());
        assertEquals(expected, settings("42", "tap0", "--publish=8080:80").publish());
    }

    @Test
    void clusteredAfterFlags() throws Exception {
        Settings s = settings("-cp8080:80", "42", "tap0");
        assertTrue(s.configure());
        assertEquals(List.of(spec("tcp", "0.0.0.0", 8080, 80)), s.publish());
        s = settings("-c6p", "5353:53/udp", "42", "tap0");
        assertTrue(s.configure() && s.enableIpv6());
        assertEquals(List.of(spec("udp", "0.0.0.0", 5353, 53)), s.publish());
        // the value ends the cluster: "c" belongs to -p's value, not to -c
        assertEquals("slirp4j: --publish HOST_PORT must be 0 to 65535, or a range like 8000-8009 (got 'c8080' in"
            + " 'c8080:80')", failure("-pc8080:80", "42", "tap0"));
    }

    @Test
    void repeatedOptionsAddUpInOrder() throws Exception {
        assertEquals(List.of(spec("tcp", "0.0.0.0", 8080, 80), spec("udp", "0.0.0.0", 5353, 53),
                spec("tcp", "127.0.0.1", 2222, 22)),
            publish("-p", "8080:80", "--publish=5353:53/udp", "-p127.0.0.1:2222:22"));
        // the same host port is fine for the other protocol or on another address
        assertEquals(4, publish("-p", "53:53", "-p", "53:53/udp", "-p", "127.0.0.1:53:53", "-p", "[::1]:53:53")
            .size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "8080:80                 | tcp | 0.0.0.0        | 8080  | 80",
        "8080:80/tcp             | tcp | 0.0.0.0        | 8080  | 80",
        "5353:53/udp             | udp | 0.0.0.0        | 5353  | 53",
        "127.0.0.1:8080:80       | tcp | 127.0.0.1      | 8080  | 80",
        "0.0.0.0:1:65535/udp     | udp | 0.0.0.0        | 1     | 65535",
        "0:80                    | tcp | 0.0.0.0        | 0     | 80",
        "65535:1                 | tcp | 0.0.0.0        | 65535 | 1",
        "08080:080               | tcp | 0.0.0.0        | 8080  | 80",
        "[::1]:8080:80           | tcp | ::1            | 8080  | 80",
        "[::]:53:53/udp          | udp | ::             | 53    | 53",
        "[fd00::2]:0:443         | tcp | fd00::2        | 0     | 443",
        "[2001:db8::1.2.3.4]:1:2 | tcp | 2001:db8::102:304 | 1  | 2"})
    void oneForward(String text, String protocol, String address, int hostPort, int guestPort) throws Exception {
        assertEquals(List.of(spec(protocol, address, hostPort, guestPort)), publish("-p", text));
    }

    @Test
    void bracketsMeanIpv6() {
        assertInstanceOf(Inet6Address.class, publish("-p", "[::]:53:53/udp").get(0).hostAddress());
    }

    @Test
    void rangesExpandToOneForwardPerPort() throws Exception {
        List<ForwardSpec> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            expected.add(spec("tcp", "0.0.0.0", 8000 + i, 80 + i));
        }
        assertEquals(expected, publish("-p", "8000-8009:80-89"));
        assertEquals(List.of(spec("udp", "::1", 7000, 53), spec("udp", "::1", 7001, 54)),
            publish("-p", "[::1]:7000-7001:53-54/udp"));
        // a range of one port is a port
        assertEquals(List.of(spec("tcp", "0.0.0.0", 8080, 80)), publish("-p", "8080-8080:80"));
        assertEquals(List.of(spec("tcp", "0.0.0.0", 8080, 80)), publish("-p", "8080:80-80"));
        assertEquals(65535, publish("-p", "1-65535:1-65535").size());
    }

    @Test
    void hostPortZeroNeverClashes() {
        // each 0 becomes its own free port
        assertEquals(2, publish("-p", "0:80", "-p", "0:80").size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "80", "8080", "1:2:3:4:5", "a:b:c:d", "[::1]:80", "[::1]8080:80", "[::1]",
        "[::1]:1:2:3", "::8080:80", "[::1"})
    void malformed(String text) {
        for (String spec : List.of(text, text + "/udp")) {
            assertEquals("slirp4j: --publish must look like [HOST_ADDR:]HOST_PORT:GUEST_PORT[/tcp|udp] (got '" + spec
                + "')", publishFailure(spec));
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "8080:80/sctp     | sctp",
        "8080:80/TCP      | TCP",
        "8080:80/         | ''",
        "8080:80/tcp4     | tcp4",
        "8080:80/tcp/udp2 | udp2"})
    void protocol(String text, String protocol) {
        assertEquals("slirp4j: --publish protocol must be tcp or udp (got '" + protocol + "' in '" + text + "')",
            publishFailure(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "localhost:8080:80      | localhost",
        "example.com:8080:80    | example.com",
        "1.2.3.999:8080:80      | 1.2.3.999",
        "01.2.3.4:8080:80       | 01.2.3.4",
        "1.2.3:8080:80          | 1.2.3",
        ":8080:80               | ''",
        "[localhost]:8080:80    | [localhost]",
        "[1.2.3.4]:8080:80      | [1.2.3.4]",
        "[]:8080:80             | []",
        "[fe80::1%eth0]:8080:80 | [fe80::1%eth0]",
        "[::ffff:1.2.3.4]:1:2   | [::ffff:1.2.3.4]",
        "[1::2::3]:8080:80      | [1::2::3]",
        "[[::1]]:8080:80        | [[::1]]",
        "[.:1]:8080:80          | [.:1]",
        "[1.2.3.4:5]:8080:80    | [1.2.3.4:5]"})
    void hostAddressIsALiteral(String text, String address) {
        assertEquals("slirp4j: --publish HOST_ADDR must be an IPv4 address or an IPv6 address in brackets like [::1]"
            + " (got '" + address + "' in '" + text + "')", publishFailure(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "::1:8080:80         | ::1",
        "fd00::2:8080:80/udp | fd00::2"})
    void ipv6NeedsBrackets(String text, String address) {
        assertEquals("slirp4j: --publish needs brackets around an IPv6 HOST_ADDR, like [::1]:8080:80 (got '" + address
            + "' in '" + text + "')", publishFailure(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "65536:80          | 65536",
        "-1:80             | -1",
        "+80:80            | +80",
        "x:80              | x",
        "' 80:80'          | ' 80'",
        "99999999999:80    | 99999999999",
        ":80               | ''",
        "8000-:80          | 8000-",
        "-8000:80          | -8000",
        "8000-8009-8010:80 | 8000-8009-8010",
        "8000-65536:80     | 8000-65536",
        "1.2.3.4:0x50:80   | 0x50"})
    void hostPort(String text, String port) {
        assertEquals("slirp4j: --publish HOST_PORT must be 0 to 65535, or a range like 8000-8009 (got '" + port
            + "' in '" + text + "')", publishFailure(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "8080:0         | 0",
        "8080:65536     | 65536",
        "8080:          | ''",
        "8080:http      | http",
        "8080:80 /udp   | '80 '",
        "8000-8001:0-1  | 0-1",
        "8000-8001:80-  | 80-"})
    void guestPort(String text, String port) {
        assertEquals("slirp4j: --publish GUEST_PORT must be 1 to 65535, or a range like 80-89 (got '" + port
            + "' in '" + text + "')", publishFailure(text));
    }

    @Test
    void ranges() {
        assertEquals("slirp4j: --publish HOST_PORT range must not end before it starts (got '8009-8000' in"
            + " '8009-8000:80-89')", publishFailure("8009-8000:80-89"));
        assertEquals("slirp4j: --publish GUEST_PORT range must not end before it starts (got '89-80' in"
            + " '8000-8009:89-80')", publishFailure("8000-8009:89-80"));
        assertEquals("slirp4j: --publish HOST_PORT and GUEST_PORT ranges must be the same length (got 10 and 5 ports"
            + " in '8000-8009:80-84')", publishFailure("8000-8009:80-84"));
        assertEquals("slirp4j: --publish HOST_PORT and GUEST_PORT ranges must be the same length (got 1 and 10 ports"
            + " in '8080:80-89')", publishFailure("8080:80-89"));
        assertEquals("slirp4j: --publish HOST_PORT and GUEST_PORT ranges must be the same length (got 1 and 2 ports"
            + " in '0:80-81')", publishFailure("0:80-81"));
        assertEquals("slirp4j: --publish HOST_PORT 0 (any free port) cannot be part of a range (got '0-9' in"
            + " '0-9:80-89')", publishFailure("0-9:80-89"));
        assertEquals("slirp4j: --publish HOST_PORT 0 (any free port) cannot be part of a range (got '0-0' in"
            + " '0-0:80')", publishFailure("0-0:80"));
    }

    @Test
    void sameListenerTwice() {
        assertEquals("slirp4j: --publish forwards tcp host port 8080 twice on the same address (in '8080:80' and"
            + " '8080:81')", failure("-p", "8080:80", "-p", "8080:81", "42", "tap0"));
        assertEquals("slirp4j: --publish forwards tcp host port 8080 twice on the same address (in '8080:80' and"
            + " '8080:80')", failure("-p", "8080:80", "-p", "8080:80", "42", "tap0"));
        // absent HOST_ADDR is 0.0.0.0, and a range overlapping an earlier spec clashes on the first shared port
        assertEquals("slirp4j: --publish forwards udp host port 8005 twice on the same address (in"
            + " '0.0.0.0:8005:53/udp' and '8000-8009:80-89/udp')",
            failure("-p0.0.0.0:8005:53/udp", "--publish=8000-8009:80-89/udp", "42", "tap0"));
        assertEquals("slirp4j: --publish forwards tcp host port 80 twice on the same address (in '[::]:80:80' and"
            + " '[0:0::0]:80:81')", failure("-p", "[::]:80:80", "-p", "[0:0::0]:80:81", "42", "tap0"));
    }

    @Test
    void errorsComeBeforeTheUnsupportedGate() {
        assertEquals("slirp4j: --publish must look like [HOST_ADDR:]HOST_PORT:GUEST_PORT[/tcp|udp] (got '80')",
            failure("-p", "80", "--enable-ipv6", "42", "tap0"));
    }

    @Test
    void missingArgument() {
        assertEquals("slirp4j: option requires an argument -- 'p'" + HINT, failure("42", "tap0", "-p"));
        assertEquals("slirp4j: option '--publish' requires an argument" + HINT, failure("42", "tap0", "--publish"));
    }

    @Test
    void helpDocumentsIt() {
        String help = printed("--help");
        // the label is wider than the description column, so the description gets a line of its own
        assertTrue(help.contains("\n-p, --publish=[HOST_ADDR:]HOST_PORT:GUEST_PORT[/tcp|udp]\n"
            + " ".repeat(25) + "forward a host port (or range) to the guest, repeatable\n"), help);
    }
}
