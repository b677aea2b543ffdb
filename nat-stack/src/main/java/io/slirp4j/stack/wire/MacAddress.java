package io.slirp4j.stack.wire;

import io.netty.buffer.ByteBuf;

/** MAC addresses as the low 48 bits of a {@code long}, so tables and comparisons allocate nothing. */
public final class MacAddress {
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    public static final long ZERO = 0L;
    /** Returned by lookups that found nothing; not a valid 48-bit value. */
    public static final long NONE = -1L;

    private MacAddress() {
    }

    public static long read(ByteBuf buf, int offset) {
        return ((long) buf.getUnsignedShort(offset) << 32) | buf.getUnsignedInt(offset + 2);
    }

    public static void write(ByteBuf buf, int offset, long mac) {
        buf.setShort(offset, (int) (mac >>> 32));
        buf.setInt(offset + 2, (int) mac);
    }

    public static long of(byte[] bytes) {
        if (bytes.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes");
        }
        long mac = 0;
        for (byte b : bytes) {
            mac = (mac << 8) | (b & 0xFF);
        }
        return mac;
    }

    public static byte[] toBytes(long mac) {
        byte[] bytes = new byte[6];
        for (int i = 5; i >= 0; i--) {
            bytes[i] = (byte) mac;
            mac >>>= 8;
        }
        return bytes;
    }

    /** The I/G bit: group (multicast or broadcast) addresses may not be a source or a learned neighbour. */
    public static boolean isGroup(long mac) {
        return (mac & 0x0100_0000_0000L) != 0;
    }

    public static String format(long mac) {
        StringBuilder s = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (s.length() > 0) {
                s.append(':');
            }
            int b = (int) (mac >>> shift) & 0xFF;
            s.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return s.toString();
    }
}
