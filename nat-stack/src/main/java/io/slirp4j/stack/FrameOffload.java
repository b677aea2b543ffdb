package io.slirp4j.stack;

/**
 * What the link must finish in a frame the stack sends with {@link FrameSink#send(io.netty.buffer.ByteBuf, long)},
 * packed in a long so that the data path allocates nothing: the transport checksum to complete and, for a TCP or
 * UDP super-segment, the segment size to cut it into. These are virtio-net's header fields (csum_start, csum_offset,
 * hdr_len, gso_size, gso_type), which a tap with a vnet header takes as they are.
 *
 * <p>Layout: bits 0-3 the kind, 4-11 the checksum field's offset in the transport header, 12-27 where the
 * transport header starts in the frame, 28-43 the length of all headers (Ethernet, IP, TCP or UDP), 44-59 the
 * segment size. {@link #NONE} (0) is a complete frame.
 */
public final class FrameOffload {
    /** A complete frame: nothing to finish. */
    public static final long NONE = 0;
    /** Only the checksum to complete. */
    public static final int KIND_CHECKSUM = 1;
    /** A TCP-over-IPv4 super-segment to cut (checksum partial too). */
    public static final int KIND_TCP4 = 2;
    /** A TCP-over-IPv6 super-segment to cut (checksum partial too). */
    public static final int KIND_TCP6 = 3;
    /**
     * UDP-over-IPv4 datagrams of one flow in one frame (virtio's GSO_UDP_L4): the payload is cut into datagrams of
     * the segment size (the last may be shorter), each with its own UDP header and checksum (partial too).
     */
    public static final int KIND_UDP4 = 4;
    /** The same over IPv6. */
    public static final int KIND_UDP6 = 5;

    private FrameOffload() {}

    /** A frame whose transport checksum, {@code checksumOffset} into the header at {@code checksumStart}, is partial. */
    public static long checksum(int checksumStart, int checksumOffset) {
        return pack(KIND_CHECKSUM, checksumStart, checksumOffset, 0, 0);
    }

    /**
     * A TCP super-segment whose header starts at {@code tcpStart} and whose headers end at {@code headersLength};
     * cut its payload into segments of {@code segmentSize} bytes, each with its own checksum.
     */
    public static long tcpSegmentation(boolean ipv6, int tcpStart, int headersLength, int segmentSize) {
        if (segmentSize <= 0 || segmentSize > 0xFFFF) {
            throw new IllegalArgumentException("segment size " + segmentSize);
        }
        return pack(ipv6 ? KIND_TCP6 : KIND_TCP4, tcpStart, 16, headersLength, segmentSize);
    }

    /**
     * UDP datagrams in one frame whose UDP header starts at {@code udpStart} and whose headers end at
     * {@code headersLength}; cut the payload into datagrams of {@code segmentSize} bytes (the last may be
     * shorter), each with its own length and checksum.
     */
    public static long udpSegmentation(boolean ipv6, int udpStart, int headersLength, int segmentSize) {
        if (segmentSize <= 0 || segmentSize > 0xFFFF) {
            throw new IllegalArgumentException("segment size " + segmentSize);
        }
        return pack(ipv6 ? KIND_UDP6 : KIND_UDP4, udpStart, 6, headersLength, segmentSize);
    }

    private static long pack(int kind, int checksumStart, int checksumOffset, int headersLength, int segmentSize) {
        if (checksumStart < 0 || checksumStart > 0xFFFF || checksumOffset < 0 || checksumOffset > 0xFF
            || headersLength < 0 || headersLength > 0xFFFF) {
            throw new IllegalArgumentException("offload fields out of range");
        }
        return kind | (long) checksumOffset << 4 | (long) checksumStart << 12 | (long) headersLength << 28
            | (long) segmentSize << 44;
    }

    public static int kind(long offload) {
        return (int) (offload & 0xF);
    }

    public static boolean isSegmentation(long offload) {
        int kind = kind(offload);
        return kind == KIND_TCP4 || kind == KIND_TCP6 || kind == KIND_UDP4 || kind == KIND_UDP6;
    }

    public static boolean isUdpSegmentation(long offload) {
        int kind = kind(offload);
        return kind == KIND_UDP4 || kind == KIND_UDP6;
    }

    public static boolean isIpv6(long offload) {
        int kind = kind(offload);
        return kind == KIND_TCP6 || kind == KIND_UDP6;
    }

    /** Where the transport header (the checksummed region) starts, from the frame's first byte. */
    public static int checksumStart(long offload) {
        return (int) (offload >>> 12 & 0xFFFF);
    }

    /** Where the checksum field is, from {@link #checksumStart}: 16 for TCP, 6 for UDP. */
    public static int checksumOffset(long offload) {
        return (int) (offload >>> 4 & 0xFF);
    }

    /** Ethernet, IP and TCP or UDP headers together (segmentation only; 0 otherwise). */
    public static int headersLength(long offload) {
        return (int) (offload >>> 28 & 0xFFFF);
    }

    /** The payload per segment (segmentation only; 0 otherwise). */
    public static int segmentSize(long offload) {
        return (int) (offload >>> 44 & 0xFFFF);
    }
}
