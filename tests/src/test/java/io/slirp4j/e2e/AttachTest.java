package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Ways to name the target: an existing persistent tap (rootlesskit), and netns paths (podman). */
class AttachTest {

    /**
     * rootlesskit's way: it creates a persistent tap0 itself, runs the helper without {@code -c} and with
     * {@code --mtu 65520}, then configures the interface on its own.
     */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void attachesToAnExistingPersistentTap(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            net.guest("ip", "tuntap", "add", "dev", "tap0", "mode", "tap").check();
            net.guest("ip", "link", "set", "tap0", "up").check();
            Udp.Server server = net.closeLater(
                Udp.Server.echo(net.hostNetns(), new InetSocketAddress("127.0.0.1", 0)));
            Helper h = net.startHelper("--mtu", "65520");
            net.guest("ip", "link", "set", "lo", "up").check();
            net.guest("ip", "link", "set", "tap0", "mtu", "65520").check();
            net.guest("ip", "addr", "add", "10.0.2.100/24", "dev", "tap0").check();
            net.guest("ip", "route", "add", "default", "via", "10.0.2.2", "dev", "tap0").check();
            Checks.ping(net, "10.0.2.2");
            Checks.ping(net, "10.0.2.3");
            try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
                Random rnd = new Random(11);
                Udp.echoLockstep(s, new InetSocketAddress("10.0.2.2", server.port()),
                    List.of(Udp.payload(rnd, 1), Udp.payload(rnd, 65000), Udp.payload(rnd, 1472)),
                    Duration.ofSeconds(3));
            }
            h.closeExitFd();
            assertEquals(0, h.awaitExit(Duration.ofSeconds(10)), h::describe);
            // the tap was not the helper's to delete
            net.guest("ip", "-o", "link", "show", "dev", "tap0").check();
        }
    }

    /** podman's way: {@code --netns-type=path} with the namespace's /proc path. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void netnsTypePathWithProcPath(Mode mode) {
        try (TestNetwork net = TestNetwork.create(mode)) {
            List<String> opts = new java.util.ArrayList<>(List.of("-c", "--netns-type=path"));
            if (mode == Mode.ROOTLESS) {
                opts.add("--userns-path=" + net.guestUserns());
            }
            net.helper(opts.toArray(String[]::new)).target(net.guestNetns().toString(), "tap0").start()
                .awaitReady(Helper.READY_TIMEOUT);
            ConfigureTest.assertConfigured(net, "10.0.2.100", 24, "10.0.2.2", 1500);
            Checks.ping(net, "10.0.2.2");
        }
    }

    /** podman's way, exactly: a bind mount of the netns (podman's /run/.../netns/netns-UUID). */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void netnsTypePathWithBindMountedNetns(Mode mode) throws IOException {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Path netnsFile = net.dir().resolve("netns-e2e");
            Files.createFile(netnsFile);
            // visible in the private host mount namespace, where the helper runs
            net.host("mount", "--bind", net.guestNetns().toString(), netnsFile.toString()).check();
            List<String> opts = new java.util.ArrayList<>(List.of("-c", "--netns-type", "path"));
            if (mode == Mode.ROOTLESS) {
                Path usernsFile = net.dir().resolve("userns-e2e");
                Files.createFile(usernsFile);
                net.host("mount", "--bind", net.guestUserns().toString(), usernsFile.toString()).check();
                opts.add("--userns-path");
                opts.add(usernsFile.toString());
            }
            net.helper(opts.toArray(String[]::new)).target(netnsFile.toString(), "tap0").start()
                .awaitReady(Helper.READY_TIMEOUT);
            ConfigureTest.assertConfigured(net, "10.0.2.100", 24, "10.0.2.2", 1500);
            Checks.ping(net, "10.0.2.3");
        }
    }

    /**
     * Unprivileged, with a netns path but no {@code --userns-path}: the helper cannot join, and must say so
     * (exit 1) instead of hanging or half-starting.
     */
    @Test
    void rootlessPathWithoutUsernsFailsCleanly() {
        try (TestNetwork net = TestNetwork.create(Mode.ROOTLESS)) {
            Helper h = net.helper("-c", "--netns-type=path").target(net.guestNetns().toString(), "tap0").start();
            int status = h.awaitExit(Duration.ofSeconds(30));
            assertEquals(1, status, h::describe);
            assertTrue(h.stderr().lines().anyMatch(l -> l.startsWith("slirp4j: ")), h::describe);
            h.assertNoStackTrace();
        }
    }

    /** The pid type with an explicit --userns-path that names the guest's user namespace. */
    @Test
    void rootlessPidWithExplicitUsernsPath() {
        try (TestNetwork net = TestNetwork.create(Mode.ROOTLESS)) {
            net.startHelper("-c", "--userns-path", net.guestUserns().toString());
            Checks.ping(net, "10.0.2.2");
        }
    }

    /**
     * Opens tap0 in the guest namespace (setns there, /dev/net/tun, TUNSETIFF IFF_TAP|IFF_NO_PI, setns back),
     * puts the fd at number ARGV[1] without close-on-exec, and execs the rest of ARGV in the original
     * namespace. Perl because perl-base is Essential on Debian and can call setns and ioctl.
     */
    static final String TAP_FD_OPENER = tapFdOpener(false);

    /** {@link #TAP_FD_OPENER}, with {@code IFF_VNET_HDR} too when {@code vnetHeader} (its size left at 10). */
    static String tapFdOpener(boolean vnetHeader) {
        return String.join("\n",
        "use strict; use Fcntl; use POSIX ();",
        "my ($gpid, $fd, @cmd) = @ARGV;",
        "open(my $home, '<', '/proc/self/ns/net') or die \"own netns: $!\";",
        "open(my $guest, '<', \"/proc/$gpid/ns/net\") or die \"guest netns: $!\";",
        "syscall(308, fileno($guest), 0x40000000) == 0 or die \"setns(guest): $!\";",
        "sysopen(my $tun, '/dev/net/tun', O_RDWR) or die \"/dev/net/tun: $!\";",
        "my $ifr = pack('a16 s x22', 'tap0', " + (vnetHeader ? "0x5002" : "0x1002") + ");",
        "ioctl($tun, 0x400454ca, $ifr) or die \"TUNSETIFF: $!\";",
        "syscall(308, fileno($home), 0x40000000) == 0 or die \"setns(back): $!\";",
        "POSIX::dup2(fileno($tun), $fd) or die \"dup2: $!\";",
        "open(my $keep, '+<&=', $fd) or die \"fdopen: $!\";",
        "fcntl($keep, F_SETFD, 0) or die \"fcntl: $!\";",
        "exec { $cmd[0] } @cmd or die \"exec: $!\";");
    }

    /**
     * {@code --netns-type=tapfd}: the helper serves an inherited, already attached tap fd, opened with or without a
     * vnet header (then of the kernel's default 10 bytes), with its offloads or with {@code --disable-offloads};
     * 32 MiB each way over TCP, hashed, prove each way of framing.
     */
    @ParameterizedTest(name = "vnet header {0}, offloads {1}")
    @CsvSource({"false,true", "true,true", "true,false"})
    void netnsTypeTapfdServesAnInheritedFd(boolean vnetHeader, boolean offloads) throws Exception {
        Requirements.namespaces("perl");
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            Udp.Server server = net.closeLater(
                Udp.Server.echo(net.hostNetns(), new InetSocketAddress("127.0.0.1", 0)));
            Helper h = net.helper(Checks.concat(new String[] {"--netns-type=tapfd"}, TcpTest.offloadArgs(offloads)))
                .target("7")
                .via("perl", "-e", tapFdOpener(vnetHeader), Long.toString(net.guestPid()), "7").start()
                .awaitReady(Helper.READY_TIMEOUT);
            net.assertContained(h);
            h.assertTapMode(!vnetHeader ? "no vnet header"
                : offloads ? "vnet header (10 bytes), offloads csum tso4 tso6" + Helper.USO_OUT
                : "vnet header (10 bytes), offloads none");
            net.guest("ip", "link", "set", "lo", "up").check();
            net.guest("ip", "addr", "add", "10.0.2.100/24", "dev", "tap0").check();
            net.guest("ip", "link", "set", "tap0", "up").check();
            net.guest("ip", "route", "add", "default", "via", "10.0.2.2").check();
            Checks.ping(net, "10.0.2.2");
            try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
                Random rnd = new Random(13);
                Udp.echoLockstep(s, new InetSocketAddress("10.0.2.2", server.port()),
                    List.of(Udp.payload(rnd, 5), Udp.payload(rnd, 9000)), Duration.ofSeconds(3));
            }
            TcpTest.bulkBothWays(net, h, 32L << 20, "[tapfd vnet header " + vnetHeader + " offloads " + offloads + "]");
            h.closeExitFd();
            assertEquals(0, h.awaitExit(Duration.ofSeconds(10)), h::describe);
            h.assertNoStackTrace();
            Checks.assertNoTap(net); // the helper held the only fd of a non-persistent tap
        }
    }

    /** Two helpers at once (one root, one rootless, each with its own namespaces) do not disturb each other. */
    @Test
    void twoHelpersSideBySide() throws Exception {
        try (TestNetwork a = TestNetwork.create(Mode.ROOT); TestNetwork b = TestNetwork.create(Mode.ROOTLESS)) {
            a.startHelper("-c");
            b.startHelper("-c", "--cidr", "10.9.8.0/24");
            Checks.ping(a, "10.0.2.2");
            Checks.ping(b, "10.9.8.2");
            Checks.ping(a, "10.0.2.3");
            Checks.ping(b, "10.9.8.3");
        }
    }
}
