package io.slirp4j.stack.tcp;

import static io.slirp4j.stack.Packets6.GATEWAY;
import static io.slirp4j.stack.Packets6.GUEST;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.FakeClock;
import io.slirp4j.stack.FakeHostDatagrams;
import io.slirp4j.stack.FakeNameservers;
import io.slirp4j.stack.FakeSink;
import io.slirp4j.stack.Ipv6Network;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.Packets6;
import io.slirp4j.stack.Packets6.Decoded6;
import io.slirp4j.stack.Stack;
import io.slirp4j.stack.TrackingAllocator;
import io.slirp4j.stack.host.ConnectFailure;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The TCP NAT over IPv6, segment by segment, inside a real {@link Stack} with fake host sockets: the same engine
 * as IPv4 (see {@link TcpNatTest}), with IPv6 addresses, the IPv6 pseudo-header, an MSS 20 bytes smaller, and
 * ICMPv6 for failed connects.
 */
class TcpNatIpv6Test {
    static final byte[] OUTSIDE = Packets6.addr("2001:db8::80");
    static final int GPORT = 40000;
    static final int ISN = 0x20000000;
    static final int FIN = 1;
    static final int SYN = 2;
    static final int RST = 4;
    static final int ACK = 16;

    final TrackingAllocator alloc = new TrackingAllocator();
    final FakeSink sink = newSink();
    final FakeHostDatagrams udp = new FakeHostDatagrams(alloc);
    final FakeHostStreams host = new FakeHostStreams(alloc);
    final FakeClock clock = new FakeClock();
    Stack stack;

    /** The link the stack sends to (overridden to run every test over a link with offloads). */
    FakeSink newSink() {
        return new FakeSink();
    }

    void start(boolean hostLoopback) {
        NetworkConfig config = new NetworkConfig(NetworkConfig.DEFAULT_NETWORK, 24, 1500, hostLoopback, true,
            Ipv6Network.defaults());
        stack = new Stack(config, alloc, sink, udp, host, new FakeNameservers(List.of()), clock, 100);
        stack.onInternalError(e -> {
            throw new AssertionError("internal error", e);
        });
    }

    @AfterEach
    void finish() {
        sink.releaseAll();
        stack.close();
        sink.releaseAll();
        host.all.forEach(FakeHostStreams.Conn::releaseQueued);
        assertEquals(0, host.openCount(), "host sockets left open");
        assertEquals(0, stack.stats().errors().internalErrors());
        assertTrue(alloc.unreleased().isEmpty(), alloc.unreleased().size() + " buffers leaked");
    }

    static byte[] tcp(byte[] dst, int sport, int dport, int seq, int ack, int flags, byte[] payload) {
        byte[] options = (flags & SYN) != 0 ? new byte[] {2, 4, 0x05, (byte) 0xA0, 1, 1, 1, 1} : new byte[0];
        int hl = 20 + options.length;
        ByteBuffer b = ByteBuffer.allocate(hl + payload.length);
        b.putShort((short) sport).putShort((short) dport).putInt(seq).putInt(ack);
        b.put((byte) ((hl / 4) << 4)).put((byte) flags).putShort((short) 64000).putInt(0);
        b.put(options).put(payload);
        return Packets6.frame(Packets6.ROUTER_MAC, Packets6.ipv6(GUEST, dst, Packets6.TCP, 64, b.array(), 16));
    }

    void send(byte[] frame) {
        ByteBuf buf = alloc.buffer(frame.length);
        buf.writeBytes(frame);
        stack.onFrame(buf);
    }

    Decoded6 recv() {
        byte[] raw = sink.poll();
        assertTrue(raw != null, "no frame sent");
        return new Decoded6(raw);
    }

    static int u32(byte[] b, int at) {
        return ByteBuffer.wrap(b, at, 4).getInt();
    }

    @Test
    void aConnectionToTheGatewayIsTheHostsLoopbackWithAnIpv6Mss() {
        start(true);
        send(tcp(GATEWAY, GPORT, 8080, ISN, 0, SYN, new byte[0]));
        assertEquals(new InetSocketAddress(Packets6.inet(Packets6.addr("::1")), 8080), host.last().remote);
        host.last().connected();
        Decoded6 synAck = recv();
        assertEquals(Packets6.TCP, synAck.nextHeader);
        assertArrayEquals(GATEWAY, synAck.src);
        assertArrayEquals(GUEST, synAck.dst);
        assertEquals(SYN | ACK, synAck.l4[13] & 0xFF);
        assertEquals(ISN + 1, u32(synAck.l4, 8));
        assertEquals(2, synAck.l4[20], "the MSS option comes first");
        assertEquals(1440, synAck.u16(22), "MTU 1500 - 40 (IPv6) - 20 (TCP)");
        int serverIsn = u32(synAck.l4, 4);
        byte[] hello = "hello".getBytes();
        send(tcp(GATEWAY, GPORT, 8080, ISN + 1, serverIsn + 1, ACK, hello));
        assertArrayEquals(hello, host.last().written.toByteArray());
        host.last().read("world".getBytes());
        Decoded6 data;
        do {
            data = recv();
        } while (data.l4.length == ((data.l4[12] & 0xFF) >>> 4) * 4);
        assertArrayEquals("world".getBytes(), Arrays.copyOfRange(data.l4, ((data.l4[12] & 0xFF) >>> 4) * 4,
            data.l4.length));
        assertEquals(1, stack.stats().tcp().connectionsOpened());
    }

    @Test
    void aSegmentForNoConnectionDrawsAnIpv6Reset() {
        start(true);
        send(tcp(OUTSIDE, GPORT, 80, ISN, 12345, ACK, new byte[0]));
        Decoded6 rst = recv();
        assertArrayEquals(OUTSIDE, rst.src);
        assertEquals(RST, rst.l4[13] & 0xFF);
        assertEquals(12345, u32(rst.l4, 4));
    }

    @Test
    void aFailedConnectAnswersIcmpv6AddressUnreachableQuotingTheSyn() {
        start(true);
        send(tcp(OUTSIDE, GPORT, 80, ISN, 0, SYN, new byte[0]));
        assertEquals(new InetSocketAddress(Packets6.inet(OUTSIDE), 80), host.last().remote);
        host.last().fail(ConnectFailure.HOST_UNREACHABLE);
        Decoded6 icmp = recv();
        assertEquals(Packets6.ICMPV6, icmp.nextHeader);
        assertEquals(1, icmp.type(), "destination unreachable");
        assertEquals(3, icmp.l4[1], "address unreachable");
        assertArrayEquals(Packets6.ROUTER, icmp.src);
        assertArrayEquals(OUTSIDE, Arrays.copyOfRange(icmp.l4, 8 + 24, 8 + 40), "quotes the SYN's header");
    }

    @Test
    void withHostLoopbackDisabledTheGatewayHasNoRoute() {
        start(false);
        send(tcp(GATEWAY, GPORT, 8080, ISN, 0, SYN, new byte[0]));
        assertEquals(0, host.all.size());
        Decoded6 icmp = recv();
        assertEquals(1, icmp.type());
        assertEquals(0, icmp.l4[1], "no route to destination");
    }

    @Test
    void otherPortsOfTheDnsAddressAreRefused() {
        start(true);
        send(tcp(Packets6.DNS, GPORT, 80, ISN, 0, SYN, new byte[0]));
        Decoded6 rst = recv();
        assertEquals(RST | ACK, rst.l4[13] & 0xFF);
        assertEquals(0, host.all.size());
    }
}
