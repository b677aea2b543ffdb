package io.slirp4j.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * IPv4 datagram view (RFC 791).
 *
 * <pre>
 *  0       4       8              16    19              31
 *  |ver|ihl| tos   |        total length                 |
 *  |     identification      |flags|   fragment offset    |
 *  |  ttl  | proto |        header checksum              |
 *  |                 source address                       |
 *  |               destination address                    |
 *  |               options (ihl > 5) ...                  |
 * </pre>
 *
 * <p>{@link #wrap} accepts more bytes than the total length (Ethernet pads short frames) and from then on the
 * view covers exactly {@link #totalLength()} bytes. Options are tolerated and skipped, never interpreted.
 */
public final class Ipv4Packet extends HeaderView {
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;
    public static final int MAX_TOTAL_LENGTH = 65535;
    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;
    public static final int FLAG_DONT_FRAGMENT = 0x4000;
    public static final int FLAG_MORE_FRAGMENTS = 0x2000;
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;
    public static final int DEFAULT_TTL = 64;
    /** What libslirp (MAXTTL) gives the ICMP it originates: echo replies and errors. */
    public static final int MAX_TTL = 255;

    private int headerLength;

    /** Validates version, header length, total length against {@code available}, and the header checksum. */
    public ParseResult wrap(ByteBuf buf, int offset, int available) {
        this.headerLength = 0;
        if (!bind(buf, offset, available, MIN_HEADER_LENGTH)) {
            return ParseResult.TRUNCATED;
        }
        int versionAndIhl = buf.getUnsignedByte(offset);
        if (versionAndIhl >>> 4 != 4) {
            return ParseResult.BAD_VERSION;
        }
        int ihl = (versionAndIhl & 0xF) * 4;
        if (ihl < MIN_HEADER_LENGTH) {
            return ParseResult.BAD_HEADER_LENGTH;
        }
        if (ihl > available) {
            return ParseResult.TRUNCATED;
        }
        int total = buf.getUnsignedShort(offset + 2);
        if (total < ihl) {
            return ParseResult.BAD_LENGTH;
        }
        if (total > available) {
            return ParseResult.TRUNCATED;
        }
        if (!InternetChecksum.verify(InternetChecksum.add(0, buf, offset, ihl))) {
            return ParseResult.BAD_CHECKSUM;
        }
        this.headerLength = ihl;
        this.length = total;
        return ParseResult.OK;
    }

    public ByteBuf buffer() {
        return buf;
    }

    public int offset() {
        return offset;
    }

    public int headerLength() {
        return headerLength;
    }

    public int totalLength() {
        return length;
    }

    public int payloadOffset() {
        return offset + headerLength;
    }

    public int payloadLength() {
        return length - headerLength;
    }

    public int tos() {
        return buf.getUnsignedByte(offset + 1);
    }

    public int identification() {
        return buf.getUnsignedShort(offset + 4);
    }

    /** Flags and fragment offset as on the wire (use the FLAG_ and FRAGMENT_ constants). */
    public int flagsAndFragmentOffset() {
        return buf.getUnsignedShort(offset + 6);
    }

    public boolean dontFragment() {
        return (flagsAndFragmentOffset() & FLAG_DONT_FRAGMENT) != 0;
    }

    public boolean moreFragments() {
        return (flagsAndFragmentOffset() & FLAG_MORE_FRAGMENTS) != 0;
    }

    /** Fragment offset in bytes. */
    public int fragmentOffset() {
        return (flagsAndFragmentOffset() & FRAGMENT_OFFSET_MASK) * 8;
    }

    /** True for any piece of a fragmented datagram (first, middle or last). */
    public boolean isFragment() {
        return (flagsAndFragmentOffset() & (FLAG_MORE_FRAGMENTS | FRAGMENT_OFFSET_MASK)) != 0;
    }

    public int ttl() {
        return buf.getUnsignedByte(offset + 8);
    }

    public int protocol() {
        return buf.getUnsignedByte(offset + 9);
    }

    public int headerChecksum() {
        return buf.getUnsignedShort(offset + 10);
    }

    public int source() {
        return buf.getInt(offset + 12);
    }

    public int destination() {
        return buf.getInt(offset + 16);
    }

    // ---- fields of a header at an absolute offset, for datagrams being built or patched (no view needed)

    /** The IP version nibble of the header at {@code offset} (4, or 6 for an IPv6 header). */
    public static int version(ByteBuf buf, int offset) {
        return buf.getUnsignedByte(offset) >>> 4;
    }

    /** The header length in bytes (IHL * 4) of the header at {@code offset}. */
    public static int headerLength(ByteBuf buf, int offset) {
        return (buf.getUnsignedByte(offset) & 0xF) * 4;
    }

    /** The Protocol field of the header at {@code offset}. */
    public static int protocol(ByteBuf buf, int offset) {
        return buf.getUnsignedByte(offset + 9);
    }

    public static int source(ByteBuf buf, int offset) {
        return buf.getInt(offset + 12);
    }

    public static int destination(ByteBuf buf, int offset) {
        return buf.getInt(offset + 16);
    }

    public static void setTotalLength(ByteBuf buf, int offset, int totalLength) {
        buf.setShort(offset + 2, totalLength);
    }

    public static void setIdentification(ByteBuf buf, int offset, int identification) {
        buf.setShort(offset + 4, identification);
    }

    /** The flags (DF, MF) and the fragment offset in 8-byte units, as one 16-bit field. */
    public static int flagsAndFragmentOffset(ByteBuf buf, int offset) {
        return buf.getUnsignedShort(offset + 6);
    }

    public static void setFlagsAndFragmentOffset(ByteBuf buf, int offset, int value) {
        buf.setShort(offset + 6, value);
    }

    /** Writes a 20-byte header without options at absolute {@code offset}, checksum included. */
    public static void emitHeader(ByteBuf buf, int offset, int tos, int totalLength, int identification,
        int flagsAndFragmentOffset, int ttl, int protocol, int source, int destination) {
        buf.setByte(offset, 0x45);
        buf.setByte(offset + 1, tos);
        buf.setShort(offset + 2, totalLength);
        buf.setShort(offset + 4, identification);
        buf.setShort(offset + 6, flagsAndFragmentOffset);
        buf.setByte(offset + 8, ttl);
        buf.setByte(offset + 9, protocol);
        buf.setShort(offset + 10, 0);
        buf.setInt(offset + 12, source);
        buf.setInt(offset + 16, destination);
        buf.setShort(offset + 10, InternetChecksum.compute(buf, offset, MIN_HEADER_LENGTH));
    }

    /** Recomputes the header checksum of the header at absolute {@code offset} after fields were changed. */
    public static void updateChecksum(ByteBuf buf, int offset) {
        int ihl = (buf.getUnsignedByte(offset) & 0xF) * 4;
        buf.setShort(offset + 10, 0);
        buf.setShort(offset + 10, InternetChecksum.compute(buf, offset, ihl));
    }
}
