package io.slirp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressesTest {
    @Test
    void macReadWriteFormat() {
        ByteBuf b = Unpooled.buffer(8).writerIndex(8);
        MacAddress.write(b, 1, 0x5255_0A00_0202L);
        assertEquals(0x5255_0A00_0202L, MacAddress.read(b, 1));
        assertEquals("52:55:0a:00:02:02", MacAddress.format(0x5255_0A00_0202L));
        assertArrayEquals(new byte[] {0x52, 0x55, 10, 0, 2, 2}, MacAddress.toBytes(0x5255_0A00_0202L));
        assertEquals(0x5255_0A00_0202L, MacAddress.of(new byte[] {0x52, 0x55, 10, 0, 2, 2}));
        assertEquals(MacAddress.BROADCAST, MacAddress.of(new byte[] {-1, -1, -1, -1, -1, -1}));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.of(new byte[5]));
    }

    @Test
    void macGroupBit() {
        assertTrue(MacAddress.isGroup(MacAddress.BROADCAST));
        assertTrue(MacAddress.isGroup(0x0100_5E00_0001L));
        assertTrue(MacAddress.isGroup(0x3333_0000_0001L));
        assertFalse(MacAddress.isGroup(0x5255_0A00_0202L));
        assertFalse(MacAddress.isGroup(0x0200_0000_0001L));
    }

    @Test
    void ipv4ParseAndFormat() {
        assertEquals(0x0A000203, Ipv4Address.parse("10.0.2.3"));
        assertEquals(0xFFFFFFFF, Ipv4Address.parse("255.255.255.255"));
        assertEquals(0, Ipv4Address.parse("0.0.0.0"));
        assertEquals("10.0.2.3", Ipv4Address.format(0x0A000203));
        assertEquals("255.255.255.255", Ipv4Address.format(-1));
        assertEquals(0x0A000203, Ipv4Address.fromInetAddress(Ipv4Address.toInetAddress(0x0A000203)));
        assertEquals("/192.168.1.200", Ipv4Address.toInetAddress(Ipv4Address.of(192, 168, 1, 200)).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "1.2.3.4 ", " 1.2.3.4", "a.b.c.d",
        "1..2.3", "1.2.3.", "01.2.3.4", "1.2.3.0004", "1234.1.1.1", "::1", "1.2.3.4/8", "+1.2.3.4"})
    void ipv4ParseRejects(String text) {
        assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(text));
    }

    @Test
    void ipv4Classes() {
        assertTrue(Ipv4Address.isMulticast(Ipv4Address.parse("224.0.0.1")));
        assertTrue(Ipv4Address.isMulticast(Ipv4Address.parse("239.255.255.250")));
        assertFalse(Ipv4Address.isMulticast(Ipv4Address.parse("240.0.0.1")));
        assertTrue(Ipv4Address.isLoopback(Ipv4Address.parse("127.0.0.53")));
        assertTrue(Ipv4Address.isThisNetwork(Ipv4Address.parse("0.1.2.3")));
        assertTrue(Ipv4Address.isReserved(Ipv4Address.LIMITED_BROADCAST));
        assertTrue(Ipv4Address.isGlobalUnicastCandidate(Ipv4Address.parse("8.8.8.8")));
        assertTrue(Ipv4Address.isGlobalUnicastCandidate(Ipv4Address.parse("192.168.1.1")));
        assertFalse(Ipv4Address.isGlobalUnicastCandidate(Ipv4Address.parse("127.0.0.1")));
        assertFalse(Ipv4Address.isGlobalUnicastCandidate(Ipv4Address.parse("0.0.0.0")));
        assertFalse(Ipv4Address.isGlobalUnicastCandidate(Ipv4Address.parse("230.1.1.1")));
        assertFalse(Ipv4Address.isGlobalUnicastCandidate(Ipv4Address.parse("250.1.1.1")));
    }
}
