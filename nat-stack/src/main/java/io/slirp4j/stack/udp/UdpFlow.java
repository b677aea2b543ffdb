package io.slirp4j.stack.udp;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.dns.DnsForwarder;
import io.slirp4j.stack.host.DatagramReceiver;
import io.slirp4j.stack.host.HostDatagramSocket;
import io.slirp4j.stack.wire.Ipv4Address;
import java.net.InetSocketAddress;

/**
 * One UDP NAT flow: a guest (address, port) and the host socket(s) that stand for it. Owned by {@link UdpNat};
 * all state is touched only on the stack's event loop.
 */
final class UdpFlow implements DatagramReceiver, DnsForwarder.ClientFlow {
    final UdpNat nat;
    final long key;
    final long id;
    final int guestAddress;
    final int guestPort;
    /** The flow's socket, bound to 0.0.0.0:0 when the flow opened. */
    HostDatagramSocket socket4;
    /** Opened on first use, only for DNS queries to an IPv6 nameserver. */
    HostDatagramSocket socket6;
    long lastActive;
    /** True while the guest sent nothing but DNS queries to N+3: such flows expire sooner. */
    boolean dnsOnly;
    boolean closed;
    /** The last outside destination, so a stream of datagrams to one peer costs no InetSocketAddress each. */
    private int cachedAddress;
    private int cachedPort = -1;
    private InetSocketAddress cachedDestination;

    UdpFlow(UdpNat nat, long key, long id, int guestAddress, int guestPort, long now, boolean dnsOnly) {
        this.nat = nat;
        this.key = key;
        this.id = id;
        this.guestAddress = guestAddress;
        this.guestPort = guestPort;
        this.lastActive = now;
        this.dnsOnly = dnsOnly;
    }

    @Override
    public void onDatagram(InetSocketAddress from, ByteBuf payload) {
        nat.onHostDatagram(this, from, payload);
    }

    @Override
    public long flowId() {
        return id;
    }

    @Override
    public void sendUpstream(InetSocketAddress server, ByteBuf query) {
        nat.sendToHost(this, server, query);
    }

    InetSocketAddress destination(int address, int port) {
        if (address != cachedAddress || port != cachedPort) {
            cachedDestination = new InetSocketAddress(Ipv4Address.toInetAddress(address), port);
            cachedAddress = address;
            cachedPort = port;
        }
        return cachedDestination;
    }

    void close() {
        closed = true;
        if (socket4 != null) {
            socket4.close();
        }
        if (socket6 != null) {
            socket6.close();
        }
    }

    @Override
    public String toString() {
        return "UdpFlow[" + Ipv4Address.format(guestAddress) + ":" + guestPort + "]";
    }
}
