package io.slirp4j.stack.tcp;

import static io.slirp4j.stack.Packets6.GATEWAY;
import static io.slirp4j.stack.Packets6.GUEST;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.FakeClock;
import io.slirp4j.stack.FakeHostDatagrams;
import io.slirp4j.stack.FakeNameservers;
import io.slirp4j.stack.FakeSink;
import io.slirp4j.stack.Ipv6Network;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.Packets;
import io.slirp4j.stack.Packets6;
import io.slirp4j.stack.Packets6.Decoded6;
import io.slirp4j.stack.Stack;
import io.slirp4j.stack.TrackingAllocator;
import io.slirp4j.stack.forward.Forward;
import io.slirp4j.stack.forward.ForwardException;
import io.slirp4j.stack.forward.ForwardProtocol;
import io.slirp4j.stack.forward.ForwardRequest;
import io.slirp4j.stack.forward.ForwardTable;
import io.slirp4j.stack.nat.IpAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Port forwards to the guest's IPv6 address (which slirp4netns cannot do), segment by segment: the guest's MAC is
 * found by neighbour solicitation, the guest sees each client as an IPv6 address (its own when outside the prefix,
 * else the gateway fd00::2), and the host side listens on either family.
 */
class Ipv6PortForwardTest {
    static final int SYN = TcpNatTest.SYN;
    static final int ACK = TcpNatTest.ACK;
    static final int PSH = TcpNatTest.PSH;
    static final int RST = TcpNatTest.RST;
    static final int GUEST_ISN = 0x30000000;
    static final IpAddress GUEST6 = IpAddress.of(Packets6.inet(GUEST));
    static final byte[] REMOTE = Packets6.addr("2001:db8::7");

    final TrackingAllocator alloc = new TrackingAllocator();
    final FakeSink sink = new FakeSink();
    final FakeHostDatagrams udp = new FakeHostDatagrams(alloc);
    final FakeHostStreams host = new FakeHostStreams(alloc);
    final FakeClock clock = new FakeClock();
    Stack stack = start(NetworkConfig.defaults().withIpv6(Ipv6Network.defaults()));
    ForwardTable forwards = stack.forwards();

    Stack start(NetworkConfig config) {
        Stack s = new Stack(config, alloc, sink, udp, host, new FakeNameservers(List.of()), clock, 100);
        s.onInternalError(e -> {
            throw new AssertionError("internal error", e);
        });
        return s;
    }

    @AfterEach
    void finish() {
        sink.releaseAll();
        stack.close();
        sink.releaseAll();
        for (FakeHostStreams.Conn c : host.all) {
            c.releaseQueued();
        }
        assertEquals(0, host.openCount(), "host sockets left open");
        assertEquals(0, udp.openCount(), "UDP sockets left open");
        assertEquals(0, stack.stats().errors().internalErrors());
        List<ByteBuf> live = alloc.unreleased();
        assertTrue(live.isEmpty(), live.size() + " buffers leaked");
    }

    void send(byte[] frame) {
        ByteBuf buf = alloc.buffer(frame.length);
        buf.writeBytes(frame);
        stack.onFrame(buf);
        assertEquals(0, buf.refCnt());
    }

    Decoded6 recv6() {
        byte[] raw = sink.poll();
        assertNotNull(raw, "a frame expected");
        return new Decoded6(raw);
    }

    /** A TCP segment from the guest's GUEST:sport to dst:dport (options: MSS 1440 on SYNs). */
    static byte[] tcp6(byte[] dst, int sport, int dport, int seq, int ack, int flags, byte[] payload) {
        byte[] options = (flags & SYN) != 0 ? new byte[] {2, 4, 0x05, (byte) 0xA0} : new byte[0];
        int hl = 20 + options.length;
        ByteBuffer b = ByteBuffer.allocate(hl + payload.length);
        b.putShort((short) sport).putShort((short) dport).putInt(seq).putInt(ack);
        b.put((byte) ((hl / 4) << 4)).put((byte) flags).putShort((short) 65000).putInt(0);
        b.put(options).put(payload);
        return Packets6.frame(Packets6.ROUTER_MAC, Packets6.ipv6(GUEST, dst, Packets6.TCP, 64, b.array(), 16));
    }

    /** The guest's neighbour advertisement for its own address (what answers our solicitation). */
    static byte[] guestAdvertisement() {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putInt(0x6000_0000).put(GUEST).put((byte) 2).put((byte) 1);
        Packets.putMac(b, Packets.GUEST_MAC);
        return Packets6.guestIcmp(GUEST, GATEWAY, Packets6.ROUTER_MAC, 136, 0, b.array());
    }

    /** The stack asks for the guest's MAC; the guest answers. */
    void resolveGuest() {
        Decoded6 ns = recv6();
        assertEquals(Packets6.ICMPV6, ns.nextHeader);
        assertEquals(135, ns.type(), "a neighbour solicitation");
        assertArrayEquals(GATEWAY, ns.src);
        assertArrayEquals(Packets6.solicitedNode(GUEST), ns.dst);
        assertArrayEquals(GUEST, Arrays.copyOfRange(ns.l4, 8, 24), "for the guest's address");
        send(guestAdvertisement());
    }

    int u32(Decoded6 d, int at) {
        return ByteBuffer.wrap(d.l4, at, 4).getInt();
    }

    /** The guest accepts the forward's SYN from {@code source:sourcePort}; returns the handshake's last segment. */
    Decoded6 acceptInGuest(byte[] source, int sourcePort, int guestPort) {
        Decoded6 syn = recv6();
        assertEquals(Packets6.TCP, syn.nextHeader);
        assertEquals(SYN, syn.l4[13] & 0xFF);
        assertArrayEquals(source, syn.src, "the client as the guest sees it");
        assertArrayEquals(GUEST, syn.dst);
        assertEquals(sourcePort, syn.u16(0));
        assertEquals(guestPort, syn.u16(2));
        send(tcp6(source, guestPort, sourcePort, GUEST_ISN, u32(syn, 4) + 1, SYN | ACK, new byte[0]));
        Decoded6 ack = recv6();
        assertEquals(ACK, ack.l4[13] & (ACK | SYN));
        assertEquals(GUEST_ISN + 1, u32(ack, 8));
        return ack;
    }

    @Test
    void tcpClientsReachTheGuestsIpv6AddressAsThemselvesOrAsTheGateway() throws Exception {
        Forward f = forwards.add(new ForwardRequest(ForwardProtocol.TCP, InetAddress.getByName("::"), 8080, GUEST6,
            80));
        assertEquals(GUEST6, f.guestAddress());
        FakeHostStreams.Listener listener = host.listeners.get(0);
        // a loopback client, before the guest's MAC is known: asked for, the SYN waits
        FakeHostStreams.Conn loopback = listener.connectFrom(new InetSocketAddress("::1", 6000));
        loopback.read("hello".getBytes());
        resolveGuest();
        Decoded6 data = acceptInGuest(GATEWAY, 6000, 80);
        assertArrayEquals("hello".getBytes(), Arrays.copyOfRange(data.l4, (data.l4[12] & 0xF0) >>> 2, data.l4.length));
        send(tcp6(GATEWAY, 80, 6000, GUEST_ISN + 1, u32(data, 4) + 5, ACK | PSH, "world".getBytes()));
        assertArrayEquals("world".getBytes(), loopback.written.toByteArray());
        // an IPv6 client outside the prefix keeps its address; an IPv4 client appears as the gateway
        listener.connectFrom(new InetSocketAddress(Packets6.inet(REMOTE), 6001));
        acceptInGuest(REMOTE, 6001, 80);
        listener.connectFrom(new InetSocketAddress("198.51.100.9", 6002));
        acceptInGuest(GATEWAY, 6002, 80);
        listener.connectFrom(new InetSocketAddress("fd00::99", 6003));
        acceptInGuest(GATEWAY, 6003, 80);
        assertEquals(4, stack.stats().tcp().forwardedConnections());
        // a guest reset reaches the client
        send(tcp6(GATEWAY, 80, 6000, GUEST_ISN + 6, 0, RST, new byte[0]));
        assertTrue(loopback.aborted);
        sink.releaseAll();
    }

    @Test
    void ipv4HostSideToTheIpv6Guest() throws Exception {
        forwards.add(new ForwardRequest(ForwardProtocol.TCP, InetAddress.getByName("127.0.0.1"), 8080, GUEST6, 22));
        send(guestAdvertisement()); // the guest spoke first: no solicitation needed
        host.listeners.get(0).connectFrom(new InetSocketAddress("127.0.0.1", 7000));
        acceptInGuest(GATEWAY, 7000, 22);
        sink.releaseAll();
    }

    /** RFC 4861 4.4: a guest may answer our solicitation for its address from another one, its link-local. */
    @Test
    void anAdvertisementFromTheLinkLocalAddressTeachesItsTarget() throws Exception {
        forwards.add(new ForwardRequest(ForwardProtocol.UDP, InetAddress.getByName("0.0.0.0"), 5354, GUEST6, 53));
        udp.last().deliver(new InetSocketAddress("127.0.0.1", 7003), "query".getBytes());
        assertEquals(135, recv6().type(), "a neighbour solicitation");
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putInt(0x6000_0000).put(GUEST).put((byte) 2).put((byte) 1);
        Packets.putMac(b, Packets.GUEST_MAC);
        send(Packets6.guestIcmp(Packets6.GUEST_LL, GATEWAY, Packets6.ROUTER_MAC, 136, 0, b.array()));
        Decoded6 in = recv6();
        assertEquals(Packets6.UDP, in.nextHeader, "the parked datagram went out");
        assertArrayEquals(GUEST, in.dst);
        sink.releaseAll();
    }

    @Test
    void udpPeersAreShownAsIpv6AndAnswersGoBack() throws Exception {
        forwards.add(new ForwardRequest(ForwardProtocol.UDP, InetAddress.getByName("0.0.0.0"), 5353, GUEST6, 53));
        FakeHostDatagrams.Socket socket = udp.last();
        socket.deliver(new InetSocketAddress("127.0.0.1", 7001), "query".getBytes());
        resolveGuest();
        Decoded6 in = recv6();
        assertEquals(Packets6.UDP, in.nextHeader);
        assertArrayEquals(GATEWAY, in.src, "a loopback peer appears as fd00::2");
        assertArrayEquals(GUEST, in.dst);
        assertEquals(7001, in.u16(0));
        assertEquals(53, in.u16(2));
        assertArrayEquals("query".getBytes(), in.udpPayload());
        send(Packets6.guestUdp(GUEST, GATEWAY, 53, 7001, "answer".getBytes()));
        assertEquals(new InetSocketAddress("127.0.0.1", 7001), socket.sent.get(0).to());
        assertArrayEquals("answer".getBytes(), socket.sent.get(0).payload());

        socket.deliver(new InetSocketAddress(Packets6.inet(REMOTE), 7002), "q2".getBytes());
        Decoded6 remote = recv6();
        assertArrayEquals(REMOTE, remote.src, "an outside peer keeps its address");
        send(Packets6.guestUdp(GUEST, REMOTE, 53, 7002, "a2".getBytes()));
        assertEquals(new InetSocketAddress(Packets6.inet(REMOTE), 7002), socket.sent.get(1).to());
        assertEquals(2, stack.stats().udp().forwardedPeers());
        assertEquals(1, udp.sockets().size(), "answers go out through the forward's socket, no flow opened");
    }

    @Test
    void onlyGuestAddressesInThePrefixAreForwardedTo() {
        for (String refused : new String[] {"fd00::2", "fd00::3", "fd00::", "fe80::5054:ff:fe12:3456",
            "2001:db8::1", "fd01::1"}) {
            assertThrows(ForwardException.class, () -> forwards.add(new ForwardRequest(ForwardProtocol.TCP,
                InetAddress.getByName("0.0.0.0"), 8080, IpAddress.of(InetAddress.getByName(refused)), 80)), refused);
        }
        assertTrue(host.listeners.isEmpty());
    }

    @Test
    void withoutIpv6AnIpv6GuestAddressIsRefused() {
        stack.close();
        stack = start(NetworkConfig.defaults());
        forwards = stack.forwards();
        ForwardException e = assertThrows(ForwardException.class, () -> forwards.add(new ForwardRequest(
            ForwardProtocol.UDP, InetAddress.getByName("0.0.0.0"), 5353, GUEST6, 53)));
        assertTrue(e.getMessage().contains("IPv6"), e.getMessage());
        assertTrue(udp.sockets().isEmpty());
        assertFalse(forwards.list().iterator().hasNext());
    }
}
