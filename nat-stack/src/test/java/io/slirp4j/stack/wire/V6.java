package io.slirp4j.stack.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.slirp4j.stack.Packets;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Hand-built IPv6 packets for the wire tests, made without the code under test: addresses through the JDK,
 * checksums through {@link Packets#checksum} (RFC 1071 by the book) over a pseudo-header laid out byte by byte.
 */
final class V6 {
    static final byte[] GUEST_LL = addr("fe80::1");
    static final byte[] ROUTER_LL = addr("fe80::2");
    static final byte[] ALL_NODES = addr("ff02::1");
    static final byte[] UNSPECIFIED = addr("::");

    private V6() {
    }

    static byte[] addr(String literal) {
        try {
            byte[] b = InetAddress.getByName(literal).getAddress();
            if (b.length == 4) {
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xFF;
                mapped[11] = (byte) 0xFF;
                System.arraycopy(b, 0, mapped, 12, 4);
                return mapped;
            }
            return b;
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static long hi(byte[] a) {
        return ByteBuffer.wrap(a).getLong(0);
    }

    static long lo(byte[] a) {
        return ByteBuffer.wrap(a).getLong(8);
    }

    static byte[] hex(String hex) {
        hex = hex.replace(" ", "");
        byte[] b = new byte[hex.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    static ByteBuf buf(byte[] bytes) {
        return Unpooled.wrappedBuffer(bytes);
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** A fixed header followed by {@code rest} (extension headers and payload), payload length = rest.length. */
    static byte[] ipv6(byte[] src, byte[] dst, int nextHeader, int hopLimit, byte[] rest) {
        ByteBuffer b = ByteBuffer.allocate(40 + rest.length);
        b.putInt(0x6000_0000);
        b.putShort((short) rest.length);
        b.put((byte) nextHeader);
        b.put((byte) hopLimit);
        b.put(src).put(dst).put(rest);
        return b.array();
    }

    /** The sum of the RFC 8200 8.1 pseudo-header's 16-bit words. */
    static long pseudo(byte[] src, byte[] dst, int nextHeader, int length) {
        byte[] p = cat(src, dst, ByteBuffer.allocate(8).putInt(length).putInt(nextHeader).array());
        long sum = 0;
        for (int i = 0; i < p.length; i += 2) {
            sum += ((p[i] & 0xFF) << 8) | (p[i + 1] & 0xFF);
        }
        return sum;
    }

    /** Fills in the checksum at {@code field} of an upper-layer message with the reference implementation. */
    static byte[] withChecksum(byte[] message, int field, byte[] src, byte[] dst, int nextHeader) {
        byte[] m = message.clone();
        m[field] = 0;
        m[field + 1] = 0;
        int c = Packets.checksum(m, 0, m.length, pseudo(src, dst, nextHeader, m.length));
        m[field] = (byte) (c >>> 8);
        m[field + 1] = (byte) c;
        return m;
    }

    static byte[] icmpv6(byte[] src, byte[] dst, byte[] message) {
        return withChecksum(message, 2, src, dst, 58);
    }

    /** An IPv6 packet carrying an ICMPv6 message with a correct checksum. */
    static byte[] icmpv6Packet(byte[] src, byte[] dst, int hopLimit, byte[] message) {
        return ipv6(src, dst, 58, hopLimit, icmpv6(src, dst, message));
    }

    static byte[] udp(byte[] src, byte[] dst, int sport, int dport, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        byte[] u = withChecksum(b.array(), 6, src, dst, 17);
        if (u[6] == 0 && u[7] == 0) {
            u[6] = (byte) 0xFF;
            u[7] = (byte) 0xFF;
        }
        return u;
    }

    static byte[] copy(ByteBuf b, int offset, int length) {
        byte[] out = new byte[length];
        b.getBytes(offset, out);
        return out;
    }
}
