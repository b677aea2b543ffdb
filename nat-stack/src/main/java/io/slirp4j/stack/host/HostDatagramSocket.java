package io.slirp4j.stack.host;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/** One host datagram socket opened through {@link HostDatagrams}. */
public interface HostDatagramSocket {
    /**
     * Sends {@code payload} to {@code to}, in order, by the end of the event loop's current turn (implementations
     * may batch); ownership of {@code payload} passes to the socket. Errors are dropped.
     */
    void send(InetSocketAddress to, ByteBuf payload);

    /** The address and port bound (the kernel's pick when port 0 was asked for). */
    InetSocketAddress localAddress();

    /** Closes the socket; the receiver gets no further calls. Idempotent. */
    void close();
}
