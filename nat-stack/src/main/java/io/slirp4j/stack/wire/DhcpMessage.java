package io.slirp4j.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * DHCP message view (RFC 2131 on the BOOTP layout of RFC 951, options RFC 2132), Ethernet clients only.
 *
 * <pre>
 *  0  op  1 htype 2 hlen 3 hops | 4 xid | 8 secs | 10 flags | 12 ciaddr | 16 yiaddr | 20 siaddr | 24 giaddr
 *  28 chaddr (16) | 44 sname (64) | 108 file (128) | 236 magic cookie 99.130.83.99 | 240 options ...
 * </pre>
 *
 * <p>{@link #wrap} walks every option once, checking each length against the buffer, and remembers the few the
 * server needs (message type, requested address, server identifier), so nothing later can read out of bounds.
 * Option overloading (option 52, options inside sname/file) is not supported: those fields are ignored.
 */
public final class DhcpMessage extends HeaderView {
    public static final int FIXED_LENGTH = 236;
    public static final int OPTIONS_OFFSET = 240;
    public static final int MAGIC_COOKIE = 0x6382_5363;
    /** Replies are padded to this BOOTP length; some old clients drop anything shorter. */
    public static final int MIN_REPLY_LENGTH = 300;
    public static final int SERVER_PORT = 67;
    public static final int CLIENT_PORT = 68;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;
    public static final int FLAG_BROADCAST = 0x8000;

    public static final int DISCOVER = 1;
    public static final int OFFER = 2;
    public static final int REQUEST = 3;
    public static final int DECLINE = 4;
    public static final int ACK = 5;
    public static final int NAK = 6;
    public static final int RELEASE = 7;
    public static final int INFORM = 8;

    public static final int OPTION_PAD = 0;
    public static final int OPTION_SUBNET_MASK = 1;
    public static final int OPTION_ROUTER = 3;
    public static final int OPTION_DNS = 6;
    public static final int OPTION_REQUESTED_ADDRESS = 50;
    public static final int OPTION_LEASE_TIME = 51;
    public static final int OPTION_MESSAGE_TYPE = 53;
    public static final int OPTION_SERVER_ID = 54;
    public static final int OPTION_END = 255;

    private int messageType;
    private int requestedAddress;
    private int serverId;

    /** Validates the fixed part, the cookie and the option list; a message without option 53 is BOOTP: UNSUPPORTED. */
    public ParseResult wrap(ByteBuf buf, int offset, int length) {
        this.messageType = 0;
        this.requestedAddress = 0;
        this.serverId = 0;
        if (!bind(buf, offset, length, OPTIONS_OFFSET)) {
            return ParseResult.TRUNCATED;
        }
        int op = buf.getUnsignedByte(offset);
        if ((op != OP_REQUEST && op != OP_REPLY) || buf.getUnsignedByte(offset + 1) != 1
            || buf.getUnsignedByte(offset + 2) != 6 || buf.getInt(offset + FIXED_LENGTH) != MAGIC_COOKIE) {
            return ParseResult.UNSUPPORTED;
        }
        int end = offset + length;
        int i = offset + OPTIONS_OFFSET;
        while (i < end) {
            int code = buf.getUnsignedByte(i);
            if (code == OPTION_END) {
                break;
            }
            if (code == OPTION_PAD) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return ParseResult.BAD_LENGTH;
            }
            int len = buf.getUnsignedByte(i + 1);
            int data = i + 2;
            if (data + len > end) {
                return ParseResult.BAD_LENGTH;
            }
            if (code == OPTION_MESSAGE_TYPE && len == 1) {
                messageType = buf.getUnsignedByte(data);
            } else if (code == OPTION_REQUESTED_ADDRESS && len == 4) {
                requestedAddress = buf.getInt(data);
            } else if (code == OPTION_SERVER_ID && len == 4) {
                serverId = buf.getInt(data);
            }
            i = data + len;
        }
        if (messageType == 0) {
            return ParseResult.UNSUPPORTED;
        }
        return ParseResult.OK;
    }

    public int op() {
        return buf.getUnsignedByte(offset);
    }

    public int transactionId() {
        return buf.getInt(offset + 4);
    }

    public int flags() {
        return buf.getUnsignedShort(offset + 10);
    }

    public boolean broadcastFlag() {
        return (flags() & FLAG_BROADCAST) != 0;
    }

    public int clientAddress() {
        return buf.getInt(offset + 12);
    }

    public int yourAddress() {
        return buf.getInt(offset + 16);
    }

    public int relayAddress() {
        return buf.getInt(offset + 24);
    }

    /** The client hardware address (chaddr, first 6 of its 16 bytes). */
    public long clientMac() {
        return MacAddress.read(buf, offset + 28);
    }

    /** Option 53, 1..8. */
    public int messageType() {
        return messageType;
    }

    /** Option 50, or 0 when absent. */
    public int requestedAddress() {
        return requestedAddress;
    }

    /** Option 54, or 0 when absent. */
    public int serverId() {
        return serverId;
    }

    /**
     * Writes the fixed part and magic cookie of a reply at {@code offset} (240 bytes; sname and file zeroed),
     * copying xid, flags, giaddr and chaddr from the request this view holds.
     */
    public void emitReplyHeader(ByteBuf out, int outOffset, int clientAddress, int yourAddress) {
        out.setZero(outOffset, OPTIONS_OFFSET);
        out.setByte(outOffset, OP_REPLY);
        out.setByte(outOffset + 1, 1);
        out.setByte(outOffset + 2, 6);
        out.setInt(outOffset + 4, transactionId());
        out.setShort(outOffset + 10, flags());
        out.setInt(outOffset + 12, clientAddress);
        out.setInt(outOffset + 16, yourAddress);
        out.setInt(outOffset + 24, relayAddress());
        out.setBytes(outOffset + 28, buf, offset + 28, 16);
        out.setInt(outOffset + FIXED_LENGTH, MAGIC_COOKIE);
    }

    /** Appends an option with a 1-byte value at the writer index. */
    public static void writeOption8(ByteBuf out, int code, int value) {
        out.writeByte(code).writeByte(1).writeByte(value);
    }

    /** Appends an option with a 4-byte value (an address or a number of seconds) at the writer index. */
    public static void writeOption32(ByteBuf out, int code, int value) {
        out.writeByte(code).writeByte(4).writeInt(value);
    }
}
