package io.slirp4j;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.FrameOffload;
import io.slirp4j.stack.FrameSink;
import io.slirp4j.stack.LinkOffloads;
import io.slirp4j.tap.TapPort;

/**
 * The stack's frames to the tap. With a vnet header the tap finishes frames for the stack, so it offers every
 * offload ({@link LinkOffloads#ALL}): the kernel completes a partial checksum and cuts a TCP super-frame written to
 * a tap whatever TUNSETOFFLOAD said (that governs only what the guest hands us). A {@link FrameOffload} becomes the
 * virtio-net header's fields as they are.
 */
final class TapFrameSink implements FrameSink {
    private final TapPort tap;
    private final LinkOffloads offloads;

    TapFrameSink(TapPort tap) {
        this.tap = tap;
        this.offloads = tap.vnetHeaderLength() > 0 ? LinkOffloads.ALL : LinkOffloads.NONE;
    }

    @Override
    public void send(ByteBuf frame) {
        tap.send(frame);
    }

    @Override
    public void send(ByteBuf frame, long offload) {
        int gsoType = switch (FrameOffload.kind(offload)) {
            case FrameOffload.KIND_TCP4 -> TapPort.VNET_GSO_TCPV4;
            case FrameOffload.KIND_TCP6 -> TapPort.VNET_GSO_TCPV6;
            default -> TapPort.VNET_GSO_NONE;
        };
        tap.send(frame, TapPort.VNET_NEEDS_CSUM, gsoType, FrameOffload.headersLength(offload),
            FrameOffload.segmentSize(offload), FrameOffload.checksumStart(offload),
            FrameOffload.checksumOffset(offload));
    }

    @Override
    public void flush() {
        // a tap takes one frame per write(2): TapPort.send already wrote it
    }

    @Override
    public LinkOffloads offloads() {
        return offloads;
    }
}
