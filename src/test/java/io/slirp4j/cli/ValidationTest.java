package io.slirp4j.cli;

import static io.slirp4j.cli.CliTestSupport.HINT;
import static io.slirp4j.cli.CliTestSupport.failure;
import static io.slirp4j.cli.CliTestSupport.settings;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slirp4j.cli.Settings.NetnsType;
import io.slirp4j.cli.Settings.TargetType;
import java.net.InetAddress;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every rule on values and combinations, with the exact message each breach gives. */
class ValidationTest {

    @ParameterizedTest
    @ValueSource(strings = {"67", "0", "65522", "100000", "abc", "", "-1", "+1500", " 1500", "1500x", "99999999999"})
    void mtuOutOfRange(String mtu) {
        assertEquals("slirp4j: --mtu must be an integer from 68 to 65521 (got '" + mtu + "')",
            failure("--mtu=" + mtu, "42", "tap0"));
    }

    @Test
    void mtuBounds() {
        assertEquals(68, settings("--mtu=68", "42", "tap0").mtu());
        assertEquals(65521, settings("--mtu=65521", "42", "tap0").mtu());
        assertEquals(1500, settings("--mtu=001500", "42", "tap0").mtu());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "x", "", "3x", "99999999999", "+3"})
    void fdsMustBeNonNegativeIntegers(String fd) {
        assertEquals("slirp4j: --exit-fd must be a non-negative integer (got '" + fd + "')",
            failure("--exit-fd=" + fd, "42", "tap0"));
        assertEquals("slirp4j: --ready-fd must be a non-negative integer (got '" + fd + "')",
            failure("--ready-fd=" + fd, "42", "tap0"));
    }

    @Test
    void fdZeroIsAllowed() {
        Settings s = settings("-e", "0", "-r", "1", "42", "tap0");
        assertEquals(OptionalInt.of(0), s.exitFd());
        assertEquals(OptionalInt.of(1), s.readyFd());
    }

    @Test
    void confinementCannotBeBothRequiredAndLeftOut() {
        assertEquals("slirp4j: --enable-sandbox conflicts with --disable-sandbox",
            failure("--enable-sandbox", "--disable-sandbox", "42", "tap0"));
        assertEquals("slirp4j: --enable-sandbox conflicts with --disable-sandbox",
            failure("--create-sandbox", "--disable-sandbox", "42", "tap0"));
        assertEquals("slirp4j: --enable-seccomp conflicts with --disable-seccomp",
            failure("--disable-seccomp", "--enable-seccomp", "42", "tap0"));
    }

    @Test
    void exitAndReadyFdMustDiffer() {
        assertEquals("slirp4j: --exit-fd and --ready-fd must be different fds (both are 3)",
            failure("-e", "3", "-r", "3", "42", "tap0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-5", "abc", "", "12a", "99999999999", "+7", "1.0"})
    void pidMustBePositive(String pid) {
        assertEquals("slirp4j: PID must be a positive integer (got '" + pid + "')", failure("--", pid, "tap0"));
    }

    @Test
    void largestPid() {
        assertEquals(new Target.Pid(Integer.MAX_VALUE), settings("2147483647", "tap0").target());
    }

    @ParameterizedTest
    @ValueSource(strings = {"foo", "PID", "Path", "", "tap"})
    void netnsTypeValues(String type) {
        assertEquals("slirp4j: --netns-type must be pid, path or tapfd (got '" + type + "')",
            failure("--netns-type=" + type, "42", "tap0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"foo", "NETNS", "", "bes"})
    void targetTypeValues(String type) {
        assertEquals("slirp4j: --target-type must be either \"netns\" or \"bess\" (got '" + type + "')",
            failure("--target-type=" + type, "42", "tap0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"24", "foo", "10.0.2.0", "10.0.2.0/", "/24", "10.0.2.0/024", "256.0.0.0/8",
        "010.0.2.0/24", "10.0.2.0/24/1", "", "10.0.2/24", "10.0.2.0.0/24", "10.0.2.0/x", "10.0.2.0 /24",
        "::/64", "1.2.3.-4/24"})
    void invalidCidr(String cidr) {
        String message = failure("--cidr=" + cidr, "42", "tap0");
        assertEquals("slirp4j: invalid CIDR: " + cidr + " (expected a network address like 10.0.2.0/24)", message);
        assertTrue(message.contains("invalid CIDR"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.2.100/26", "10.0.2.0/0", "10.0.0.0/26", "10.0.0.0/32", "10.0.0.0/99"})
    void prefixLengthRange(String cidr) {
        String message = failure("--cidr", cidr, "42", "tap0");
        assertEquals("slirp4j: prefix length needs to be 1-25 (got " + cidr + ")", message);
    }

    @Test
    void cidrMustBeANetworkAddress() {
        String quoted = "CIDR needs to be a network address like 10.0.2.0/24, not like 10.0.2.100/24";
        // slirp4netns's test runs exactly this and greps the quoted text
        assertEquals("slirp4j: " + quoted + " (got 10.0.2.100/24; its network address is 10.0.2.0/24)",
            failure("-c", "--cidr", "10.0.2.100/24", "42", "tap0"));
        // the quoted text stays fixed whatever the input (clients match it); the user's values follow it
        assertEquals("slirp4j: " + quoted + " (got 192.168.1.5/16; its network address is 192.168.0.0/16)",
            failure("--cidr=192.168.1.5/16", "42", "tap0"));
    }

    @Test
    void validCidrs() {
        assertEquals(new Ipv4Cidr(10 << 24 | 135 << 8 | 128, 25), settings("--cidr=10.0.135.128/25", "42", "t").cidr());
        assertEquals(new Ipv4Cidr(10 << 24, 8), settings("--cidr=10.0.0.0/8", "42", "t").cidr());
        assertEquals(new Ipv4Cidr(0x80000000, 1), settings("--cidr=128.0.0.0/1", "42", "t").cidr());
        assertEquals(new Ipv4Cidr(0xc0a80000, 16), settings("--cidr=192.168.0.0/16", "42", "t").cidr());
        assertEquals(0xffffff00, settings("--cidr=10.0.2.0/24", "42", "t").cidr().netmask());
    }

    @Test
    void cidr6() {
        assertEquals(Ipv6Cidr.DEFAULT, settings("-6", "42", "t").cidr6());
        assertEquals(new Ipv6Cidr(0xFD00_0001_0002_0003L), settings("-6", "--cidr6=fd00:1:2:3::/64", "42", "t").cidr6());
        assertEquals(new Ipv6Cidr(0x2001_0DB8_0000_0000L), settings("-6", "--cidr6", "2001:db8::/64", "42", "t").cidr6());
        assertEquals("fd00:1:2:3::/64", settings("-6", "--cidr6=fd00:1:2:3::/64", "42", "t").cidr6().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"fd00::", "fd00::/", "fd00::/x", "10.0.2.0/24", "fd00::/6400", "[fd00::]/64", "/64",
        "fd00::%1/64"})
    void invalidCidr6(String cidr6) {
        assertEquals("slirp4j: invalid CIDR6: " + cidr6 + " (expected an IPv6 network like fd00:1::/64)",
            failure("-6", "--cidr6=" + cidr6, "42", "tap0"));
    }

    @Test
    void cidr6Rules() {
        assertEquals("slirp4j: IPv6 prefix length needs to be 64 (got fd00::/48)",
            failure("-6", "--cidr6=fd00::/48", "42", "tap0"));
        assertEquals("slirp4j: CIDR6 needs to be a network address like fd00:1::/64, not like fd00:1::100/64 (got "
            + "fd00::100/64; its network address is fd00::/64)",
            failure("-6", "--cidr6=fd00::100/64", "42", "tap0"));
        for (String bad : new String[] {"fe80::/64", "ff02::/64", "::/64"}) {
            assertEquals("slirp4j: CIDR6 needs to be a unicast prefix outside fe80::/10 and ::/8 (got " + bad + ")",
                failure("-6", "--cidr6=" + bad, "42", "tap0"), bad);
        }
        assertEquals("slirp4j: --cidr6 needs --enable-ipv6", failure("--cidr6=fd00:1::/64", "42", "tap0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "a:b", "a b", "a\tb", "0123456789abcdef", ".", "..", "t\u00e0p"})
    void invalidTapNames(String name) {
        assertEquals("slirp4j: TAPNAME must be an interface name of 1 to 15 bytes without '/', ':' or spaces"
            + " (got '" + name + "')", failure("42", name));
    }

    @Test
    void validTapNames() {
        assertEquals(Optional.of("0123456789abcde"), settings("42", "0123456789abcde").tapName());
        assertEquals(Optional.of("tap%d"), settings("42", "tap%d").tapName());
        assertEquals(Optional.of("tap-0.x_y"), settings("42", "tap-0.x_y").tapName());
    }

    @Test
    void netnsPath() {
        Settings s = settings("--netns-type=path", "/run/netns/ns1", "tap0");
        assertEquals(NetnsType.PATH, s.netnsType());
        assertEquals(new Target.NetnsPath("/run/netns/ns1"), s.target());
        assertEquals(Optional.empty(), s.effectiveUsernsPath());
        assertEquals(Optional.of("/u"), settings("--netns-type=path", "--userns-path=/u", "/x", "tap0")
            .effectiveUsernsPath());
        assertEquals("slirp4j: PATH of the network namespace must not be empty",
            failure("--netns-type=path", "", "tap0"));
    }

    @Test
    void usernsPath() {
        assertEquals(Optional.of("/proc/9/ns/user"), settings("--userns-path=/proc/9/ns/user", "42", "t")
            .effectiveUsernsPath());
        assertEquals("slirp4j: --userns-path must not be empty", failure("--userns-path=", "42", "tap0"));
    }

    @Test
    void tapFd() {
        Settings s = settings("--netns-type=tapfd", "5");
        assertEquals(NetnsType.TAPFD, s.netnsType());
        assertEquals(new Target.TapFd(5), s.target());
        assertEquals(Optional.empty(), s.tapName());
        assertEquals(Optional.empty(), s.effectiveUsernsPath());
        assertEquals(new Target.TapFd(0), settings("--netns-type", "tapfd", "0").target());
        // nix's invocation
        s = settings("--netns-type=tapfd", "--cidr=10.57.1.0/24", "--enable-ipv6", "--disable-host-loopback",
            "--disable-dns", "--enable-seccomp", "7");
        assertEquals(new Target.TapFd(7), s.target());
    }

    @Test
    void tapFdRules() {
        assertEquals("slirp4j: too many arguments: --netns-type=tapfd takes only one (got 'tap0' after '5')" + HINT,
            failure("--netns-type=tapfd", "5", "tap0"));
        assertEquals("slirp4j: --configure conflicts with --netns-type=tapfd", failure("-c", "--netns-type=tapfd", "5"));
        assertEquals("slirp4j: --userns-path is only meaningful with --netns-type=pid or path",
            failure("--userns-path=/proc/1/ns/user", "--netns-type=tapfd", "5"));
        assertEquals("slirp4j: FD must be a non-negative integer (got 'x')", failure("--netns-type=tapfd", "x"));
        assertEquals("slirp4j: FD must be a non-negative integer (got '-1')", failure("--netns-type=tapfd", "--", "-1"));
    }

    @Test
    void bess() {
        Settings s = settings("--target-type=bess", "/run/bess.sock");
        assertEquals(TargetType.BESS, s.targetType());
        assertEquals(new Target.BessSocket("/run/bess.sock"), s.target());
        assertEquals(Optional.empty(), s.tapName());
        assertEquals("slirp4j: --configure conflicts with --target-type=bess",
            failure("--target-type=bess", "-c", "/run/b"));
        assertEquals("slirp4j: --netns-type conflicts with --target-type=bess",
            failure("--target-type=bess", "--netns-type=pid", "/run/b"));
        assertEquals("slirp4j: --userns-path conflicts with --target-type=bess",
            failure("--target-type=bess", "--userns-path=/u", "/run/b"));
        assertEquals("slirp4j: too many arguments: --target-type=bess takes only one (got 'tap0' after '/run/b')"
            + HINT, failure("--target-type=bess", "/run/b", "tap0"));
        assertEquals("slirp4j: BESS socket PATH must not be empty", failure("--target-type=bess", ""));
        String longPath = "/" + "x".repeat(107);
        assertEquals("slirp4j: BESS socket PATH is too long: 108 bytes, the limit is 107 (" + longPath + ")",
            failure("--target-type=bess", longPath));
    }

    @Test
    void macAddressNeedsConfigure() {
        assertEquals("slirp4j: --macaddress is only valid with --configure (-c)",
            failure("--macaddress=02:00:00:00:00:01", "42", "tap0"));
        assertEquals("slirp4j: --macaddress is only valid with --configure (-c)",
            failure("--macaddress=junk", "42", "tap0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"zz", "1:2:3:4:5:6", "00:11:22:33:44", "00:11:22:33:44:55:66", "00-11-22-33-44-55",
        "0g:11:22:33:44:55", "", "001:1:22:33:44:55", "00:11:22:33:44:55:", " 00:11:22:33:44:55", "+0:11:22:33:44:55"})
    void macAddressFormat(String mac) {
        assertEquals("slirp4j: --macaddress must look like xx:xx:xx:xx:xx:xx with hex digits (got '" + mac + "')",
            failure("-c", "--macaddress", mac, "42", "tap0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00", "33:33:00:00:00:01"})
    void macAddressMustBeUnicast(String mac) {
        assertEquals("slirp4j: --macaddress must be a unicast address, not multicast or zero (got '" + mac + "')",
            failure("-c", "--macaddress", mac, "42", "tap0"));
    }

    @Test
    void macAddressValue() {
        MacAddress mac = settings("-c", "--macaddress=0A:bB:cc:00:00:01", "42", "tap0").macAddress().get();
        assertEquals("0a:bb:cc:00:00:01", mac.toString());
        assertArrayEquals(new byte[] {0x0a, (byte) 0xbb, (byte) 0xcc, 0, 0, 1}, mac.bytes());
        assertEquals(0x0abbcc000001L, mac.value());
    }

    @Test
    void apiSocketLength() {
        String longest = "/" + "s".repeat(106);
        assertEquals(Optional.of(longest), settings("--api-socket", longest, "42", "tap0").apiSocket());
        String tooLong = longest + "s";
        assertEquals("slirp4j: --api-socket is too long: 108 bytes, the limit is 107 (" + tooLong + ")",
            failure("--api-socket", tooLong, "42", "tap0"));
        // bytes, not chars: 54 two-byte characters are 108 bytes
        String wide = "\u00e9".repeat(54);
        assertEquals("slirp4j: --api-socket is too long: 108 bytes, the limit is 107 (" + wide + ")",
            failure("--api-socket", wide, "42", "tap0"));
        assertEquals("slirp4j: --api-socket must not be empty", failure("--api-socket=", "42", "tap0"));
    }

    @Test
    void outboundAddr() throws Exception {
        assertEquals(new OutboundAddress.Literal(InetAddress.getByName("10.1.2.3")),
            settings("--outbound-addr=10.1.2.3", "42", "tap0").outboundAddr().get());
        assertEquals(new OutboundAddress.Interface("eth0"),
            settings("--outbound-addr=eth0", "42", "tap0").outboundAddr().get());
        for (String bad : new String[] {"::1", "1.2.3.999", "1.2.3", "01.2.3.4", "", "a/b", "0123456789abcdef",
            "fd00::1"}) {
            assertEquals("slirp4j: --outbound-addr must be an IPv4 address or an interface name (got '" + bad + "')",
                failure("--outbound-addr=" + bad, "42", "tap0"));
        }
    }

    @Test
    void outboundAddr6() throws Exception {
        OutboundAddress literal = settings("--outbound-addr6=fd00::1", "42", "tap0").outboundAddr6().get();
        assertEquals(InetAddress.getByName("fd00:0:0:0:0:0:0:1"),
            assertInstanceOf(OutboundAddress.Literal.class, literal).address());
        assertEquals(new OutboundAddress.Interface("wlan0"),
            settings("--outbound-addr6", "wlan0", "42", "tap0").outboundAddr6().get());
        assertInstanceOf(OutboundAddress.Literal.class,
            settings("--outbound-addr6=::", "42", "tap0").outboundAddr6().get());
        for (String bad : new String[] {"1.2.3.4", "zz::1", "::ffff:1.2.3.4", "fe80::1%eth0", "[::1]", "", ":::1",
            "1::2::3", "example.com:80", "a/b", "12345", ".:1"}) {
            assertEquals("slirp4j: --outbound-addr6 must be an IPv6 address or an interface name (got '" + bad + "')",
                failure("--outbound-addr6=" + bad, "42", "tap0"));
        }
    }
}
