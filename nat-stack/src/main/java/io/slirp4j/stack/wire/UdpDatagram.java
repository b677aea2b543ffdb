package io.slirp4j.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * UDP datagram view (RFC 768): source port, destination port, length (header included), checksum over an IP
 * pseudo-header (IPv4's, or IPv6's given as a partial sum), the header and the payload. On input over IPv4 a
 * checksum of 0 means "none" (over IPv6 it is an error); on output a computed 0 is sent as 0xFFFF, its one's
 * complement twin, because 0 would switch the check off.
 */
public final class UdpDatagram extends HeaderView {
    public static final int HEADER_LENGTH = 8;
    /** 65535 - 20 (IPv4 header) - 8. */
    public static final int MAX_PAYLOAD = 65507;

    /**
     * Validates {@code available} bytes (the IP payload) as a UDP datagram sent from {@code source} to
     * {@code destination}. Bytes after the UDP length are ignored.
     */
    public ParseResult wrap(ByteBuf buf, int offset, int available, int source, int destination) {
        return wrap(buf, offset, available,
            InternetChecksum.addPseudoHeader(0, source, destination, Ipv4Packet.PROTOCOL_UDP, 0), true);
    }

    /**
     * Validates {@code available} bytes (the IP payload) as a UDP datagram in IPv4 whose pseudo-header, without the
     * length, sums to {@code pseudoHeader}. Bytes after the UDP length are ignored; a zero checksum means none.
     */
    public ParseResult wrap(ByteBuf buf, int offset, int available, long pseudoHeader) {
        return wrap(buf, offset, available, pseudoHeader, true);
    }

    /**
     * {@link #wrap(ByteBuf, int, int, int, int)} for UDP in IPv6, whose pseudo-header partial sum (addresses and
     * next header, see {@link Ipv6Packet#pseudoHeader()}) the caller gives. IPv6 has no header checksum to fall
     * back on, so a zero checksum is refused as BAD_CHECKSUM (RFC 8200 8.1).
     */
    public ParseResult wrapIpv6(ByteBuf buf, int offset, int available, long pseudoHeader) {
        return wrap(buf, offset, available, pseudoHeader, false);
    }

    /**
     * Validates {@code available} bytes as a UDP datagram of either family without looking at its checksum, which
     * the link vouched for (checksum offload, see {@code IpDatagram.checksumTrusted()}).
     */
    public ParseResult wrapTrusted(ByteBuf buf, int offset, int available) {
        return wrap(buf, offset, available, 0, true, false);
    }

    private ParseResult wrap(ByteBuf buf, int offset, int available, long pseudoHeader, boolean zeroMeansNone) {
        return wrap(buf, offset, available, pseudoHeader, zeroMeansNone, true);
    }

    private ParseResult wrap(ByteBuf buf, int offset, int available, long pseudoHeader, boolean zeroMeansNone,
        boolean verify) {
        if (!bind(buf, offset, available, HEADER_LENGTH)) {
            return ParseResult.TRUNCATED;
        }
        int udpLength = buf.getUnsignedShort(offset + 4);
        if (udpLength < HEADER_LENGTH) {
            return ParseResult.BAD_LENGTH;
        }
        if (udpLength > available) {
            return ParseResult.TRUNCATED;
        }
        if (verify && (buf.getUnsignedShort(offset + 6) != 0 || !zeroMeansNone)) {
            if (!InternetChecksum.verify(InternetChecksum.add(pseudoHeader + udpLength, buf, offset, udpLength))) {
                return ParseResult.BAD_CHECKSUM;
            }
        }
        this.length = udpLength;
        return ParseResult.OK;
    }

    public int offset() {
        return offset;
    }

    /** The UDP length field: header plus payload. */
    public int length() {
        return length;
    }

    public int sourcePort() {
        return buf.getUnsignedShort(offset);
    }

    public int destinationPort() {
        return buf.getUnsignedShort(offset + 2);
    }

    public int checksum() {
        return buf.getUnsignedShort(offset + 6);
    }

    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    public int payloadLength() {
        return length - HEADER_LENGTH;
    }

    /**
     * Writes the 8-byte header at {@code offset} for {@code payloadLength} bytes already in place after it, with
     * the checksum for a datagram from {@code source} to {@code destination}.
     */
    public static void emitHeader(ByteBuf buf, int offset, int sourcePort, int destinationPort, int payloadLength,
        int source, int destination) {
        emitHeader(buf, offset, sourcePort, destinationPort, payloadLength,
            InternetChecksum.addPseudoHeader(0, source, destination, Ipv4Packet.PROTOCOL_UDP, 0));
    }

    /**
     * {@link #emitHeader(ByteBuf, int, int, int, int, int, int)} with the pseudo-header partial sum given (addresses
     * and protocol, no length): for IPv6, {@link Ipv6Packet#pseudoHeader(long, long, long, long, int)}.
     */
    public static void emitHeader(ByteBuf buf, int offset, int sourcePort, int destinationPort, int payloadLength,
        long pseudoHeader) {
        emitWithoutChecksum(buf, offset, sourcePort, destinationPort, payloadLength);
        int udpLength = HEADER_LENGTH + payloadLength;
        int checksum = InternetChecksum.finish(InternetChecksum.add(pseudoHeader + udpLength, buf, offset, udpLength));
        buf.setShort(offset + 6, checksum == 0 ? 0xFFFF : checksum);
    }

    /**
     * As {@link #emitHeader(ByteBuf, int, int, int, int, long)}, but the checksum field left partial: the
     * pseudo-header sum with this length, for a link that completes it (or cuts the payload into datagrams).
     */
    public static void emitHeaderPartial(ByteBuf buf, int offset, int sourcePort, int destinationPort,
        int payloadLength, long pseudoHeader) {
        emitWithoutChecksum(buf, offset, sourcePort, destinationPort, payloadLength);
        buf.setShort(offset + 6, InternetChecksum.fold(pseudoHeader + HEADER_LENGTH + payloadLength));
    }

    private static void emitWithoutChecksum(ByteBuf buf, int offset, int sourcePort, int destinationPort, int payloadLength) {
        buf.setShort(offset, sourcePort);
        buf.setShort(offset + 2, destinationPort);
        buf.setShort(offset + 4, HEADER_LENGTH + payloadLength);
        buf.setShort(offset + 6, 0);
    }
}
