package io.slirp4j.stack;

import io.netty.buffer.ByteBuf;

/**
 * Where the stack's Ethernet frames for the guest go (the tap port in the program, a list in tests).
 * Called only on the stack's event loop.
 */
public interface FrameSink {
    /** Queues one complete Ethernet frame (no FCS). Ownership of {@code frame} passes to the sink. */
    void send(ByteBuf frame);

    /** Pushes queued frames out; the stack calls it once after each batch of work. */
    void flush();
}
