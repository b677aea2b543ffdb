package io.slirp4j.stack;

import static io.slirp4j.stack.Packets.BROADCAST_MAC;
import static io.slirp4j.stack.Packets.GATEWAY;
import static io.slirp4j.stack.Packets.GATEWAY_MAC;
import static io.slirp4j.stack.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import io.slirp4j.stack.wire.MacAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StackDhcpTest {
    private static final long CLIENT = 0x0200_0000_00C1L;
    private static final int FIRST = ip(10, 0, 2, 15);

    private StackHarness h = new StackHarness();

    @AfterEach
    void finish() {
        h.finish();
    }

    /** A client message: BOOTP fixed part, cookie, option 53, the extra options, end. */
    static byte[] bootp(long mac, int type, int flags, int ciaddr, byte[] extraOptions) {
        ByteArrayOutputStream options = new ByteArrayOutputStream();
        options.writeBytes(new byte[] {53, 1, (byte) type});
        options.writeBytes(extraOptions);
        options.write(255);
        ByteBuffer b = ByteBuffer.allocate(300);
        b.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0).putInt(0x5EED0001).putShort((short) 0)
            .putShort((short) flags).putInt(ciaddr).putInt(0).putInt(0).putInt(0);
        b.putShort((short) (mac >>> 32)).putInt((int) mac);
        b.position(236);
        b.putInt(0x63825363);
        b.put(options.toByteArray());
        return b.array();
    }

    private static byte[] option(int code, int value) {
        return ByteBuffer.allocate(6).put((byte) code).put((byte) 4).putInt(value).array();
    }

    private void clientSends(long mac, int src, int dst, byte[] message) {
        h.send(Packets.ethernet(dst == GATEWAY ? GATEWAY_MAC : BROADCAST_MAC, mac, 0x0800,
            Packets.ipv4(src, dst, 17, Packets.udp(src, dst, 68, 67, message))));
    }

    private record Reply(Decoded frame, int type, int yiaddr, int ciaddr, int xid, Map<Integer, byte[]> options) {
        int option32(int code) {
            return ByteBuffer.wrap(options.get(code)).getInt();
        }
    }

    private Reply reply() {
        return reply(GATEWAY);
    }

    /** The server's reply, from {@code server} (its address and MAC). */
    private Reply reply(int server) {
        Decoded d = h.receive();
        assertEquals(17, d.protocol);
        assertEquals(67, d.sport);
        assertEquals(68, d.dport);
        assertEquals(server, d.src);
        assertEquals(MacAddress.of(NetworkConfig.macFor(server)), d.ethSrc);
        ByteBuffer b = ByteBuffer.wrap(d.payload);
        assertTrue(d.payload.length >= 300, "BOOTP replies are at least 300 bytes");
        assertEquals(2, b.get(0));
        assertEquals(0x63825363, b.getInt(236));
        Map<Integer, byte[]> options = new HashMap<>();
        int i = 240;
        while ((d.payload[i] & 0xFF) != 255) {
            int code = d.payload[i] & 0xFF;
            int len = d.payload[i + 1] & 0xFF;
            byte[] value = new byte[len];
            System.arraycopy(d.payload, i + 2, value, 0, len);
            options.put(code, value);
            i += 2 + len;
        }
        return new Reply(d, options.get(53)[0], b.getInt(16), b.getInt(12), b.getInt(4), options);
    }

    /** pasta's addressing: the one address on offer is the host's, copied; the router its gateway. */
    @Test
    void aMirrorOffersTheCopiedAddress() {
        h.finish();
        int guest = ip(198, 51, 100, 2);
        int gateway = ip(198, 51, 100, 1);
        h = new StackHarness(NetworkConfig.mirroring(new HostMirror(guest, 24, gateway, guest, HostMirror.NONE,
            HostMirror.NONE, ip(169, 254, 1, 1)), 65520));
        clientSends(CLIENT, 0, -1, bootp(CLIENT, 1, 0x8000, 0, new byte[0]));
        Reply offer = reply(gateway);
        assertEquals(2, offer.type);
        assertEquals(guest, offer.yiaddr);
        assertEquals(0xFFFFFF00, offer.option32(1));
        assertEquals(gateway, offer.option32(3));
        assertEquals(ip(169, 254, 1, 1), offer.option32(6), "the --dns-forward address");
        // the namespace has one guest: whoever asks gets the address (a re-created interface has a new MAC)
        clientSends(CLIENT + 1, 0, -1, bootp(CLIENT + 1, 1, 0x8000, 0, new byte[0]));
        assertEquals(guest, reply(gateway).yiaddr);
    }

    @Test
    void discoverOfferRequestAck() {
        clientSends(CLIENT, 0, -1, bootp(CLIENT, 1, 0x8000, 0, new byte[0]));
        Reply offer = reply();
        assertEquals(2, offer.type);
        assertEquals(FIRST, offer.yiaddr);
        assertEquals(0x5EED0001, offer.xid);
        assertEquals(-1, offer.frame.dst, "broadcast flag: IP broadcast");
        assertEquals(BROADCAST_MAC, offer.frame.ethDst);
        assertEquals(GATEWAY, offer.option32(54));
        assertEquals(86400, offer.option32(51), "slirp4netns's lease time");
        assertEquals(0xFFFFFF00, offer.option32(1));
        assertEquals(GATEWAY, offer.option32(3));
        assertEquals(Packets.DNS, offer.option32(6));

        clientSends(CLIENT, 0, -1, bootp(CLIENT, 3, 0x8000, 0, concat(option(50, FIRST), option(54, GATEWAY))));
        Reply ack = reply();
        assertEquals(5, ack.type);
        assertEquals(FIRST, ack.yiaddr);
        assertEquals(86400, ack.option32(51));
        assertEquals(1, h.stats().dhcp().offers());
        assertEquals(1, h.stats().dhcp().acks());

        // The stack now knows where 10.0.2.15 is: a ping from it gets an answer without ARP.
        h.send(Packets.ethernet(GATEWAY_MAC, CLIENT, 0x0800, Packets.ipv4(FIRST, GATEWAY, 1,
            Packets.icmpEcho(8, 1, 1, new byte[0]))));
        assertEquals(CLIENT, h.receive().ethDst);
    }

    @Test
    void unicastRepliesWithoutBroadcastFlag() {
        clientSends(CLIENT, 0, -1, bootp(CLIENT, 1, 0, 0, new byte[0]));
        Reply offer = reply();
        assertEquals(FIRST, offer.frame.dst);
        assertEquals(CLIENT, offer.frame.ethDst);
    }

    @Test
    void renewalIsUnicastToCiaddr() {
        clientSends(CLIENT, 0, -1, bootp(CLIENT, 3, 0, 0, option(50, FIRST)));
        assertEquals(5, reply().type);
        clientSends(CLIENT, FIRST, GATEWAY, bootp(CLIENT, 3, 0, FIRST, new byte[0]));
        Reply ack = reply();
        assertEquals(5, ack.type);
        assertEquals(FIRST, ack.ciaddr);
        assertEquals(FIRST, ack.frame.dst);
        assertEquals(CLIENT, ack.frame.ethDst);
    }

    @Test
    void clientsGetDistinctAddressesAndKeepTheirs() {
        long other = CLIENT + 1;
        clientSends(CLIENT, 0, -1, bootp(CLIENT, 1, 0x8000, 0, new byte[0]));
        assertEquals(FIRST, reply().yiaddr);
        clientSends(other, 0, -1, bootp(other, 1, 0x8000, 0, new byte[0]));
        assertEquals(FIRST + 1, reply().yiaddr);
        clientSends(CLIENT, 0, -1, bootp(CLIENT, 1, 0x8000, 0, new byte[0]));
        assertEquals(FIRST, reply().yiaddr, "same MAC, same address");
        clientSends(other, 0, -1, bootp(other, 3, 0x8000, 0, option(50, FIRST)));
        assertEquals(6, reply().type, "someone else's address: NAK");
    }

    @Test
    void requestedAddressIsHonouredWhenFree() {
        clientSends(CLIENT, 0, -1, bootp(CLIENT, 1, 0x8000, 0, option(50, FIRST + 7)));
        assertEquals(FIRST + 7, reply().yiaddr);
        long other = CLIENT + 1;
        clientSends(other, 0, -1, bootp(other, 1, 0x8000, 0, option(50, ip(10, 0, 2, 100))));
        assertEquals(FIRST, reply().yiaddr, "outside the pool: the first free one instead");
    }

    @Test
    void nakForAddressesOutsideThePool() {
        clientSends(CLIENT, 0, -1, bootp(CLIENT, 3, 0, 0, option(50, ip(10, 0, 2, 100))));
        Reply nak = reply();
        assertEquals(6, nak.type);
        assertEquals(0, nak.yiaddr);
        assertEquals(-1, nak.frame.dst, "NAKs are broadcast");
        assertFalse(nak.options.containsKey(51));
        assertFalse(nak.options.containsKey(3));
        assertEquals(1, h.stats().dhcp().naks());
    }

    @Test
    void requestForAnotherServerWithdrawsOffer() {
        clientSends(CLIENT, 0, -1, bootp(CLIENT, 1, 0x8000, 0, new byte[0]));
        reply();
        clientSends(CLIENT, 0, -1, bootp(CLIENT, 3, 0x8000, 0,
            concat(option(50, ip(192, 168, 5, 5)), option(54, ip(192, 168, 5, 1)))));
        h.assertNoFrame();
        long other = CLIENT + 1;
        clientSends(other, 0, -1, bootp(other, 1, 0x8000, 0, new byte[0]));
        assertEquals(FIRST, reply().yiaddr, "the withdrawn offer is free again");
    }

    @Test
    void releaseFreesTheAddress() {
        clientSends(CLIENT, 0, -1, bootp(CLIENT, 3, 0, 0, option(50, FIRST)));
        reply();
        clientSends(CLIENT, FIRST, GATEWAY, bootp(CLIENT, 7, 0, FIRST, option(54, GATEWAY)));
        h.assertNoFrame();
        long other = CLIENT + 1;
        clientSends(other, 0, -1, bootp(other, 1, 0x8000, 0, new byte[0]));
        assertEquals(FIRST, reply().yiaddr);
    }

    @Test
    void declinedAddressIsNotOfferedAgain() {
        clientSends(CLIENT, 0, -1, bootp(CLIENT, 3, 0, 0, option(50, FIRST)));
        reply();
        clientSends(CLIENT, 0, -1, bootp(CLIENT, 4, 0, 0, concat(option(50, FIRST), option(54, GATEWAY))));
        h.assertNoFrame();
        clientSends(CLIENT, 0, -1, bootp(CLIENT, 1, 0x8000, 0, new byte[0]));
        assertEquals(FIRST + 1, reply().yiaddr);
    }

    @Test
    void poolExhaustion() {
        for (int i = 0; i < 16; i++) {
            clientSends(CLIENT + i, 0, -1, bootp(CLIENT + i, 1, 0x8000, 0, new byte[0]));
            assertEquals(FIRST + i, reply().yiaddr);
        }
        clientSends(CLIENT + 16, 0, -1, bootp(CLIENT + 16, 1, 0x8000, 0, new byte[0]));
        h.assertNoFrame();
        h.clock.advance(61_000); // offers not taken up lapse
        clientSends(CLIENT + 16, 0, -1, bootp(CLIENT + 16, 1, 0x8000, 0, new byte[0]));
        assertEquals(FIRST, reply().yiaddr);
    }

    @Test
    void informGetsConfigurationOnly() {
        clientSends(CLIENT, ip(10, 0, 2, 100), GATEWAY, bootp(CLIENT, 8, 0, ip(10, 0, 2, 100), new byte[0]));
        Reply ack = reply();
        assertEquals(5, ack.type);
        assertEquals(0, ack.yiaddr);
        assertFalse(ack.options.containsKey(51), "no lease time for INFORM");
        assertEquals(GATEWAY, ack.option32(3));
        assertEquals(ip(10, 0, 2, 100), ack.frame.dst);
    }

    /** slirp4netns --disable-dns still names N+3 (which then leads to the host's own N+3). */
    @Test
    void dnsOptionStaysWhenDnsDisabled() {
        h.finish();
        h = new StackHarness(new NetworkConfig(NetworkConfig.DEFAULT_NETWORK, 24, 1500, true, false));
        clientSends(CLIENT, 0, -1, bootp(CLIENT, 1, 0x8000, 0, new byte[0]));
        Reply offer = reply();
        assertEquals(Packets.DNS, offer.option32(6));
        assertEquals(GATEWAY, offer.option32(3));
    }

    @Test
    void otherBroadcastsAndBrokenMessagesAreDropped() {
        clientSends(CLIENT, 0, -1, new byte[100]);
        byte[] server = bootp(CLIENT, 1, 0, 0, new byte[0]);
        server[0] = 2;
        clientSends(CLIENT, 0, -1, server);
        byte[] badOptions = bootp(CLIENT, 1, 0, 0, new byte[] {12, (byte) 200});
        clientSends(CLIENT, 0, -1, badOptions);
        h.send(Packets.ethernet(BROADCAST_MAC, CLIENT, 0x0800,
            Packets.ipv4(0, -1, 17, Packets.udp(0, -1, 68, 1234, new byte[4]))));
        h.send(Packets.ethernet(BROADCAST_MAC, CLIENT, 0x0800, Packets.ipv4(0, -1, 1, Packets.icmpEcho(8, 1, 1,
            new byte[0]))));
        clientSends(0x0100_0000_0000L | CLIENT, 0, -1, bootp(0x0100_0000_0000L | CLIENT, 1, 0, 0, new byte[0]));
        h.assertNoFrame();
        StackStats s = h.stats();
        assertEquals(2, s.frames().droppedMalformed(), "the truncated message and the option running past the end");
        assertTrue(s.frames().droppedUnsupported() >= 1);
        assertTrue(s.frames().droppedFiltered() >= 2);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
