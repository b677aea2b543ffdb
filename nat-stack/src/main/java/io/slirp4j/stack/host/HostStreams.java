package io.slirp4j.stack.host;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Opens host TCP connections for the TCP NAT. Implemented on Netty by {@link NettyHostStreams}, by fakes in tests.
 * Called only on the stack's event loop; every {@link StreamHandler} callback also runs only there, and never from
 * inside a {@link HostStream} operation, with one exception: {@link StreamHandler#onWritten} may be called from
 * inside {@link HostStream#write} (a write the kernel takes at once completes at once).
 */
public interface HostStreams {
    /**
     * Starts connecting to {@code remote} from {@code local} (an address of this host, the port chosen by the kernel;
     * null: the kernel chooses the address too). Returns at once; the outcome arrives as
     * {@link StreamHandler#onConnected} or {@link StreamHandler#onConnectFailed} (also when {@code local} cannot be
     * bound, say because it is no longer an address of this host).
     *
     * @throws IOException when no socket can be created at all (e.g. out of fds)
     */
    HostStream connect(InetSocketAddress remote, InetAddress local, StreamHandler handler) throws IOException;

    /** {@link #connect(InetSocketAddress, InetAddress, StreamHandler)} from wherever the kernel chooses. */
    default HostStream connect(InetSocketAddress remote, StreamHandler handler) throws IOException {
        return connect(remote, null, handler);
    }

    /**
     * Listens on {@code local} (port 0: any free port); every accepted connection is offered to {@code acceptor}.
     * Returns once the socket listens.
     *
     * @throws IOException when the address cannot be bound (in use, not an address of this host, no permission)
     */
    HostListener listen(InetSocketAddress local, StreamAcceptor acceptor) throws IOException;

    /**
     * {@link #listen(InetSocketAddress, StreamAcceptor)} on the host interface {@code device} only (SO_BINDTODEVICE:
     * clients arriving through it), or anywhere for null.
     *
     * @throws IOException also when this implementation cannot bind to an interface
     */
    default HostListener listen(InetSocketAddress local, String device, StreamAcceptor acceptor) throws IOException {
        if (device != null) {
            throw new IOException("binding to an interface is not supported here");
        }
        return listen(local, acceptor);
    }
}
