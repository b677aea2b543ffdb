package io.slirp4j.stack;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * An allocator that remembers every buffer it made, so a test can prove that all of them were released: a
 * deterministic leak check, unlike the GC-driven one. Netty's paranoid leak detector is switched on as well and
 * its reports are collected from java.util.logging (Netty's fallback logger) for {@link #leakReports()}.
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
    private static final List<String> LEAK_REPORTS = new ArrayList<>();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        Logger logger = Logger.getLogger(ResourceLeakDetector.class.getName());
        logger.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = String.valueOf(record.getMessage());
                if (message.contains("LEAK")) {
                    synchronized (LEAK_REPORTS) {
                        LEAK_REPORTS.add(message);
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
    }

    private final List<ByteBuf> allocated = new ArrayList<>();

    public TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf buf = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        allocated.add(buf);
        return buf;
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return newHeapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    public int allocations() {
        return allocated.size();
    }

    /** Buffers still referenced. */
    public List<ByteBuf> unreleased() {
        List<ByteBuf> live = new ArrayList<>();
        for (ByteBuf b : allocated) {
            if (b.refCnt() != 0) {
                live.add(b);
            }
        }
        return live;
    }

    /** Forgets released buffers (long fuzz runs). */
    public void forgetReleased() {
        allocated.removeIf(b -> b.refCnt() == 0);
    }

    /** Leak reports Netty's detector logged so far (after a GC and further allocations, it reports). */
    public static List<String> leakReports() {
        synchronized (LEAK_REPORTS) {
            return List.copyOf(LEAK_REPORTS);
        }
    }
}
