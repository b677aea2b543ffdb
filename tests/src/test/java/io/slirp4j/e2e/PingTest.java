package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
            // slirp4netns's echo replies carry TTL 255 (libslirp's MAXTTL); ping prints it for each reply
            assertTtl(Checks.ping(net, "10.0.2.2"), 255);
            assertTtl(Checks.ping(net, "10.0.2.3"), 255);
            // bigger than the MTU: the request is fragmented by the guest, the reply by the helper
            assertTtl(Checks.ping(net, "10.0.2.2", "-s", "4000"), 255);
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

    /** Every reply line of ping's output ({@code 64 bytes from ...: icmp_seq=1 ttl=255 ...}) shows {@code ttl}. */
    static void assertTtl(Cmd.Result ping, int ttl) {
        List<String> replies = ping.out().lines().filter(l -> l.contains(" bytes from ")).toList();
        assertEquals(3, replies.size(), ping::describe);
        assertTrue(replies.stream().allMatch(l -> l.contains(" ttl=" + ttl + " ")),
            () -> "expected ttl=" + ttl + " on every reply:\n" + ping.describe());
    }
}
