package io.slirp4j.stack;

import java.util.Arrays;

/**
 * Fills in the checksums of a guest frame whose bytes were changed, so that a fuzzer's frames get past the
 * checksum checks to the code behind them (a random 16-bit checksum is right once in 65,536 tries).
 */
final class FrameChecksums {
    private FrameChecksums() {
    }

    /**
     * Recomputes, where the lengths in the frame allow: the IPv4 header checksum and, in an unfragmented datagram,
     * the UDP, TCP or ICMP one; for IPv6 without extension headers the ICMPv6, UDP or TCP one. Anything else is
     * left as it is.
     */
    static void repair(byte[] f) {
        if (f.length >= 54 && f[12] == (byte) 0x86 && f[13] == (byte) 0xDD) {
            repair6(f);
            return;
        }
        if (f.length < 34 || (f[12] != 8 || f[13] != 0)) {
            return;
        }
        int ihl = (f[14] & 0xF) * 4;
        if (ihl < 20 || 14 + ihl > f.length) {
            return;
        }
        zero(f, 24);
        store(f, 24, Packets.checksum(f, 14, ihl, 0));
        int total = ((f[16] & 0xFF) << 8) | (f[17] & 0xFF);
        int flags = ((f[20] & 0xFF) << 8) | (f[21] & 0xFF);
        if (total > f.length - 14 || total < ihl || (flags & 0x3FFF) != 0) {
            return;
        }
        int l4 = 14 + ihl;
        int l4len = total - ihl;
        int src = ((f[26] & 0xFF) << 24) | ((f[27] & 0xFF) << 16) | ((f[28] & 0xFF) << 8) | (f[29] & 0xFF);
        int dst = ((f[30] & 0xFF) << 24) | ((f[31] & 0xFF) << 16) | ((f[32] & 0xFF) << 8) | (f[33] & 0xFF);
        if (f[23] == 17 && l4len >= 8) {
            int ulen = ((f[l4 + 4] & 0xFF) << 8) | (f[l4 + 5] & 0xFF);
            if (ulen >= 8 && ulen <= l4len) {
                zero(f, l4 + 6);
                store(f, l4 + 6, Packets.checksum(f, l4, ulen, Packets.pseudoHeader(src, dst, 17, ulen)));
            }
        } else if (f[23] == 6 && l4len >= 20) {
            zero(f, l4 + 16);
            store(f, l4 + 16, Packets.checksum(f, l4, l4len, Packets.pseudoHeader(src, dst, 6, l4len)));
        } else if (f[23] == 1 && l4len >= 8) {
            zero(f, l4 + 2);
            store(f, l4 + 2, Packets.checksum(f, l4, l4len, 0));
        }
    }

    private static void repair6(byte[] f) {
        int payload = ((f[18] & 0xFF) << 8) | (f[19] & 0xFF);
        int next = f[20] & 0xFF;
        int at = next == 58 ? 2 : next == 17 ? 6 : next == 6 ? 16 : -1;
        if (at < 0 || payload < at + 2 || 54 + payload > f.length) {
            return;
        }
        byte[] src = Arrays.copyOfRange(f, 22, 38);
        byte[] dst = Arrays.copyOfRange(f, 38, 54);
        zero(f, 54 + at);
        store(f, 54 + at, Packets.checksum(f, 54, payload, Packets6.pseudoSum(src, dst, next, payload)));
    }

    private static void zero(byte[] f, int at) {
        f[at] = 0;
        f[at + 1] = 0;
    }

    private static void store(byte[] f, int at, int checksum) {
        f[at] = (byte) (checksum >>> 8);
        f[at + 1] = (byte) checksum;
    }
}
