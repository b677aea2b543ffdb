package io.slirp4j.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * ICMPv6 message view (RFC 4443): type, code, checksum, 4 bytes that depend on the type, then data.
 *
 * <pre>
 *  0        8        16                31
 *  |  type  |  code  |     checksum     |
 *  | identifier, sequence / MTU / pointer / unused |
 *  | echo data, or as much of the offending packet as fits ... |
 * </pre>
 *
 * <p>Unlike ICMPv4, the checksum also covers the IPv6 pseudo-header (RFC 4443 2.3), so {@link #wrap} takes the
 * partial pseudo-header sum the way {@link TcpSegment#wrap(ByteBuf, int, int, long)} does (addresses and next
 * header, see {@link Ipv6Packet#pseudoHeader()}); it adds the message length itself. Types below 128 are errors,
 * which quote the offending packet; 128 and up are informational: echo here, NDP in {@link NdpMessage}. Errors
 * quote as much as fits in the IPv6 minimum MTU (RFC 4443 2.4(c)), unlike ICMPv4's header plus 8 bytes: the
 * sender of a large packet gets enough of it back to match it to a flow even through extension headers.
 */
public final class Icmpv6Packet extends HeaderView {
    public static final int HEADER_LENGTH = 8;

    public static final int TYPE_DESTINATION_UNREACHABLE = 1;
    public static final int TYPE_PACKET_TOO_BIG = 2;
    public static final int TYPE_TIME_EXCEEDED = 3;
    public static final int TYPE_PARAMETER_PROBLEM = 4;
    public static final int TYPE_ECHO_REQUEST = 128;
    public static final int TYPE_ECHO_REPLY = 129;
    public static final int TYPE_ROUTER_SOLICITATION = 133;
    public static final int TYPE_ROUTER_ADVERTISEMENT = 134;
    public static final int TYPE_NEIGHBOR_SOLICITATION = 135;
    public static final int TYPE_NEIGHBOR_ADVERTISEMENT = 136;
    public static final int TYPE_REDIRECT = 137;

    /** Destination unreachable codes (RFC 4443 3.1). */
    public static final int CODE_NO_ROUTE = 0;
    public static final int CODE_ADMINISTRATIVELY_PROHIBITED = 1;
    public static final int CODE_BEYOND_SCOPE = 2;
    public static final int CODE_ADDRESS_UNREACHABLE = 3;
    public static final int CODE_PORT_UNREACHABLE = 4;
    public static final int CODE_SOURCE_POLICY_FAILED = 5;
    public static final int CODE_REJECT_ROUTE = 6;
    /** Time exceeded codes (RFC 4443 3.3). */
    public static final int CODE_HOP_LIMIT_EXCEEDED = 0;
    public static final int CODE_REASSEMBLY_TIME_EXCEEDED = 1;
    /** Parameter problem codes (RFC 4443 3.4); the pointer counts from the start of the offending IPv6 header. */
    public static final int CODE_ERRONEOUS_HEADER_FIELD = 0;
    public static final int CODE_UNRECOGNIZED_NEXT_HEADER = 1;
    public static final int CODE_UNRECOGNIZED_OPTION = 2;

    /** 1280 - 40 - 8: the most of the offending packet an error may quote (RFC 4443 2.4(c)). */
    public static final int MAX_ERROR_QUOTE = Ipv6Packet.MIN_MTU - Ipv6Packet.HEADER_LENGTH - HEADER_LENGTH;

    /**
     * Validates {@code length} bytes (the upper-layer payload) as an ICMPv6 message whose pseudo-header, without the
     * length, sums to {@code pseudoHeader}; the checksum must verify.
     */
    public ParseResult wrap(ByteBuf buf, int offset, int length, long pseudoHeader) {
        boolean present = bind(buf, offset, length, HEADER_LENGTH);
        if (!present) {
            return ParseResult.TRUNCATED;
        }
        if (!InternetChecksum.verify(InternetChecksum.add(pseudoHeader + length, buf, offset, length))) {
            return ParseResult.BAD_CHECKSUM;
        }
        this.length = length;
        return ParseResult.OK;
    }

    /** {@link #wrap(ByteBuf, int, int, long)} for the payload of {@code ip}, whose protocol must be ICMPv6. */
    public ParseResult wrap(Ipv6Packet ip) {
        return wrap(ip.buffer(), ip.payloadOffset(), ip.payloadLength(), ip.pseudoHeader());
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

    /** Packet too big: the MTU of the next hop (unsigned 32 bits). */
    public long mtu() {
        return buf.getUnsignedInt(offset + 4);
    }

    /** Parameter problem: offset of the offending octet in the quoted packet (unsigned 32 bits). */
    public long pointer() {
        return buf.getUnsignedInt(offset + 4);
    }

    public int restOfHeader() {
        return buf.getInt(offset + 4);
    }

    /** Absolute offset of the echo data or of the quoted packet. */
    public int dataOffset() {
        return offset + HEADER_LENGTH;
    }

    public int dataLength() {
        return length - HEADER_LENGTH;
    }

    public boolean isError() {
        return isError(type());
    }

    /** Rewrites the type in place (an echo request becoming its reply); then {@link #updateChecksum(long)}. */
    public void setType(int type) {
        buf.setByte(offset, type);
    }

    public void setCode(int code) {
        buf.setByte(offset + 1, code);
    }

    /** Recomputes this message's checksum after an edit in place, for the pseudo-header it will travel under. */
    public void updateChecksum(long pseudoHeader) {
        updateChecksum(buf, offset, length, pseudoHeader);
    }

    /** Error messages (types 0-127), to which no error may ever be sent in return (RFC 4443 2.4(e)). */
    public static boolean isError(int type) {
        return type < 128;
    }

    /**
     * Writes an echo header at {@code offset} for {@code dataLength} data bytes already in place after it, and the
     * checksum over the pseudo-header partial sum {@code pseudoHeader}.
     */
    public static void emitEcho(ByteBuf buf, int offset, int type, int identifier, int sequence, int dataLength,
        long pseudoHeader) {
        buf.setByte(offset, type);
        buf.setByte(offset + 1, 0);
        buf.setShort(offset + 4, identifier);
        buf.setShort(offset + 6, sequence);
        updateChecksum(buf, offset, HEADER_LENGTH + dataLength, pseudoHeader);
    }

    /** How many bytes of {@code original} an error about it quotes: all of it, up to {@link #MAX_ERROR_QUOTE}. */
    public static int quoteLength(Ipv6Packet original) {
        return Math.min(original.totalLength(), MAX_ERROR_QUOTE);
    }

    /**
     * Writes an error message (type, code, the 4 type-specific bytes such as an MTU or a pointer, then
     * {@code quoteLength} bytes of the offending packet copied from {@code quoteFrom} at {@code quoteOffset}) and
     * its checksum. Returns the message length.
     */
    public static int emitError(ByteBuf buf, int offset, int type, int code, int restOfHeader, ByteBuf quoteFrom,
        int quoteOffset, int quoteLength, long pseudoHeader) {
        buf.setByte(offset, type);
        buf.setByte(offset + 1, code);
        buf.setInt(offset + 4, restOfHeader);
        buf.setBytes(offset + HEADER_LENGTH, quoteFrom, quoteOffset, quoteLength);
        updateChecksum(buf, offset, HEADER_LENGTH + quoteLength, pseudoHeader);
        return HEADER_LENGTH + quoteLength;
    }

    /** The type of the ICMPv6 message at {@code offset}, without wrapping a view (e.g. in a quoted packet). */
    public static int type(ByteBuf buf, int offset) {
        return buf.getUnsignedByte(offset);
    }

    /** Recomputes the checksum of the {@code length}-byte message at {@code offset}, e.g. after an edit in place. */
    public static void updateChecksum(ByteBuf buf, int offset, int length, long pseudoHeader) {
        buf.setShort(offset + 2, 0);
        buf.setShort(offset + 2, InternetChecksum.finish(InternetChecksum.add(pseudoHeader + length, buf, offset,
            length)));
    }
}
