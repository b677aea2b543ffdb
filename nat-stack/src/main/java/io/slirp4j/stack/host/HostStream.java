package io.slirp4j.stack.host;

import io.netty.buffer.ByteBuf;

/**
 * One host TCP connection opened through {@link HostStreams}. After {@link #close} or {@link #abort} the handler
 * gets no further calls.
 */
public interface HostStream {
    /**
     * Queues {@code data} (ownership passes) for the host peer. When the kernel has taken it, the handler hears
     * {@link StreamHandler#onWritten} with its length, in order; a write that fails ends the stream with
     * {@link StreamHandler#onError}.
     */
    void write(ByteBuf data);

    /** Sends FIN to the host peer once every queued write has been taken (half-close). Idempotent. */
    void shutdownOutput();

    /** Closes gracefully: queued writes are still delivered, then FIN. No further callbacks. Idempotent. */
    void close();

    /** Closes with RST (SO_LINGER 0), dropping anything queued. No further callbacks. Idempotent. */
    void abort();

    /** Pauses ({@code false}) or resumes ({@code true}) reading from the host socket. */
    void setAutoRead(boolean on);
}
