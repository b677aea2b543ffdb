package io.slirp4j.stack.host;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/** Receives datagrams arriving at a {@link HostDatagramSocket}, on the stack's event loop. */
public interface DatagramReceiver {
    /** One datagram from {@code from}. The payload is borrowed: it is released after the call returns. */
    void onDatagram(InetSocketAddress from, ByteBuf payload);

    /** The end of one read loop of the socket: what {@link #onDatagram} held back may go now. */
    default void onReadComplete() {
    }
}
