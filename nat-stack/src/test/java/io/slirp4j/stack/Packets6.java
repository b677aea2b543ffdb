package io.slirp4j.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Hand-made IPv6 frames for the stack's tests and a decoder for what it sends, written without the code under
 * test: addresses through the JDK, checksums by {@link Packets#checksum} over a pseudo-header laid out byte by
 * byte.
 */
public final class Packets6 {
    public static final byte[] GUEST = addr("fd00::5054:ff:fe12:3456");
    public static final byte[] GUEST_LL = addr("fe80::5054:ff:fe12:3456");
    public static final byte[] GATEWAY = addr("fd00::2");
    public static final byte[] DNS = addr("fd00::3");
    public static final byte[] ROUTER = addr("fe80::2");
    public static final byte[] ALL_NODES = addr("ff02::1");
    public static final byte[] ALL_ROUTERS = addr("ff02::2");
    public static final byte[] UNSPECIFIED = addr("::");
    public static final long ROUTER_MAC = 0x5256_0000_0002L;
    public static final int ETH_IPV6 = 0x86DD;
    public static final int ICMPV6 = 58;
    public static final int TCP = 6;
    public static final int UDP = 17;

    private Packets6() {
    }

    public static byte[] addr(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public static InetAddress inet(byte[] address) {
        try {
            return InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public static byte[] cat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

    /** The solicited-node group of {@code address}. */
    public static byte[] solicitedNode(byte[] address) {
        byte[] g = addr("ff02::1:ff00:0");
        System.arraycopy(address, 13, g, 13, 3);
        return g;
    }

    public static long pseudoSum(byte[] src, byte[] dst, int nextHeader, int length) {
        long sum = 0;
        for (int i = 0; i < 16; i += 2) {
            sum += ((src[i] & 0xFF) << 8) | (src[i + 1] & 0xFF);
            sum += ((dst[i] & 0xFF) << 8) | (dst[i + 1] & 0xFF);
        }
        return sum + (length >>> 16) + (length & 0xFFFF) + nextHeader;
    }

    /** An IPv6 packet with the upper-layer checksum filled in at {@code checksumAt} of {@code l4} (-1: none). */
    public static byte[] ipv6(byte[] src, byte[] dst, int nextHeader, int hopLimit, byte[] l4, int checksumAt) {
        byte[] upper = l4.clone();
        if (checksumAt >= 0) {
            upper[checksumAt] = 0;
            upper[checksumAt + 1] = 0;
            int c = Packets.checksum(upper, 0, upper.length, pseudoSum(src, dst, nextHeader, upper.length));
            if (nextHeader == UDP && c == 0) {
                c = 0xFFFF;
            }
            upper[checksumAt] = (byte) (c >>> 8);
            upper[checksumAt + 1] = (byte) c;
        }
        ByteBuffer b = ByteBuffer.allocate(40 + upper.length);
        b.putInt(0x6000_0000);
        b.putShort((short) upper.length);
        b.put((byte) nextHeader);
        b.put((byte) hopLimit);
        b.put(src);
        b.put(dst);
        b.put(upper);
        return b.array();
    }

    public static byte[] frame(long dstMac, byte[] packet) {
        return Packets.ethernet(dstMac, Packets.GUEST_MAC, ETH_IPV6, packet);
    }

    public static byte[] icmp(int type, int code, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(4 + body.length);
        b.put((byte) type).put((byte) code).putShort((short) 0).put(body);
        return b.array();
    }

    public static byte[] guestIcmp(byte[] src, byte[] dst, long dstMac, int type, int code, byte[] body) {
        return frame(dstMac, ipv6(src, dst, ICMPV6, 255, icmp(type, code, body), 2));
    }

    public static byte[] neighborSolicitation(byte[] src, byte[] target, boolean withSourceLinkLayer) {
        ByteBuffer b = ByteBuffer.allocate(20 + (withSourceLinkLayer ? 8 : 0));
        b.putInt(0).put(target);
        if (withSourceLinkLayer) {
            b.put((byte) 1).put((byte) 1);
            Packets.putMac(b, Packets.GUEST_MAC);
        }
        return guestIcmp(src, solicitedNode(target), 0x3333_FF00_0000L | (target[15] & 0xFF)
            | ((target[14] & 0xFFL) << 8) | ((target[13] & 0xFFL) << 16), 135, 0, b.array());
    }

    public static byte[] routerSolicitation(byte[] src) {
        return guestIcmp(src, ALL_ROUTERS, 0x3333_0000_0002L, 133, 0, new byte[4]);
    }

    public static byte[] echoRequest(byte[] src, byte[] dst, int id, int seq, byte[] data) {
        return echoRequest(src, dst, id, seq, data, 255);
    }

    public static byte[] echoRequest(byte[] src, byte[] dst, int id, int seq, byte[] data, int hopLimit) {
        return frame(ROUTER_MAC, ipv6(src, dst, ICMPV6, hopLimit, echo(128, id, seq, data), 2));
    }

    /** An ICMPv6 echo message (checksum left 0: the pseudo-header is not known here). */
    public static byte[] echo(int type, int id, int seq, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + data.length);
        b.putShort((short) id).putShort((short) seq).put(data);
        return icmp(type, 0, b.array());
    }

    public static byte[] udp(int sport, int dport, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    public static byte[] guestUdp(byte[] src, byte[] dst, int sport, int dport, byte[] payload) {
        return frame(ROUTER_MAC, ipv6(src, dst, UDP, 64, udp(sport, dport, payload), 6));
    }

    /**
     * The guest's UDP datagram split into IPv6 fragments of at most {@code chunk} data bytes (a multiple of 8), each
     * a frame of its own, in order.
     */
    public static java.util.List<byte[]> guestUdpFragments(byte[] src, byte[] dst, int sport, int dport,
        byte[] payload, int chunk, int identification) {
        byte[] whole = ipv6(src, dst, UDP, 64, udp(sport, dport, payload), 6);
        byte[] upper = Arrays.copyOfRange(whole, 40, whole.length);
        java.util.List<byte[]> frames = new java.util.ArrayList<>();
        for (int at = 0; at < upper.length; at += chunk) {
            int n = Math.min(chunk, upper.length - at);
            boolean more = at + n < upper.length;
            ByteBuffer b = ByteBuffer.allocate(40 + 8 + n);
            b.putInt(0x6000_0000).putShort((short) (8 + n)).put((byte) 44).put((byte) 64).put(src).put(dst);
            b.put((byte) UDP).put((byte) 0).putShort((short) (at | (more ? 1 : 0))).putInt(identification);
            b.put(upper, at, n);
            frames.add(frame(ROUTER_MAC, b.array()));
        }
        return frames;
    }

    /** An IPv6 frame the stack sent, decoded, with its upper-layer checksum verified. */
    public static final class Decoded6 {
        public final long ethDst;
        public final long ethSrc;
        public final int nextHeader;
        public final int hopLimit;
        public final byte[] src = new byte[16];
        public final byte[] dst = new byte[16];
        public final byte[] l4;

        public Decoded6(byte[] raw) {
            ByteBuffer b = ByteBuffer.wrap(raw);
            ethDst = ((b.getShort() & 0xFFFFL) << 32) | (b.getInt() & 0xFFFF_FFFFL);
            ethSrc = ((b.getShort() & 0xFFFFL) << 32) | (b.getInt() & 0xFFFF_FFFFL);
            assertEquals(ETH_IPV6, b.getShort() & 0xFFFF, "EtherType");
            assertEquals(6, (b.get(14) & 0xFF) >>> 4, "version");
            int payloadLength = b.getShort(18) & 0xFFFF;
            nextHeader = b.get(20) & 0xFF;
            hopLimit = b.get(21) & 0xFF;
            b.position(22);
            b.get(src).get(dst);
            assertEquals(54 + payloadLength, raw.length, "frame length");
            l4 = Arrays.copyOfRange(raw, 54, 54 + payloadLength);
            if (nextHeader == ICMPV6 || nextHeader == UDP || nextHeader == TCP) {
                assertEquals(0, Packets.checksum(l4, 0, l4.length, pseudoSum(src, dst, nextHeader, l4.length)),
                    "upper-layer checksum");
            }
        }

        public int type() {
            return l4[0] & 0xFF;
        }

        public int u16(int at) {
            return ((l4[at] & 0xFF) << 8) | (l4[at + 1] & 0xFF);
        }

        public byte[] udpPayload() {
            return Arrays.copyOfRange(l4, 8, l4.length);
        }
    }
}
