package io.slirp4j.tap;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;

/** A host socket that sends ICMP echo requests and hears their replies and errors ({@link EchoSockets}). */
public interface EchoSocket {
    /**
     * Sends {@code message} (an ICMP or ICMPv6 echo request, header and data; its identifier and checksum are the
     * socket's business) to {@code to} with TTL / hop limit {@code ttl} (0: the system's default). Ownership of the
     * message passes. Returns 0, or the errno of a send the kernel refused (e.g. ENETUNREACH).
     */
    int send(InetAddress to, int ttl, ByteBuf message);

    /** How the echo requests leave the host. */
    EchoSockets.Kind kind();

    /** Closes the socket; its listener hears nothing more. Idempotent. */
    void close();
}
