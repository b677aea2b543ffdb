package io.slirp4j.stack;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayDeque;
import java.util.Deque;

/** Collects the frames the stack sends to the guest. */
public final class FakeSink implements FrameSink {
    private final Deque<ByteBuf> frames = new ArrayDeque<>();
    private int flushes;
    private int sent;
    private int sentAtLastFlush;

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
