package io.slirp4j.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** A frame the stack sent, taken apart by test code that shares nothing with the production parsers. */
public final class Decoded {
    public final byte[] raw;
    public final long ethDst;
    public final long ethSrc;
    public final int ethType;
    // IPv4 (if ethType == 0x0800)
    public int ihl;
    public int totalLength;
    public int id;
    public int flags;
    public int fragmentOffset;
    public int ttl;
    public int protocol;
    public int src;
    public int dst;
    public byte[] l4;
    // UDP
    public int sport;
    public int dport;
    public byte[] payload;
    // ICMP
    public int icmpType;
    public int icmpCode;

    private Decoded(byte[] raw) {
        this.raw = raw;
        ByteBuffer b = ByteBuffer.wrap(raw);
        ethDst = ((long) (b.getShort(0) & 0xFFFF) << 32) | (b.getInt(2) & 0xFFFF_FFFFL);
        ethSrc = ((long) (b.getShort(6) & 0xFFFF) << 32) | (b.getInt(8) & 0xFFFF_FFFFL);
        ethType = b.getShort(12) & 0xFFFF;
    }

    public static Decoded of(byte[] raw) {
        if (raw == null) {
            throw new AssertionError("no frame was sent");
        }
        Decoded d = new Decoded(raw);
        if (d.ethType == 0x0800) {
            d.decodeIpv4();
        }
        return d;
    }

    private void decodeIpv4() {
        ByteBuffer b = ByteBuffer.wrap(raw);
        int o = 14;
        assertEquals(4, (raw[o] & 0xFF) >>> 4, "IP version");
        ihl = (raw[o] & 0xF) * 4;
        totalLength = b.getShort(o + 2) & 0xFFFF;
        assertEquals(raw.length - 14, totalLength, "IP total length vs frame");
        assertEquals(0, Packets.checksum(raw, o, ihl, 0), "IP header checksum");
        id = b.getShort(o + 4) & 0xFFFF;
        int ff = b.getShort(o + 6) & 0xFFFF;
        flags = ff & 0xE000;
        fragmentOffset = (ff & 0x1FFF) * 8;
        ttl = raw[o + 8] & 0xFF;
        protocol = raw[o + 9] & 0xFF;
        src = b.getInt(o + 12);
        dst = b.getInt(o + 16);
        l4 = Arrays.copyOfRange(raw, o + ihl, o + totalLength);
        boolean fragment = (flags & 0x2000) != 0 || fragmentOffset != 0;
        if (fragment) {
            return;
        }
        decodeTransport();
    }

    /** Decodes l4 as UDP or ICMP according to protocol, checking checksums. */
    public void decodeTransport() {
        ByteBuffer l = ByteBuffer.wrap(l4);
        if (protocol == 17) {
            sport = l.getShort(0) & 0xFFFF;
            dport = l.getShort(2) & 0xFFFF;
            int length = l.getShort(4) & 0xFFFF;
            assertEquals(l4.length, length, "UDP length");
            int sum = l.getShort(6) & 0xFFFF;
            assertTrue(sum != 0, "UDP checksum must be present");
            assertEquals(0, Packets.checksum(l4, 0, l4.length, Packets.pseudoHeader(src, dst, 17, l4.length)),
                "UDP checksum");
            payload = Arrays.copyOfRange(l4, 8, l4.length);
        } else if (protocol == 1) {
            icmpType = l4[0] & 0xFF;
            icmpCode = l4[1] & 0xFF;
            assertEquals(0, Packets.checksum(l4, 0, l4.length, 0), "ICMP checksum");
            payload = Arrays.copyOfRange(l4, 8, l4.length);
        }
    }

    public int icmpId() {
        return ByteBuffer.wrap(l4).getShort(4) & 0xFFFF;
    }

    public int icmpSeq() {
        return ByteBuffer.wrap(l4).getShort(6) & 0xFFFF;
    }

    /** Joins fragments (any order) into the first one's Decoded and decodes the transport header. */
    public static Decoded reassemble(java.util.List<Decoded> fragments) {
        java.util.List<Decoded> sorted = new java.util.ArrayList<>(fragments);
        sorted.sort(java.util.Comparator.comparingInt(d -> d.fragmentOffset));
        Decoded first = sorted.get(0);
        java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < sorted.size(); i++) {
            Decoded f = sorted.get(i);
            assertEquals(joined.size(), f.fragmentOffset, "fragments are contiguous");
            assertEquals(first.id, f.id, "same identification");
            assertEquals(first.src, f.src);
            assertEquals(first.dst, f.dst);
            assertEquals(first.protocol, f.protocol);
            assertEquals(i < sorted.size() - 1, f.moreFragments(), "MF on all but the last");
            if (i < sorted.size() - 1) {
                assertEquals(0, f.l4.length % 8, "non-final fragments carry multiples of 8 bytes");
            }
            joined.writeBytes(f.l4);
        }
        first.l4 = joined.toByteArray();
        first.decodeTransport();
        return first;
    }

    public boolean moreFragments() {
        return (flags & 0x2000) != 0;
    }
}
