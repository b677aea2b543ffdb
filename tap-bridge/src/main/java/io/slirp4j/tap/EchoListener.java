package io.slirp4j.tap;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;

/** Hears what comes back for the echo requests sent through one {@link EchoSocket}; called on its event loop. */
public interface EchoListener {
    /**
     * An echo reply from {@code from}: the ICMP (or ICMPv6) message, header and data, borrowed for the call. Its
     * identifier is the socket's (the kernel's choice for a ping socket), its sequence number the request's.
     */
    void onEchoReply(InetAddress from, ByteBuf message);

    /**
     * An ICMP (or ICMPv6) error about the echo request with sequence number {@code sequence}, e.g. destination
     * unreachable or time exceeded, reported by {@code reporter} (null when the host itself refused it, e.g. a
     * message too big for the route's MTU). {@code info} is the next-hop MTU for "fragmentation needed" / "packet
     * too big", the pointer for "parameter problem", else 0.
     */
    void onEchoError(InetAddress reporter, int type, int code, int info, int sequence);
}
