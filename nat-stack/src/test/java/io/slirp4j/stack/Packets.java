package io.slirp4j.stack;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Builds guest frames byte by byte, independently of the production wire classes (own checksum code), so that
 * a bug there cannot cancel itself out in a round trip.
 */
public final class Packets {
    public static final long GUEST_MAC = 0x0200_0000_0001L;
    public static final int GUEST_IP = ip(10, 0, 2, 100);
    public static final int GATEWAY = ip(10, 0, 2, 2);
    public static final int DNS = ip(10, 0, 2, 3);
    public static final long GATEWAY_MAC = 0x5255_0A00_0202L;
    public static final long DNS_MAC = 0x5255_0A00_0203L;
    public static final long BROADCAST_MAC = 0xFFFF_FFFF_FFFFL;
    public static final int ETH_IPV4 = 0x0800;
    public static final int ETH_ARP = 0x0806;

    private Packets() {
    }

    public static int ip(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    public static InetAddress inet(int address) {
        try {
            return InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(address).array());
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public static InetSocketAddress socket(int address, int port) {
        return new InetSocketAddress(inet(address), port);
    }

    /** RFC 1071 by the book: 16-bit words, fold, complement. */
    public static int checksum(byte[] b, int off, int len, long initial) {
        long sum = initial;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            sum += ((b[off + i] & 0xFF) << 8) | (b[off + i + 1] & 0xFF);
        }
        if (i < len) {
            sum += (b[off + i] & 0xFF) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    public static long pseudoHeader(int src, int dst, int protocol, int length) {
        return (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + protocol + length;
    }

    public static byte[] ethernet(long dst, long src, int type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        putMac(b, dst);
        putMac(b, src);
        b.putShort((short) type);
        b.put(payload);
        return b.array();
    }

    public static void putMac(ByteBuffer b, long mac) {
        b.putShort((short) (mac >>> 32));
        b.putInt((int) mac);
    }

    public static byte[] ipv4(int src, int dst, int protocol, byte[] payload) {
        return ipv4(src, dst, protocol, payload, 0x1234, 0, 64);
    }

    public static byte[] ipv4(int src, int dst, int protocol, byte[] payload, int id, int flagsAndOffset, int ttl) {
        return ipv4WithOptions(src, dst, protocol, payload, id, flagsAndOffset, ttl, new byte[0]);
    }

    public static byte[] ipv4WithOptions(int src, int dst, int protocol, byte[] payload, int id, int flagsAndOffset,
        int ttl, byte[] options) {
        int ihl = 20 + options.length;
        ByteBuffer b = ByteBuffer.allocate(ihl + payload.length);
        b.put((byte) (0x40 | (ihl / 4)));
        b.put((byte) 0);
        b.putShort((short) (ihl + payload.length));
        b.putShort((short) id);
        b.putShort((short) flagsAndOffset);
        b.put((byte) ttl);
        b.put((byte) protocol);
        b.putShort((short) 0);
        b.putInt(src);
        b.putInt(dst);
        b.put(options);
        b.put(payload);
        byte[] a = b.array();
        int c = checksum(a, 0, ihl, 0);
        a[10] = (byte) (c >>> 8);
        a[11] = (byte) c;
        return a;
    }

    public static byte[] udp(int src, int dst, int sport, int dport, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) sport);
        b.putShort((short) dport);
        b.putShort((short) (8 + payload.length));
        b.putShort((short) 0);
        b.put(payload);
        byte[] a = b.array();
        int c = checksum(a, 0, a.length, pseudoHeader(src, dst, 17, a.length));
        if (c == 0) {
            c = 0xFFFF;
        }
        a[6] = (byte) (c >>> 8);
        a[7] = (byte) c;
        return a;
    }

    /** A TCP segment with a 20-byte header and a window of 65535, its checksum filled in. */
    public static byte[] tcp(int src, int dst, int sport, int dport, int seq, int ack, int flags, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.putShort((short) sport).putShort((short) dport).putInt(seq).putInt(ack);
        b.put((byte) 0x50).put((byte) flags).putShort((short) 0xFFFF).putInt(0).put(payload);
        byte[] s = b.array();
        int c = checksum(s, 0, s.length, pseudoHeader(src, dst, 6, s.length));
        s[16] = (byte) (c >>> 8);
        s[17] = (byte) c;
        return s;
    }

    public static byte[] icmpEcho(int type, int id, int seq, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.put((byte) type).put((byte) 0).putShort((short) 0).putShort((short) id).putShort((short) seq).put(data);
        byte[] a = b.array();
        int c = checksum(a, 0, a.length, 0);
        a[2] = (byte) (c >>> 8);
        a[3] = (byte) c;
        return a;
    }

    public static byte[] arp(int op, long sha, int spa, long tha, int tpa) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) op);
        putMac(b, sha);
        b.putInt(spa);
        putMac(b, tha);
        b.putInt(tpa);
        return b.array();
    }

    /** A whole frame: guest to {@code dst} by way of the gateway's (or the DNS address's) MAC. */
    public static byte[] guestIpv4(int dst, int protocol, byte[] l4) {
        return ethernet(dst == DNS ? DNS_MAC : GATEWAY_MAC, GUEST_MAC, ETH_IPV4, ipv4(GUEST_IP, dst, protocol, l4));
    }

    public static byte[] guestUdp(int dst, int sport, int dport, byte[] payload) {
        return guestIpv4(dst, 17, udp(GUEST_IP, dst, sport, dport, payload));
    }

    public static byte[] guestPing(int dst, int id, int seq, byte[] data) {
        return guestIpv4(dst, 1, icmpEcho(8, id, seq, data));
    }

    public static byte[] guestArpRequest(int target) {
        return ethernet(BROADCAST_MAC, GUEST_MAC, ETH_ARP, arp(1, GUEST_MAC, GUEST_IP, 0, target));
    }

    /** A minimal DNS query for "a." type A with the given id. */
    public static byte[] dnsQuery(int id) {
        return new byte[] {(byte) (id >>> 8), (byte) id, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0, 1};
    }

    /** A DNS response with the given id (QR set) and {@code extra} bytes of filler. */
    public static byte[] dnsAnswer(int id, int extra) {
        byte[] a = new byte[12 + extra];
        a[0] = (byte) (id >>> 8);
        a[1] = (byte) id;
        a[2] = (byte) 0x81;
        a[3] = (byte) 0x80;
        for (int i = 12; i < a.length; i++) {
            a[i] = (byte) (i * 7);
        }
        return a;
    }

    public static byte[] bytes(int length, int seed) {
        byte[] a = new byte[length];
        for (int i = 0; i < length; i++) {
            a[i] = (byte) (i * 31 + seed);
        }
        return a;
    }
}
