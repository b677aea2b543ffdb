package io.slirp4j.stack.udp;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.host.DatagramReceiver;
import io.slirp4j.stack.host.HostDatagramSocket;
import io.slirp4j.stack.nat.FlowKey;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * One UDP port forward opened by {@link UdpNat#openForward}: its host socket and the peers it has shown to the
 * guest. Owned by {@link UdpNat}; touched only on the stack's event loop.
 */
public final class UdpForward implements DatagramReceiver {
    final UdpNat nat;
    final long guestHi;
    final long guestLo;
    final int guestPort;
    HostDatagramSocket socket;
    final Map<InetSocketAddress, Peer> peers = new HashMap<>();
    boolean closed;

    UdpForward(UdpNat nat, long guestHi, long guestLo, int guestPort) {
        this.nat = nat;
        this.guestHi = guestHi;
        this.guestLo = guestLo;
        this.guestPort = guestPort;
    }

    /** The address and port the forward's socket is bound to. */
    public InetSocketAddress localAddress() {
        return socket.localAddress();
    }

    /** Peers shown to the guest now. */
    public int peerCount() {
        return peers.size();
    }

    /** Closes the socket and forgets every peer. Idempotent. */
    public void close() {
        nat.closeForward(this);
    }

    @Override
    public void onDatagram(InetSocketAddress from, ByteBuf payload) {
        nat.onForwardDatagram(this, from, payload);
    }

    @Override
    public void onReadComplete() {
        nat.onHostReadComplete();
    }

    /** One remote peer: its real address, and who it is to the guest. */
    static final class Peer {
        final UdpForward forward;
        final InetSocketAddress address;
        final FlowKey key;
        long lastActive;

        Peer(UdpForward forward, InetSocketAddress address, FlowKey key, long now) {
            this.forward = forward;
            this.address = address;
            this.key = key;
            this.lastActive = now;
        }
    }
}
