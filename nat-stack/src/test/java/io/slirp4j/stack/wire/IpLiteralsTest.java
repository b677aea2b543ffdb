package io.slirp4j.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpLiteralsTest {
    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "127.0.0.1", "10.0.2.100", "255.255.255.255"})
    void strictDottedQuads(String text) throws Exception {
        assertEquals(InetAddress.getByName(text), IpLiterals.ipv4(text));
        assertEquals(InetAddress.getByName(text), IpLiterals.parse(text));
        assertNull(IpLiterals.ipv6(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"::", "::1", "fe80::1", "2001:db8::42", "2001:0db8:0000:0000:0000:0000:0000:0001",
        "2001:db8::1.2.3.4"})
    void ipv6Literals(String text) throws Exception {
        assertEquals(InetAddress.getByName(text), IpLiterals.ipv6(text));
        assertEquals(InetAddress.getByName(text), IpLiterals.parse(text));
        assertNull(IpLiterals.ipv4(text));
    }

    @Test
    void eachFamilyComesBackAsItsOwnType() {
        assertInstanceOf(Inet4Address.class, IpLiterals.parse("1.2.3.4"));
        assertInstanceOf(Inet6Address.class, IpLiterals.parse("::"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "01.2.3.4", "1.2.3.04", "1.2.3", "1.2.3.256", "0x7f.0.0.1", " 1.2.3.4", "1.2.3.4 ",
        "fe80::1%eth0", "fe80::1%1", "[::1]", "::ffff:1.2.3.4", "localhost", "example.com", "ip6-localhost", ".:1",
        ":", "1::2::3", "::1::", "[1.2.3.4]", "1.2.3.4:5"})
    void everythingElseIsRefusedWithoutALookup(String text) {
        assertNull(IpLiterals.parse(text), text);
        assertNull(IpLiterals.ipv4(text), text);
        assertNull(IpLiterals.ipv6(text), text);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"2001:db8::9", "::", "::1", "fe80::1:2", "2001:db8:0:1:1:1:1:1",
        "2001:0:0:1::1", "1::", "1:0:0:2::3", "fd00::2", "10.0.2.2", "0.0.0.0", "1:2:3:4:5:6:7:8"})
    void formatsAsInetNtop(String text) {
        org.junit.jupiter.api.Assertions.assertEquals(text, IpLiterals.format(IpLiterals.parse(text)));
    }
}
