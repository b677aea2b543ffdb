package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code -c}: what the guest's interfaces look like afterwards, read with the real {@code ip}. */
class ConfigureTest {

    static void assertContains(Cmd.Result r, String expected) {
        r.check();
        assertTrue(r.out().contains(expected), () -> "expected \"" + expected + "\" in:\n" + r.describe());
    }

    /** Checks address, route, MTU and lo as {@code -c} must leave them, and that gateway and DNS answer ARP. */
    static void assertConfigured(TestNetwork net, String address, int prefix, String gateway, int mtu) {
        assertContains(net.guest("ip", "-o", "-4", "addr", "show", "dev", "tap0"), "inet " + address + "/" + prefix);
        assertContains(net.guest("ip", "route", "show", "default"), "default via " + gateway + " dev tap0");
        Cmd.Result link = net.guest("ip", "-o", "link", "show", "dev", "tap0");
        assertContains(link, " mtu " + mtu + " ");
        // exactly slirp4netns's flags: it sets IFF_UP | IFF_RUNNING, which clears MULTICAST (ip -d link show tap0
        // under slirp4netns 1.2.0 and under slirp4j differ in nothing but the random MAC and the queue length)
        assertContains(link, "tap0: <BROADCAST,UP,LOWER_UP> ");
        // a queue for floods of the guest's connections (InterfaceConfigurator.TAP_QUEUE_LENGTH; slirp4netns: 1000)
        assertContains(link, " qlen 10000");
        assertContains(net.guest("ip", "-o", "link", "show", "dev", "lo"), "lo: <LOOPBACK,UP,LOWER_UP> ");
        assertContains(net.guest("ip", "-o", "-4", "addr", "show", "dev", "lo"), "inet 127.0.0.1/8");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void configureSetsAddressRouteMtuAndLo(Mode mode) {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Helper h = net.startHelper("-c");
            assertConfigured(net, "10.0.2.100", 24, "10.0.2.2", 1500);
            // gateway and DNS addresses answer ARP with 52:55 + their address bytes
            Checks.ping(net, "10.0.2.2");
            Checks.ping(net, "10.0.2.3");
            assertContains(net.guest("ip", "neigh", "show", "dev", "tap0"), "10.0.2.2 lladdr 52:55:0a:00:02:02");
            assertContains(net.guest("ip", "neigh", "show", "dev", "tap0"), "10.0.2.3 lladdr 52:55:0a:00:02:03");
            System.out.printf("[%s] helper ready after %d ms%n", mode, h.startupMillis());
            h.assertNoStackTrace();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void configureWithMtu65520AndMacAddress(Mode mode) {
        try (TestNetwork net = TestNetwork.create(mode)) {
            net.startHelper("-c", "-m", "65520", "--macaddress", "02:11:22:33:44:55");
            assertConfigured(net, "10.0.2.100", 24, "10.0.2.2", 65520);
            assertContains(net.guest("ip", "-o", "link", "show", "dev", "tap0"), "link/ether 02:11:22:33:44:55");
            Checks.ping(net, "10.0.2.2");
        }
    }

    static Stream<Arguments> cidrs() {
        return Stream.of(
            Arguments.of("10.9.8.0/24", "10.9.8.100", 24, "10.9.8.2", "10.9.8.3", "52:55:0a:09:08:02"),
            Arguments.of("10.20.0.0/16", "10.20.0.100", 16, "10.20.0.2", "10.20.0.3", "52:55:0a:14:00:02"),
            // slirp4netns's own test: network + 100 crosses into the last octet of a /25
            Arguments.of("10.0.135.128/25", "10.0.135.228", 25, "10.0.135.130", "10.0.135.131", "52:55:0a:00:87:82"));
    }

    @ParameterizedTest
    @MethodSource("cidrs")
    void cidrMovesTheWholeNetwork(String cidr, String guest, int prefix, String gateway, String dns, String gwMac) {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            net.startHelper("-c", "--cidr", cidr);
            assertConfigured(net, guest, prefix, gateway, 1500);
            Checks.ping(net, gateway);
            Checks.ping(net, dns);
            assertContains(net.guest("ip", "neigh", "show", "dev", "tap0"), gateway + " lladdr " + gwMac);
        }
    }

    @Test
    void cidrRootless() {
        try (TestNetwork net = TestNetwork.create(Mode.ROOTLESS)) {
            net.startHelper("-c", "--cidr=10.9.8.0/24");
            assertConfigured(net, "10.9.8.100", 24, "10.9.8.2", 1500);
            Checks.ping(net, "10.9.8.2");
        }
    }

    /** GNU-style parsing (slirp4netns-interface.md): options after positionals, =/space, clusters, prefixes. */
    static Stream<Arguments> gnuStyleCommandLines() {
        return Stream.of(
            Arguments.of("options after the positionals", List.of("%PID%", "tap0", "-c", "--mtu", "9000")),
            Arguments.of("--opt=value", List.of("--configure", "--mtu=9000", "%PID%", "tap0")),
            Arguments.of("short option with attached value", List.of("-c", "-m9000", "%PID%", "tap0")),
            Arguments.of("clustered short options", List.of("-cm", "9000", "%PID%", "tap0")),
            Arguments.of("unambiguous long prefixes", List.of("--conf", "--mt=9000", "%PID%", "tap0")),
            Arguments.of("-- ends the options", List.of("-c", "-m", "9000", "--", "%PID%", "tap0")),
            Arguments.of("explicit --netns-type=pid", List.of("-c", "-m", "9000", "--netns-type", "pid", "%PID%",
                "tap0")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gnuStyleCommandLines")
    void gnuStyleCommandLine(String what, List<String> args) {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            String pid = Long.toString(net.guestPid());
            net.helper().target(args.stream().map(a -> a.replace("%PID%", pid)).toArray(String[]::new)).start()
                .awaitReady(Helper.READY_TIMEOUT);
            assertConfigured(net, "10.0.2.100", 24, "10.0.2.2", 9000);
        }
    }
}
