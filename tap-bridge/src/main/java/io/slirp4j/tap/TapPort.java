package io.slirp4j.tap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Frame I/O on the tap fd, registered in a Netty epoll event loop like a channel (level-triggered, at most
 * {@link #READ_BUDGET} frames per wake-up so host sockets on the same loop are not starved).
 *
 * <p>Each read lands in one reusable direct buffer sized for the largest frame and is copied into a pooled
 * buffer of the frame's size: one memcpy instead of a 64 KiB allocation per 1.5 KiB frame. Writes go straight
 * to the fd; a tap accepts one frame per write(2), so there is nothing to batch.
 * Everything here runs on the event loop; {@link #send} must be called there too.
 *
 * <p>The same I/O serves a connected unix SOCK_SEQPACKET socket ({@code --target-type=bess}, see
 * {@link #forSeqpacket}): one read is one message is one frame, one write sends one. There the peer can go away:
 * end of file with a hang-up is reported as {@link Closed}; a zero-length message (end of file without one) is
 * skipped.
 */
public final class TapPort implements EpollIoHandle {
    static final int READ_BUDGET = 64;
    private static final int ETHERNET_HEADER = 14;
    /** EPOLLHUP, which the kernel always reports and Netty's EpollIoOps has no constant for. */
    private static final int EPOLLHUP = 0x10;

    /** The peer of a seqpacket port closed its end (or the fd hung up): no more frames will come. */
    public static final class Closed extends IOException {
        Closed(String message) {
            super(message);
        }
    }

    private final FileDescriptor fd;
    private final ByteBufAllocator alloc;
    private final Consumer<ByteBuf> inbound;
    private final Runnable afterBatch;
    private final Consumer<Throwable> onFailure;
    private final ByteBuffer scratch;
    private final long scratchAddress;
    private final ByteBuf scratchBuf;
    private final boolean seqpacket;
    private IoRegistration registration;
    private long framesIn;
    private long framesOut;
    private long writeErrors;

    /**
     * @param inbound    receives each frame read from the tap (ownership passes)
     * @param afterBatch runs after each batch of reads (the stack flushes there)
     * @param onFailure  the tap failed for good (e.g. its namespace is gone)
     */
    public TapPort(int fd, int mtu, ByteBufAllocator alloc, Consumer<ByteBuf> inbound, Runnable afterBatch,
                   Consumer<Throwable> onFailure) {
        this(fd, mtu, alloc, inbound, afterBatch, onFailure, false);
    }

    /** The port on a connected unix SOCK_SEQPACKET socket: its peer's going away fails it with {@link Closed}. */
    public static TapPort forSeqpacket(int fd, int mtu, ByteBufAllocator alloc, Consumer<ByteBuf> inbound,
                                       Runnable afterBatch, Consumer<Throwable> onFailure) {
        return new TapPort(fd, mtu, alloc, inbound, afterBatch, onFailure, true);
    }

    private TapPort(int fd, int mtu, ByteBufAllocator alloc, Consumer<ByteBuf> inbound, Runnable afterBatch,
                    Consumer<Throwable> onFailure, boolean seqpacket) {
        this.seqpacket = seqpacket;
        this.fd = new FileDescriptor(fd);
        this.alloc = alloc;
        this.inbound = inbound;
        this.afterBatch = afterBatch;
        this.onFailure = onFailure;
        this.scratchBuf = alloc.directBuffer(mtu + ETHERNET_HEADER + 64);
        this.scratch = scratchBuf.internalNioBuffer(0, scratchBuf.capacity());
        this.scratchAddress = scratchBuf.hasMemoryAddress() ? scratchBuf.memoryAddress() : 0;
    }

    /** Registers with {@code loop} and starts reading. Call from any thread; completes asynchronously. */
    public void start(IoEventLoop loop) {
        loop.register(this).addListener(f -> {
            if (!f.isSuccess()) {
                onFailure.accept(f.cause());
                return;
            }
            registration = (IoRegistration) f.getNow();
            registration.submit(seqpacket ? EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLRDHUP) : EpollIoOps.EPOLLIN);
        });
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        EpollIoOps ops = ((EpollIoEvent) event).ops();
        if (ops.contains(EpollIoOps.EPOLLERR)) {
            fail(new IOException("tap device reported an error"));
            return;
        }
        boolean hangUp = (ops.value() & EPOLLHUP) != 0 || ops.contains(EpollIoOps.EPOLLRDHUP);
        if (!ops.contains(EpollIoOps.EPOLLIN)) {
            if (hangUp) {
                // level-triggered: ignoring a hang-up would wake this loop again at once, for ever
                fail(new Closed(seqpacket ? "the BESS peer closed the connection" : "tap device hung up"));
            }
            return;
        }
        try {
            for (int i = 0; i < READ_BUDGET; i++) {
                int n = scratchAddress != 0
                    ? fd.readAddress(scratchAddress, 0, scratchBuf.capacity())
                    : fd.read(scratch, scratch.position(), scratch.limit());
                if (n == 0) {
                    break; // EAGAIN: drained
                }
                if (n < 0) {
                    if (seqpacket && !hangUp) {
                        continue; // a zero-length message: nothing to pass on
                    }
                    fail(seqpacket ? new Closed("the BESS peer closed the connection")
                        : new IOException("tap device closed"));
                    return;
                }
                framesIn++;
                ByteBuf frame = alloc.directBuffer(n);
                frame.writeBytes(scratchBuf, 0, n);
                inbound.accept(frame);
            }
        } catch (IOException e) {
            fail(e);
            return;
        } finally {
            afterBatch.run();
        }
    }

    /** Writes one frame to the tap and releases it. A frame the kernel refuses (device down) is dropped. */
    public void send(ByteBuf frame) {
        ByteBuf direct = frame.hasMemoryAddress() ? frame : alloc.directBuffer(frame.readableBytes()).writeBytes(frame);
        try {
            int len = direct.readableBytes();
            int n;
            if (direct.hasMemoryAddress()) {
                n = fd.writeAddress(direct.memoryAddress(), direct.readerIndex(), direct.writerIndex());
            } else {
                ByteBuffer nio = direct.internalNioBuffer(direct.readerIndex(), len);
                n = fd.write(nio, nio.position(), nio.limit());
            }
            if (n == len) {
                framesOut++;
            } else {
                writeErrors++;
            }
        } catch (IOException e) {
            writeErrors++;
        } finally {
            if (direct != frame) {
                direct.release();
            }
            frame.release();
        }
    }

    public long framesIn() {
        return framesIn;
    }

    public long framesOut() {
        return framesOut;
    }

    public long writeErrors() {
        return writeErrors;
    }

    private void fail(Throwable cause) {
        if (registration != null) {
            registration.cancel();
        }
        onFailure.accept(cause);
    }

    @Override
    public void close() throws IOException {
        if (registration != null && registration.isValid()) {
            registration.cancel();
        }
        scratchBuf.release();
        fd.close();
    }
}
