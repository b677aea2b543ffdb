package io.slirp4j.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * ARP for IPv4 over Ethernet (RFC 826), the only combination accepted: htype 1, ptype 0x0800, hlen 6, plen 4.
 *
 * <pre>
 *  0     2     4  5  6     8          14         18         24         28
 *  |htype|ptype|hl|pl| op  | sender MAC | sender IP | target MAC | target IP |
 * </pre>
 */
public final class ArpPacket extends HeaderView {
    public static final int LENGTH = 28;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;

    /** Validates; trailing bytes (Ethernet padding) are ignored. */
    public ParseResult wrap(ByteBuf buf, int offset, int length) {
        if (!bind(buf, offset, length, LENGTH)) {
            return ParseResult.TRUNCATED;
        }
        if (buf.getUnsignedShort(offset) != 1 || buf.getUnsignedShort(offset + 2) != EthernetFrame.TYPE_IPV4
            || buf.getUnsignedByte(offset + 4) != 6 || buf.getUnsignedByte(offset + 5) != 4) {
            return ParseResult.UNSUPPORTED;
        }
        int op = operation();
        if (op != OP_REQUEST && op != OP_REPLY) {
            return ParseResult.UNSUPPORTED;
        }
        return ParseResult.OK;
    }

    public int operation() {
        return buf.getUnsignedShort(offset + 6);
    }

    public long senderMac() {
        return MacAddress.read(buf, offset + 8);
    }

    public int senderIp() {
        return buf.getInt(offset + 14);
    }

    public long targetMac() {
        return MacAddress.read(buf, offset + 18);
    }

    public int targetIp() {
        return buf.getInt(offset + 24);
    }

    /** Writes a complete 28-byte ARP packet at absolute {@code offset}. */
    public static void emit(ByteBuf buf, int offset, int operation, long senderMac, int senderIp, long targetMac,
        int targetIp) {
        buf.setShort(offset, 1);
        buf.setShort(offset + 2, EthernetFrame.TYPE_IPV4);
        buf.setByte(offset + 4, 6);
        buf.setByte(offset + 5, 4);
        buf.setShort(offset + 6, operation);
        MacAddress.write(buf, offset + 8, senderMac);
        buf.setInt(offset + 14, senderIp);
        MacAddress.write(buf, offset + 18, targetMac);
        buf.setInt(offset + 24, targetIp);
    }
}
