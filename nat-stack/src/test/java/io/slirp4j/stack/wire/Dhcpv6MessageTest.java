package io.slirp4j.stack.wire;

import static io.slirp4j.stack.wire.V6.bytes;
import static io.slirp4j.stack.wire.V6.cat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class Dhcpv6MessageTest {
    private static final long SERVER_MAC = 0x5255_0A00_0202L;
    /** Client Identifier with a DUID-LLT: type 1, hardware 1, time 0x2a2b2c2d, MAC 52:55:0a:00:02:64. */
    private static final byte[] CLIENT_ID = V6.hex("0001 000e 0001 0001 2a2b2c2d 52550a000264");
    private static final byte[] ORO_DNS_SEARCH = V6.hex("0006 0004 0017 0018");
    private static final byte[] ELAPSED_ZERO = V6.hex("0008 0002 0000");
    private final Dhcpv6Message d = new Dhcpv6Message();

    private ParseResult wrap(byte[] m) {
        return d.wrap(V6.buf(m), 0, m.length);
    }

    private static byte[] informationRequest() {
        return cat(V6.hex("0b abcdef"), CLIENT_ID, ORO_DNS_SEARCH, ELAPSED_ZERO);
    }

    @Test
    void parsesInformationRequest() {
        byte[] m = informationRequest();
        assertEquals(ParseResult.OK, wrap(m));
        assertEquals(Dhcpv6Message.INFORMATION_REQUEST, d.messageType());
        assertEquals(0xABCDEF, d.transactionId());
        assertTrue(d.hasClientId());
        assertEquals(8, d.clientIdOffset());
        assertEquals(14, d.clientIdLength());
        assertFalse(d.hasServerId());
        assertTrue(d.requests(Dhcpv6Message.OPTION_DNS_SERVERS));
        assertTrue(d.requests(Dhcpv6Message.OPTION_DOMAIN_LIST));
        assertFalse(d.requests(Dhcpv6Message.OPTION_CLIENT_ID));
        assertEquals(0, d.elapsedTime());
        assertFalse(d.hasIa());
        assertFalse(d.hasIaNa());
        assertFalse(d.rapidCommit());
        assertEquals(m.length, d.length());
    }

    @Test
    void replyToInformationRequestMatchesHandBuilt() {
        assertEquals(ParseResult.OK, wrap(informationRequest()));
        long[] dns = Ipv6Address.parse("fd00::3");
        byte[] search = Dhcpv6Message.encodeDomainList("example.com");
        ByteBuf out = Unpooled.buffer(256).writerIndex(256);
        int n = d.emitReply(out, 10, Dhcpv6Message.REPLY, SERVER_MAC, new long[] {dns[0]}, new long[] {dns[1]}, 1,
            search);
        byte[] expected = cat(V6.hex("07 abcdef"),
            V6.hex("0002 000a 0003 0001 52550a000202"), // server id, DUID-LL
            CLIENT_ID,
            V6.hex("0017 0010"), V6.addr("fd00::3"),
            V6.hex("0018 000d 07 6578616d706c65 03 636f6d 00"));
        assertArrayEquals(expected, V6.copy(out, 10, n));

        Dhcpv6Message reply = new Dhcpv6Message();
        assertEquals(ParseResult.OK, reply.wrap(out, 10, n));
        assertEquals(Dhcpv6Message.REPLY, reply.messageType());
        assertEquals(0xABCDEF, reply.transactionId());
        assertTrue(reply.serverIdIs(SERVER_MAC));
        assertFalse(reply.serverIdIs(SERVER_MAC + 1));
        assertEquals(14, reply.clientIdLength());

        int bare = d.emitReply(out, 0, Dhcpv6Message.REPLY, SERVER_MAC, null, null, 0, null);
        assertEquals(4 + 14 + 18, bare, "no DNS, no search list");
    }

    @Test
    void solicitWithIaNaGetsNoAddrsAvail() {
        byte[] solicit = cat(V6.hex("01 000102"), CLIENT_ID, V6.hex("0003 000c 0a0b0c0d 00000000 00000000"),
            V6.hex("000e 0000"), ELAPSED_ZERO);
        assertEquals(ParseResult.OK, wrap(solicit));
        assertEquals(Dhcpv6Message.SOLICIT, d.messageType());
        assertEquals(0x000102, d.transactionId());
        assertTrue(d.hasIaNa());
        assertTrue(d.hasIa());
        assertEquals(0x0A0B0C0D, d.iaNaIaid());
        assertTrue(d.rapidCommit(), "a zero-length option at the very end counts (libslirp's walk misses it)");

        ByteBuf out = Unpooled.buffer(128).writerIndex(128);
        int n = d.emitNoAddrsAvail(out, 0, SERVER_MAC);
        String message = "no addresses: use SLAAC";
        byte[] expected = cat(V6.hex("02 000102"), V6.hex("0002 000a 0003 0001 52550a000202"), CLIENT_ID,
            V6.hex("000d"), bytes(0, 2 + message.length(), 0, 2), message.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertArrayEquals(expected, V6.copy(out, 0, n));
        Dhcpv6Message advertise = new Dhcpv6Message();
        assertEquals(ParseResult.OK, advertise.wrap(out, 0, n));
        assertEquals(Dhcpv6Message.ADVERTISE, advertise.messageType());
        assertFalse(advertise.hasIa());
    }

    @Test
    void otherIdentityAssociations() {
        assertEquals(ParseResult.OK, wrap(cat(V6.hex("0b 000001"), V6.hex("0004 0004 00000001"))));
        assertTrue(d.hasIa());
        assertFalse(d.hasIaNa());
        assertEquals(0, d.iaNaIaid());
        assertEquals(ParseResult.OK, wrap(cat(V6.hex("0b 000001"), V6.hex("0019 000c 00000001 00000000 00000000"))));
        assertTrue(d.hasIa());
    }

    @Test
    void serverIdOfAnotherServer() {
        byte[] other = cat(V6.hex("0b 000001"), V6.hex("0002 000a 0003 0001 52550a000203"));
        assertEquals(ParseResult.OK, wrap(other));
        assertTrue(d.hasServerId());
        assertFalse(d.serverIdIs(SERVER_MAC));
        byte[] llt = cat(V6.hex("0b 000001"), V6.hex("0002 000e 0001 0001 00000000 52550a000202"));
        assertEquals(ParseResult.OK, wrap(llt));
        assertFalse(d.serverIdIs(SERVER_MAC), "a DUID-LLT is not our DUID-LL even with our MAC");
    }

    @Test
    void firstOfRepeatedOptionsWinsAndUnknownOnesAreSkipped() {
        byte[] m = cat(V6.hex("0b 000001"), V6.hex("00ff 0003 010203"), CLIENT_ID,
            V6.hex("0001 0003 000300"), V6.hex("0008 0002 0064"), V6.hex("0008 0002 0001"));
        assertEquals(ParseResult.OK, wrap(m));
        assertEquals(14, d.clientIdLength());
        assertEquals(100, d.elapsedTime());
        assertFalse(d.requests(23), "no option request: nothing requested");
    }

    @Test
    void malformedOptionLengths() {
        String h = "0b 000001";
        assertEquals(ParseResult.BAD_LENGTH, wrap(cat(V6.hex(h), V6.hex("0006 0003 001700"))), "odd ORO");
        assertEquals(ParseResult.BAD_LENGTH, wrap(cat(V6.hex(h), V6.hex("0001 0002 0003"))), "DUID too short");
        assertEquals(ParseResult.BAD_LENGTH, wrap(cat(V6.hex(h), V6.hex("0001 0083"), new byte[131])), "DUID too long");
        assertEquals(ParseResult.OK, wrap(cat(V6.hex(h), V6.hex("0001 0082"), new byte[130])), "128-byte DUID");
        assertEquals(ParseResult.BAD_LENGTH, wrap(cat(V6.hex(h), V6.hex("0002 0001 00"))), "server DUID too short");
        assertEquals(ParseResult.BAD_LENGTH, wrap(cat(V6.hex(h), V6.hex("0008 0003 000000"))), "elapsed time");
        assertEquals(ParseResult.BAD_LENGTH, wrap(cat(V6.hex(h), V6.hex("0008 0000"))), "empty elapsed time at the end");
        assertEquals(ParseResult.BAD_LENGTH, wrap(cat(V6.hex(h), V6.hex("000e 0001 00"))), "rapid commit with data");
        assertEquals(ParseResult.BAD_LENGTH, wrap(cat(V6.hex(h), V6.hex("0003 0008 0000000000000000"))), "short IA_NA");
        assertEquals(ParseResult.BAD_LENGTH, wrap(cat(V6.hex(h), V6.hex("0004 0002 0000"))), "short IA_TA");
        assertEquals(ParseResult.BAD_LENGTH, wrap(cat(V6.hex(h), V6.hex("0019 0000"))), "short IA_PD");
        assertEquals(ParseResult.BAD_LENGTH, wrap(cat(V6.hex(h), V6.hex("0017 0010"), new byte[15])), "overrun");
        assertEquals(ParseResult.BAD_LENGTH, wrap(cat(V6.hex(h), V6.hex("00"))), "a partial option header");
        assertEquals(ParseResult.BAD_LENGTH, wrap(cat(V6.hex(h), V6.hex("0017 ffff"))), "65535 claimed");
    }

    @Test
    void messageTypes() {
        assertEquals(ParseResult.TRUNCATED, wrap(V6.hex("0b 0000")));
        assertEquals(ParseResult.OK, wrap(V6.hex("0b 000000")), "no options at all");
        for (int type : new int[] {0, 12, 13, 14, 255}) {
            assertEquals(ParseResult.UNSUPPORTED, wrap(bytes(type, 0, 0, 0)), "type " + type);
        }
        assertEquals(ParseResult.TRUNCATED, d.wrap(V6.buf(V6.hex("0b000000")), 1, 4), "region beyond the buffer");
    }

    @Test
    void everyTruncationIsRefusedOrStillConsistent() {
        byte[] m = informationRequest();
        int[] boundaries = {4, 4 + CLIENT_ID.length, 4 + CLIENT_ID.length + ORO_DNS_SEARCH.length};
        for (int n = 0; n < m.length; n++) {
            ParseResult r = d.wrap(V6.buf(m), 0, n);
            boolean boundary = false;
            for (int b : boundaries) {
                boundary |= n == b;
            }
            if (boundary) {
                assertEquals(ParseResult.OK, r, "a whole number of options at " + n);
            } else {
                assertNotEquals(ParseResult.OK, r, "cut at " + n);
            }
        }
    }

    @Test
    void domainListEncoding() {
        assertArrayEquals(V6.hex("07 6578616d706c65 03 636f6d 00 01 61 00"),
            Dhcpv6Message.encodeDomainList("example.com.", "a"));
        assertArrayEquals(new byte[] {0}, Dhcpv6Message.encodeDomainList("."));
        assertArrayEquals(new byte[0], Dhcpv6Message.encodeDomainList());
        assertThrows(IllegalArgumentException.class, () -> Dhcpv6Message.encodeDomainList("a..b"));
        assertThrows(IllegalArgumentException.class, () -> Dhcpv6Message.encodeDomainList("x".repeat(64) + ".com"));
        assertThrows(IllegalArgumentException.class, () -> Dhcpv6Message.encodeDomainList("bücher.de"));
        String longName = ("x".repeat(63) + ".").repeat(4) + "abc";
        assertThrows(IllegalArgumentException.class, () -> Dhcpv6Message.encodeDomainList(longName));
    }

    @Test
    void statusMessagesAreAscii() {
        ByteBuf out = Unpooled.buffer(64).writerIndex(64);
        assertEquals(6, Dhcpv6Message.writeStatusCode(out, 0, Dhcpv6Message.STATUS_SUCCESS, ""));
        assertArrayEquals(V6.hex("000d 0002 0000"), V6.copy(out, 0, 6));
        assertThrows(IllegalArgumentException.class,
            () -> Dhcpv6Message.writeStatusCode(out, 0, Dhcpv6Message.STATUS_SUCCESS, "caf\u00e9"));
    }
}
