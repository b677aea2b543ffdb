package io.slirp4j.stack;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Collects the frames the stack sends to the guest. One made with offloads declares them, records each
 * {@link FrameOffload} the stack asks for, and finishes those frames in software (the interface's default), so
 * tests decode complete segments either way.
 */
public final class FakeSink implements FrameSink {
    private final Deque<ByteBuf> frames = new ArrayDeque<>();
    private final LinkOffloads offloads;
    /** Every offload asked for, in order, with the length of the frame it came with. */
    public final List<long[]> offloadRequests = new ArrayList<>();
    private int flushes;
    private int sent;
    private int sentAtLastFlush;

    public FakeSink() {
        this(LinkOffloads.NONE);
    }

    public FakeSink(LinkOffloads offloads) {
        this.offloads = offloads;
    }

    @Override
    public LinkOffloads offloads() {
        return offloads;
    }

    @Override
    public void send(ByteBuf frame, long offload) {
        if (!offloads.partialChecksums()
            || (FrameOffload.isUdpSegmentation(offload) ? !offloads.udpSegmentation()
                : FrameOffload.isSegmentation(offload) && !offloads.tcpSegmentation())) {
            throw new AssertionError("offload " + Long.toHexString(offload) + " beyond " + offloads);
        }
        offloadRequests.add(new long[] {offload, frame.readableBytes()});
        FrameSink.super.send(frame, offload);
    }

    @Override
    public void send(ByteBuf frame) {
        if (frame.refCnt() != 1) {
            throw new AssertionError("frame handed over with refCnt " + frame.refCnt());
        }
        frames.add(frame);
        sent++;
    }

    @Override
    public void flush() {
        if (sent == sentAtLastFlush) {
            throw new AssertionError("flush without anything sent since the last one");
        }
        sentAtLastFlush = sent;
        flushes++;
    }

    public int flushes() {
        return flushes;
    }

    public int sent() {
        return sent;
    }

    /** True when every frame sent has been followed by a flush. */
    public boolean flushed() {
        return sentAtLastFlush == sent;
    }

    public int pending() {
        return frames.size();
    }

    /** The next frame's bytes (the frame is released), or null. */
    public byte[] poll() {
        ByteBuf frame = frames.poll();
        if (frame == null) {
            return null;
        }
        try {
            return ByteBufUtil.getBytes(frame);
        } finally {
            frame.release();
        }
    }

    public void releaseAll() {
        ByteBuf f;
        while ((f = frames.poll()) != null) {
            f.release();
        }
    }
}
