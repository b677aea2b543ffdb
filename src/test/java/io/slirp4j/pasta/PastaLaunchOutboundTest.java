package io.slirp4j.pasta;

import static io.slirp4j.pasta.HostPortScannerTest.bits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slirp4j.stack.forward.ForwardProtocol;
import io.slirp4j.stack.forward.ForwardRequest;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** -T/-U as PastaLaunch plans them, next to the -t/-u forwards of the same command line. */
class PastaLaunchOutboundTest {
    private static PastaSettings settings(String... args) {
        PastaResult r = PastaCli.parse("pasta", args);
        return ((PastaResult.Run) r).settings();
    }

    private static ForwardRequest in(ForwardProtocol p, int port) throws Exception {
        return new ForwardRequest(p, InetAddress.getByName("0.0.0.0"), port, io.slirp4j.stack.nat.IpAddress.of(
            InetAddress.getByName("10.0.2.100")), port);
    }

    @Test
    void autoByDefaultLeavesOutThisHelpersOwnInboundPorts() throws Exception {
        NamespaceForwardPlan plan = PastaLaunch.outbound(settings("--config-net", "-t", "8080", "-u", "5353", "1234"),
            List.of(in(ForwardProtocol.TCP, 8080), in(ForwardProtocol.UDP, 5353)), true);
        assertTrue(plan.tcp().auto() != null && plan.udp().auto() != null && plan.ipv6());
        assertEquals(bits(8080), plan.tcp().exclude());
        // -U auto also forwards the numbers of TCP ports: -t's are its own as well
        assertEquals(bits(5353, 8080), plan.udp().exclude());
        assertTrue(plan.tcp().fixed().isEmpty());
    }

    @Test
    void explicitPortsAndNone() throws Exception {
        NamespaceForwardPlan plan = PastaLaunch.outbound(settings("-T", "5432", "-T", "6000:7000", "-U", "none",
            "1234"), List.of(), false);
        assertEquals(Map.of(5432, 5432, 6000, 7000), plan.tcp().fixed());
        assertNull(plan.tcp().auto());
        assertTrue(plan.udp().empty());
        assertTrue(PastaLaunch.outbound(settings("-T", "none", "-U", "none", "1234"), List.of(), true).empty());
    }

    @Test
    void allIsRefusedWithItsName() {
        PastaLaunch.Unsupported e = assertThrows(PastaLaunch.Unsupported.class,
            () -> PastaLaunch.outbound(settings("-T", "all", "1234"), List.of(), false));
        assertTrue(e.getMessage().startsWith("-T all: "), e.getMessage());
    }
}
