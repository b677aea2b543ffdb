package io.slirp4j.stack.host;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;

/** One host echo socket opened through {@link HostPings}. */
public interface HostPingSocket {
    /**
     * Sends an echo request to {@code to} with TTL (IPv6: hop limit) {@code ttl}, or the system's default for 0.
     * {@code message} is the ICMP (ICMPv6) message, header and data; the socket replaces its identifier and checksum.
     * Ownership of {@code message} passes to the socket.
     *
     * @return 0, or the errno with which the host refused to send (e.g. 101 ENETUNREACH, 113 EHOSTUNREACH)
     */
    int send(InetAddress to, int ttl, ByteBuf message);

    /** Closes the socket; the receiver gets no further calls. Idempotent. */
    void close();
}
