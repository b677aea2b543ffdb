package io.slirp4j.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * Ethernet II frame view (no FCS, no 802.1Q tag support: a tagged frame shows up with EtherType 0x8100 and is
 * simply not one we handle).
 *
 * <pre>
 *  0                   6                   12      14
 *  | destination MAC   | source MAC        | type  | payload ...
 * </pre>
 */
public final class EthernetFrame extends HeaderView {
    public static final int HEADER_LENGTH = 14;
    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_IPV6 = 0x86DD;

    /** Points the view at {@code length} bytes at absolute {@code offset}; only the header must be present. */
    public ParseResult wrap(ByteBuf buf, int offset, int length) {
        boolean present = bind(buf, offset, length, HEADER_LENGTH);
        this.length = length;
        return present ? ParseResult.OK : ParseResult.TRUNCATED;
    }

    public ByteBuf buffer() {
        return buf;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    public long destination() {
        return MacAddress.read(buf, offset);
    }

    public long source() {
        return MacAddress.read(buf, offset + 6);
    }

    public int etherType() {
        return buf.getUnsignedShort(offset + 12);
    }

    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    public int payloadLength() {
        return length - HEADER_LENGTH;
    }

    /** Writes a 14-byte header at absolute {@code offset}. */
    public static void emitHeader(ByteBuf buf, int offset, long destination, long source, int etherType) {
        MacAddress.write(buf, offset, destination);
        MacAddress.write(buf, offset + 6, source);
        buf.setShort(offset + 12, etherType);
    }
}
