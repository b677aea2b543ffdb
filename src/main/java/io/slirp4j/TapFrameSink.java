package io.slirp4j;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.FrameOffload;
import io.slirp4j.stack.FrameSink;
import io.slirp4j.stack.LinkOffloads;
import io.slirp4j.tap.TapPort;
import io.slirp4j.tap.TunDevice;

/**
 * The stack's frames to the tap. With a vnet header (and without --disable-offloads) the tap finishes frames for
 * the stack, so it offers the offloads: the kernel takes a partial checksum and a TCP super-frame written to a tap
 * whatever TUNSETOFFLOAD said (that governs only what the guest hands us), and the guest's stack takes them as they
 * are; UDP datagrams in one frame too where the kernel knows them (6.2 on, {@link TunDevice.Offloads#udpOut}). A
 * {@link FrameOffload} becomes the virtio-net header's fields.
 */
final class TapFrameSink implements FrameSink {
    private final TapPort tap;
    private final LinkOffloads offloads;

    /**
     * {@code offloads}: false for --disable-offloads, which an inherited fd's vnet header cannot undo;
     * {@code udpSegmentation}: the kernel takes UDP super-frames.
     */
    TapFrameSink(TapPort tap, boolean offloads, boolean udpSegmentation) {
        this.tap = tap;
        this.offloads = !offloads || tap.vnetHeaderLength() == 0 ? LinkOffloads.NONE
            : udpSegmentation ? LinkOffloads.ALL : LinkOffloads.TCP;
    }

    @Override
    public void send(ByteBuf frame) {
        tap.send(frame);
    }

    @Override
    public void send(ByteBuf frame, long offload) {
        if (offload == FrameOffload.NONE) {
            tap.send(frame);
            return;
        }
        int gsoType = switch (FrameOffload.kind(offload)) {
            case FrameOffload.KIND_TCP4 -> TapPort.VNET_GSO_TCPV4;
            case FrameOffload.KIND_TCP6 -> TapPort.VNET_GSO_TCPV6;
            case FrameOffload.KIND_UDP4, FrameOffload.KIND_UDP6 -> TapPort.VNET_GSO_UDP_L4;
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
