package io.slirp4j.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * TCP segment view (RFC 9293 section 3.1), with the options of RFC 9293 (MSS), RFC 7323 (window scale,
 * timestamps) and RFC 2018 (SACK-permitted, SACK).
 *
 * <pre>
 *  0               8              16              24             31
 *  |        source port           |      destination port        |
 *  |                       sequence number                       |
 *  |                    acknowledgment number                    |
 *  | off |res|  flags (CWR..FIN)  |           window             |
 *  |          checksum            |        urgent pointer        |
 *  |                    options (off > 5) ...                    |
 * </pre>
 *
 * <p>Theory of operation: {@link #wrap} checks lengths and the checksum over a pseudo-header supplied by the
 * caller as a partial sum (addresses and protocol, see {@link #ipv4PseudoHeader}; IPv6 supplies its own), so the
 * view itself does not care about the IP version. It then walks the options once and keeps the ones TCP uses in
 * fields. Options never make a segment invalid: per RFC 9293 (3.1, "must be prepared to handle an illegal option
 * length") an option running past the header or claiming a length below 2 ends the walk, sets
 * {@link #optionsMalformed()} and keeps what was parsed before; unknown options are skipped; options of the wrong
 * length are ignored (RFC 7323 2.2 and 3.2 say exactly that for WS and TS). Nothing here throws on input bytes.
 *
 * <p>{@link #emitHeader} is the inverse: it writes a {@link TcpHeader} in front of a payload that is already in
 * place and fills in the checksum.
 */
public final class TcpSegment extends HeaderView {
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    public static final int OPT_END = 0;
    public static final int OPT_NOP = 1;
    public static final int OPT_MSS = 2;
    public static final int OPT_WINDOW_SCALE = 3;
    public static final int OPT_SACK_PERMITTED = 4;
    public static final int OPT_SACK = 5;
    public static final int OPT_TIMESTAMPS = 8;

    private int headerLength;

    private int mss;
    private int windowScale;
    private boolean sackPermitted;
    private int sackCount;
    private final int[] sack = new int[2 * TcpHeader.MAX_SACK_BLOCKS];
    private boolean timestamps;
    private int tsVal;
    private int tsEcr;
    private boolean optionsMalformed;

    /** The pseudo-header partial sum for IPv4 (addresses and protocol; the length is added by wrap/emit). */
    public static long ipv4PseudoHeader(int source, int destination) {
        return InternetChecksum.addPseudoHeader(0, source, destination, Ipv4Packet.PROTOCOL_TCP, 0);
    }

    /** {@link #wrap(ByteBuf, int, int, long)} for a segment carried in IPv4 from {@code source} to {@code destination}. */
    public ParseResult wrapIpv4(ByteBuf buf, int offset, int length, int source, int destination) {
        return wrap(buf, offset, length, ipv4PseudoHeader(source, destination));
    }

    /**
     * Validates {@code length} bytes (the whole IP payload) as a TCP segment whose pseudo-header, without the
     * length, sums to {@code pseudoHeader}; the checksum must verify.
     */
    public ParseResult wrap(ByteBuf buf, int offset, int length, long pseudoHeader) {
        ParseResult r = wrapUnchecked(buf, offset, length);
        if (r != ParseResult.OK) {
            return r;
        }
        long sum = InternetChecksum.add(pseudoHeader + (length & 0xFFFF) + ((long) length >>> 16), buf, offset, length);
        if (!InternetChecksum.verify(sum)) {
            this.length = 0;
            return ParseResult.BAD_CHECKSUM;
        }
        return ParseResult.OK;
    }

    /** Validates lengths and parses options without looking at the checksum (tests, checksum offload). */
    public ParseResult wrapUnchecked(ByteBuf buf, int offset, int length) {
        this.headerLength = 0;
        resetOptions();
        if (!bind(buf, offset, length, MIN_HEADER_LENGTH)) {
            return ParseResult.TRUNCATED;
        }
        int dataOffset = (buf.getUnsignedByte(offset + 12) >>> 4) * 4;
        if (dataOffset < MIN_HEADER_LENGTH) {
            return ParseResult.BAD_HEADER_LENGTH;
        }
        if (dataOffset > length) {
            return ParseResult.TRUNCATED;
        }
        this.length = length;
        this.headerLength = dataOffset;
        parseOptions(offset + MIN_HEADER_LENGTH, offset + dataOffset);
        return ParseResult.OK;
    }

    private void resetOptions() {
        mss = 0;
        windowScale = -1;
        sackPermitted = false;
        sackCount = 0;
        timestamps = false;
        tsVal = 0;
        tsEcr = 0;
        optionsMalformed = false;
    }

    private void parseOptions(int i, int end) {
        while (i < end) {
            int kind = buf.getUnsignedByte(i);
            if (kind == OPT_END) {
                return;
            }
            if (kind == OPT_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                optionsMalformed = true;
                return;
            }
            int len = buf.getUnsignedByte(i + 1);
            if (len < 2 || i + len > end) {
                optionsMalformed = true;
                return;
            }
            switch (kind) {
                case OPT_MSS:
                    if (len == 4) {
                        mss = buf.getUnsignedShort(i + 2);
                    }
                    break;
                case OPT_WINDOW_SCALE:
                    if (len == 3) {
                        windowScale = buf.getUnsignedByte(i + 2);
                    }
                    break;
                case OPT_SACK_PERMITTED:
                    if (len == 2) {
                        sackPermitted = true;
                    }
                    break;
                case OPT_SACK:
                    if (len >= 10 && (len - 2) % 8 == 0) {
                        int n = Math.min((len - 2) / 8, TcpHeader.MAX_SACK_BLOCKS);
                        for (int b = 0; b < n; b++) {
                            sack[2 * b] = buf.getInt(i + 2 + 8 * b);
                            sack[2 * b + 1] = buf.getInt(i + 6 + 8 * b);
                        }
                        sackCount = n;
                    }
                    break;
                case OPT_TIMESTAMPS:
                    if (len == 10) {
                        timestamps = true;
                        tsVal = buf.getInt(i + 2);
                        tsEcr = buf.getInt(i + 6);
                    }
                    break;
                default:
                    break;
            }
            i += len;
        }
    }

    public ByteBuf buffer() {
        return buf;
    }

    public int offset() {
        return offset;
    }

    /** Header plus payload. */
    public int length() {
        return length;
    }

    public int headerLength() {
        return headerLength;
    }

    public int sourcePort() {
        return buf.getUnsignedShort(offset);
    }

    public int destinationPort() {
        return buf.getUnsignedShort(offset + 2);
    }

    public int seq() {
        return buf.getInt(offset + 4);
    }

    public int ack() {
        return buf.getInt(offset + 8);
    }

    /** The eight flag bits CWR..FIN (the NS bit and reserved bits are not reported). */
    public int flags() {
        return buf.getUnsignedByte(offset + 13);
    }

    public boolean has(int flag) {
        return (flags() & flag) != 0;
    }

    /** The raw 16-bit window field (unscaled). */
    public int window() {
        return buf.getUnsignedShort(offset + 14);
    }

    public int checksum() {
        return buf.getUnsignedShort(offset + 16);
    }

    public int urgentPointer() {
        return buf.getUnsignedShort(offset + 18);
    }

    public int payloadOffset() {
        return offset + headerLength;
    }

    public int payloadLength() {
        return length - headerLength;
    }

    /** Payload plus one for SYN and one for FIN: the sequence space the segment occupies (RFC 9293 SEG.LEN). */
    public int sequenceLength() {
        int f = flags();
        return payloadLength() + ((f & SYN) != 0 ? 1 : 0) + ((f & FIN) != 0 ? 1 : 0);
    }

    /** MSS option, or 0 if absent. */
    public int mss() {
        return mss;
    }

    /** Window scale shift as sent (callers clamp to 14), or -1 if absent. */
    public int windowScale() {
        return windowScale;
    }

    public boolean sackPermitted() {
        return sackPermitted;
    }

    public int sackCount() {
        return sackCount;
    }

    public int sackLeft(int i) {
        return sack[2 * i];
    }

    public int sackRight(int i) {
        return sack[2 * i + 1];
    }

    public boolean hasTimestamps() {
        return timestamps;
    }

    public int tsVal() {
        return tsVal;
    }

    public int tsEcr() {
        return tsEcr;
    }

    public boolean optionsMalformed() {
        return optionsMalformed;
    }

    /** Copies the header fields and the options into {@code h} (for logging and tests). */
    public TcpHeader toHeader(TcpHeader h) {
        h.clear();
        h.sourcePort = sourcePort();
        h.destinationPort = destinationPort();
        h.seq = seq();
        h.ack = ack();
        h.flags = flags();
        h.window = window();
        h.mss = mss;
        h.windowScale = windowScale;
        h.sackPermitted = sackPermitted;
        h.sackCount = sackCount;
        System.arraycopy(sack, 0, h.sack, 0, 2 * sackCount);
        h.timestamps = timestamps;
        h.tsVal = tsVal;
        h.tsEcr = tsEcr;
        return h;
    }

    /** {@link #emitHeader(ByteBuf, int, TcpHeader, int, long)} for IPv4. */
    public static int emitHeaderIpv4(ByteBuf buf, int offset, TcpHeader h, int payloadLength, int source,
        int destination) {
        return emitHeader(buf, offset, h, payloadLength, ipv4PseudoHeader(source, destination));
    }

    /**
     * Writes {@code h} at absolute {@code offset} (header and options, {@code h.headerLength()} bytes) for
     * {@code payloadLength} bytes of payload that are already in place right after it, and the checksum over the
     * pseudo-header partial sum {@code pseudoHeader}. Does not move indices. Returns the header length.
     */
    public static int emitHeader(ByteBuf buf, int offset, TcpHeader h, int payloadLength, long pseudoHeader) {
        return emitHeader(buf, offset, h, payloadLength, pseudoHeader, false);
    }

    /**
     * As {@link #emitHeader(ByteBuf, int, TcpHeader, int, long)}, but with {@code partialChecksum} the checksum
     * field gets only the folded pseudo-header sum (length included), for a link that completes it (checksum
     * offload): the payload is never summed here.
     */
    public static int emitHeader(ByteBuf buf, int offset, TcpHeader h, int payloadLength, long pseudoHeader,
        boolean partialChecksum) {
        int headerLength = h.headerLength();
        if (headerLength > MAX_HEADER_LENGTH) {
            throw new IllegalArgumentException("TCP options do not fit: " + h);
        }
        buf.setShort(offset, h.sourcePort);
        buf.setShort(offset + 2, h.destinationPort);
        buf.setInt(offset + 4, h.seq);
        buf.setInt(offset + 8, h.ack);
        buf.setByte(offset + 12, (headerLength / 4) << 4);
        buf.setByte(offset + 13, h.flags);
        buf.setShort(offset + 14, h.window);
        buf.setShort(offset + 16, 0);
        buf.setShort(offset + 18, 0);
        int i = offset + MIN_HEADER_LENGTH;
        if (h.mss > 0) {
            buf.setInt(i, OPT_MSS << 24 | 4 << 16 | (h.mss & 0xFFFF));
            i += 4;
        }
        if (h.timestamps) {
            if (h.sackPermitted) {
                buf.setShort(i, OPT_SACK_PERMITTED << 8 | 2);
            } else {
                buf.setShort(i, OPT_NOP << 8 | OPT_NOP);
            }
            buf.setShort(i + 2, OPT_TIMESTAMPS << 8 | 10);
            buf.setInt(i + 4, h.tsVal);
            buf.setInt(i + 8, h.tsEcr);
            i += 12;
        } else if (h.sackPermitted) {
            buf.setInt(i, OPT_NOP << 24 | OPT_NOP << 16 | OPT_SACK_PERMITTED << 8 | 2);
            i += 4;
        }
        if (h.windowScale >= 0) {
            buf.setInt(i, OPT_NOP << 24 | OPT_WINDOW_SCALE << 16 | 3 << 8 | (h.windowScale & 0xFF));
            i += 4;
        }
        if (h.sackCount > 0) {
            int n = Math.min(h.sackCount, TcpHeader.MAX_SACK_BLOCKS);
            buf.setInt(i, OPT_NOP << 24 | OPT_NOP << 16 | OPT_SACK << 8 | (2 + 8 * n));
            i += 4;
            for (int b = 0; b < n; b++) {
                buf.setInt(i, h.sack[2 * b]);
                buf.setInt(i + 4, h.sack[2 * b + 1]);
                i += 8;
            }
        }
        while (i < offset + headerLength) {
            buf.setByte(i++, OPT_END);
        }
        int tcpLength = headerLength + payloadLength;
        long pseudo = pseudoHeader + (tcpLength & 0xFFFF) + ((long) tcpLength >>> 16);
        if (partialChecksum) {
            buf.setShort(offset + 16, InternetChecksum.fold(pseudo));
        } else {
            buf.setShort(offset + 16, InternetChecksum.finish(InternetChecksum.add(pseudo, buf, offset, tcpLength)));
        }
        return headerLength;
    }

    public static String flagsToString(int flags) {
        StringBuilder b = new StringBuilder();
        if ((flags & SYN) != 0) {
            b.append('S');
        }
        if ((flags & FIN) != 0) {
            b.append('F');
        }
        if ((flags & RST) != 0) {
            b.append('R');
        }
        if ((flags & PSH) != 0) {
            b.append('P');
        }
        if ((flags & ACK) != 0) {
            b.append('.');
        }
        if ((flags & URG) != 0) {
            b.append('U');
        }
        return b.length() == 0 ? "-" : b.toString();
    }
}
