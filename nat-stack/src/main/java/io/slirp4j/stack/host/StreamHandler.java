package io.slirp4j.stack.host;

import io.netty.buffer.ByteBuf;

/** Events of one {@link HostStream}, on the stack's event loop. */
public interface StreamHandler {
    /** The connect succeeded: data may flow. */
    void onConnected();

    /** The connect failed; the stream is closed already. {@code cause} is for logs (may be null). */
    void onConnectFailed(ConnectFailure reason, Throwable cause);

    /** Bytes from the host peer; ownership passes to the handler, which must release them. */
    void onRead(ByteBuf data);

    /**
     * One read loop of the socket is over: the {@link #onRead} calls since the last one were all the socket had (or
     * as much as one loop takes). Netty's channelReadComplete.
     */
    default void onReadComplete() {
    }

    /** {@code bytes} of earlier writes were taken by the kernel (so the guest's window can reopen). */
    void onWritten(int bytes);

    /** The host peer sent FIN: no more reads. Writing is still possible (half-close). */
    void onEof();

    /** The connection broke (reset by the peer, write failed, closed unexpectedly); the stream is closed already. */
    void onError(Throwable cause);

    /**
     * The most the handler can take in one {@link #onRead} now; reads are no larger (down to
     * {@link NettyHostStreams#MIN_READ}). A handler that takes part of a read keeps the rest, and with it the whole
     * read buffer: a 64 KiB buffer for a connection that may hold 16 KiB.
     */
    default int readLimit() {
        return Integer.MAX_VALUE;
    }

    /** The socket's outbound buffer crossed a water mark. Informational. */
    default void onWritabilityChanged(boolean writable) {
    }
}
