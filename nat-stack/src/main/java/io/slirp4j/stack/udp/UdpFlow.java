package io.slirp4j.stack.udp;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.dns.DnsForwarder;
import io.slirp4j.stack.host.DatagramReceiver;
import io.slirp4j.stack.host.HostDatagramSocket;
import io.slirp4j.stack.nat.FlowKey;
import io.slirp4j.stack.nat.RecencyList;
import io.slirp4j.stack.wire.InAny;
import java.net.InetSocketAddress;

/**
 * One UDP NAT flow: a guest (address, port) and the host socket(s) that stand for it. Owned by {@link UdpNat},
 * which keeps it in one of its recency lists; all state is touched only on the stack's event loop.
 */
final class UdpFlow extends RecencyList.Entry<UdpFlow> implements DatagramReceiver, DnsForwarder.ClientFlow {
    final UdpNat nat;
    /** The guest's address and port (the peer half is unused: one flow serves every destination). */
    final FlowKey key;
    final long id;
    final long guestHi;
    final long guestLo;
    final int guestPort;
    /** True for an IPv6 guest address. */
    final boolean ipv6;
    /** The flow's IPv4 socket, bound to 0.0.0.0:0 when an IPv4 flow opened, on first use in an IPv6 flow. */
    HostDatagramSocket socket4;
    /** The flow's IPv6 socket, bound to [::]:0 when an IPv6 flow opened, on first use in an IPv4 flow. */
    HostDatagramSocket socket6;
    long lastActive;
    /** True while the guest sent nothing but DNS queries to N+3: such flows expire sooner. */
    boolean dnsOnly;
    boolean closed;
    /** The last outside destination, so a stream of datagrams to one peer costs no InetSocketAddress each. */
    private long cachedHi;
    private long cachedLo;
    private int cachedPort = -1;
    private InetSocketAddress cachedDestination;

    UdpFlow(UdpNat nat, FlowKey key, long id, long now, boolean dnsOnly) {
        this.nat = nat;
        this.key = key;
        this.id = id;
        this.guestHi = key.guestHi();
        this.guestLo = key.guestLo();
        this.guestPort = key.guestPort();
        this.ipv6 = !InAny.is4(guestHi, guestLo);
        this.lastActive = now;
        this.dnsOnly = dnsOnly;
    }

    @Override
    public void onDatagram(InetSocketAddress from, ByteBuf payload) {
        nat.onHostDatagram(this, from, payload);
    }

    @Override
    public void onReadComplete() {
        nat.onHostReadComplete();
    }

    @Override
    public long flowId() {
        return id;
    }

    @Override
    public void sendUpstream(InetSocketAddress server, ByteBuf query) {
        nat.sendToHost(this, server, query);
    }

    InetSocketAddress destination(long hi, long lo, int port) {
        if (lo != cachedLo || hi != cachedHi || port != cachedPort) {
            cachedDestination = new InetSocketAddress(InAny.toInetAddress(hi, lo), port);
            cachedHi = hi;
            cachedLo = lo;
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
        return "UdpFlow[" + InAny.format(guestHi, guestLo) + ":" + guestPort + "]";
    }
}
