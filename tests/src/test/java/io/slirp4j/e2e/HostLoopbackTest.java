package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code --disable-host-loopback}: the gateway address no longer leads to the host's 127.0.0.1. */
class HostLoopbackTest {

    /**
     * Sends a datagram from a guest socket to {@code to} and returns the ICMP destination-unreachable frame that
     * comes back for it, caught on the guest's tap0 with a packet socket (null if none within 3 s). The guest
     * kernel does not report ICMP network-unreachable on a UDP socket (it is a "soft" error, only visible with
     * IP_RECVERR), so the frame itself is the evidence; a guest TCP connect would fail with ENETUNREACH.
     */
    static byte[] unreachableFor(TestNetwork net, InetSocketAddress to) throws IOException {
        try (RawFrames tap = RawFrames.open(net.guestNetns(), "tap0");
             DatagramSocket s = Udp.socketIn(net.guestNetns())) {
            byte[] data = "hello?".getBytes();
            s.send(new DatagramPacket(data, data.length, to));
            byte[] icmp = tap.receive(Duration.ofSeconds(3), f -> isUnreachableQuoting(f, to.getPort()));
            DatagramPacket p = Udp.receive(s, Duration.ofMillis(500));
            if (p != null) {
                throw new AssertionError("got a reply from " + p.getSocketAddress()
                    + " although host loopback is disabled");
            }
            return icmp;
        }
    }

    /** IPv4 ICMP type 3 from 10.0.2.2 to 10.0.2.100 quoting a UDP datagram to 10.0.2.2:{@code port}. */
    static boolean isUnreachableQuoting(byte[] f, int port) {
        if (f.length < 14 + 20 + 8 + 28 || f[12] != 0x08 || f[13] != 0x00) {
            return false;
        }
        int ihl = (f[14] & 0x0f) * 4;
        int icmp = 14 + ihl;
        if (f[23] != Frames.PROTO_ICMP || f.length < icmp + 8 + 28 || f[icmp] != 3) {
            return false;
        }
        if (!Arrays.equals(Arrays.copyOfRange(f, 26, 30), Frames.ip("10.0.2.2"))
            || !Arrays.equals(Arrays.copyOfRange(f, 30, 34), Frames.ip("10.0.2.100"))) {
            return false;
        }
        int quoted = icmp + 8;
        int qihl = (f[quoted] & 0x0f) * 4;
        if (f[quoted + 9] != Frames.PROTO_UDP || f.length < quoted + qihl + 4) {
            return false;
        }
        int dport = (f[quoted + qihl + 2] & 0xff) << 8 | (f[quoted + qihl + 3] & 0xff);
        return dport == port && Arrays.equals(Arrays.copyOfRange(f, quoted + 16, quoted + 20), Frames.ip("10.0.2.2"));
    }

    static int icmpCode(byte[] f) {
        return f[14 + (f[14] & 0x0f) * 4 + 1] & 0xff;
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void udpToGatewayIsNetworkUnreachable(Mode mode) throws Exception {
        try (TestNetwork net = TestNetwork.create(mode)) {
            Udp.Server server = net.closeLater(
                Udp.Server.echo(net.hostNetns(), new InetSocketAddress("127.0.0.1", 0)));
            Helper h = net.startHelper("-c", "--disable-host-loopback");
            byte[] icmp = unreachableFor(net, new InetSocketAddress("10.0.2.2", server.port()));
            assertNotNull(icmp, "no ICMP destination unreachable came back for UDP to 10.0.2.2");
            assertEquals(0, icmpCode(icmp), "ICMP unreachable code (0 = network unreachable)");
            // and a guest program that asks for ICMP errors (IP_RECVERR) sees ENETUNREACH
            int errno = RecvErr.errnoAfterSend(net.guestNetns(), "10.0.2.2", server.port());
            assertEquals(RecvErr.ENETUNREACH, errno, "errno on the guest's UDP socket (101 = ENETUNREACH)");
            assertEquals(0, server.count(), "the host loopback server was reached");
            Checks.ping(net, "10.0.2.2");
            assertTrue(h.isAlive(), h::describe);
        }
    }

    /** The deprecated alias slirp4netns still accepts (with a warning). */
    @Test
    void deprecatedNoHostLoopbackAlias() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            Udp.Server server = net.closeLater(
                Udp.Server.echo(net.hostNetns(), new InetSocketAddress("127.0.0.1", 0)));
            net.startHelper("-c", "--no-host-loopback");
            byte[] icmp = unreachableFor(net, new InetSocketAddress("10.0.2.2", server.port()));
            assertNotNull(icmp, "no ICMP destination unreachable came back for UDP to 10.0.2.2");
            assertEquals(0, server.count(), "the host loopback server was reached");
        }
    }

    /** Without the option the same socket gets its echo (the control for the tests above). */
    @Test
    void hostLoopbackEnabledByDefault() throws Exception {
        try (TestNetwork net = TestNetwork.create(Mode.ROOT)) {
            Udp.Server server = net.closeLater(
                Udp.Server.echo(net.hostNetns(), new InetSocketAddress("127.0.0.1", 0)));
            net.startHelper("-c");
            assertEquals(0, RecvErr.errnoAfterSend(net.guestNetns(), "10.0.2.2", server.port()),
                "the IP_RECVERR probe got no echo (0 = reply received)");
            try (DatagramSocket s = Udp.socketIn(net.guestNetns())) {
                s.connect(new InetSocketAddress("10.0.2.2", server.port()));
                s.send(new DatagramPacket(new byte[] {1, 2, 3}, 3));
                assertNotNull(Udp.receive(s, Duration.ofSeconds(3)), "no echo through 10.0.2.2");
            }
        }
    }
}
