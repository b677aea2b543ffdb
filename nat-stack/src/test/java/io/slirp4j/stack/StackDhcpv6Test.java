package io.slirp4j.stack;

import static io.slirp4j.stack.Packets6.GATEWAY;
import static io.slirp4j.stack.Packets6.GUEST;
import static io.slirp4j.stack.Packets6.GUEST_LL;
import static io.slirp4j.stack.Packets6.ROUTER;
import static io.slirp4j.stack.Packets6.UDP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slirp4j.stack.Packets6.Decoded6;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stateless DHCPv6 server, message by message: Information-Requests to all-DHCP-agents (or unicast to the
 * server) are answered with libslirp's options plus a Server Identifier, everything stateful is ignored.
 */
class StackDhcpv6Test {
    static final byte[] ALL_DHCP_AGENTS = Packets6.addr("ff02::1:2");
    static final long ALL_DHCP_AGENTS_MAC = 0x3333_0001_0002L;
    static final int XID = 0xABCDEF;
    /** DUID-LL of the guest's MAC, as a client sends it. */
    static final byte[] CLIENT_DUID = duidLl(Packets.GUEST_MAC);
    /** The server's DUID: DUID-LL of 52:56:00:00:00:02. */
    static final byte[] SERVER_DUID = duidLl(Packets6.ROUTER_MAC);

    private StackHarness h = new StackHarness(NetworkConfig.defaults().withIpv6(Ipv6Network.defaults()));

    @AfterEach
    void finish() {
        h.finish();
    }

    static byte[] duidLl(long mac) {
        ByteBuffer b = ByteBuffer.allocate(10);
        b.putShort((short) 3).putShort((short) 1);
        Packets.putMac(b, mac);
        return b.array();
    }

    static byte[] option(int code, byte[] value) {
        ByteBuffer b = ByteBuffer.allocate(4 + value.length);
        b.putShort((short) code).putShort((short) value.length).put(value);
        return b.array();
    }

    static byte[] oro(int... codes) {
        ByteBuffer b = ByteBuffer.allocate(2 * codes.length);
        for (int c : codes) {
            b.putShort((short) c);
        }
        return option(6, b.array());
    }

    static byte[] message(int type, byte[]... options) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(type);
        out.write(XID >>> 16);
        out.write(XID >>> 8);
        out.write(XID);
        for (byte[] o : options) {
            out.writeBytes(o);
        }
        return out.toByteArray();
    }

    /** A typical Information-Request: client id, ORO asking for DNS servers and domains, elapsed time 0. */
    static byte[] informationRequest() {
        return message(11, option(1, CLIENT_DUID), oro(23, 24), option(8, new byte[2]));
    }

    static byte[] toAgents(byte[] src, int sport, byte[] dhcp) {
        return Packets6.frame(ALL_DHCP_AGENTS_MAC, Packets6.ipv6(src, ALL_DHCP_AGENTS, UDP, 1,
            Packets6.udp(sport, 547, dhcp), 6));
    }

    /** The options of a DHCPv6 message from the stack, by code, in order. */
    static Map<Integer, byte[]> options(byte[] dhcp) {
        Map<Integer, byte[]> all = new LinkedHashMap<>();
        for (int at = 4; at < dhcp.length; ) {
            int code = ((dhcp[at] & 0xFF) << 8) | (dhcp[at + 1] & 0xFF);
            int len = ((dhcp[at + 2] & 0xFF) << 8) | (dhcp[at + 3] & 0xFF);
            assertTrue(at + 4 + len <= dhcp.length, "option " + code + " fits");
            assertNull(all.put(code, Arrays.copyOfRange(dhcp, at + 4, at + 4 + len)), "option " + code + " once");
            at += 4 + len;
        }
        return all;
    }

    private Decoded6 receive6() {
        byte[] raw = h.sink.poll();
        assertNotNull(raw, "a frame expected");
        return new Decoded6(raw);
    }

    @Test
    void informationRequestIsAnsweredWithServerIdClientIdAndTheDnsAddress() {
        h.send(toAgents(GUEST_LL, 546, informationRequest()));
        Decoded6 reply = receive6();
        assertEquals(UDP, reply.nextHeader);
        assertArrayEquals(ROUTER, reply.src, "from the router's link-local address");
        assertArrayEquals(GUEST_LL, reply.dst);
        assertEquals(Packets.GUEST_MAC, reply.ethDst, "to the MAC the request came from");
        assertEquals(Packets6.ROUTER_MAC, reply.ethSrc);
        assertEquals(547, reply.u16(0));
        assertEquals(546, reply.u16(2));
        byte[] dhcp = reply.udpPayload();
        assertEquals(7, dhcp[0], "Reply");
        assertEquals(XID, ByteBuffer.wrap(dhcp).getInt() & 0xFF_FFFF, "the transaction id");
        Map<Integer, byte[]> options = options(dhcp);
        assertEquals(java.util.List.of(2, 1, 23), java.util.List.copyOf(options.keySet()),
            "server id, client id, DNS servers and nothing else (no domain list: libslirp has none)");
        assertArrayEquals(SERVER_DUID, options.get(2));
        assertArrayEquals(CLIENT_DUID, options.get(1));
        assertArrayEquals(Packets6.DNS, options.get(23));
        assertEquals(1, h.stats().dhcpv6().replies());
        h.assertNoFrame();
    }

    @Test
    void dnsOnlyWhenAskedFor() {
        h.send(toAgents(GUEST_LL, 546, message(11, option(1, CLIENT_DUID), oro(24))));
        Map<Integer, byte[]> options = options(receive6().udpPayload());
        assertEquals(java.util.Set.of(1, 2), options.keySet());
    }

    @Test
    void noClientIdNoEcho() {
        h.send(toAgents(GUEST_LL, 546, message(11, oro(23))));
        Map<Integer, byte[]> options = options(receive6().udpPayload());
        assertEquals(java.util.Set.of(2, 23), options.keySet());
    }

    @Test
    void noDnsAddressWithDnsDisabled() {
        h.finish();
        h = new StackHarness(new NetworkConfig(NetworkConfig.DEFAULT_NETWORK, 24, 1500, true, false)
            .withIpv6(Ipv6Network.defaults()));
        h.send(toAgents(GUEST_LL, 546, informationRequest()));
        assertEquals(java.util.Set.of(1, 2), options(receive6().udpPayload()).keySet());
    }

    @Test
    void theReplyGoesToTheClientsPortAndAddress() {
        h.send(toAgents(GUEST, 40000, informationRequest()));
        Decoded6 reply = receive6();
        assertArrayEquals(GUEST, reply.dst);
        assertEquals(40000, reply.u16(2));
    }

    @Test
    void unicastToTheServerIsAnsweredFromTheAddressItWentTo() {
        for (byte[] server : new byte[][] {GATEWAY, ROUTER}) {
            h.send(Packets6.guestUdp(GUEST_LL, server, 546, 547, informationRequest()));
            Decoded6 reply = receive6();
            assertArrayEquals(server, reply.src);
            assertEquals(547, reply.u16(0));
        }
        assertEquals(2, h.stats().dhcpv6().replies());
        assertEquals(0, h.host.openCount(), "DHCPv6 to the gateway is not NATed to the host's port 547");
    }

    @Test
    void solicitAndTheOtherStatefulMessagesAreIgnoredAsByLibslirp() {
        byte[] iaNa = option(3, new byte[12]);
        for (int type : new int[] {1, 3, 4, 5, 6, 8, 9}) {
            h.send(toAgents(GUEST_LL, 546, message(type, option(1, CLIENT_DUID), iaNa, option(8, new byte[2]))));
        }
        h.assertNoFrame();
        assertEquals(7, h.stats().dhcpv6().ignored());
        assertEquals(0, h.stats().dhcpv6().replies());
    }

    @Test
    void informationRequestsWithAnIaOrAnotherServersIdAreDiscarded() {
        h.send(toAgents(GUEST_LL, 546, message(11, option(1, CLIENT_DUID), option(3, new byte[12]))));
        h.send(toAgents(GUEST_LL, 546, message(11, option(1, CLIENT_DUID), option(25, new byte[12]))));
        h.send(toAgents(GUEST_LL, 546, message(11, option(1, CLIENT_DUID), option(2, duidLl(0x0200_0000_0099L)))));
        h.assertNoFrame();
        assertEquals(3, h.stats().dhcpv6().discarded());
        // our own server id is fine (a client that heard us before)
        h.send(toAgents(GUEST_LL, 546, message(11, option(1, CLIENT_DUID), option(2, SERVER_DUID), oro(23))));
        assertEquals(java.util.Set.of(1, 2, 23), options(receive6().udpPayload()).keySet());
    }

    @Test
    void malformedAndRelayMessagesAreDropped() {
        long malformed = h.stats().frames().droppedMalformed();
        h.send(toAgents(GUEST_LL, 546, new byte[] {11, 0, 0}));
        h.send(toAgents(GUEST_LL, 546, message(11, new byte[] {0, 1, 0, 9, 0})));
        h.send(toAgents(GUEST_LL, 546, message(11, option(1, new byte[2]))));
        h.send(toAgents(GUEST_LL, 546, message(11, option(6, new byte[3]))));
        assertEquals(malformed + 4, h.stats().frames().droppedMalformed());
        long unsupported = h.stats().frames().droppedUnsupported();
        h.send(toAgents(GUEST_LL, 547, message(12)));
        h.send(toAgents(GUEST_LL, 546, message(7, option(2, SERVER_DUID))));
        assertEquals(unsupported + 2, h.stats().frames().droppedUnsupported());
        h.assertNoFrame();
        assertEquals(0, h.stats().dhcpv6().replies());
    }

    @Test
    void otherMulticastUdpIsStillDropped() {
        h.send(Packets6.frame(ALL_DHCP_AGENTS_MAC, Packets6.ipv6(GUEST_LL, ALL_DHCP_AGENTS, UDP, 1,
            Packets6.udp(546, 5353, informationRequest()), 6)));
        h.assertNoFrame();
        assertEquals(0, h.host.openCount());
    }

    @Test
    void theRouterAdvertisementSaysOtherConfigurationButNotManaged() {
        h.send(Packets6.routerSolicitation(Packets6.UNSPECIFIED));
        Decoded6 ra = receive6();
        assertEquals(134, ra.type());
        assertEquals(0x40, ra.l4[5] & 0xFF, "O set, M clear");
        assertFalse((ra.l4[5] & 0x80) != 0);
    }
}
