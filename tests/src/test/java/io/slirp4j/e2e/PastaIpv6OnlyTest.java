package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * pasta's {@code -6} (IPv6 only) added to Podman's argv (containers.conf {@code pasta_options}): the guest gets the
 * host's IPv6 address and route and no IPv4 one, reaches the outside over IPv6 byte-exact, and {@code -t} forwards
 * IPv6 clients only (an IPv4 client of the host's port is refused). Side by side with Debian's pasta.
 */
class PastaIpv6OnlyTest {

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.slirp4j.e2e.PastaTest#podmanModes")
    void ipv6Only(PastaImpl impl, Mode mode) throws Exception {
        impl.require();
        try (TestNetwork net = TestNetwork.createLikeRealHost(mode)) {
            PastaEngine pasta = new PastaEngine(net, impl).pastaOptions("-6");
            Path netns = pasta.netnsFile();
            PastaEngine.Run run = pasta.podman(List.of("8080-8080:80-80"), List.of(), netns, null).last();
            if (run.exit() != 0 && impl != PastaImpl.SLIRP4J) {
                pasta.note("KNOWN LIMITATION -6 with Podman's argv: " + run.describe());
                return;
            }
            assertEquals(0, run.exit(), run::describe);
            String addrs = net.guest("ip", "-o", "addr", "show", "dev", "veth-h").check().out();
            pasta.note("-6: guest veth-h " + PastaTest.oneLine(addrs));
            assertTrue(addrs.contains("inet6 2001:db8:1::2/64"), () -> "no IPv6 address:\n" + addrs);
            assertFalse(addrs.contains(" inet "), () -> "an IPv4 address with -6:\n" + addrs);
            try {
                InetAddress out = PastaTest.tcpCheck(net, net.internetNetns(), new InetSocketAddress(
                    TestNetwork.INTERNET_ADDRESS6, 7002), net.guestNetns(), new InetSocketAddress(
                    TestNetwork.INTERNET_ADDRESS6, 7002), 1 << 20);
                assertEquals(InetAddress.getByName(TestNetwork.INTERNET_HOST_SIDE6), out);
                InetAddress peer = PastaTest.tcpCheck(net, net.guestNetns(), new InetSocketAddress("::", 80),
                    net.internetNetns(), new InetSocketAddress(TestNetwork.INTERNET_HOST_SIDE6, 8080), 1 << 20);
                pasta.note("-6: 1 MiB each way to [2001:db8:1::1] and through -t over IPv6, the guest's server saw "
                    + peer.getHostAddress());
                assertEquals(InetAddress.getByName(TestNetwork.INTERNET_ADDRESS6), peer);
            } catch (AssertionError e) {
                if (impl == PastaImpl.SLIRP4J) {
                    throw e;
                }
                pasta.note("KNOWN LIMITATION -6 traffic: " + e.getMessage());
                return;
            }
            IOException refused = assertThrows(IOException.class, () -> {
                try (SocketChannel s = TcpPeers.socketIn(net.internetNetns())) {
                    s.connect(new InetSocketAddress(TestNetwork.INTERNET_HOST_SIDE, 8080));
                }
            }, "an IPv4 client of the forward with -6");
            pasta.note("-6: an IPv4 client of 198.51.100.2:8080: " + refused.getMessage());
            pasta.deleteNetns(netns);
        }
    }
}
