package io.slirp4j.stack.host;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;

/** Receives what comes back to a {@link HostPingSocket}, on the stack's event loop. */
public interface PingReceiver {
    /**
     * An echo reply from {@code from}: the ICMP (ICMPv6) message, header and data, borrowed for the call (released
     * after it returns). Its identifier is the socket's, its sequence number the request's.
     */
    void onEchoReply(InetAddress from, ByteBuf message);

    /**
     * An ICMP (ICMPv6) error about this socket's echo request with sequence number {@code sequence}: its type and
     * code as received (e.g. 3/1 host unreachable, 11/0 time exceeded), reported by {@code reporter}, or null when
     * the host refused the request itself. {@code info} is the next-hop MTU for fragmentation needed / packet too
     * big, the pointer for parameter problem, else 0.
     */
    void onError(InetAddress reporter, int type, int code, int info, int sequence);
}
