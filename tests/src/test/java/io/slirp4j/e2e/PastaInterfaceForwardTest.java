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
 * arriving through the host's veth-h reaches the guest with its own address; one on the host's loopback is refused,
 * since it does not come through veth-h. Side by side with Debian's pasta, which has the syntax too.
 */
class PastaInterfaceForwardTest {

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.slirp4j.e2e.PastaTest#podmanModes")
    void onlyClientsThroughTheInterfaceAreForwarded(PastaImpl impl, Mode mode) throws Exception {
        impl.require();
        try (TestNetwork net = TestNetwork.createLikeRealHost(mode)) {
            PastaEngine pasta = new PastaEngine(net, impl);
            Path netns = pasta.netnsFile();
            PastaEngine.Run run = pasta.podman(List.of("%veth-h/8080-8080:80-80"), List.of(), netns, null).last();
            assertEquals(0, run.exit(), run::describe);
            InetAddress peer = PastaTest.tcpCheck(net, net.guestNetns(), new InetSocketAddress("0.0.0.0", 80),
                net.internetNetns(), new InetSocketAddress(TestNetwork.INTERNET_HOST_SIDE, 8080), 1 << 20);
            pasta.note("-t %veth-h/8080:80: 1 MiB each way byte-exact through veth-h, guest server saw "
                + peer.getHostAddress());
            assertEquals(InetAddress.getByName(TestNetwork.INTERNET_ADDRESS), peer);
            IOException refused = assertThrows(IOException.class, () -> {
                try (SocketChannel s = TcpPeers.socketIn(net.hostNetns())) {
                    s.connect(new InetSocketAddress("127.0.0.1", 8080));
                }
            }, "a client on the host's loopback does not come through veth-h");
            pasta.note("-t %veth-h/8080:80 from the host's 127.0.0.1: " + refused.getMessage());
            pasta.deleteNetns(netns);
        }
    }
}
