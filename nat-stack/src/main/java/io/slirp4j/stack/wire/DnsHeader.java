package io.slirp4j.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * The fields of a DNS message header (RFC 1035 4.1.1) that the forwarder needs to match answers to queries: the
 * 16-bit ID and the QR bit. The forwarder passes messages through unchanged, so nothing else is read.
 */
public final class DnsHeader {
    public static final int LENGTH = 12;

    private DnsHeader() {
    }

    public static int id(ByteBuf buf, int offset) {
        return buf.getUnsignedShort(offset);
    }

    /** True for a response (QR = 1), false for a query. */
    public static boolean isResponse(ByteBuf buf, int offset) {
        return (buf.getByte(offset + 2) & 0x80) != 0;
    }
}
