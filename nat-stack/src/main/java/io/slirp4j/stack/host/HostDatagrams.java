package io.slirp4j.stack.host;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Opens host datagram sockets for the UDP NAT. Implemented on Netty by {@link NettyHostDatagrams}, by fakes in
 * tests. Called only on the stack's event loop; the receiver is also called only there.
 */
public interface HostDatagrams {
    /** The kernel's default receive buffer: enough for a socket that serves one guest socket. */
    int DEFAULT_RECEIVE_BUFFER = 0;

    /**
     * Opens an unconnected datagram socket bound to {@code local} (use port 0 and a wildcard address for an
     * ephemeral bind).
     *
     * @param receiveBuffer SO_RCVBUF to ask for (the kernel caps it at net.core.rmem_max), or
     *                      {@link #DEFAULT_RECEIVE_BUFFER}
     * @throws IOException when the socket cannot be created or bound (e.g. out of fds)
     */
    HostDatagramSocket open(InetSocketAddress local, DatagramReceiver receiver, int receiveBuffer) throws IOException;

    /**
     * {@link #open(InetSocketAddress, DatagramReceiver, int)} on the host interface {@code device} only
     * (SO_BINDTODEVICE), or anywhere for null.
     *
     * @throws IOException also when this implementation cannot bind to an interface
     */
    default HostDatagramSocket open(InetSocketAddress local, String device, DatagramReceiver receiver,
        int receiveBuffer) throws IOException {
        if (device != null) {
            throw new IOException("binding to an interface is not supported here");
        }
        return open(local, receiver, receiveBuffer);
    }
}
