package io.slirp4j.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * ICMPv4 message view (RFC 792): an 8-byte header (type, code, checksum, 4 bytes that depend on the type) and
 * data, the checksum covering the whole message. Echo uses the 4 bytes as identifier and sequence number;
 * errors (destination unreachable, time exceeded) leave them zero (or next-hop MTU) and carry the offending
 * datagram's IP header plus the first 8 bytes of its payload as data.
 */
public final class IcmpV4Packet extends HeaderView {
    public static final int HEADER_LENGTH = 8;
    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DESTINATION_UNREACHABLE = 3;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;
    public static final int CODE_NET_UNREACHABLE = 0;
    public static final int CODE_HOST_UNREACHABLE = 1;
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    /** How much of the offending datagram's payload an error quotes after its IP header. */
    public static final int ERROR_QUOTE_PAYLOAD = 8;

    /** Validates the length and the checksum over all {@code length} bytes (the IP payload). */
    public ParseResult wrap(ByteBuf buf, int offset, int length) {
        boolean present = bind(buf, offset, length, HEADER_LENGTH);
        this.length = length;
        if (!present) {
            return ParseResult.TRUNCATED;
        }
        if (!InternetChecksum.verify(InternetChecksum.add(0, buf, offset, length))) {
            return ParseResult.BAD_CHECKSUM;
        }
        return ParseResult.OK;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    public int type() {
        return buf.getUnsignedByte(offset);
    }

    public int code() {
        return buf.getUnsignedByte(offset + 1);
    }

    public int checksum() {
        return buf.getUnsignedShort(offset + 2);
    }

    /** Echo identifier. */
    public int identifier() {
        return buf.getUnsignedShort(offset + 4);
    }

    /** Echo sequence number. */
    public int sequence() {
        return buf.getUnsignedShort(offset + 6);
    }

    public int restOfHeader() {
        return buf.getInt(offset + 4);
    }

    public int dataOffset() {
        return offset + HEADER_LENGTH;
    }

    public int dataLength() {
        return length - HEADER_LENGTH;
    }

    /** True for error messages, to which no error may ever be sent in return (RFC 1122 3.2.2). */
    public static boolean isError(int type) {
        return type == TYPE_DESTINATION_UNREACHABLE || type == 4 || type == 5 || type == TYPE_TIME_EXCEEDED
            || type == 12;
    }

    /**
     * Writes an echo header at {@code offset} for {@code dataLength} data bytes already in place after it, and
     * the checksum.
     */
    public static void emitEcho(ByteBuf buf, int offset, int type, int identifier, int sequence, int dataLength) {
        buf.setByte(offset, type);
        buf.setByte(offset + 1, 0);
        buf.setShort(offset + 4, identifier);
        buf.setShort(offset + 6, sequence);
        updateChecksum(buf, offset, HEADER_LENGTH + dataLength);
    }

    /** How many bytes of the datagram {@code original} an error message about it quotes. */
    public static int quoteLength(Ipv4Packet original) {
        return quoteLength(original.headerLength(), original.totalLength());
    }

    /** How many bytes of a datagram with this header and total length an error message about it quotes. */
    public static int quoteLength(int headerLength, int totalLength) {
        return Math.min(headerLength + ERROR_QUOTE_PAYLOAD, totalLength);
    }

    /**
     * Writes an error message (type, code, the 4 type-specific bytes, then {@code quoteLength} bytes of the
     * offending datagram copied from {@code quoteFrom} at {@code quoteOffset}) and its checksum. Returns the
     * message length.
     */
    public static int emitError(ByteBuf buf, int offset, int type, int code, int restOfHeader, ByteBuf quoteFrom,
        int quoteOffset, int quoteLength) {
        buf.setByte(offset, type);
        buf.setByte(offset + 1, code);
        buf.setInt(offset + 4, restOfHeader);
        buf.setBytes(offset + HEADER_LENGTH, quoteFrom, quoteOffset, quoteLength);
        updateChecksum(buf, offset, HEADER_LENGTH + quoteLength);
        return HEADER_LENGTH + quoteLength;
    }

    /** The type of the ICMP message at {@code offset}, without wrapping a view (e.g. in a quoted datagram). */
    public static int type(ByteBuf buf, int offset) {
        return buf.getUnsignedByte(offset);
    }

    public static void updateChecksum(ByteBuf buf, int offset, int length) {
        buf.setShort(offset + 2, 0);
        buf.setShort(offset + 2, InternetChecksum.compute(buf, offset, length));
    }
}
