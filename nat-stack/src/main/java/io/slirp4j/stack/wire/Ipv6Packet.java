package io.slirp4j.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * IPv6 packet view (RFC 8200), with its extension header chain.
 *
 * <pre>
 *  0       4               12                                     31
 *  |version| traffic class |              flow label               |
 *  |        payload length          |  next header  |   hop limit  |
 *  |                  source address (16 bytes)                     |
 *  |               destination address (16 bytes)                  |
 *  |  extension headers ... | upper-layer header and data ...      |
 * </pre>
 *
 * <p>Theory of operation: unlike IPv4, the upper-layer protocol is not in the fixed header but at the end of a
 * chain of extension headers, so {@link #wrap} walks that chain once, bounded, and leaves the answer in fields:
 * {@link #protocol()} and the region {@link #payloadOffset()}/{@link #payloadLength()} of the upper-layer data.
 * Engines never walk the chain or use raw offsets themselves.
 * <ul>
 * <li>Hop-by-hop options (0) only directly after the fixed header; elsewhere it is treated as an unrecognised
 * next header (RFC 8200 4.1). Its options, and those of destination options headers (60), are checked by the
 * option type's two high bits (4.2): unknown options are skipped, or make the packet UNSUPPORTED with the
 * Parameter Problem the RFC asks for.</li>
 * <li>A routing header (43) with segments left 0 is skipped; with segments left above 0 it would make this stack
 * forward a source-routed packet of a type it does not know, which 4.4 answers with a Parameter Problem.</li>
 * <li>A fragment header (44) ends the walk for a real fragment: what follows is a piece of the fragmentable part,
 * for a reassembler ({@link #fragmentHeaderOffset()} and the fragment fields). An atomic fragment (offset 0, no
 * more fragments, RFC 6946) is walked through as a whole packet.</li>
 * <li>No Next Header (59), and anything that is not an extension header this view knows (including ESP and AH),
 * ends the walk as the upper-layer protocol; the engine decides whether it speaks it.</li>
 * </ul>
 * Every header is at least 8 bytes and at most {@link #MAX_EXTENSION_HEADERS} are accepted, so the walk ends
 * quickly on any input. When {@code wrap} refuses a packet for which RFC 8200 wants an ICMPv6 Parameter Problem
 * sent back, {@link #problemCode()} and {@link #problemPointer()} say which; the engine sends it (or not, after its
 * own rate limiting and the RFC 4443 2.4 rules).
 *
 * <p>Like {@link Ipv4Packet}, {@code wrap} accepts more bytes than the payload length says (Ethernet padding) and
 * the view then covers exactly {@link #totalLength()} bytes. A payload length of 0 is refused: it is either a
 * jumbogram (RFC 2675), which a 65535-byte tap never carries, or a packet with nothing in it.
 */
public final class Ipv6Packet extends HeaderView {
    public static final int HEADER_LENGTH = 40;
    /** Where the fixed header's Next Header field is, from the start of the header. */
    public static final int NEXT_HEADER_FIELD = 6;
    /** The minimum link MTU every IPv6 link must carry (RFC 8200 5). */
    public static final int MIN_MTU = 1280;
    public static final int VERSION = 6;
    public static final int MAX_PAYLOAD_LENGTH = 65535;
    public static final int DEFAULT_HOP_LIMIT = 64;
    /** The hop limit of NDP messages, which proves they were not forwarded (RFC 4861 6.1). */
    public static final int MAX_HOP_LIMIT = 255;

    public static final int NEXT_HEADER_HOP_BY_HOP = 0;
    public static final int NEXT_HEADER_TCP = 6;
    public static final int NEXT_HEADER_UDP = 17;
    public static final int NEXT_HEADER_ROUTING = 43;
    public static final int NEXT_HEADER_FRAGMENT = 44;
    public static final int NEXT_HEADER_ESP = 50;
    public static final int NEXT_HEADER_AH = 51;
    public static final int NEXT_HEADER_ICMPV6 = 58;
    public static final int NEXT_HEADER_NONE = 59;
    public static final int NEXT_HEADER_DESTINATION_OPTIONS = 60;

    public static final int FRAGMENT_HEADER_LENGTH = 8;
    /** Fragment offset field: offset in 8-byte units in the top 13 bits, then 2 reserved bits, then M. */
    private static final int FRAGMENT_OFFSET_MASK = 0xFFF8;
    private static final int FRAGMENT_MORE = 1;
    /**
     * More extension headers than this make the packet UNSUPPORTED. RFC 8200 4.1 expects each at most once (two
     * destination options headers); 8 leaves room for that and bounds what a hostile chain can cost.
     */
    public static final int MAX_EXTENSION_HEADERS = 8;

    /** Hop-by-hop and destination options (RFC 8200 4.2). */
    public static final int OPTION_PAD1 = 0;
    public static final int OPTION_PADN = 1;
    /** Option type high bits: what a node must do with an option it does not recognise. */
    private static final int ACTION_SKIP = 0;
    private static final int ACTION_DISCARD = 1;
    private static final int ACTION_DISCARD_AND_REPORT = 2;

    private int payloadOffset;
    private int protocol;
    private int protocolField;
    private int fragmentHeader;
    private int fragmentPrecedingField;
    private boolean fragment;
    private int problemCode;
    private int problemPointer;

    /**
     * Validates version, payload length against {@code available}, and the extension header chain (see the class
     * comment). No checksum: IPv6 has none.
     */
    public ParseResult wrap(ByteBuf buf, int offset, int available) {
        this.payloadOffset = 0;
        this.protocol = -1;
        this.protocolField = -1;
        this.fragmentHeader = -1;
        this.fragmentPrecedingField = -1;
        this.fragment = false;
        this.problemCode = -1;
        this.problemPointer = -1;
        if (!bind(buf, offset, available, HEADER_LENGTH)) {
            return ParseResult.TRUNCATED;
        }
        if (buf.getUnsignedByte(offset) >>> 4 != VERSION) {
            return ParseResult.BAD_VERSION;
        }
        int payload = buf.getUnsignedShort(offset + 4);
        if (payload == 0) {
            return ParseResult.UNSUPPORTED;
        }
        if (HEADER_LENGTH + payload > available) {
            return ParseResult.TRUNCATED;
        }
        ParseResult r = walk(offset + HEADER_LENGTH + payload);
        this.length = r == ParseResult.OK ? HEADER_LENGTH + payload : 0;
        return r;
    }

    private ParseResult walk(int end) {
        int field = offset + 6;
        int at = offset + HEADER_LENGTH;
        for (int headers = 0; ; headers++) {
            int next = buf.getUnsignedByte(field);
            boolean options = next == NEXT_HEADER_DESTINATION_OPTIONS || next == NEXT_HEADER_HOP_BY_HOP;
            if (!options && next != NEXT_HEADER_ROUTING && next != NEXT_HEADER_FRAGMENT) {
                return upperLayer(next, field, at);
            }
            if (headers == MAX_EXTENSION_HEADERS) {
                return ParseResult.UNSUPPORTED;
            }
            if (next == NEXT_HEADER_HOP_BY_HOP && headers != 0) {
                return problem(ParseResult.UNSUPPORTED, Icmpv6Packet.CODE_UNRECOGNIZED_NEXT_HEADER, field);
            }
            if (end - at < 8) {
                return ParseResult.TRUNCATED;
            }
            if (next == NEXT_HEADER_FRAGMENT) {
                if (fragmentHeader >= 0) {
                    return ParseResult.UNSUPPORTED;
                }
                fragmentHeader = at;
                fragmentPrecedingField = field;
                int data = end - (at + FRAGMENT_HEADER_LENGTH);
                int offsetField = buf.getUnsignedShort(at + 2);
                boolean more = (offsetField & FRAGMENT_MORE) != 0;
                // RFC 8200 4.5: all but the last fragment carry a multiple of 8 bytes, and the reassembled
                // payload (unfragmentable extension headers plus fragmentable part) may not pass 65535
                if (more && data % 8 != 0) {
                    return problem(ParseResult.BAD_LENGTH, Icmpv6Packet.CODE_ERRONEOUS_HEADER_FIELD, offset + 4);
                }
                int unfragmentable = at - (offset + HEADER_LENGTH);
                if (unfragmentable + (offsetField & FRAGMENT_OFFSET_MASK) + data > MAX_PAYLOAD_LENGTH) {
                    return problem(ParseResult.BAD_LENGTH, Icmpv6Packet.CODE_ERRONEOUS_HEADER_FIELD, at + 2);
                }
                if (more || (offsetField & FRAGMENT_OFFSET_MASK) != 0) {
                    fragment = true;
                    return upperLayer(buf.getUnsignedByte(at), at, at + FRAGMENT_HEADER_LENGTH);
                }
                field = at;
                at += FRAGMENT_HEADER_LENGTH;
                continue;
            }
            int headerLength = (buf.getUnsignedByte(at + 1) + 1) * 8;
            if (headerLength > end - at) {
                return ParseResult.TRUNCATED;
            }
            if (options) {
                ParseResult r = checkOptions(at + 2, at + headerLength);
                if (r != ParseResult.OK) {
                    return r;
                }
            } else if (buf.getUnsignedByte(at + 3) != 0) {
                // a routing header still to be acted on: no routing type is recognised here
                return problem(ParseResult.UNSUPPORTED, Icmpv6Packet.CODE_ERRONEOUS_HEADER_FIELD, at + 2);
            }
            field = at;
            at += headerLength;
        }
    }

    private ParseResult upperLayer(int next, int field, int at) {
        this.protocol = next;
        this.protocolField = field;
        this.payloadOffset = at;
        return ParseResult.OK;
    }

    /** The TLV options of a hop-by-hop or destination options header, RFC 8200 4.2. */
    private ParseResult checkOptions(int i, int end) {
        while (i < end) {
            int type = buf.getUnsignedByte(i);
            if (type == OPTION_PAD1) {
                i++;
                continue;
            }
            if (end - i < 2 || buf.getUnsignedByte(i + 1) > end - i - 2) {
                return ParseResult.BAD_LENGTH;
            }
            if (type != OPTION_PADN) {
                int action = type >>> 6;
                if (action == ACTION_DISCARD) {
                    return ParseResult.UNSUPPORTED;
                }
                if (action == ACTION_DISCARD_AND_REPORT
                    || (action != ACTION_SKIP && !Ipv6Address.isMulticast(destinationHi()))) {
                    return problem(ParseResult.UNSUPPORTED, Icmpv6Packet.CODE_UNRECOGNIZED_OPTION, i);
                }
                if (action != ACTION_SKIP) {
                    return ParseResult.UNSUPPORTED;
                }
            }
            i += 2 + buf.getUnsignedByte(i + 1);
        }
        return ParseResult.OK;
    }

    private ParseResult problem(ParseResult result, int code, int fieldOffset) {
        this.problemCode = code;
        this.problemPointer = fieldOffset - offset;
        return result;
    }

    public ByteBuf buffer() {
        return buf;
    }

    public int offset() {
        return offset;
    }

    /** The fixed header plus the payload length: what the view covers. */
    public int totalLength() {
        return length;
    }

    /** The fixed header and the extension headers walked: the bytes before {@link #payloadOffset()}. */
    public int headerLength() {
        return payloadOffset - offset;
    }

    /** The upper-layer protocol (Next Header of the last header walked), e.g. {@link #NEXT_HEADER_ICMPV6}. */
    public int protocol() {
        return protocol;
    }

    /**
     * Where the Next Header field that named {@link #protocol()} sits, counted from the start of this header: the
     * Pointer of a Parameter Problem (code {@link Icmpv6Packet#CODE_UNRECOGNIZED_NEXT_HEADER}) for a protocol the
     * engine does not speak.
     */
    public int protocolPointer() {
        return protocolField - offset;
    }

    /** Absolute offset of the upper-layer data (for a fragment: of the fragment's data). */
    public int payloadOffset() {
        return payloadOffset;
    }

    public int payloadLength() {
        return offset + length - payloadOffset;
    }

    /** The Next Header field of the fixed header (the first extension header, or the protocol when there are none). */
    public int nextHeader() {
        return buf.getUnsignedByte(offset + 6);
    }

    public int trafficClass() {
        return (buf.getInt(offset) >>> 20) & 0xFF;
    }

    public int flowLabel() {
        return buf.getInt(offset) & 0xF_FFFF;
    }

    public int hopLimit() {
        return buf.getUnsignedByte(offset + 7);
    }

    public long sourceHi() {
        return buf.getLong(offset + 8);
    }

    public long sourceLo() {
        return buf.getLong(offset + 16);
    }

    public long destinationHi() {
        return buf.getLong(offset + 24);
    }

    public long destinationLo() {
        return buf.getLong(offset + 32);
    }

    /** True when a fragment header was walked, including an atomic fragment. */
    public boolean hasFragmentHeader() {
        return fragmentHeader >= 0;
    }

    /**
     * True for a piece of a fragmented packet (first, middle or last), to be reassembled; false for an atomic
     * fragment, which is processed as it is.
     */
    public boolean isFragment() {
        return fragment;
    }

    /** Fragment offset in bytes (0 without a fragment header). */
    public int fragmentOffset() {
        return fragmentHeader < 0 ? 0 : buf.getUnsignedShort(fragmentHeader + 2) & FRAGMENT_OFFSET_MASK;
    }

    public boolean moreFragments() {
        return fragmentHeader >= 0 && (buf.getUnsignedShort(fragmentHeader + 2) & FRAGMENT_MORE) != 0;
    }

    /** The fragment header's 32-bit identification (0 without one). */
    public int identification() {
        return fragmentHeader < 0 ? 0 : buf.getInt(fragmentHeader + 4);
    }

    /**
     * Absolute offset of the fragment header, or -1. For a reassembler: the unfragmentable part is
     * {@code [offset(), fragmentHeaderOffset())}, the fragment's data starts 8 bytes later (at
     * {@link #payloadOffset()} for a fragment), and the reassembled packet drops the fragment header.
     */
    public int fragmentHeaderOffset() {
        return fragmentHeader;
    }

    /**
     * Absolute offset of the Next Header field that names the fragment header, or -1: in the reassembled packet it
     * takes the fragment header's Next Header ({@link #protocol()} of the first fragment).
     */
    public int fragmentPrecedingNextHeaderOffset() {
        return fragmentPrecedingField;
    }

    /**
     * After {@link #wrap} refused the packet: the code of the ICMPv6 Parameter Problem that RFC 8200 says to send
     * back, or -1 when the packet is to be dropped silently.
     */
    public int problemCode() {
        return problemCode;
    }

    /** After {@link #wrap} refused the packet: the Pointer for that Parameter Problem, or -1. */
    public int problemPointer() {
        return problemPointer;
    }

    /**
     * The partial pseudo-header sum (addresses and {@link #protocol()}, no length) for the upper-layer checksum,
     * the form {@link TcpSegment#wrap(ByteBuf, int, int, long)}, {@link UdpDatagram#wrapIpv6} and
     * {@link Icmpv6Packet#wrap} take.
     */
    public long pseudoHeader() {
        return InternetChecksum.addIpv6PseudoHeader(0, buf, offset, protocol, 0);
    }

    /** The partial pseudo-header sum (addresses and next header, no length) for a packet being emitted. */
    public static long pseudoHeader(long sourceHi, long sourceLo, long destinationHi, long destinationLo,
        int nextHeader) {
        return InternetChecksum.addIpv6PseudoHeader(0, sourceHi, sourceLo, destinationHi, destinationLo,
            nextHeader, 0);
    }

    public void setTrafficClass(int trafficClass) {
        buf.setInt(offset, (buf.getInt(offset) & 0xF00F_FFFF) | (trafficClass & 0xFF) << 20);
    }

    public void setFlowLabel(int flowLabel) {
        buf.setInt(offset, (buf.getInt(offset) & 0xFFF0_0000) | (flowLabel & 0xF_FFFF));
    }

    public void setHopLimit(int hopLimit) {
        buf.setByte(offset + 7, hopLimit);
    }

    /** Rewrites the source address; an upper-layer checksum that covers it must be updated by the caller. */
    public void setSource(long hi, long lo) {
        Ipv6Address.write(buf, offset + 8, hi, lo);
    }

    /** Rewrites the destination address; an upper-layer checksum that covers it must be updated by the caller. */
    public void setDestination(long hi, long lo) {
        Ipv6Address.write(buf, offset + 24, hi, lo);
    }

    /** Sets the payload length of the header at absolute {@code offset} (for a packet still being built). */
    public static void setPayloadLength(ByteBuf buf, int offset, int payloadLength) {
        buf.setShort(offset + 4, payloadLength);
    }

    /** The Next Header field of the fixed header at absolute {@code offset}. */
    public static int nextHeader(ByteBuf buf, int offset) {
        return buf.getUnsignedByte(offset + 6);
    }

    public static void setNextHeader(ByteBuf buf, int offset, int nextHeader) {
        buf.setByte(offset + 6, nextHeader);
    }

    /** The high half of the source address of the header at absolute {@code offset}, without wrapping a view. */
    public static long sourceHi(ByteBuf buf, int offset) {
        return buf.getLong(offset + 8);
    }

    public static long sourceLo(ByteBuf buf, int offset) {
        return buf.getLong(offset + 16);
    }

    public static long destinationHi(ByteBuf buf, int offset) {
        return buf.getLong(offset + 24);
    }

    public static long destinationLo(ByteBuf buf, int offset) {
        return buf.getLong(offset + 32);
    }

    /** Writes a 40-byte header at absolute {@code offset}: traffic class and flow label 0. */
    public static void emitHeader(ByteBuf buf, int offset, int payloadLength, int nextHeader, int hopLimit,
        long sourceHi, long sourceLo, long destinationHi, long destinationLo) {
        buf.setInt(offset, VERSION << 28);
        buf.setShort(offset + 4, payloadLength);
        buf.setByte(offset + 6, nextHeader);
        buf.setByte(offset + 7, hopLimit);
        Ipv6Address.write(buf, offset + 8, sourceHi, sourceLo);
        Ipv6Address.write(buf, offset + 24, destinationHi, destinationLo);
    }

    /**
     * Writes an 8-byte fragment header at absolute {@code offset} (source fragmentation of a packet larger than
     * the path MTU, RFC 8200 4.5); {@code fragmentOffset} is in bytes and a multiple of 8.
     */
    public static void emitFragmentHeader(ByteBuf buf, int offset, int nextHeader, int fragmentOffset,
        boolean moreFragments, int identification) {
        buf.setByte(offset, nextHeader);
        buf.setByte(offset + 1, 0);
        buf.setShort(offset + 2, (fragmentOffset & FRAGMENT_OFFSET_MASK) | (moreFragments ? FRAGMENT_MORE : 0));
        buf.setInt(offset + 4, identification);
    }
}
