package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A forward bound to an interface ({@code -t %veth-h/8080-8080:80-80}, as a user adds to Podman's options): a client
 * arriving through the host's veth-h reaches the guest with its own address; one on the host's 127.0.0.1 is refused,
 * since it does not come through veth-h (without the binding the wildcard listener would take it). Side by side with
 * Debian's pasta, which takes {@code %IFACE} only after an address ({@code 198.51.100.2%veth-h/…}, which refuses
 * 127.0.0.1 by its address already, so the refusal there proves nothing and is only noted). (A connection from the
 * host to its own 198.51.100.2 counts as arriving on veth-h, for either.)
 */
class PastaInterfaceForwardTest {
    static String spec(PastaImpl impl) {
        return (impl == PastaImpl.DEBIAN ? TestNetwork.INTERNET_HOST_SIDE : "") + "%veth-h/8080-8080:80-80";
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.slirp4j.e2e.PastaTest#podmanModes")
    void onlyClientsThroughTheInterfaceAreForwarded(PastaImpl impl, Mode mode) throws Exception {
        impl.require();
        try (TestNetwork net = TestNetwork.createLikeRealHost(mode)) {
            PastaEngine pasta = new PastaEngine(net, impl);
            Path netns = pasta.netnsFile();
            PastaEngine.Run run = pasta.podman(List.of(spec(impl)), List.of(), netns, null).last();
            assertEquals(0, run.exit(), run::describe);
            InetAddress peer = PastaTest.tcpCheck(net, net.guestNetns(), new InetSocketAddress("0.0.0.0", 80),
                net.internetNetns(), new InetSocketAddress(TestNetwork.INTERNET_HOST_SIDE, 8080), 1 << 20);
            pasta.note("-t " + spec(impl) + ": 1 MiB each way byte-exact through veth-h, guest server saw "
                + peer.getHostAddress());
            assertEquals(InetAddress.getByName(TestNetwork.INTERNET_ADDRESS), peer);
            IOException refused = assertThrows(IOException.class, () -> {
                try (SocketChannel s = TcpPeers.socketIn(net.hostNetns())) {
                    s.connect(new InetSocketAddress("127.0.0.1", 8080));
                }
            }, "a client on the host's loopback does not come through veth-h");
            pasta.note("-t " + spec(impl) + " from the host's 127.0.0.1: " + refused.getMessage());
            pasta.deleteNetns(netns);
        }
    }
}
