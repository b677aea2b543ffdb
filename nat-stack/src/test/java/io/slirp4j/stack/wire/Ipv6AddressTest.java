package io.slirp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv6AddressTest {
    private static long[] p(String text) {
        return Ipv6Address.parse(text);
    }

    @Test
    void readWriteAtOffset() {
        ByteBuf b = Unpooled.buffer(20).writerIndex(20);
        Ipv6Address.write(b, 3, 0x2001_0DB8_0000_0001L, 0x0000_0000_0000_00FFL);
        assertEquals(0x2001_0DB8_0000_0001L, Ipv6Address.readHi(b, 3));
        assertEquals(0xFFL, Ipv6Address.readLo(b, 3));
        assertArrayEquals(V6.addr("2001:db8:0:1::ff"), V6.copy(b, 3, 16));
    }

    @Test
    void wellKnownConstantsMatchTheirText() {
        assertArrayEquals(new long[] {Ipv6Address.ALL_NODES_HI, Ipv6Address.ALL_NODES_LO}, p("ff02::1"));
        assertArrayEquals(new long[] {Ipv6Address.ALL_ROUTERS_HI, Ipv6Address.ALL_ROUTERS_LO}, p("ff02::2"));
        assertArrayEquals(new long[] {Ipv6Address.ALL_DHCP_SERVERS_HI, Ipv6Address.ALL_DHCP_SERVERS_LO}, p("ff02::1:2"));
        assertEquals(p("fe80::")[0], Ipv6Address.LINK_LOCAL_HI);
    }

    @Test
    void classification() {
        assertTrue(Ipv6Address.isUnspecified(0, 0));
        assertFalse(Ipv6Address.isUnspecified(0, 1));
        assertTrue(Ipv6Address.isLoopback(0, 1));
        assertFalse(Ipv6Address.isLoopback(1, 1));
        assertTrue(Ipv6Address.isMulticast(p("ff02::1")[0]));
        assertTrue(Ipv6Address.isMulticast(p("ff0e::101")[0]));
        assertFalse(Ipv6Address.isMulticast(p("fe80::1")[0]));
        assertTrue(Ipv6Address.isLinkLocal(p("fe80::1")[0]));
        assertTrue(Ipv6Address.isLinkLocal(p("febf:ffff::1")[0]), "fe80::/10 reaches febf");
        assertFalse(Ipv6Address.isLinkLocal(p("fec0::1")[0]), "site-local is not link-local");
        assertFalse(Ipv6Address.isLinkLocal(p("fd00::1")[0]));
        assertFalse(Ipv6Address.isLinkLocal(p("ff02::1")[0]));
    }

    @Test
    void solicitedNodeRfc4291Example() {
        // RFC 4291 2.7.1: 4037::01:800:200E:8C6C -> FF02::1:FF0E:8C6C
        long[] a = p("4037::01:800:200E:8C6C");
        long[] expected = p("ff02::1:ff0e:8c6c");
        assertEquals(expected[0], Ipv6Address.SOLICITED_NODE_HI);
        assertEquals(expected[1], Ipv6Address.solicitedNodeLo(a[1]));
        assertTrue(Ipv6Address.isSolicitedNode(expected[0], expected[1]));
        assertFalse(Ipv6Address.isSolicitedNode(p("ff02::1")[0], p("ff02::1")[1]));
        assertFalse(Ipv6Address.isSolicitedNode(p("ff05::1:ff0e:8c6c")[0], expected[1]));
    }

    @Test
    void multicastMacRfc2464() {
        assertEquals(0x3333_0000_0001L, Ipv6Address.multicastMac(p("ff02::1")[1]));
        assertEquals(0x3333_FF0E_8C6CL, Ipv6Address.multicastMac(p("ff02::1:ff0e:8c6c")[1]));
        assertTrue(MacAddress.isGroup(Ipv6Address.multicastMac(7)));
    }

    @Test
    void eui64Rfc4291AppendixA() {
        // RFC 4291 appendix A: the universal/local bit is inverted; 34-56-78-9A-BC-DE -> 3656:78FF:FE9A:BCDE
        assertEquals(p("::3656:78ff:fe9a:bcde")[1], Ipv6Address.eui64(0x3456_789A_BCDEL));
        // slirp's guest MAC 52:55:0a:00:02:02 (locally administered) -> 5055:aff:fe00:202
        assertEquals(p("fe80::5055:aff:fe00:202")[1], Ipv6Address.eui64(0x5255_0A00_0202L));
        assertEquals(p("::0200:00ff:fe00:0000")[1], Ipv6Address.eui64(0));
    }

    @Test
    void inPrefixAtEveryBoundary() {
        long[] a = p("2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff");
        for (int len = 0; len <= 128; len++) {
            assertTrue(Ipv6Address.inPrefix(a[0], a[1], a[0], a[1], len), "itself, /" + len);
            // flip the last bit inside the prefix: out; flip the first bit after it: still in
            if (len > 0) {
                long[] flipped = flipBit(a, len - 1);
                assertFalse(Ipv6Address.inPrefix(flipped[0], flipped[1], a[0], a[1], len), "bit " + (len - 1) + " /" + len);
            }
            if (len < 128) {
                long[] flipped = flipBit(a, len);
                assertTrue(Ipv6Address.inPrefix(flipped[0], flipped[1], a[0], a[1], len), "bit " + len + " /" + len);
            }
        }
        long[] ula = p("fd00::");
        assertTrue(Ipv6Address.inPrefix(p("fd00::100")[0], p("fd00::100")[1], ula[0], ula[1], 64));
        assertFalse(Ipv6Address.inPrefix(p("fd00:0:0:1::100")[0], p("fd00:0:0:1::100")[1], ula[0], ula[1], 64));
        assertTrue(Ipv6Address.inPrefix(-1L, -1L, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Ipv6Address.inPrefix(0, 0, 0, 0, 129));
        assertThrows(IllegalArgumentException.class, () -> Ipv6Address.inPrefix(0, 0, 0, 0, -1));
    }

    private static long[] flipBit(long[] a, int bit) {
        return bit < 64 ? new long[] {a[0] ^ (1L << (63 - bit)), a[1]} : new long[] {a[0], a[1] ^ (1L << (127 - bit))};
    }

    @Test
    void ipv4Mapped() {
        int v4 = Ipv4Address.parse("10.0.2.100");
        assertEquals(0, Ipv6Address.mappedHi());
        assertArrayEquals(p("::ffff:10.0.2.100"), new long[] {Ipv6Address.mappedHi(), Ipv6Address.mappedLo(v4)});
        assertTrue(Ipv6Address.isIpv4Mapped(0, Ipv6Address.mappedLo(v4)));
        assertEquals(v4, Ipv6Address.ipv4Of(Ipv6Address.mappedLo(v4)));
        assertEquals(-1, Ipv6Address.ipv4Of(Ipv6Address.mappedLo(-1)));
        assertFalse(Ipv6Address.isIpv4Mapped(0, 1));
        assertFalse(Ipv6Address.isIpv4Mapped(1, Ipv6Address.mappedLo(v4)));
        assertFalse(Ipv6Address.isIpv4Mapped(p("::1.2.3.4")[0], p("::1.2.3.4")[1]), "IPv4-compatible is not mapped");
    }

    @Test
    void inetAddressConversions() throws Exception {
        InetAddress v6 = InetAddress.getByName("2001:db8::8:800:200c:417a");
        long[] a = Ipv6Address.fromInetAddress(v6);
        assertArrayEquals(p("2001:db8::8:800:200c:417a"), a);
        InetAddress back = Ipv6Address.toInetAddress(a[0], a[1]);
        assertInstanceOf(Inet6Address.class, back);
        assertEquals(v6, back);

        InetAddress v4 = InetAddress.getByName("93.184.216.34");
        long[] m = Ipv6Address.fromInetAddress(v4);
        assertArrayEquals(new long[] {0, Ipv6Address.mappedLo(Ipv4Address.parse("93.184.216.34"))}, m);
        InetAddress v4back = Ipv6Address.toInetAddress(m[0], m[1]);
        assertInstanceOf(Inet4Address.class, v4back, "mapped comes back as IPv4, as the JDK does it");
        assertEquals(v4, v4back);
    }

    @Test
    void formatRfc5952() {
        assertEquals("::", Ipv6Address.format(0, 0));
        assertEquals("::1", Ipv6Address.format(0, 1));
        assertEquals("2001:db8::1", fmt("2001:0db8:0000:0000:0000:0000:0000:0001"));
        assertEquals("2001:db8:0:1:1:1:1:1", fmt("2001:db8:0:1:1:1:1:1"), "one zero group is not compressed");
        assertEquals("2001:0:0:1::1", fmt("2001:0:0:1:0:0:0:1"), "the longest run");
        assertEquals("2001:db8::1:0:0:1", fmt("2001:db8:0:0:1:0:0:1"), "the first of equal runs");
        assertEquals("fe80::5055:aff:fe00:202", fmt("FE80::5055:0AFF:FE00:0202"), "lower case, no leading zeros");
        assertEquals("1::", fmt("1:0:0:0:0:0:0:0"));
        assertEquals("1:2:3:4:5:6:7:8", fmt("1:2:3:4:5:6:7:8"));
        assertEquals("::ffff:192.0.2.1", fmt("::ffff:c000:0201"));
        assertEquals("ff02::1:ff0e:8c6c", fmt("ff02::1:ff0e:8c6c"));
    }

    private static String fmt(String text) {
        long[] a = p(text);
        return Ipv6Address.format(a[0], a[1]);
    }

    @Test
    void parseMatchesTheJdkOnValidLiterals() throws Exception {
        String[] valid = {"::", "::1", "1::", "1:2:3:4:5:6:7:8", "1::8", "1:2:3:4:5:6::8", "1::3:4:5:6:7:8",
            "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "FFFF:ffff:FfFf::", "::ffff:10.0.2.2", "::10.0.2.2",
            "1:2:3:4:5:6:1.2.3.4", "64:ff9b::192.0.2.33", "fe80::0001", "0:0:0:0:0:0:0:0"};
        for (String text : valid) {
            byte[] jdk = V6.addr(text);
            assertArrayEquals(new long[] {V6.hi(jdk), V6.lo(jdk)}, p(text), text);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", ":::", "1", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1::", "1::2:",
        "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "12345::", "g::", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3",
        "::1.2.3.4.5", "::256.1.1.1", "::01.2.3.4", "1.2.3.4", "::1.2.3.4:5", "fe80::1%eth0", "[::1]", "::1/64",
        " ::1", "::1 ", "\u0661::", "1:::2", "::ffff:1.2.3.04", "0000000::"})
    void parseRefusesWhatInetPtonRefuses(String text) {
        assertThrows(IllegalArgumentException.class, () -> Ipv6Address.parse(text));
    }

    @Test
    void formatThenParseIsIdentityAndTheJdkAgrees() throws Exception {
        Random random = new Random(5952);
        for (int round = 0; round < 5000; round++) {
            long hi = random.nextLong();
            long lo = random.nextLong();
            // make zero runs likely
            for (int g = 0; g < 8; g++) {
                if (random.nextInt(3) == 0) {
                    if (g < 4) {
                        hi &= ~(0xFFFFL << (48 - 16 * g));
                    } else {
                        lo &= ~(0xFFFFL << (48 - 16 * (g - 4)));
                    }
                }
            }
            if (round % 50 == 0) {
                hi = 0;
                lo = Ipv6Address.mappedLo(random.nextInt());
            }
            String text = Ipv6Address.format(hi, lo);
            assertArrayEquals(new long[] {hi, lo}, p(text), text);
            byte[] jdk = V6.addr(text);
            assertArrayEquals(new long[] {hi, lo}, new long[] {V6.hi(jdk), V6.lo(jdk)}, text);
            assertFalse(text.contains(":::"), text);
        }
    }
}
