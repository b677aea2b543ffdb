package io.slirp4j.stack.host;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Opens host datagram sockets for the UDP NAT. Implemented on Netty by {@link NettyHostDatagrams}, by fakes in
 * tests. Called only on the stack's event loop; the receiver is also called only there.
 */
public interface HostDatagrams {
    /**
     * Opens an unconnected datagram socket bound to {@code local} (use port 0 and a wildcard address for an
     * ephemeral bind).
     *
     * @throws IOException when the socket cannot be created or bound (e.g. out of fds)
     */
    HostDatagramSocket open(InetSocketAddress local, DatagramReceiver receiver) throws IOException;
}
