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
 * to the fd; a tap accepts one frame per write(2), so there is nothing to batch: fewer writes come from larger
 * frames instead (below).
 * Everything here runs on the event loop; {@link #send} must be called there too.
 *
 * <p>With a vnet header ({@link TunDevice#attachTap(int, String, boolean)}), every frame read or written is
 * preceded by a virtio-net header. Reading, the header is stripped and its flags become the receiver's
 * {@code checksumTrusted} (the guest's kernel left the checksum partial, or validated it); a frame may then be a
 * TCP super-frame of up to 64 KiB, or UDP datagrams of one flow in one frame (GSO_UDP_L4), whose datagram size and
 * UDP header offset go to the receiver, which cuts them (one that lacks them is counted malformed). Writing,
 * {@link #send(ByteBuf, int, int, int, int, int, int)} fills the header from its arguments (a partial checksum to
 * complete, a super-frame for the kernel to cut), and one writev(2) sends header and frame without copying them
 * together.
 *
 * <p>The same I/O serves a connected unix SOCK_SEQPACKET socket ({@code --target-type=bess}, see
 * {@link #forSeqpacket}): one read is one message is one frame, one write sends one. There the peer can go away:
 * end of file with a hang-up is reported as {@link Closed}; a zero-length message (end of file without one) is
 * skipped.
 */
public final class TapPort implements EpollIoHandle {
    static final int READ_BUDGET = 64;
    private static final int ETHERNET_HEADER = 14;
    /** The largest frame a tap with TSO hands over: a 65,535-byte IP datagram, Ethernet and VLAN headers. */
    private static final int MAX_SUPER_FRAME = 65_535 + ETHERNET_HEADER + 4;
    /** virtio_net_hdr flags. */
    public static final int VNET_NEEDS_CSUM = 1;
    public static final int VNET_DATA_VALID = 2;
    /** virtio_net_hdr gso_type values. */
    public static final int VNET_GSO_NONE = 0;
    public static final int VNET_GSO_TCPV4 = 1;
    public static final int VNET_GSO_TCPV6 = 4;
    /** UDP datagrams of one flow in one frame (USO; a kernel from 6.2 takes it from a tap). */
    public static final int VNET_GSO_UDP_L4 = 5;
    /** struct iovec on a 64-bit kernel: a pointer and a size_t, in native order. */
    private static final int IOVEC_SIZE = 16;
    private static final boolean LITTLE_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;
    /** EPOLLHUP, which the kernel always reports and Netty's EpollIoOps has no constant for. */
    private static final int EPOLLHUP = 0x10;

    /** The peer of a seqpacket port closed its end (or the fd hung up): no more frames will come. */
    public static final class Closed extends IOException {
        Closed(String message) {
            super(message);
        }
    }

    /** Receives each frame read from the tap. */
    @FunctionalInterface
    public interface FrameReceiver {
        /**
         * @param frame           one Ethernet frame (ownership passes)
         * @param checksumTrusted the vnet header said the transport checksum is partial or already validated
         * @param udpSegmentSize  0, or the frame holds UDP datagrams of one flow for us to cut (the guest's USO,
         *                        virtio GSO_UDP_L4): each this many bytes of payload but the last, the UDP header
         *                        at {@code udpStart}, its checksum partial over the whole
         * @param udpStart        where the UDP header starts in the frame (when {@code udpSegmentSize} is set)
         */
        void onFrame(ByteBuf frame, boolean checksumTrusted, int udpSegmentSize, int udpStart);
    }

    private final FileDescriptor fd;
    private final ByteBufAllocator alloc;
    private final FrameReceiver inbound;
    private final Runnable afterBatch;
    private final Consumer<Throwable> onFailure;
    private final ByteBuffer scratch;
    private final long scratchAddress;
    private final ByteBuf scratchBuf;
    private final boolean seqpacket;
    private final int vnetHeaderLength;
    /** Two iovecs (header, frame) and, after them, the header for writes; null without a vnet header. */
    private final ByteBuf writeVector;
    private IoRegistration registration;
    private long framesIn;
    private long framesOut;
    private long writeErrors;
    private long malformedIn;

    /**
     * @param vnetHeaderLength bytes of virtio-net header before each frame (0: none), as the tap was set up
     * @param inbound          receives each frame read from the tap (ownership passes)
     * @param afterBatch       runs after each batch of reads (the stack flushes there)
     * @param onFailure        the tap failed for good (e.g. its namespace is gone)
     */
    public TapPort(int fd, int mtu, int vnetHeaderLength, ByteBufAllocator alloc, FrameReceiver inbound,
                   Runnable afterBatch, Consumer<Throwable> onFailure) {
        this(fd, mtu, vnetHeaderLength, alloc, inbound, afterBatch, onFailure, false);
    }

    /** The port on a connected unix SOCK_SEQPACKET socket: its peer's going away fails it with {@link Closed}. */
    public static TapPort forSeqpacket(int fd, int mtu, ByteBufAllocator alloc, FrameReceiver inbound,
                                       Runnable afterBatch, Consumer<Throwable> onFailure) {
        return new TapPort(fd, mtu, 0, alloc, inbound, afterBatch, onFailure, true);
    }

    private TapPort(int fd, int mtu, int vnetHeaderLength, ByteBufAllocator alloc, FrameReceiver inbound,
                    Runnable afterBatch, Consumer<Throwable> onFailure, boolean seqpacket) {
        this.seqpacket = seqpacket;
        this.fd = new FileDescriptor(fd);
        this.alloc = alloc;
        this.inbound = inbound;
        this.afterBatch = afterBatch;
        this.onFailure = onFailure;
        this.vnetHeaderLength = vnetHeaderLength;
        this.scratchBuf = alloc.directBuffer(vnetHeaderLength > 0 ? vnetHeaderLength + MAX_SUPER_FRAME
            : mtu + ETHERNET_HEADER + 64);
        this.scratch = scratchBuf.internalNioBuffer(0, scratchBuf.capacity());
        this.scratchAddress = scratchBuf.hasMemoryAddress() ? scratchBuf.memoryAddress() : 0;
        if (vnetHeaderLength > 0) {
            if (scratchAddress == 0) {
                scratchBuf.release();
                throw new IllegalStateException("a vnet header needs direct buffers with a memory address");
            }
            writeVector = alloc.directBuffer(IOVEC_SIZE * 2 + vnetHeaderLength).writeZero(IOVEC_SIZE * 2
                + vnetHeaderLength);
            putIovec(0, writeVector.memoryAddress() + IOVEC_SIZE * 2, vnetHeaderLength);
        } else {
            writeVector = null;
        }
    }

    public int vnetHeaderLength() {
        return vnetHeaderLength;
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
                if (n < vnetHeaderLength) {
                    malformedIn++; // the kernel always writes the whole header: not a frame
                    continue;
                }
                int udpSegmentSize = 0;
                int udpStart = 0;
                if (vnetHeaderLength > 0 && scratchBuf.getUnsignedByte(1) == VNET_GSO_UDP_L4) {
                    udpSegmentSize = getShort(4);
                    udpStart = getShort(6);
                    if (udpSegmentSize == 0 || (scratchBuf.getByte(0) & VNET_NEEDS_CSUM) == 0) {
                        malformedIn++; // a UDP super-frame always comes with both: not one of the kernel's
                        continue;
                    }
                    // where the UDP header is, and whether the frame holds what the header says, the stack checks
                }
                framesIn++;
                boolean trusted = vnetHeaderLength > 0
                    && (scratchBuf.getByte(0) & (VNET_NEEDS_CSUM | VNET_DATA_VALID)) != 0;
                ByteBuf frame = alloc.directBuffer(n - vnetHeaderLength);
                frame.writeBytes(scratchBuf, vnetHeaderLength, n - vnetHeaderLength);
                inbound.onFrame(frame, trusted, udpSegmentSize, udpStart);
            }
        } catch (IOException e) {
            fail(e);
            return;
        } finally {
            afterBatch.run();
        }
    }

    /** Writes one complete frame to the tap and releases it. A frame the kernel refuses (device down) is dropped. */
    public void send(ByteBuf frame) {
        send(frame, 0, VNET_GSO_NONE, 0, 0, 0, 0);
    }

    /**
     * Writes one frame with the virtio-net header these fields make (struct virtio_net_hdr: {@code flags}
     * {@link #VNET_NEEDS_CSUM}, {@code gsoType} {@link #VNET_GSO_TCPV4}/{@link #VNET_GSO_TCPV6}/
     * {@link #VNET_GSO_UDP_L4} with {@code gsoSize} the payload per segment (per datagram for UDP) and
     * {@code headerLength} the bytes of all headers, the checksum to
     * complete at {@code checksumOffset} in the transport header at {@code checksumStart}), and releases it. Only
     * on a port with a vnet header, unless all are 0. A frame the kernel refuses is dropped and counted.
     */
    public void send(ByteBuf frame, int flags, int gsoType, int headerLength, int gsoSize, int checksumStart,
                     int checksumOffset) {
        ByteBuf direct = frame.hasMemoryAddress() ? frame : alloc.directBuffer(frame.readableBytes()).writeBytes(frame);
        try {
            int len = direct.readableBytes();
            long n;
            if (writeVector != null) {
                ByteBuf header = writeVector;
                int at = IOVEC_SIZE * 2;
                header.setByte(at, flags);
                header.setByte(at + 1, gsoType);
                putShort(at + 2, headerLength);
                putShort(at + 4, gsoSize);
                putShort(at + 6, checksumStart);
                putShort(at + 8, checksumOffset);
                putIovec(1, direct.memoryAddress() + direct.readerIndex(), len);
                n = fd.writevAddresses(writeVector.memoryAddress(), 2) - vnetHeaderLength;
            } else if ((flags | gsoType) != 0) {
                throw new IllegalStateException("offload requested on a tap without a vnet header");
            } else if (direct.hasMemoryAddress()) {
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

    /** A 16-bit field of a frame's vnet header as read, in native order (see {@link #putShort}). */
    private int getShort(int at) {
        return LITTLE_ENDIAN ? scratchBuf.getUnsignedShortLE(at) : scratchBuf.getUnsignedShort(at);
    }

    /** A 16-bit field of the vnet header, in native order: a tap's legacy header is (unless TUNSETVNETLE/BE). */
    private void putShort(int at, int value) {
        if (LITTLE_ENDIAN) {
            writeVector.setShortLE(at, value);
        } else {
            writeVector.setShort(at, value);
        }
    }

    /** Sets iovec {@code index} of {@link #writeVector} (struct iovec: base pointer, length; native order). */
    private void putIovec(int index, long base, long length) {
        int at = index * IOVEC_SIZE;
        if (LITTLE_ENDIAN) {
            writeVector.setLongLE(at, base).setLongLE(at + 8, length);
        } else {
            writeVector.setLong(at, base).setLong(at + 8, length);
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

    /** Reads shorter than the vnet header (never seen from a kernel; counted, not passed on). */
    public long malformedIn() {
        return malformedIn;
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
        if (writeVector != null) {
            writeVector.release();
        }
        fd.close();
    }
}
