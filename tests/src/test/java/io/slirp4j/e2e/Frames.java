package io.slirp4j.e2e;

import java.nio.ByteBuffer;

/** Builders for the raw Ethernet frames the guest injects: correct by default, every field overridable. */
public final class Frames {
    public static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
    public static final int ETH_IPV4 = 0x0800;
    public static final int ETH_ARP = 0x0806;
    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;

    private Frames() {}

    public static byte[] mac(String text) {
        String[] parts = text.split(":");
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return b;
    }

    public static byte[] ip(String dotted) {
        String[] parts = dotted.split("\\.");
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            b[i] = (byte) Integer.parseInt(parts[i]);
        }
        return b;
    }

    public static byte[] ether(byte[] dst, byte[] src, int type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        b.put(dst).put(src).putShort((short) type).put(payload);
        return b.array();
    }

    /** One's complement sum over {@code len} bytes, folded, not inverted. */
    static int sum(byte[] b, int off, int len, int initial) {
        long s = initial;
        for (int i = 0; i + 1 < len; i += 2) {
            s += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            s += (b[off + len - 1] & 0xff) << 8;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    public static int checksum(byte[] b, int off, int len) {
        return ~sum(b, off, len, 0) & 0xffff;
    }

    /** An IPv4 header (20 bytes, correct checksum) plus payload. */
    public static final class Ipv4 {
        public int version = 4;
        public int ihl = 5;
        public int tos;
        public int totalLength = -1; // -1: computed
        public int id = 0x1234;
        public int flagsFragment; // flags in the top 3 bits, offset in 8-byte units
        public int ttl = 64;
        public int protocol;
        public int checksum = -1; // -1: computed
        public byte[] src;
        public byte[] dst;
        public byte[] options = new byte[0];
        public byte[] payload = new byte[0];

        public Ipv4(int protocol, byte[] src, byte[] dst, byte[] payload) {
            this.protocol = protocol;
            this.src = src;
            this.dst = dst;
            this.payload = payload;
        }

        public byte[] bytes() {
            int hlen = 20 + options.length;
            ByteBuffer b = ByteBuffer.allocate(hlen + payload.length);
            b.put((byte) (version << 4 | (ihl & 0xf)));
            b.put((byte) tos);
            b.putShort((short) (totalLength >= 0 ? totalLength : hlen + payload.length));
            b.putShort((short) id);
            b.putShort((short) flagsFragment);
            b.put((byte) ttl);
            b.put((byte) protocol);
            b.putShort((short) 0);
            b.put(src).put(dst).put(options).put(payload);
            byte[] a = b.array();
            int c = checksum >= 0 ? checksum : checksum(a, 0, hlen);
            a[10] = (byte) (c >>> 8);
            a[11] = (byte) c;
            return a;
        }
    }

    /** A UDP datagram with a correct checksum over the pseudo-header (length field overridable). */
    public static byte[] udp(byte[] srcIp, byte[] dstIp, int sport, int dport, byte[] data, int lengthField) {
        int len = 8 + data.length;
        ByteBuffer b = ByteBuffer.allocate(len);
        b.putShort((short) sport).putShort((short) dport).putShort((short) lengthField).putShort((short) 0);
        b.put(data);
        byte[] a = b.array();
        ByteBuffer pseudo = ByteBuffer.allocate(12);
        pseudo.put(srcIp).put(dstIp).put((byte) 0).put((byte) PROTO_UDP).putShort((short) len);
        int s = sum(pseudo.array(), 0, 12, 0);
        int c = ~sum(a, 0, len, s) & 0xffff;
        if (c == 0) {
            c = 0xffff;
        }
        a[6] = (byte) (c >>> 8);
        a[7] = (byte) c;
        return a;
    }

    public static byte[] udp(byte[] srcIp, byte[] dstIp, int sport, int dport, byte[] data) {
        return udp(srcIp, dstIp, sport, dport, data, 8 + data.length);
    }

    /** An ICMP message (type, code, id/seq as the 4-byte rest of header) with a correct checksum. */
    public static byte[] icmp(int type, int code, int id, int seq, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.put((byte) type).put((byte) code).putShort((short) 0).putShort((short) id).putShort((short) seq).put(data);
        byte[] a = b.array();
        int c = checksum(a, 0, a.length);
        a[2] = (byte) (c >>> 8);
        a[3] = (byte) c;
        return a;
    }

    /** An ARP request (Ethernet/IPv4) from {@code srcMac}/{@code srcIp} asking for {@code targetIp}. */
    public static byte[] arpRequest(byte[] srcMac, byte[] srcIp, byte[] targetIp) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putShort((short) 1).putShort((short) ETH_IPV4).put((byte) 6).put((byte) 4).putShort((short) 1);
        b.put(srcMac).put(srcIp).put(new byte[6]).put(targetIp);
        return b.array();
    }

    /** A TCP segment without options: ports, sequence and acknowledgment numbers, flags, window, payload. */
    public static byte[] tcp(byte[] srcIp, byte[] dstIp, int sport, int dport, int seq, int ack, int flags,
                             int window, byte[] payload) {
        byte[] a = tcp(srcIp, dstIp, sport, dport, flags, 5, payload);
        ByteBuffer.wrap(a).putInt(4, seq).putInt(8, ack).putShort(14, (short) window);
        return withTcpChecksum(srcIp, dstIp, a);
    }

    /** A TCP header (20 bytes + options) with the given flags and data offset; checksum over the pseudo-header. */
    public static byte[] tcp(byte[] srcIp, byte[] dstIp, int sport, int dport, int flags, int dataOffsetWords,
                             byte[] rest) {
        ByteBuffer b = ByteBuffer.allocate(20 + rest.length);
        b.putShort((short) sport).putShort((short) dport).putInt(1000).putInt(0);
        b.put((byte) (dataOffsetWords << 4)).put((byte) flags).putShort((short) 65535).putShort((short) 0)
            .putShort((short) 0).put(rest);
        return withTcpChecksum(srcIp, dstIp, b.array());
    }

    /** Sets the checksum of the TCP segment {@code a} (its field zeroed first) over the pseudo-header; returns it. */
    private static byte[] withTcpChecksum(byte[] srcIp, byte[] dstIp, byte[] a) {
        a[16] = 0;
        a[17] = 0;
        ByteBuffer pseudo = ByteBuffer.allocate(12);
        pseudo.put(srcIp).put(dstIp).put((byte) 0).put((byte) PROTO_TCP).putShort((short) a.length);
        int c = ~sum(a, 0, a.length, sum(pseudo.array(), 0, 12, 0)) & 0xffff;
        a[16] = (byte) (c >>> 8);
        a[17] = (byte) c;
        return a;
    }
}
