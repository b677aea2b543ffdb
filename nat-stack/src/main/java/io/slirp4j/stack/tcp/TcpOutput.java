package io.slirp4j.stack.tcp;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.wire.TcpHeader;

/**
 * What a {@link TcpConnection} needs from its owner (the NAT): a way to send segments to the guest, and ears for
 * its events. All calls happen synchronously inside the connection's entry points, on the owner's event loop.
 *
 * <p>Re-entrancy: from any callback the owner may call {@link TcpConnection#write}, {@link TcpConnection#consumed},
 * {@link TcpConnection#shutdownOutput} and {@link TcpConnection#abort}; the connection finishes the input it was
 * processing first and sends what the nested call asked for when the outermost entry point returns.
 */
public interface TcpOutput {
    /**
     * Sends one segment to the guest. {@code header} (ports, seq, ack, flags, window, options) and {@code payload}
     * (possibly empty, never null) are borrowed for the duration of the call: copy the header into the frame with
     * {@link io.slirp4j.stack.wire.TcpSegment#emitHeaderIpv4} and the payload bytes after it, or
     * {@code retain()} the payload to keep it. The connection releases its own reference afterwards. The segment
     * may be dropped (no MAC yet, queue full): TCP retransmits.
     *
     * <p>Typical IPv4 implementation:
     * <pre>{@code
     * ByteBuf f = link.newIpv4Frame(6, remote, guest, header.headerLength() + payload.readableBytes());
     * int at = f.writerIndex();
     * f.writerIndex(at + header.headerLength()).writeBytes(payload, payload.readerIndex(), payload.readableBytes());
     * TcpSegment.emitHeaderIpv4(f, at, header, payload.readableBytes(), remote, guest);
     * link.sendIpv4(f);
     * }</pre>
     */
    void sendSegment(TcpConnection connection, TcpHeader header, ByteBuf payload);

    /** The handshake completed: data can flow both ways. */
    default void onEstablished(TcpConnection connection) {
    }

    /**
     * In-order guest data, each byte exactly once. Ownership passes to the callee, which must release it (usually
     * by writing it to the host socket). The bytes count against the receive window until {@link
     * TcpConnection#consumed} returns them.
     */
    default void onData(TcpConnection connection, ByteBuf data) {
        data.release();
    }

    /** The guest sent FIN after all data reported so far: shut down the host socket's output. Called once. */
    default void onRemoteFin(TcpConnection connection) {
    }

    /**
     * The connection died abnormally; reset the host socket. {@link #onClosed} follows immediately. Not called
     * for {@link TcpConnection#abort}, which the owner asked for.
     */
    default void onReset(TcpConnection connection, TcpCloseCause cause) {
    }

    /**
     * After a {@link TcpConnection#write} that did not take everything, the send buffer has room again (at least
     * a quarter of it): resume reading the host socket. Called once per short write.
     */
    default void onSendSpace(TcpConnection connection) {
    }

    /**
     * The connection is gone: CLOSED, all buffers released, no further calls. Remove it from the table. Called
     * exactly once per connection, on every path (normal close, TIME_WAIT expiry, reset, abort, timeout).
     */
    default void onClosed(TcpConnection connection) {
    }
}
