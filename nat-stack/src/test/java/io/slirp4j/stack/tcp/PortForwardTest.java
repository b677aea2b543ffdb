package io.slirp4j.stack.tcp;

import static io.slirp4j.stack.tcp.TcpNatTest.ACK;
import static io.slirp4j.stack.tcp.TcpNatTest.FIN;
import static io.slirp4j.stack.tcp.TcpNatTest.PEER;
import static io.slirp4j.stack.tcp.TcpNatTest.PSH;
import static io.slirp4j.stack.tcp.TcpNatTest.RST;
import static io.slirp4j.stack.tcp.TcpNatTest.SYN;
import static io.slirp4j.stack.tcp.TcpNatTest.tcp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.slirp4j.stack.Decoded;
import io.slirp4j.stack.FakeHostDatagrams;
import io.slirp4j.stack.Packets;
import io.slirp4j.stack.forward.Forward;
import io.slirp4j.stack.forward.ForwardException;
import io.slirp4j.stack.forward.ForwardProtocol;
import io.slirp4j.stack.forward.ForwardRequest;
import io.slirp4j.stack.forward.ForwardTable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Inbound port forwards through a real stack with fake host sockets: a host client becomes a connection (or UDP
 * flow) that the guest sees coming from the client's address, and everything the NAT does for outbound
 * connections applies to it too.
 */
class PortForwardTest {
    private static final int GUEST_ISN = 0x20000000;
    private final TcpNatTest nat = new TcpNatTest();
    private final ForwardTable forwards = nat.stack.forwards();

    @AfterEach
    void finish() {
        nat.finish();
    }

    private Forward add(ForwardProtocol protocol, String hostAddress, int hostPort, int guestPort) throws Exception {
        return forwards.add(new ForwardRequest(protocol, InetAddress.getByName(hostAddress), hostPort,
            Packets.GUEST_IP, guestPort));
    }

    /**
     * The guest answers the forward's SYN; returns what completes the handshake (an ACK, with the client's data
     * if it spoke first).
     */
    private TcpNatTest.Seg acceptInGuest(int source, int sourcePort, int guestPort) {
        TcpNatTest.Seg syn = nat.recv();
        assertEquals(SYN, syn.flags());
        assertEquals(source, syn.src());
        assertEquals(sourcePort, syn.sport());
        assertEquals(Packets.GUEST_IP, syn.dst());
        assertEquals(guestPort, syn.dport());
        nat.send(tcp(source, guestPort, sourcePort, GUEST_ISN, syn.seq() + 1, SYN | ACK, 64240, new byte[0]));
        TcpNatTest.Seg ack = nat.recv();
        assertTrue(ack.has(ACK) && !ack.has(SYN));
        assertEquals(syn.seq() + 1, ack.seq());
        assertEquals(GUEST_ISN + 1, ack.ack());
        return ack;
    }

    @Test
    void tcpClientBecomesAGuestConnectionFromItsOwnAddress() throws Exception {
        Forward f = add(ForwardProtocol.TCP, "0.0.0.0", 8080, 80);
        assertEquals(1, f.id());
        assertEquals(8080, f.hostPort());
        FakeHostStreams.Conn client = nat.host.listeners.get(0).connectFrom(Packets.socket(PEER, 5555));
        // the client speaks first: held until the guest's handshake completes
        client.read("hello".getBytes());
        TcpNatTest.Seg data = acceptInGuest(PEER, 5555, 80);
        assertArrayEquals("hello".getBytes(), data.payload(), "the client's data rides on the handshake's ACK");
        nat.send(tcp(PEER, 80, 5555, GUEST_ISN + 1, data.seq() + 5, ACK | PSH, 502, "world".getBytes()));
        assertArrayEquals("world".getBytes(), client.written.toByteArray());
        assertEquals(1, nat.stack.stats().tcp().forwardedConnections());
        // a guest reset reaches the client as a reset
        nat.send(tcp(PEER, 80, 5555, GUEST_ISN + 6, 0, RST, 0, new byte[0]));
        assertTrue(client.aborted);
        nat.sink.releaseAll();
    }

    @Test
    void aClientThatSpeaksAndHalfClosesBeforeTheGuestAnswersIsDeliveredWhole() throws Exception {
        add(ForwardProtocol.TCP, "0.0.0.0", 8080, 80);
        FakeHostStreams.Conn client = nat.host.listeners.get(0).connectFrom(Packets.socket(PEER, 5555));
        client.read("request".getBytes());
        client.eof();
        TcpNatTest.Seg data = acceptInGuest(PEER, 5555, 80);
        assertArrayEquals("request".getBytes(), data.payload());
        TcpNatTest.Seg fin = data.has(FIN) ? data : nat.recv();
        assertTrue(fin.has(FIN), "the client's half-close follows its data");
        assertEquals(data.seq() + 7, fin.seq() + fin.payload().length, "the FIN comes right after the data");
        // the guest still answers, and closes
        nat.send(tcp(PEER, 80, 5555, GUEST_ISN + 1, data.seq() + 8, ACK | PSH | FIN, 502, "reply".getBytes()));
        assertArrayEquals("reply".getBytes(), client.written.toByteArray());
        assertTrue(client.shutdown || client.closed, "the guest's FIN reaches the client");
        nat.sink.releaseAll();
    }

    @Test
    void loopbackAndIpv6ClientsAppearAsTheGateway() throws Exception {
        add(ForwardProtocol.TCP, "::", 8080, 80);
        FakeHostStreams.Listener listener = nat.host.listeners.get(0);
        listener.connectFrom(new InetSocketAddress("127.0.0.1", 6000));
        acceptInGuest(Packets.GATEWAY, 6000, 80);
        listener.connectFrom(new InetSocketAddress("2001:db8::1", 6001));
        acceptInGuest(Packets.GATEWAY, 6001, 80);
        // a second loopback client on the same port would be the same four-tuple to the guest: refused
        FakeHostStreams.Conn twin = listener.connectFrom(new InetSocketAddress("127.0.0.2", 6000));
        assertTrue(twin.aborted);
        assertEquals(1, nat.stack.stats().tcp().forwardCollisions());
        nat.sink.releaseAll();
    }

    /**
     * The host reuses a client port for another forward to the same guest port while the first connection is in
     * our TIME_WAIT: the new client takes the four-tuple over, with sequence numbers above the old connection's.
     */
    @Test
    void aClientOnAFourTupleInOurTimeWaitTakesItOver() throws Exception {
        add(ForwardProtocol.TCP, "0.0.0.0", 8080, 80);
        add(ForwardProtocol.TCP, "0.0.0.0", 8081, 80);
        FakeHostStreams.Conn first = nat.host.listeners.get(0).connectFrom(Packets.socket(PEER, 5555));
        acceptInGuest(PEER, 5555, 80);
        first.eof();
        TcpNatTest.Seg fin = nat.recv();
        assertTrue(fin.has(FIN));
        nat.send(tcp(PEER, 80, 5555, GUEST_ISN + 1, fin.seq() + 1, FIN | ACK, 502, new byte[0]));
        TcpNatTest.Seg lastAck = nat.recv();
        assertEquals(GUEST_ISN + 2, lastAck.ack());
        assertEquals(1, nat.stack.stats().tcp().connectionsOpen(), "the first connection lingers in TIME_WAIT");

        FakeHostStreams.Conn second = nat.host.listeners.get(1).connectFrom(Packets.socket(PEER, 5555));
        assertFalse(second.aborted, "refused as a collision");
        assertEquals(0, nat.stack.stats().tcp().forwardCollisions());
        TcpNatTest.Seg syn = nat.recv();
        assertEquals(SYN, syn.flags());
        assertTrue(syn.seq() - (fin.seq() + 1) > 0, "the new SYN starts above the old connection's sequence space");
        nat.send(tcp(PEER, 80, 5555, GUEST_ISN + 1000, syn.seq() + 1, SYN | ACK, 64240, new byte[0]));
        assertTrue(nat.recv().has(ACK));
        second.read("again".getBytes());
        assertArrayEquals("again".getBytes(), nat.recv().payload());
        assertEquals(1, nat.stack.stats().tcp().connectionsOpen());
        nat.sink.releaseAll();
    }

    /**
     * The guest closed first and holds the four-tuple in its TIME_WAIT (ours is gone) when a client reuses the port
     * a second later: the new SYN starts above the old connection's numbers, which the guest's TIME_WAIT accepts.
     */
    @Test
    void aNewSynOnAFourTupleTheGuestHoldsInTimeWaitStartsAboveTheOldNumbers() throws Exception {
        add(ForwardProtocol.TCP, "0.0.0.0", 8080, 80);
        FakeHostStreams.Conn first = nat.host.listeners.get(0).connectFrom(Packets.socket(PEER, 5555));
        TcpNatTest.Seg ack = acceptInGuest(PEER, 5555, 80);
        first.read(new byte[1000]);
        TcpNatTest.Seg data = nat.recv();
        // the guest's server closes first: its FIN, our FIN, its last ACK
        nat.send(tcp(PEER, 80, 5555, GUEST_ISN + 1, data.seq() + 1000, FIN | ACK, 502, new byte[0]));
        first.eof();
        TcpNatTest.Seg fin = nat.recv();
        assertTrue(fin.has(FIN));
        assertEquals(GUEST_ISN + 2, fin.ack(), "the ACK of the guest's FIN rides on ours");
        nat.send(tcp(PEER, 80, 5555, GUEST_ISN + 2, fin.seq() + 1, ACK, 502, new byte[0]));
        assertEquals(0, nat.stack.stats().tcp().connectionsOpen());
        int oldEnd = fin.seq() + 1;
        assertEquals(ack.seq() + 1000, fin.seq());

        nat.tick(1000);
        nat.host.listeners.get(0).connectFrom(Packets.socket(PEER, 5555));
        TcpNatTest.Seg syn = nat.recv();
        assertEquals(SYN, syn.flags());
        assertTrue(syn.seq() - oldEnd > 0, "a second later the clock part of the ISN has passed the old numbers");
        nat.sink.releaseAll();
    }

    @Test
    void aGuestThatRefusesResetsTheClient() throws Exception {
        add(ForwardProtocol.TCP, "0.0.0.0", 8080, 81);
        FakeHostStreams.Conn client = nat.host.listeners.get(0).connectFrom(Packets.socket(PEER, 5000));
        TcpNatTest.Seg syn = nat.recv();
        nat.send(tcp(PEER, 81, 5000, 0, syn.seq() + 1, RST | ACK, 0, new byte[0]));
        assertTrue(client.aborted);
        assertEquals(0, nat.stack.stats().tcp().connectionsOpen());
    }

    @Test
    void aPortInUseLeavesNothingBehindAndIdsAreNeverReused() throws Exception {
        Forward first = add(ForwardProtocol.TCP, "0.0.0.0", 8080, 80);
        assertThrows(ForwardException.class, () -> add(ForwardProtocol.TCP, "0.0.0.0", 8080, 81));
        assertEquals(List.of(first), forwards.list());
        assertTrue(forwards.remove(first.id()));
        assertFalse(forwards.remove(first.id()));
        Forward again = add(ForwardProtocol.TCP, "0.0.0.0", 8080, 80);
        assertEquals(2, again.id());
        Forward ephemeral = add(ForwardProtocol.TCP, "127.0.0.1", 0, 80);
        assertTrue(ephemeral.hostPort() != 0, "the bound port is reported");
    }

    @Test
    void removingAForwardKeepsItsConnections() throws Exception {
        Forward f = add(ForwardProtocol.TCP, "0.0.0.0", 8080, 80);
        FakeHostStreams.Conn client = nat.host.listeners.get(0).connectFrom(Packets.socket(PEER, 5555));
        TcpNatTest.Seg ack = acceptInGuest(PEER, 5555, 80);
        assertTrue(forwards.remove(f.id()));
        assertTrue(nat.host.listeners.get(0).closed);
        client.read("still here".getBytes());
        TcpNatTest.Seg data = nat.recv();
        assertArrayEquals("still here".getBytes(), data.payload());
        assertEquals(ack.seq(), data.seq());
        assertFalse(client.closed || client.aborted);
        nat.sink.releaseAll();
    }

    @Test
    void aGuestAddressOutsideTheNetworkIsRefused() {
        assertThrows(ForwardException.class, () -> forwards.add(new ForwardRequest(ForwardProtocol.TCP,
            InetAddress.getByName("0.0.0.0"), 8080, Packets.GATEWAY, 80)));
        assertTrue(nat.host.listeners.isEmpty());
    }

    @Test
    void udpPeersBecomeFlowsAndAnswersGoBackThroughTheForward() throws Exception {
        add(ForwardProtocol.UDP, "0.0.0.0", 5353, 53);
        FakeHostDatagrams.Socket socket = nat.udp.last();
        assertEquals(5353, socket.local.getPort());
        assertTrue(socket.receiveBuffer >= 1 << 20, "a forward's socket, shared by its peers, asks for a big buffer");
        socket.deliver(Packets.socket(PEER, 7000), "query".getBytes());
        Decoded in = Decoded.of(nat.sink.poll());
        assertEquals(17, in.protocol);
        assertEquals(PEER, in.src);
        assertEquals(7000, in.sport);
        assertEquals(Packets.GUEST_IP, in.dst);
        assertEquals(53, in.dport);
        assertArrayEquals("query".getBytes(), in.payload);
        nat.send(Packets.guestUdp(PEER, 53, 7000, "answer".getBytes()));
        FakeHostDatagrams.Sent out = socket.sent.get(0);
        assertEquals(Packets.socket(PEER, 7000), out.to());
        assertArrayEquals("answer".getBytes(), out.payload());
        assertEquals(1, nat.stack.stats().udp().forwardedPeers());
        // a loopback peer shows up as the gateway, and the guest's answer to the gateway still reaches it
        socket.deliver(new InetSocketAddress("127.0.0.1", 7001), "q2".getBytes());
        assertEquals(Packets.GATEWAY, Decoded.of(nat.sink.poll()).src);
        nat.send(Packets.guestUdp(Packets.GATEWAY, 53, 7001, "a2".getBytes()));
        assertEquals(new InetSocketAddress("127.0.0.1", 7001), socket.sent.get(1).to());
        // peers expire like flows
        nat.tick(io.slirp4j.stack.udp.UdpNat.IDLE_TIMEOUT_MS + 1000);
        nat.send(Packets.guestUdp(PEER, 53, 7000, "late".getBytes()));
        assertEquals(2, socket.sent.size(), "the expired peer's port is an ordinary destination now");
        forwards.close();
        assertTrue(socket.closed);
    }
}
