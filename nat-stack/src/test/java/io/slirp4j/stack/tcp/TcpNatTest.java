package io.slirp4j.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.Decoded;
import io.slirp4j.stack.FakeClock;
import io.slirp4j.stack.FakeHostDatagrams;
import io.slirp4j.stack.FakeNameservers;
import io.slirp4j.stack.FakeSink;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.Packets;
import io.slirp4j.stack.Stack;
import io.slirp4j.stack.TrackingAllocator;
import io.slirp4j.stack.host.ConnectFailure;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The TCP NAT inside a real {@link Stack}, with fake host sockets and a manual clock: the guest is played with
 * hand-built frames (test-side checksum code), what the stack sends back is decoded by test code.
 */
class TcpNatTest {
    static final int PEER = Packets.ip(93, 184, 216, 34);
    static final InetSocketAddress NS1 = Packets.socket(Packets.ip(192, 0, 2, 53), 53);
    static final InetSocketAddress NS2 = Packets.socket(Packets.ip(198, 51, 100, 53), 53);
    static final InetSocketAddress NS3 = Packets.socket(Packets.ip(203, 0, 113, 53), 53);
    static final int GPORT = 40000;
    static final int ISN = 0x10000000;

    final TrackingAllocator alloc = new TrackingAllocator();
    final FakeSink sink = newSink();
    final FakeHostDatagrams udp = new FakeHostDatagrams(alloc);
    final FakeHostStreams host = new FakeHostStreams(alloc);
    final FakeClock clock = new FakeClock();
    final FakeNameservers nameservers = new FakeNameservers(List.of(NS1));
    Stack stack;

    TcpNatTest() {
        start(NetworkConfig.defaults(), 100);
    }

    /** The link the stack sends to (overridden to run every test over a link with offloads). */
    FakeSink newSink() {
        return new FakeSink();
    }

    void start(NetworkConfig config, int maxConnections) {
        stack = new Stack(config, alloc, sink, udp, host, nameservers, clock, maxConnections);
        stack.onInternalError(e -> {
            throw new AssertionError("internal error", e);
        });
        send(Packets.guestArpRequest(Packets.GATEWAY));
        sink.poll();
    }

    @AfterEach
    void finish() {
        sink.releaseAll();
        stack.close();
        sink.releaseAll();
        for (FakeHostStreams.Conn c : host.all) {
            c.releaseQueued();
        }
        assertEquals(0, stack.stats().tcp().connectionsOpen(), "connections left in the table");
        assertEquals(0, host.openCount(), "host sockets left open");
        assertEquals(0, stack.stats().errors().internalErrors());
        List<ByteBuf> live = alloc.unreleased();
        assertTrue(live.isEmpty(), live.size() + " buffers leaked");
    }

    // ---- guest side

    static final int FIN = 1;
    static final int SYN = 2;
    static final int RST = 4;
    static final int PSH = 8;
    static final int ACK = 16;

    /** A TCP segment from the guest (options: MSS 1460, window scale 7, SACK-permitted on SYNs). */
    static byte[] tcp(int dst, int sport, int dport, int seq, int ack, int flags, int window, byte[] payload) {
        byte[] options = (flags & SYN) != 0 ? new byte[] {2, 4, 0x05, (byte) 0xB4, 1, 3, 3, 7, 4, 2, 1, 1}
            : new byte[0];
        int hl = 20 + options.length;
        ByteBuffer b = ByteBuffer.allocate(hl + payload.length);
        b.putShort((short) sport).putShort((short) dport).putInt(seq).putInt(ack);
        b.put((byte) ((hl / 4) << 4)).put((byte) flags).putShort((short) window).putShort((short) 0)
            .putShort((short) 0);
        b.put(options).put(payload);
        byte[] a = b.array();
        int c = Packets.checksum(a, 0, a.length, Packets.pseudoHeader(Packets.GUEST_IP, dst, 6, a.length));
        a[16] = (byte) (c >>> 8);
        a[17] = (byte) c;
        return Packets.guestIpv4(dst, 6, a);
    }

    void send(byte[] frame) {
        send(frame, true);
    }

    /** {@code released}: whether the stack must have let go of the frame (not while a host write pins it). */
    void send(byte[] frame, boolean released) {
        ByteBuf buf = alloc.buffer(frame.length);
        buf.writeBytes(frame);
        stack.onFrame(buf);
        if (released) {
            assertEquals(0, buf.refCnt());
        }
    }

    /** A decoded TCP segment the stack sent. */
    record Seg(int src, int dst, int sport, int dport, int seq, int ack, int flags, int window, byte[] payload) {
        boolean has(int f) {
            return (flags & f) != 0;
        }
    }

    Seg recv() {
        byte[] raw = sink.poll();
        assertTrue(raw != null, "no frame sent");
        Decoded d = Decoded.of(raw);
        assertEquals(6, d.protocol, "not TCP: protocol " + d.protocol);
        byte[] l4 = d.l4;
        assertEquals(0, Packets.checksum(l4, 0, l4.length, Packets.pseudoHeader(d.src, d.dst, 6, l4.length)),
            "TCP checksum");
        ByteBuffer b = ByteBuffer.wrap(l4);
        int hl = ((l4[12] & 0xFF) >>> 4) * 4;
        return new Seg(d.src, d.dst, b.getShort(0) & 0xFFFF, b.getShort(2) & 0xFFFF, b.getInt(4), b.getInt(8),
            l4[13] & 0xFF, b.getShort(14) & 0xFFFF, Arrays.copyOfRange(l4, hl, l4.length));
    }

    Decoded recvIcmp() {
        Decoded d = Decoded.of(sink.poll());
        assertEquals(1, d.protocol);
        return d;
    }

    void assertNoFrame() {
        byte[] f = sink.poll();
        assertNull(f, () -> "unexpected frame " + (f == null ? "" : Decoded.of(f).protocol));
    }

    /** Guest SYN, host connect succeeds, SYN-ACK, guest ACK: returns the connection's ISN + 1 (our SND.NXT). */
    int establish(int dst, int dport) {
        return establish(dst, GPORT, dport);
    }

    int establish(int dst, int sport, int dport) {
        send(tcp(dst, sport, dport, ISN, 0, SYN, 64240, new byte[0]));
        assertNoFrame();
        host.last().connected();
        Seg synAck = recv();
        assertEquals(SYN | ACK, synAck.flags());
        assertEquals(ISN + 1, synAck.ack());
        send(tcp(dst, sport, dport, ISN + 1, synAck.seq() + 1, ACK, 502, new byte[0]));
        sink.releaseAll();
        return synAck.seq() + 1;
    }

    void tick(long ms) {
        clock.advance(ms);
        stack.onTimer();
    }

    // ---- tests

    @Test
    void synOpensHostConnectionAndSynAckWaitsForIt() {
        send(tcp(PEER, GPORT, 80, ISN, 0, SYN, 64240, new byte[0]));
        assertEquals(1, host.all.size());
        assertEquals(Packets.socket(PEER, 80), host.last().remote);
        assertNoFrame();
        // the guest retransmits its SYN while the connect runs: absorbed
        send(tcp(PEER, GPORT, 80, ISN, 0, SYN, 64240, new byte[0]));
        assertEquals(1, host.all.size());
        assertNoFrame();
        assertEquals(1, stack.stats().tcp().synsAbsorbed());
        host.last().connected();
        Seg synAck = recv();
        assertEquals(SYN | ACK, synAck.flags());
        assertEquals(PEER, synAck.src());
        assertEquals(Packets.GUEST_IP, synAck.dst());
        assertEquals(80, synAck.sport());
        assertEquals(GPORT, synAck.dport());
        assertEquals(ISN + 1, synAck.ack());
        assertEquals(1, stack.stats().tcp().connectionsOpened());
    }

    @Test
    void gatewayIsHostLoopbackAndDnsPortIsTheNameserver() {
        send(tcp(Packets.GATEWAY, GPORT, 8080, ISN, 0, SYN, 64240, new byte[0]));
        assertEquals(new InetSocketAddress("127.0.0.1", 8080), host.last().remote);
        send(tcp(Packets.DNS, GPORT + 1, 53, ISN, 0, SYN, 64240, new byte[0]));
        assertEquals(NS1, host.last().remote);
        // other ports of the DNS address are refused
        send(tcp(Packets.DNS, GPORT + 2, 80, ISN, 0, SYN, 64240, new byte[0]));
        Seg rst = recv();
        assertTrue(rst.has(RST) && rst.has(ACK));
        assertEquals(ISN + 1, rst.ack());
        assertEquals(2, host.all.size());
    }

    /** With DNS disabled, N+3 is an ordinary outside address for TCP, port 53 included (as in slirp4netns). */
    @Test
    void dnsAddressWithDnsDisabledIsTheHostsOwn() {
        sink.releaseAll();
        stack.close();
        start(new NetworkConfig(NetworkConfig.DEFAULT_NETWORK, 24, 1500, true, false), 100);
        send(tcp(Packets.DNS, GPORT, 80, ISN, 0, SYN, 64240, new byte[0]));
        assertEquals(Packets.socket(Packets.DNS, 80), host.last().remote);
        send(tcp(Packets.DNS, GPORT + 1, 53, ISN, 0, SYN, 64240, new byte[0]));
        assertEquals(Packets.socket(Packets.DNS, 53), host.last().remote);
        assertEquals(2, host.all.size());
        assertNoFrame(); // no RST: the guest hears back once the host connect ends
    }

    /** TCP to N+3:53 fails over like UDP: a failed connect moves on to the next nameserver, the guest's SYN waits. */
    @Test
    void dnsConnectFailsOverToTheNextNameserver() {
        nameservers.set(List.of(NS1, NS2, NS3));
        send(tcp(Packets.DNS, GPORT, 53, ISN, 0, SYN, 64240, new byte[0]));
        assertEquals(NS1, host.last().remote);
        host.last().fail(ConnectFailure.REFUSED);
        assertNoFrame(); // no RST: the next nameserver is being tried
        assertEquals(NS2, host.last().remote);
        send(tcp(Packets.DNS, GPORT, 53, ISN, 0, SYN, 64240, new byte[0]));
        assertEquals(2, host.all.size(), "the retransmitted SYN is absorbed, no new connect");
        host.last().fail(ConnectFailure.TIMEOUT);
        assertEquals(NS3, host.last().remote);
        host.last().connected();
        Seg synAck = recv();
        assertEquals(SYN | ACK, synAck.flags());
        assertEquals(Packets.DNS, synAck.src());
        assertEquals(53, synAck.sport());
        assertEquals(ISN + 1, synAck.ack());
        send(tcp(Packets.DNS, GPORT, 53, ISN + 1, synAck.seq() + 1, ACK | PSH, 502, new byte[] {0, 2, 7, 7}));
        assertArrayEquals(new byte[] {0, 2, 7, 7}, host.last().written.toByteArray());
        assertEquals(1, stack.stats().tcp().connectionsOpen());
        assertEquals(0, stack.stats().tcp().connectRefused());

        // the next connection starts over at the first nameserver (TCP follows UDP's preference, see below)
        send(tcp(Packets.DNS, GPORT + 1, 53, ISN, 0, SYN, 64240, new byte[0]));
        assertEquals(NS1, host.last().remote);
    }

    /** When every nameserver failed, the guest hears the last failure, as from any single server. */
    @Test
    void dnsConnectReportsTheLastFailureOnceEveryNameserverHadItsTurn() {
        nameservers.set(List.of(NS1, NS2));
        send(tcp(Packets.DNS, GPORT, 53, ISN, 0, SYN, 64240, new byte[0]));
        host.last().fail(ConnectFailure.NETWORK_UNREACHABLE);
        assertNoFrame();
        host.last().fail(ConnectFailure.REFUSED);
        Seg rst = recv();
        assertEquals(RST | ACK, rst.flags());
        assertEquals(Packets.DNS, rst.src());
        assertEquals(ISN + 1, rst.ack());
        assertEquals(2, host.all.size());
        assertEquals(0, stack.stats().tcp().connectionsOpen());
        assertEquals(1, stack.stats().tcp().connectRefused());

        // an ordinary destination does not fail over
        send(tcp(PEER, GPORT + 1, 80, ISN, 0, SYN, 64240, new byte[0]));
        host.last().fail(ConnectFailure.REFUSED);
        assertTrue(recv().has(RST));
        assertEquals(3, host.all.size());
    }

    /** TCP starts with the nameserver the UDP forwarder moved to, so both use one choice. */
    @Test
    void dnsConnectStartsWithTheNameserverUdpPrefers() {
        nameservers.set(List.of(NS1, NS2));
        // a UDP query that NS1 leaves unanswered moves the forwarder on to NS2
        send(Packets.guestUdp(Packets.DNS, GPORT, 53, new byte[12]));
        tick(1000);
        assertEquals(NS2, udp.last().sent.get(1).to(), "UDP moved on to NS2");
        send(tcp(Packets.DNS, GPORT, 53, ISN, 0, SYN, 64240, new byte[0]));
        assertEquals(NS2, host.last().remote);
        host.last().fail(ConnectFailure.REFUSED);
        assertEquals(NS1, host.last().remote, "wrapping around to the first");
        host.last().connected();
        assertEquals(SYN | ACK, recv().flags());
    }

    /** --outbound-addr: every host connection made for the guest binds the outbound address of its family first. */
    @Test
    void outboundAddressIsBoundBeforeEveryConnect() throws Exception {
        sink.releaseAll();
        stack.close();
        InetAddress out4 = InetAddress.getByName("198.51.100.3");
        InetAddress out6 = InetAddress.getByName("2001:db8::3");
        start(NetworkConfig.defaults().withOutboundAddresses(out4, out6), 100);
        nameservers.set(List.of(new InetSocketAddress("2001:db8::53", 53), NS1));
        send(tcp(PEER, GPORT, 80, ISN, 0, SYN, 64240, new byte[0]));
        assertEquals(out4, host.last().local);
        send(tcp(Packets.GATEWAY, GPORT + 1, 8080, ISN, 0, SYN, 64240, new byte[0]));
        assertEquals(new InetSocketAddress("127.0.0.1", 8080), host.last().remote);
        assertEquals(out4, host.last().local, "host loopback too, as in slirp4netns");
        send(tcp(Packets.DNS, GPORT + 2, 53, ISN, 0, SYN, 64240, new byte[0]));
        assertEquals(out6, host.last().local, "an IPv6 nameserver: the IPv6 outbound address");
        host.last().fail(ConnectFailure.REFUSED);
        assertEquals(NS1, host.last().remote);
        assertEquals(out4, host.last().local, "the fail-over to an IPv4 nameserver binds the IPv4 one");
        host.all.get(0).fail(ConnectFailure.REFUSED);
        host.all.get(1).fail(ConnectFailure.REFUSED);
        host.last().fail(ConnectFailure.REFUSED);
        sink.releaseAll();
    }

    @Test
    void withoutOutboundAddressTheKernelChooses() {
        send(tcp(PEER, GPORT, 80, ISN, 0, SYN, 64240, new byte[0]));
        assertNull(host.last().local);
        host.last().fail(ConnectFailure.REFUSED);
        sink.releaseAll();
    }

    @Test
    void disabledHostLoopbackIsNetworkUnreachable() {
        sink.releaseAll();
        stack.close();
        start(new NetworkConfig(NetworkConfig.DEFAULT_NETWORK, 24, 1500, false, true), 100);
        send(tcp(Packets.GATEWAY, GPORT, 8080, ISN, 0, SYN, 64240, new byte[0]));
        Decoded icmp = recvIcmp();
        assertEquals(3, icmp.icmpType);
        assertEquals(0, icmp.icmpCode);
        assertTrue(host.all.isEmpty(), "no host connect");
    }

    @Test
    void connectFailuresTellTheGuest() {
        send(tcp(PEER, GPORT, 80, ISN, 0, SYN, 64240, new byte[0]));
        host.last().fail(ConnectFailure.REFUSED);
        Seg rst = recv();
        assertEquals(RST | ACK, rst.flags());
        assertEquals(ISN + 1, rst.ack());
        assertEquals(PEER, rst.src());

        send(tcp(PEER, GPORT + 1, 80, ISN, 0, SYN, 64240, new byte[0]));
        host.last().fail(ConnectFailure.NETWORK_UNREACHABLE);
        Decoded net = recvIcmp();
        assertEquals(3, net.icmpType);
        assertEquals(0, net.icmpCode);
        // the quote carries the SYN's ports and sequence number (Linux matches the error to its socket by them)
        ByteBuffer quote = ByteBuffer.wrap(net.payload);
        assertEquals(GPORT + 1, quote.getShort(20) & 0xFFFF);
        assertEquals(ISN, quote.getInt(24));

        send(tcp(PEER, GPORT + 2, 80, ISN, 0, SYN, 64240, new byte[0]));
        host.last().fail(ConnectFailure.TIMEOUT);
        assertEquals(1, recvIcmp().icmpCode);
        assertEquals(0, stack.stats().tcp().connectionsOpen());
        assertEquals(1, stack.stats().tcp().connectRefused());
        assertEquals(2, stack.stats().tcp().connectFailures());
    }

    @Test
    void segmentsForUnknownConnectionsGetRst() {
        send(tcp(PEER, GPORT, 80, ISN, 12345, ACK, 100, new byte[] {1, 2, 3}));
        Seg rst = recv();
        assertEquals(RST, rst.flags());
        assertEquals(12345, rst.seq());
        send(tcp(PEER, GPORT, 80, ISN, 12345, RST, 100, new byte[0]));
        assertNoFrame();
        assertEquals(1, stack.stats().tcp().resetsSent());
    }

    @Test
    void dataBothWaysAndCloseFromTheHost() {
        int ours = establish(PEER, 80);
        FakeHostStreams.Conn h = host.last();
        byte[] up = Packets.bytes(3000, 1);
        send(tcp(PEER, GPORT, 80, ISN + 1, ours, ACK | PSH, 502, Arrays.copyOf(up, 1460)));
        send(tcp(PEER, GPORT, 80, ISN + 1 + 1460, ours, ACK | PSH, 502, Arrays.copyOfRange(up, 1460, 3000)));
        assertArrayEquals(up, h.written.toByteArray());
        Seg ack = recv(); // two segments: ACK at once
        assertEquals(ISN + 1 + 3000, ack.ack());

        byte[] down = Packets.bytes(2000, 2);
        h.read(down);
        Seg d1 = recv();
        Seg d2 = recv();
        assertEquals(ours, d1.seq());
        byte[] both = new byte[2000];
        System.arraycopy(d1.payload(), 0, both, 0, d1.payload().length);
        System.arraycopy(d2.payload(), 0, both, d1.payload().length, d2.payload().length);
        assertArrayEquals(down, both);
        send(tcp(PEER, GPORT, 80, ISN + 3001, ours + 2000, ACK, 502, new byte[0]));

        h.eof();
        Seg fin = recv();
        assertTrue(fin.has(FIN));
        assertEquals(ours + 2000, fin.seq());
        assertFalse(h.closed, "the guest may still send");
        send(tcp(PEER, GPORT, 80, ISN + 3001, ours + 2001, ACK | FIN, 502, new byte[0]));
        assertTrue(h.shutdown || h.closed);
        assertTrue(h.closed, "both FINs passed on: host socket closed");
        Seg lastAck = recv();
        assertEquals(ISN + 3002, lastAck.ack());
        // TIME_WAIT holds the entry but no host socket; it ends on the timer
        assertEquals(1, stack.stats().tcp().connectionsOpen());
        long deadline = stack.nextDeadline();
        assertTrue(deadline > clock.getAsLong() && deadline < Long.MAX_VALUE, "TIME_WAIT deadline");
        long start = clock.getAsLong();
        for (int i = 0; i < 10 && stack.nextDeadline() != Long.MAX_VALUE; i++) {
            tick(stack.nextDeadline() - clock.getAsLong());
        }
        assertEquals(0, stack.stats().tcp().connectionsOpen());
        assertTrue(clock.getAsLong() - start >= 1000, "TIME_WAIT lasted " + (clock.getAsLong() - start) + " ms");
        assertNoFrame();
        assertEquals(Long.MAX_VALUE, stack.nextDeadline());
    }

    @Test
    void guestFinFirstShutsDownHostOutput() {
        int ours = establish(PEER, 80);
        FakeHostStreams.Conn h = host.last();
        send(tcp(PEER, GPORT, 80, ISN + 1, ours, ACK | FIN, 502, new byte[0]));
        assertTrue(h.shutdown);
        assertFalse(h.closed);
        assertNoFrame(); // the FIN's ACK is delayed: it rides on what the host sends next
        h.read(new byte[] {9, 9});
        Seg data = recv();
        assertArrayEquals(new byte[] {9, 9}, data.payload());
        assertEquals(ISN + 2, data.ack());
        h.eof();
        Seg fin = recv();
        assertTrue(fin.has(FIN));
        assertTrue(h.closed);
        send(tcp(PEER, GPORT, 80, ISN + 2, fin.seq() + 1, ACK, 502, new byte[0]));
        assertEquals(0, stack.stats().tcp().connectionsOpen(), "LAST-ACK acknowledged: gone");
    }

    @Test
    void hostResetResetsTheGuestAndGuestResetAbortsTheHost() {
        int ours = establish(PEER, 80);
        host.last().reset();
        Seg rst = recv();
        assertTrue(rst.has(RST));
        assertEquals(ours, rst.seq());
        assertEquals(0, stack.stats().tcp().connectionsOpen());

        send(tcp(PEER, GPORT + 1, 80, ISN, 0, SYN, 64240, new byte[0]));
        host.last().connected();
        Seg synAck = recv();
        send(tcp(PEER, GPORT + 1, 80, ISN + 1, synAck.seq() + 1, ACK, 502, new byte[0]));
        send(tcp(PEER, GPORT + 1, 80, ISN + 1, 0, RST, 0, new byte[0]));
        assertTrue(host.last().aborted, "RST to the host");
        assertEquals(0, stack.stats().tcp().connectionsOpen());

        // and a guest that gives up during the connect
        send(tcp(PEER, GPORT + 2, 80, ISN, 0, SYN, 64240, new byte[0]));
        send(tcp(PEER, GPORT + 2, 80, ISN + 1, 0, RST, 0, new byte[0]));
        assertTrue(host.last().aborted);
        assertEquals(0, stack.stats().tcp().connectionsOpen());
    }

    @Test
    void slowHostPeerClosesTheGuestsWindow() {
        int ours = establish(PEER, 80);
        FakeHostStreams.Conn h = host.last();
        h.autoCompleteWrites = false;
        int seq = ISN + 1;
        int lastWindow = -1;
        int lastAck = 0;
        int sent = 0;
        for (int i = 0; i < 5000 && lastWindow != 0; i++) {
            send(tcp(PEER, GPORT, 80, seq, ours, ACK, 502, Packets.bytes(1460, i)), false);
            seq += 1460;
            sent += 1460;
            byte[] f;
            while ((f = sink.poll()) != null) {
                sink.releaseAll();
                Decoded d = Decoded.of(f);
                lastWindow = ByteBuffer.wrap(d.l4).getShort(14) & 0xFFFF;
                lastAck = ByteBuffer.wrap(d.l4).getInt(8);
            }
        }
        assertEquals(0, lastWindow, "the window closed");
        assertTrue(sent <= (5 << 20), "closed after about one receive buffer: " + sent);
        // what the stack acknowledged (the guest overran the window with its last segment, whose tail was cut)
        assertEquals(lastAck - (ISN + 1), h.queuedBytes(), "everything acknowledged waits for the host");
        assertTrue(sent - h.queuedBytes() < 1460);
        h.complete();
        Seg update = recv();
        assertTrue(update.window() > 0, "window update once the host took the bytes");
    }

    @Test
    void slowGuestPausesHostReading() {
        int ours = establish(PEER, 80);
        FakeHostStreams.Conn h = host.last();
        byte[] big = Packets.bytes(1 << 20, 3);
        int offered = readUntilReadingPauses(h, big);
        byte[] got = acknowledgeUntilAllArrived(h, ours, offered);
        assertTrue(h.autoRead, "reading resumed after the guest acknowledged");
        for (int i = 0; i < offered; i += big.length) {
            assertArrayEquals(big, Arrays.copyOfRange(got, i, i + big.length));
        }
    }

    /**
     * After the host's FIN, Netty reads the socket to its end whatever autoRead says: 20,000 small reads after
     * reading paused are held in one flat buffer (a composite nested one level per read overflowed the stack when
     * released) and reach the guest in order.
     */
    @Test
    void readsAfterReadingPausedAreHeldFlatAndDeliveredInOrder() {
        int ours = establish(PEER, 80);
        FakeHostStreams.Conn h = host.last();
        byte[] big = Packets.bytes(1 << 20, 5);
        int offered = readUntilReadingPauses(h, big);
        assertEquals(Integer.MAX_VALUE, h.handler.readLimit(), "reading paused: no limit for reads that come anyway");
        byte[] small = Packets.bytes(64, 7);
        for (int i = 0; i < 20_000; i++) {
            h.read(small);
        }
        h.eof();
        int total = offered + 20_000 * small.length;
        byte[] got = acknowledgeUntilAllArrived(h, ours, total);
        assertArrayEquals(big, Arrays.copyOfRange(got, 0, big.length));
        for (int at = offered; at < total; at += small.length) {
            assertArrayEquals(small, Arrays.copyOfRange(got, at, at + small.length), "at " + at);
        }
    }

    /** Reads {@code big} from the host until reading pauses (a full send buffer); returns the bytes read. */
    private static int readUntilReadingPauses(FakeHostStreams.Conn h, byte[] big) {
        int offered = 0;
        for (int i = 0; i < 8 && h.autoRead; i++) {
            h.read(big);
            offered += big.length;
        }
        assertFalse(h.autoRead, "reading paused once the send buffer is full");
        return offered;
    }

    /** Acknowledges, with a big window, whatever reaches the guest until {@code offered} bytes did; returns them. */
    private byte[] acknowledgeUntilAllArrived(FakeHostStreams.Conn h, int ours, int offered) {
        int highest = ours;
        byte[] got = new byte[offered];
        for (int round = 0; round < 100_000 && highest - ours < offered; round++) {
            byte[] f;
            while ((f = sink.poll()) != null) {
                Decoded d = Decoded.of(f);
                ByteBuffer b = ByteBuffer.wrap(d.l4);
                int hl = ((d.l4[12] & 0xFF) >>> 4) * 4;
                int seq = b.getInt(4);
                int len = Math.min(d.l4.length - hl, offered - (seq - ours));
                System.arraycopy(d.l4, hl, got, seq - ours, len);
                highest = Math.max(highest - ours, seq - ours + len) + ours;
            }
            send(tcp(PEER, GPORT, 80, ISN + 1, highest, ACK, 0xFFFF, new byte[0]));
        }
        assertEquals(offered, highest - ours, "every byte the host offered reached the guest");
        return got;
    }

    @Test
    void delayedAckRunsOnTheDeadline() {
        int ours = establish(PEER, 80);
        send(tcp(PEER, GPORT, 80, ISN + 1, ours, ACK | PSH, 502, new byte[] {1}));
        assertNoFrame();
        long deadline = stack.nextDeadline();
        assertEquals(clock.getAsLong() + 40, deadline, "delayed ACK in 40 ms");
        tick(39);
        assertNoFrame();
        tick(1);
        Seg ack = recv();
        assertEquals(ISN + 2, ack.ack());
    }

    /** The smallest MTU slirp4netns accepts (68): MSS is floored at 64 and the link fragments our segments. */
    @Test
    void minimumMtuStillConnects() {
        sink.releaseAll();
        stack.close();
        start(new NetworkConfig(NetworkConfig.DEFAULT_NETWORK, 24, 68, true, true), 100);
        send(tcp(PEER, GPORT, 80, ISN, 0, SYN, 64240, new byte[0]));
        host.last().connected();
        assertTrue(sink.poll() != null, "SYN-ACK (fragmented) sent");
        sink.releaseAll();
    }

    @Test
    void connectionLimitAnswersRstWhenEveryEntryIsEstablished() {
        sink.releaseAll();
        stack.close();
        start(NetworkConfig.defaults(), 2);
        establish(PEER, 80);
        establish(PEER, GPORT + 1, 80);
        send(tcp(PEER, GPORT + 2, 80, ISN, 0, SYN, 64240, new byte[0]));
        Seg rst = recv();
        assertTrue(rst.has(RST));
        assertEquals(GPORT + 2, rst.dport());
        assertEquals(1, stack.stats().tcp().connectionLimitRejects());
        assertEquals(0, stack.stats().tcp().connectionsEvicted());
        assertEquals(2, stack.stats().tcp().connectionsOpen());
        assertEquals(2, host.all.size(), "no host connect for the refused one");
    }

    @Test
    void fullTableEvictsTheOldestHandshakeBeforeRefusing() {
        sink.releaseAll();
        stack.close();
        start(NetworkConfig.defaults(), 3);
        establish(PEER, 80);
        // two guests (fake addresses, say) that never complete their handshakes: one host connect still running,
        // one SYN-ACK unanswered
        send(tcp(PEER, GPORT + 1, 80, ISN, 0, SYN, 64240, new byte[0]));
        FakeHostStreams.Conn connecting = host.last();
        tick(10);
        send(tcp(PEER, GPORT + 2, 80, ISN, 0, SYN, 64240, new byte[0]));
        FakeHostStreams.Conn answered = host.last();
        answered.connected();
        assertTrue(recv().has(SYN | ACK));
        tick(10);

        send(tcp(PEER, GPORT + 3, 80, ISN, 0, SYN, 64240, new byte[0]));
        Seg rst = recv();
        assertTrue(rst.has(RST), "the oldest handshake is reset: its guest's connect fails at once");
        assertEquals(GPORT + 1, rst.dport());
        assertTrue(connecting.aborted);
        assertEquals(3, stack.stats().tcp().connectionsOpen());
        assertEquals(1, stack.stats().tcp().connectionsEvicted());
        host.last().connected();
        assertTrue(recv().has(SYN | ACK), "the new connection goes ahead");

        send(tcp(PEER, GPORT + 4, 80, ISN, 0, SYN, 64240, new byte[0]));
        rst = recv();
        assertEquals(GPORT + 2, rst.dport());
        assertTrue(rst.has(RST));
        assertTrue(answered.aborted);
        assertEquals(2, stack.stats().tcp().connectionsEvicted());
        assertEquals(0, stack.stats().tcp().connectionLimitRejects());
        host.last().connected();
        recv();
    }

    @Test
    void fullTableEvictsTimeWaitFirstThenClosingStates() {
        sink.releaseAll();
        stack.close();
        start(NetworkConfig.defaults(), 2);
        establish(PEER, 80);
        FakeHostStreams.Conn closingHost = host.last();
        establish(PEER, GPORT + 1, 80);
        // the second one closes both ways, into TIME_WAIT; the first only from the host (FIN_WAIT_2 once acked)
        host.last().eof();
        Seg fin = recv();
        send(tcp(PEER, GPORT + 1, 80, ISN + 1, fin.seq() + 1, ACK | FIN, 502, new byte[0]));
        recv();
        closingHost.eof();
        fin = recv();
        send(tcp(PEER, GPORT, 80, ISN + 1, fin.seq() + 1, ACK, 502, new byte[0]));

        send(tcp(PEER, GPORT + 2, 80, ISN, 0, SYN, 64240, new byte[0]));
        assertNoFrame(); // TIME_WAIT holds nothing to reset
        assertFalse(closingHost.aborted);
        assertEquals(1, stack.stats().tcp().connectionsEvicted());
        host.last().connected();
        recv();

        send(tcp(PEER, GPORT + 3, 80, ISN, 0, SYN, 64240, new byte[0]));
        Seg rst = recv();
        assertTrue(rst.has(RST));
        assertEquals(GPORT, rst.dport(), "the connection in FIN_WAIT_2 goes next");
        assertTrue(closingHost.aborted);
        assertEquals(2, stack.stats().tcp().connectionsEvicted());
        host.last().connected();
        recv();
    }

    @Test
    void hostSocketFailureAnswersRst() {
        host.failNextConnects = 1;
        send(tcp(PEER, GPORT, 80, ISN, 0, SYN, 64240, new byte[0]));
        assertTrue(recv().has(RST));
        assertEquals(1, stack.stats().errors().hostSocketFailures());
        assertEquals(0, stack.stats().tcp().connectionsOpen());
    }

    @Test
    void closeAbortsEverything() {
        establish(PEER, 80);
        send(tcp(PEER, GPORT + 1, 80, ISN, 0, SYN, 64240, new byte[0]));
        stack.close();
        assertTrue(host.all.get(0).aborted);
        assertTrue(host.all.get(1).aborted);
        assertEquals(0, stack.stats().tcp().connectionsOpen());
    }

    @Test
    void aVanishedGuestIsResetByKeepaliveAndItsHostSocketWithIt() {
        int ours = establish(PEER, 80);
        FakeHostStreams.Conn hostSide = host.last();
        // the guest says nothing more and answers nothing: probes, then RST both ways
        int probes = 0;
        for (long t = 1000; t < TcpConfig.defaults().keepaliveTimeoutMs(); t += 1000) {
            tick(1000);
            byte[] f;
            while ((f = sink.poll()) != null) {
                Decoded d = Decoded.of(f);
                assertEquals(6, d.protocol);
                probes++;
            }
        }
        assertEquals(TcpConfig.DEFAULT_KEEPALIVE_PROBES, probes);
        assertFalse(hostSide.aborted, "not before the timeout");
        assertEquals(1, stack.stats().tcp().connectionsOpen());
        tick(1000);
        Seg rst = recv();
        assertTrue(rst.has(RST));
        assertEquals(ours, rst.seq());
        assertTrue(hostSide.aborted, "the host socket is reset");
        assertEquals(0, stack.stats().tcp().connectionsOpen());
        assertEquals(1, stack.stats().tcp().keepaliveTimeouts());
        assertEquals(1, stack.stats().tcp().guestResets());
        assertEquals(0, host.openCount());
    }

    @Test
    void aGuestThatAnswersTheProbesKeepsItsIdleConnection() {
        int ours = establish(PEER, 80);
        for (int minute = 0; minute < 30; minute++) {
            for (int s = 0; s < 60; s++) {
                tick(1000);
                byte[] f;
                while ((f = sink.poll()) != null) {
                    Decoded d = Decoded.of(f);
                    // a probe: the guest's kernel answers it with an ACK of what it has
                    assertEquals(ours - 1, java.nio.ByteBuffer.wrap(d.l4).getInt(4), "a probe's sequence number");
                    send(tcp(PEER, GPORT, 80, ISN + 1, ours, ACK, 502, new byte[0]));
                }
            }
        }
        assertFalse(host.last().aborted);
        assertEquals(1, stack.stats().tcp().connectionsOpen());
        assertEquals(0, stack.stats().tcp().keepaliveTimeouts());
    }
}
