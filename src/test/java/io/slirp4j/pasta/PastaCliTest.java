package io.slirp4j.pasta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slirp4j.pasta.PastaSettings.Target;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PastaCliTest {

    private static PastaSettings run(String... args) {
        PastaResult result = PastaCli.parse("pasta", args);
        return assertInstanceOf(PastaResult.Run.class, result, () -> String.join(" ", args) + ": " + result)
            .settings();
    }

    private static String fail(String... args) {
        PastaResult result = PastaCli.parse("pasta", args);
        PastaResult.Fail fail = assertInstanceOf(PastaResult.Fail.class, result,
            () -> String.join(" ", args) + ": " + result);
        assertEquals(1, fail.exitCode());
        return fail.message();
    }

    private static String printed(String... args) {
        PastaResult result = PastaCli.parse("pasta", args);
        PastaResult.Print print = assertInstanceOf(PastaResult.Print.class, result,
            () -> String.join(" ", args) + ": " + result);
        assertEquals(0, print.exitCode());
        return print.text();
    }

    private static String firstLine(String text) {
        return text.lines().findFirst().orElseThrow();
    }

    @Test
    void podmanCommandLine() throws Exception {
        // what createPastaArgs (containers/common) builds for -p 8080:80 -p 5353:53/udp: -t/-u none only for
        // the directions without ports
        PastaSettings s = run("--config-net", "-t", "8080-8080:80-80", "-u", "5353-5353:53-53",
            "--dns-forward", "169.254.1.1", "-T", "none", "-U", "none", "--no-map-gw", "--quiet",
            "--netns", "/run/user/1000/netns/netns-abc", "--map-guest-addr", "169.254.1.2",
            "--pid", "/run/user/1000/pasta.pid");
        assertTrue(s.configNet());
        assertTrue(s.quiet());
        assertTrue(s.noMapGw());
        assertEquals(new Target.NetnsPath("/run/user/1000/netns/netns-abc"), s.target());
        assertTrue(s.netnsOnly());
        assertEquals("/run/user/1000/pasta.pid", s.pidFile().orElseThrow());
        assertEquals(InetAddress.getByName("169.254.1.1"), s.dnsForward4().orElseThrow());
        assertEquals(InetAddress.getByName("169.254.1.2"), s.mapGuestAddr4().orElseThrow());
        assertEquals(List.of(new PortSpec.Forward(null, null, 8080, 80)), s.tcpIn().get(0).forwards());
        assertEquals(List.of(new PortSpec.Forward(null, null, 5353, 53)), s.udpIn().get(0).forwards());
        assertTrue(s.tcpOut().get(0).none());
        assertTrue(s.udpOut().get(0).none());
        assertEquals(List.of(), s.notHonoured());
    }

    @Test
    void podmanWithoutPortsAndWithAHostAddress() throws Exception {
        PastaSettings s = run("--config-net", "-t", "127.0.0.1/8080-8080:80-80", "--dns-forward", "169.254.1.1",
            "-u", "none", "-T", "none", "-U", "none", "--no-map-gw", "--quiet", "--netns", "netns-abc");
        assertEquals(new Target.NetnsPath("/run/netns/netns-abc"), s.target());
        assertEquals(List.of(new PortSpec.Forward(InetAddress.getByName("127.0.0.1"), null, 8080, 80)),
            s.tcpIn().get(0).forwards());
        assertTrue(s.udpIn().get(0).none());
    }

    @Test
    void noneAfterASpecIsPastasError() {
        assertEquals("-t none conflicts with previous options",
            fail("-t", "8080-8080:80-80", "-t", "none", "--netns", "x"));
        assertEquals(2, run("-t", "none", "-t", "80", "--netns", "x").tcpIn().size());
    }

    @Test
    void rootlessKitCommandLine() throws Exception {
        PastaResult.Run r = assertInstanceOf(PastaResult.Run.class, PastaCli.parse("/usr/bin/pasta", "--stderr",
            "--ns-ifname=tap0", "--mtu=65520", "--config-net", "--address=10.0.2.100", "--netmask=24",
            "--gateway=10.0.2.2", "--dns-forward=10.0.2.3", "--no-map-gw", "--ipv4-only", "--tcp-ports=none",
            "--udp-ports=none", "--host-lo-to-ns-lo", "12345"));
        PastaSettings s = r.settings();
        assertEquals(List.of("--stderr will be dropped soon"), r.warnings());
        assertTrue(s.stderr());
        assertEquals("tap0", s.nsIfname().orElseThrow());
        assertEquals(65520, s.mtu().getAsInt());
        assertEquals(InetAddress.getByName("10.0.2.100"), s.address4().orElseThrow());
        assertEquals(24, s.prefixLength4().getAsInt());
        assertEquals(InetAddress.getByName("10.0.2.2"), s.gateway4().orElseThrow());
        assertEquals(InetAddress.getByName("10.0.2.3"), s.dnsForward4().orElseThrow());
        assertTrue(s.ipv4Only());
        assertTrue(s.hostLoToNsLo());
        assertEquals(new Target.Pid(12345), s.target());
        assertFalse(s.netnsOnly());
    }

    @Test
    void versionProbesSucceedWhateverFollows() {
        String version = printed("--version");
        assertTrue(firstLine(version).matches("pasta \\S+"), version);
        assertEquals(version, printed("--host-lo-to-ns-lo", "--version"));
        assertEquals(version, printed("-t", "99999", "--version"));   // ports are read after the first pass
        assertEquals(version, printed("--version", "--bogus"));
        assertEquals(version, printed("--vers"));
    }

    @Test
    void helpGoesToStdout() {
        assertTrue(printed("-h").startsWith("Usage: pasta [OPTION]... [COMMAND] [ARGS]..."));
        assertTrue(printed("--he", "--bogus").contains("--map-guest-addr"));
    }

    @Test
    void getoptComplaintsAreGlibcsThenTheUsage() {
        String m = fail("--map-guest-addr");
        assertEquals("pasta: option '--map-guest-addr' requires an argument", firstLine(m));
        assertTrue(m.contains("\nUsage: pasta [OPTION]..."));
        assertEquals("/usr/bin/pasta: unrecognized option '--map-guest-addrx'",
            firstLine(((PastaResult.Fail) PastaCli.parse("/usr/bin/pasta", "--map-guest-addrx", "1.2.3.4"))
                .message()));
        assertEquals("pasta: unrecognized option '--bogus=1'", firstLine(fail("--bogus=1")));
        assertEquals("pasta: invalid option -- 'x'", firstLine(fail("-fx")));
        assertEquals("pasta: option requires an argument -- 't'", firstLine(fail("-t")));
        assertEquals("pasta: option '--debug' doesn't allow an argument", firstLine(fail("--debug=3")));
        // an exact name wins over the longer ones it prefixes
        assertEquals("pasta: option '--no-dhcp' doesn't allow an argument", firstLine(fail("--no-dhcp=x")));
        // glibc quotes an ambiguous option as typed, value included
        assertEquals("pasta: option '--no-dhcp-=x' is ambiguous; possibilities: '--no-dhcp-dns'"
            + " '--no-dhcp-search'", firstLine(fail("--no-dhcp-=x")));
    }

    @Test
    void ambiguityFollowsGlibc() {
        assertEquals("pasta: option '--no' is ambiguous; possibilities: '--no-tcp' '--no-udp' '--no-icmp'"
            + " '--no-dhcp' '--no-dhcpv6' '--no-ndp' '--no-ra' '--no-splice' '--no-map-gw' '--no-dhcp-dns'"
            + " '--no-dhcp-search' '--no-netns-quit' '--no-copy-routes' '--no-copy-addrs'", firstLine(fail("--no")));
        // --socket and --socket-path are one option to glibc: a common prefix is not ambiguous
        assertEquals("-s is for passt / vhost-user mode only", fail("--sock", "x"));
        // abbreviations
        // modern pasta has --conf-path too, so --conf is ambiguous and --config is not
        assertEquals("pasta: option '--conf' is ambiguous; possibilities: '--config-net' '--conf-path'",
            firstLine(fail("--conf")));
        PastaSettings s = run("--config", "--ns-if=eth1", "--no-map", "--quie", "--netns", "n");
        assertTrue(s.configNet());
        assertEquals("eth1", s.nsIfname().orElseThrow());
    }

    @Test
    void operandsEndTheOptions() {
        PastaSettings s = run("-f", "sh", "-c", "echo --bogus");
        assertEquals(new Target.Command(List.of("sh", "-c", "echo --bogus")), s.target());
        assertEquals(new Target.Command(List.of("-t", "x")), run("--", "-t", "x").target());
        assertEquals(new Target.Command(List.of()), run("-q").target());
        assertEquals("Both --netns and PID or command given", fail("--netns", "x", "1"));
        assertEquals("Invalid PID 99999999999", fail("99999999999"));
    }

    @Test
    void clusteredShortOptionsAndAttachedValues() {
        PastaSettings s = run("-fqm1500", "-4t80", "1");
        assertTrue(s.foreground());
        assertTrue(s.quiet());
        assertEquals(1500, s.mtu().getAsInt());
        assertTrue(s.ipv4Only());
        assertEquals(1, s.tcpIn().get(0).forwards().size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "-m|x|Invalid MTU: x",
        "-m|65522|MTU 65522 too large (max 65521)",
        "-a|127.0.0.1|Invalid guest address: 127.0.0.1",
        "-a|10.0.0.1/33|Invalid prefix length: 10.0.0.1/33",
        "-n|255.0.255.0|Invalid prefix length: 255.0.255.0",
        "-g|0.0.0.0|Invalid gateway address: 0.0.0.0",
        "-o|224.0.0.1|Invalid or redundant outbound address: 224.0.0.1",
        "-D|foo|Cannot use DNS address foo",
        "-I|abcdefghijklmnop|Invalid interface name: abcdefghijklmnop",
        "--dns-forward|127.0.0.1|Invalid DNS forwarding address: 127.0.0.1",
        "--map-guest-addr|::1|Invalid address to remap to host: ::1",
        "--ns-mac-addr|01:02:03|Invalid MAC address: 01:02:03",
        "--log-size|10|Invalid --log-size: 10",
        "-F|2|Invalid --fd: 2",
        "-s|/tmp/s|-s is for passt / vhost-user mode only",
        "-t|80-70|Invalid port specifier '80-70'",
        "-t|80:90-91|Invalid port specifier '80:90-91'",
        "-t|0|Can't forward port 0 included in '0'",
        "-t|,80|Invalid port specifier ',80'",
        "-t|65536|Invalid port specifier '65536'",
        "-t|bogus/80|Bad forwarding address 'bogus'",
        "-t|%abcdefghijklmnop/80|Interface name 'abcdefghijklmnop' is too long (max 15)",
        "-T|127.0.0.1/80|Listening address not allowed for -T 127.0.0.1/80",
    })
    void pastasOwnMessages(String option, String value, String message) {
        assertEquals(message, fail(option, value, "1"));
    }

    @Test
    void combinationMessages() {
        assertEquals("Redundant prefix length specification", fail("-n", "24", "-a", "10.0.0.1/24", "1"));
        assertEquals("Redundant prefix length specification", fail("-a", "10.0.0.1/24", "-n", "24", "1"));
        assertEquals("--no-copy-routes will be dropped soon\n--no-copy-routes needs --config-net",
            fail("--no-copy-routes", "1"));
        assertEquals("TCP port forwarding requested but TCP is disabled", fail("-t", "80", "--no-tcp", "1"));
        assertEquals("IPv4 is disabled, can't use -t 10.0.0.1/80", fail("-6", "-t", "10.0.0.1/80", "1"));
        assertEquals("Forwarding configuration conflict: TCP *:80-80  =>  80-80 versus TCP *:70-90  =>  70-90",
            fail("-t", "70-90", "-t", "80", "1"));
        assertEquals("--one-off is for passt mode only", fail("-1"));
        // a value pasta dies on before getopt reaches a bad option is the error shown
        assertEquals("Invalid MTU: x", fail("-m", "x", "--bogus"));
    }

    @Test
    void repeatedAndPerFamilyOptions() throws Exception {
        PastaSettings s = run("-a", "10.0.0.1", "-a", "fd00::5/64", "-a", "10.0.0.2", "-g", "10.0.0.9",
            "-g", "fe80::1", "-D", "1.1.1.1", "-D", "::2", "-S", "a.example", "-q", "-d", "-6", "-4", "1");
        assertEquals(InetAddress.getByName("10.0.0.2"), s.address4().orElseThrow());
        assertEquals(InetAddress.getByName("fd00::5"), s.address6().orElseThrow());
        assertEquals(64, s.prefixLength6().getAsInt());
        assertEquals(InetAddress.getByName("fe80::1"), s.gateway6().orElseThrow());
        assertEquals(2, s.dns().size());
        assertEquals(List.of("a.example"), s.search());
        assertTrue(s.debug());
        assertFalse(s.quiet());
        assertTrue(s.ipv4Only());
        assertFalse(s.ipv6Only());
        assertTrue(run("-D", "1.1.1.1", "-D", "none", "1").noDns());
        assertEquals(16, run("-n", "255.255.0.0", "1").prefixLength4().getAsInt());
    }

    @Test
    void optionsNotCarriedAreListed() {
        PastaSettings s = run("--runas", "1000", "--no-netns-quit", "--pcap", "/tmp/x.pcap", "--runas", "1001",
            "--freebind", "-H", "box", "1");
        assertEquals(List.of("--runas", "--no-netns-quit", "--pcap", "--freebind", "--hostname"), s.notHonoured());
        assertEquals(List.of("1000", "1001"), s.other().get("runas"));
    }

    @Test
    void portSpecGrammar() throws Exception {
        PortSpec p = PortSpec.parse('t', "5-25,~10-20");
        assertEquals(List.of(new PortSpec.Range(5, 9, 5), new PortSpec.Range(21, 25, 21)), p.ranges());
        assertFalse(p.allExcept());
        PortSpec x = PortSpec.parse('t', "~25,~30-31");
        assertTrue(x.allExcept());
        assertEquals(List.of(new PortSpec.Range(25, 25, 25), new PortSpec.Range(30, 31, 30)), x.exclusions());
        assertTrue(PortSpec.parse('t', "all").allExcept());
        PortSpec auto = PortSpec.parse('t', "auto");
        assertTrue(auto.auto() && auto.allExcept());
        PortSpec scan = PortSpec.parse('u', "80-82,auto,");
        assertTrue(scan.auto());
        assertEquals(3, scan.forwards().size());
        PortSpec bound = PortSpec.parse('t', "[::1]%lo/22-23:2022-2023");
        assertEquals(List.of(new PortSpec.Forward(InetAddress.getByName("::1"), "lo", 22, 2022),
            new PortSpec.Forward(InetAddress.getByName("::1"), "lo", 23, 2023)), bound.forwards());
        PortSpec ifaceOnly = PortSpec.parse('t', "%eth0/80");
        assertEquals(null, ifaceOnly.address());
        assertEquals("eth0", ifaceOnly.iface());
    }

    @Test
    void randomCommandLinesOnlyEverGiveAResult() {
        String[] words = {"-t", "-u", "-T", "-U", "none", "auto", "all", "80", "80-81:90-91", "~22", "1.2.3.4/80",
            "--netns", "ns", "--userns", "-a", "10.0.0.1", "10.0.0.1/24", "-n", "24", "-4", "-6", "-q", "-d", "-m",
            "0", "--version", "--help", "--", "-", "--no", "--map-guest-addr", "none", "::1", "-D", "-S", "x",
            "--bogus", "-xz", "=", "--pid", "", "1", "%", "/", ",", ":", "~", "-fqe", "--stats", "5", "\u00e9"};
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            List<String> args = new ArrayList<>();
            int n = random.nextInt(8);
            for (int j = 0; j < n; j++) {
                String word = words[random.nextInt(words.length)];
                if (random.nextInt(6) == 0) {
                    word = word + words[random.nextInt(words.length)];
                }
                args.add(word);
            }
            PastaResult result = PastaCli.parse("pasta", args.toArray(String[]::new));
            assertTrue(result instanceof PastaResult.Run || result instanceof PastaResult.Print
                || result instanceof PastaResult.Fail, args::toString);
        }
    }
}
