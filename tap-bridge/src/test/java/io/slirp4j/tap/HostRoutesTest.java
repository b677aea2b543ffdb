package io.slirp4j.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class HostRoutesTest {
    static final String ROUTE = """
        Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
        veth1\t0064A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
        wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
        veth1\t00000000\t016433C6\t0003\t0\t0\t100\t00000000\t0\t0\t0
        down0\t00000000\t0102A8C0\t0002\t0\t0\t0\t00000000\t0\t0\t0
        """;
    static final String ROUTE6 = String.join("\n",
        "20010db8000100000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     veth1",
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 20010db8000100000000000000000001 00000400 00000001 00000000 00000003     veth1",
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo",
        "");

    @Test
    void theIpv4DefaultRouteWithTheLowestMetric() throws Exception {
        HostRoutes.DefaultRoute r = HostRoutes.defaultRoute4(ROUTE, null);
        assertEquals("veth1", r.iface());
        assertEquals(InetAddress.getByName("198.51.100.1"), r.gateway());
        assertEquals("wlan0", HostRoutes.defaultRoute4(ROUTE, "wlan0").iface());
        assertNull(HostRoutes.defaultRoute4(ROUTE, "down0"), "not up");
        assertNull(HostRoutes.defaultRoute4("Iface\tDestination\n", null));
        assertNull(HostRoutes.defaultRoute4("", null));
    }

    @Test
    void theInterfacesOtherRoutesThroughAGateway() throws Exception {
        String table = ROUTE + "veth1\t0000080A\t016433C6\t0003\t0\t0\t0\t0000FFFF\t0\t0\t0\n"
            + "wlan0\t0000000B\t0101A8C0\t0003\t0\t0\t0\t000000FF\t0\t0\t0\n";
        assertEquals(java.util.List.of(new HostRoutes.Route(InetAddress.getByName("10.8.0.0"), 16,
            InetAddress.getByName("198.51.100.1"))), HostRoutes.gatewayRoutes4(table, "veth1"));
        String table6 = ROUTE6
            + "20010db8000900000000000000000000 30 00000000000000000000000000000000 00 20010db8000100000000000000000001 00000400 00000001 00000000 00000003     veth1\n";
        assertEquals(java.util.List.of(new HostRoutes.Route(InetAddress.getByName("2001:db8:9::"), 48,
            InetAddress.getByName("2001:db8:1::1"))), HostRoutes.gatewayRoutes6(table6, "veth1"));
    }

    /** Random and mutated tables: the parsers return a route or null, never throw. */
    @Test
    void anyTextParses() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        String alphabet = "0123456789abcdefABCDEF \t\nveth-lo:.";
        for (int i = 0; i < 20_000; i++) {
            String base = i % 2 == 0 ? ROUTE : ROUTE6;
            StringBuilder text = new StringBuilder(base);
            for (int edits = random.nextInt(1, 8); edits > 0; edits--) {
                int at = random.nextInt(text.length() + 1);
                switch (random.nextInt(3)) {
                    case 0 -> text.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> { if (at < text.length()) text.deleteCharAt(at); }
                    default -> { if (at < text.length()) text.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length()))); }
                }
            }
            HostRoutes.defaultRoute4(text.toString(), null);
            HostRoutes.defaultRoute6(text.toString(), null);
            HostRoutes.gatewayRoutes4(text.toString(), "veth1");
            HostRoutes.gatewayRoutes6(text.toString(), "veth1");
        }
    }

    @Test
    void theIpv6DefaultRouteSkipsTheUnreachableOneOnLo() throws Exception {
        HostRoutes.DefaultRoute r = HostRoutes.defaultRoute6(ROUTE6, null);
        assertEquals("veth1", r.iface());
        assertEquals(InetAddress.getByName("2001:db8:1::1"), r.gateway());
        assertNull(HostRoutes.defaultRoute6(ROUTE6, "eth9"));
        assertNull(HostRoutes.defaultRoute6("garbage\n", null));
    }
}
