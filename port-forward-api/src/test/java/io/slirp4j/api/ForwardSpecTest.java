package io.slirp4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.slirp4j.stack.forward.ForwardProtocol;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The parts of the spec its callers do not show: the protocol of an unsuffixed spec, and messages without an
 * option name. The rules themselves are tested through the CLI's -p (PublishTest), byte for byte.
 */
class ForwardSpecTest {
    private static final ForwardProtocol TCP = ForwardProtocol.TCP;
    private static final ForwardProtocol UDP = ForwardProtocol.UDP;

    private static String refusal(String text) {
        return assertThrows(ForwardSpec.Invalid.class, () -> ForwardSpec.parse(text, TCP)).getMessage();
    }

    @Test
    void anUnsuffixedSpecTakesTheProtocolGiven() throws Exception {
        InetAddress any = InetAddress.getByName("0.0.0.0");
        assertEquals(List.of(new ForwardSpec(UDP, any, 8080, 80)), ForwardSpec.parse("8080:80", UDP));
        assertEquals(List.of(new ForwardSpec(TCP, any, 8080, 80)), ForwardSpec.parse("8080:80", TCP));
        assertEquals(List.of(new ForwardSpec(TCP, any, 8080, 80)), ForwardSpec.parse("8080:80/tcp", UDP));
        assertEquals(List.of(new ForwardSpec(UDP, InetAddress.getByName("::1"), 7000, 53),
            new ForwardSpec(UDP, InetAddress.getByName("::1"), 7001, 54)), ForwardSpec.parse("[::1]:7000-7001:53-54",
            UDP));
    }

    @Test
    void messagesNameTheRuleButNoOption() {
        assertEquals("must look like [HOST_ADDR:]HOST_PORT:GUEST_PORT[/tcp|udp] (got 'x')", refusal("x"));
        assertEquals("protocol must be tcp or udp (got 'sctp' in '80:80/sctp')", refusal("80:80/sctp"));
        assertEquals("HOST_PORT and GUEST_PORT ranges must be the same length (got 2 and 3 ports in"
            + " '80-81:80-82')", refusal("80-81:80-82"));
        assertEquals("HOST_ADDR must be an IPv4 address or an IPv6 address in brackets like [::1] (got 'localhost'"
            + " in 'localhost:80:80')", refusal("localhost:80:80"));
    }

    @Test
    void listenerIsProtocolAddressAndHostPort() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        assertEquals(new ForwardSpec.Listener(UDP, loopback, 5353),
            new ForwardSpec(UDP, loopback, 5353, 53).listener());
    }

    @Test
    void invariants() throws Exception {
        InetAddress any = InetAddress.getByName("0.0.0.0");
        assertThrows(IllegalArgumentException.class, () -> new ForwardSpec(TCP, any, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ForwardSpec(TCP, any, 65536, 1));
        assertThrows(IllegalArgumentException.class, () -> new ForwardSpec(TCP, any, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ForwardSpec(UDP, any, 1, 65536));
        assertThrows(NullPointerException.class, () -> new ForwardSpec(TCP, null, 1, 1));
        assertThrows(NullPointerException.class, () -> new ForwardSpec(null, any, 1, 1));
    }
}
