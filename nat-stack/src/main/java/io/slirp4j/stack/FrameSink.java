package io.slirp4j.stack;

import io.netty.buffer.ByteBuf;

/**
 * Where the stack's Ethernet frames for the guest go (the tap port in the program, a list in tests).
 * Called only on the stack's event loop.
 *
 * <p>A sink that can finish frames (a tap with a vnet header) says so in {@link #offloads()} and takes them with
 * {@link #send(ByteBuf, long)}; the stack then leaves checksums partial and sends TCP (and, where offered, UDP)
 * super-segments. A sink that
 * says nothing gets only complete frames within the MTU.
 */
public interface FrameSink {
    /** Queues one complete Ethernet frame (no FCS). Ownership of {@code frame} passes to the sink. */
    void send(ByteBuf frame);

    /** Pushes queued frames out; the stack calls it once after each batch of work. */
    void flush();

    /** What this sink finishes for the stack; asked once, when the stack is built. */
    default LinkOffloads offloads() {
        return LinkOffloads.NONE;
    }

    /**
     * Queues one Ethernet frame that {@code offload} ({@link FrameOffload}) says is to be finished: a partial
     * checksum, or a TCP or UDP super-segment to cut. The stack calls it only with what {@link #offloads()} allows.
     * Ownership passes. This default finishes the frame in software and sends the result with {@link #send(ByteBuf)}.
     */
    default void send(ByteBuf frame, long offload) {
        SoftwareOffload.finish(frame, offload, frame.alloc(), this::send);
    }
}
