package io.slirp4j.e2e;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real {@code ping} from the guest to the helper's own addresses. */
class PingTest {

    @ParameterizedTest
    @EnumSource(Mode.class)
    void pingGatewayAndDns(Mode mode) {
        Requirements.forMode(mode, "ping");
        try (TestNetwork net = TestNetwork.create(mode)) {
            net.startHelper("-c");
            Checks.ping(net, "10.0.2.2");
            Checks.ping(net, "10.0.2.3");
            // bigger than the MTU: the request is fragmented by the guest, the reply by the helper
            Checks.ping(net, "10.0.2.2", "-s", "4000");
            Checks.ping(net, "10.0.2.3", "-s", "1472");
            Checks.ping(net, "10.0.2.3", "-s", "1473");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"ROOT", "ROOTLESS"})
    void pingAtMtu65520(Mode mode) {
        Requirements.forMode(mode, "ping");
        try (TestNetwork net = TestNetwork.create(mode)) {
            net.startHelper("-c", "--mtu=65520");
            Checks.ping(net, "10.0.2.2", "-s", "65000");
            Checks.ping(net, "10.0.2.3", "-s", "65507");
            Checks.ping(net, "10.0.2.2", "-s", "1");
        }
    }
}
