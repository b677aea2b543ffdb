package io.slirp4j.stack.wire;

import io.netty.buffer.ByteBuf;
import io.netty.util.internal.MathUtil;
import io.netty.util.internal.PlatformDependent;

/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of 16-bit words.
 *
 * <p>Theory of operation: a running sum is kept in a {@code long} without folding, so any mix of data chunks and
 * header fields can be added in any order ({@link #add}, {@link #addPseudoHeader}, ...) and folded once at the
 * end ({@link #finish}). Because 2^16 = 1 (mod 2^16 - 1), 32-bit big-endian words can be added directly, which
 * halves the work; a long cannot overflow for anything below 2^30 bytes. Every chunk except the last must have an
 * even length, because an odd byte is padded as the high byte of a word. {@link #adjust} updates an existing
 * checksum for a changed 16-bit field (RFC 1624), as NAT rewriting will need.
 */
public final class InternetChecksum {
    private InternetChecksum() {
    }

    /**
     * Adds {@code length} bytes at absolute {@code offset} to a running sum.
     *
     * <p>This is the stack's hottest loop (every TCP segment is summed on input and output), so it reads 64 bits at
     * a time: straight from memory when the buffer has an address, byte-swapped to network order on little-endian
     * machines ({@code reverseBytes} is one instruction), and the two 32-bit halves are added, as above.
     */
    public static long add(long sum, ByteBuf buf, int offset, int length) {
        // one check for the whole range: the direct reads below have none of their own
        if (MathUtil.isOutOfBounds(offset, length, buf.capacity())) {
            throw new IndexOutOfBoundsException("checksum over " + offset + "+" + length + " of " + buf.capacity());
        }
        int i = offset;
        int end = offset + length;
        if (buf.hasMemoryAddress() && length >= 8) {
            long address = buf.memoryAddress();
            while (end - i >= 8) {
                long v = PlatformDependent.getLong(address + i);
                if (!PlatformDependent.BIG_ENDIAN_NATIVE_ORDER) {
                    v = Long.reverseBytes(v);
                }
                sum += (v >>> 32) + (v & 0xFFFF_FFFFL);
                i += 8;
            }
        } else {
            while (end - i >= 8) {
                long v = buf.getLong(i);
                sum += (v >>> 32) + (v & 0xFFFF_FFFFL);
                i += 8;
            }
        }
        if (end - i >= 4) {
            sum += buf.getUnsignedInt(i);
            i += 4;
        }
        if (end - i >= 2) {
            sum += buf.getUnsignedShort(i);
            i += 2;
        }
        if (i < end) {
            sum += buf.getUnsignedByte(i) << 8;
        }
        return sum;
    }

    public static long addShort(long sum, int value) {
        return sum + (value & 0xFFFF);
    }

    public static long addInt(long sum, int value) {
        return sum + (value & 0xFFFF_FFFFL);
    }

    /** Adds the IPv4 pseudo-header used by UDP and TCP (source, destination, zero, protocol, length). */
    public static long addPseudoHeader(long sum, int source, int destination, int protocol, int length) {
        return sum + (source & 0xFFFF_FFFFL) + (destination & 0xFFFF_FFFFL) + (protocol & 0xFF) + (length & 0xFFFF);
    }

    /**
     * Adds a transport pseudo-header for {@link InAny} addresses: IPv4's (RFC 793) when both are IPv4-mapped,
     * else IPv6's (RFC 8200 8.1, the length as 32 bits). 32-bit words add like pairs of 16-bit ones (see above).
     */
    public static long addPseudoHeader(long sum, long sourceHi, long sourceLo, long destinationHi,
        long destinationLo, int protocol, int length) {
        if (InAny.is4(sourceHi, sourceLo) && InAny.is4(destinationHi, destinationLo)) {
            return addPseudoHeader(sum, InAny.v4(sourceLo), InAny.v4(destinationLo), protocol, length);
        }
        return addIpv6PseudoHeader(sum, sourceHi, sourceLo, destinationHi, destinationLo, protocol, length);
    }

    /**
     * Adds the IPv6 pseudo-header (RFC 8200 8.1): source, destination, the upper-layer packet length as 32 bits and
     * the next header value (the upper-layer protocol, not the first extension header). Addresses are
     * {@link Ipv6Address} halves. Each 64-bit half is added as two 32-bit words, as {@link #add} does.
     */
    public static long addIpv6PseudoHeader(long sum, long sourceHi, long sourceLo, long destinationHi,
        long destinationLo, int nextHeader, int length) {
        return sum + words(sourceHi) + words(sourceLo) + words(destinationHi) + words(destinationLo)
            + (length & 0xFFFF_FFFFL) + (nextHeader & 0xFF);
    }

    /**
     * {@link #addIpv6PseudoHeader(long, long, long, long, long, int, int)} with the addresses read from the IPv6
     * header at absolute {@code ipv6HeaderOffset} (source at +8, destination at +24, back to back).
     */
    public static long addIpv6PseudoHeader(long sum, ByteBuf buf, int ipv6HeaderOffset, int nextHeader, int length) {
        return add(sum, buf, ipv6HeaderOffset + 8, 32) + (length & 0xFFFF_FFFFL) + (nextHeader & 0xFF);
    }

    private static long words(long v) {
        return (v >>> 32) + (v & 0xFFFF_FFFFL);
    }

    /** Folds a running sum to 16 bits with end-around carry (not complemented). */
    public static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    /** The checksum field value for a running sum: folded and complemented. */
    public static int finish(long sum) {
        return ~fold(sum) & 0xFFFF;
    }

    /** The checksum of one region. */
    public static int compute(ByteBuf buf, int offset, int length) {
        return finish(add(0, buf, offset, length));
    }

    /** True when a region that includes its own checksum field sums to all ones, i.e. is intact. */
    public static boolean verify(long sumIncludingChecksumField) {
        return fold(sumIncludingChecksumField) == 0xFFFF;
    }

    /**
     * Completes a checksum the sender left partial (virtio-net/tap checksum offload, VIRTIO_NET_HDR_F_NEEDS_CSUM):
     * the field at absolute {@code fieldOffset} holds the folded, uncomplemented pseudo-header sum; the final value
     * is the checksum over {@code length} bytes from {@code start} (the transport header and payload), field
     * included. For UDP a result of 0 is written as 0xFFFF. The stack's software offload ({@code SoftwareOffload})
     * finishes frames with it for links that cannot.
     */
    public static void completePartial(ByteBuf buf, int start, int length, int fieldOffset, boolean udp) {
        int checksum = compute(buf, start, length);
        buf.setShort(fieldOffset, udp && checksum == 0 ? 0xFFFF : checksum);
    }

    /** RFC 1624 eqn. 3: the new checksum after a 16-bit word covered by it changed from {@code oldWord} to {@code newWord}. */
    public static int adjust(int checksum, int oldWord, int newWord) {
        long sum = (~checksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
        return ~fold(sum) & 0xFFFF;
    }

    /** {@link #adjust} for a 32-bit field such as an IPv4 address. */
    public static int adjust32(int checksum, int oldValue, int newValue) {
        int c = adjust(checksum, oldValue >>> 16, newValue >>> 16);
        return adjust(c, oldValue & 0xFFFF, newValue & 0xFFFF);
    }
}
