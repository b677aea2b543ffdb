package io.slirp4j.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * Neighbor Discovery messages (RFC 4861): router solicitation and advertisement, neighbor solicitation and
 * advertisement, with their options (link-layer addresses, prefix information, MTU, and RDNSS of RFC 8106).
 *
 * <pre>
 *  RS  133 | type | code | checksum | reserved (4)                                          | options at 8
 *  RA  134 | type | code | checksum | hop limit | M O . | router lifetime | reachable | retrans | options at 16
 *  NS  135 | type | code | checksum | reserved (4)      | target address (16)           | options at 24
 *  NA  136 | type | code | checksum | R S O . reserved  | target address (16)           | options at 24
 *  option  | type | length in 8-byte units | value ...
 * </pre>
 *
 * <p>Theory of operation: this view sits on an ICMPv6 message whose checksum {@link Icmpv6Packet} already verified.
 * {@link #wrap} checks what RFC 4861 (6.1.1, 6.1.2, 7.1.1, 7.1.2) lets a receiver check inside the message: code 0,
 * the fixed part's length, a non-multicast target, and every option's length: an option of length 0, or one
 * running past the message, invalidates the whole message (4.6). Options of a known type but the wrong size for
 * it (a link-layer option that is not 8 bytes on Ethernet, a prefix option that is not 32) are skipped rather than
 * trusted, so the option accessors can never read outside an option. The checks that need the IP header (hop limit
 * 255, source and destination rules) are the engine's: it has {@link Ipv6Packet#hopLimit()} and the addresses.
 * Redirects (137) are UNSUPPORTED: this stack is the router and never follows one. The accessors marked RA, NA
 * or "NS and NA" read that message type's fixed part and are for that type only (an RS is 8 bytes long).
 *
 * <p>The emit side is a set of writers that each put one piece at an absolute offset and return where the next
 * piece goes, so an engine composes a router advertisement from the options it wants without any intermediate
 * object, then sets the checksum with {@link Icmpv6Packet#updateChecksum}. Messages with a fixed shape (NA, NS, RS)
 * have one-call emitters that do the checksum too.
 */
public final class NdpMessage extends HeaderView {
    public static final int ROUTER_SOLICITATION_LENGTH = 8;
    public static final int ROUTER_ADVERTISEMENT_LENGTH = 16;
    public static final int NEIGHBOR_SOLICITATION_LENGTH = 24;
    public static final int NEIGHBOR_ADVERTISEMENT_LENGTH = 24;

    /** Router advertisement flags (byte 5). */
    public static final int RA_FLAG_MANAGED = 0x80;
    public static final int RA_FLAG_OTHER = 0x40;
    /** Neighbor advertisement flags (byte 4). */
    public static final int NA_FLAG_ROUTER = 0x80;
    public static final int NA_FLAG_SOLICITED = 0x40;
    public static final int NA_FLAG_OVERRIDE = 0x20;
    /** Prefix information flags. */
    public static final int PREFIX_FLAG_ON_LINK = 0x80;
    public static final int PREFIX_FLAG_AUTONOMOUS = 0x40;
    /** A lifetime of all ones: forever (prefix valid/preferred lifetimes, RDNSS). */
    public static final long INFINITE_LIFETIME = 0xFFFF_FFFFL;

    public static final int OPTION_SOURCE_LINK_LAYER = 1;
    public static final int OPTION_TARGET_LINK_LAYER = 2;
    public static final int OPTION_PREFIX_INFORMATION = 3;
    public static final int OPTION_REDIRECTED_HEADER = 4;
    public static final int OPTION_MTU = 5;
    /** Recursive DNS Server (RFC 8106 5.1). */
    public static final int OPTION_RDNSS = 25;
    /** DNS Search List (RFC 8106 5.2). */
    public static final int OPTION_DNSSL = 31;

    public static final int LINK_LAYER_OPTION_LENGTH = 8;
    public static final int PREFIX_OPTION_LENGTH = 32;
    public static final int MTU_OPTION_LENGTH = 8;
    /** An RDNSS option's 8-byte header; 16 bytes per address follow. */
    public static final int RDNSS_HEADER_LENGTH = 8;

    private int optionsOffset;

    /**
     * Validates the {@code length}-byte ICMPv6 message at {@code offset} (checksum already verified) as RS, RA, NS
     * or NA, including its option list.
     */
    public ParseResult wrap(ByteBuf buf, int offset, int length) {
        this.optionsOffset = 0;
        if (!bind(buf, offset, length, Icmpv6Packet.HEADER_LENGTH)) {
            return ParseResult.TRUNCATED;
        }
        int type = buf.getUnsignedByte(offset);
        int fixed = fixedLength(type);
        if (fixed < 0 || buf.getUnsignedByte(offset + 1) != 0) {
            return ParseResult.UNSUPPORTED;
        }
        if (length < fixed) {
            return ParseResult.TRUNCATED;
        }
        boolean targeted = type == Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION
            || type == Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT;
        if (targeted && Ipv6Address.isMulticast(buf.getLong(offset + 8))) {
            return ParseResult.UNSUPPORTED;
        }
        int end = offset + length;
        for (int at = offset + fixed; at < end; ) {
            if (end - at < 2) {
                return ParseResult.BAD_LENGTH;
            }
            int optionLength = buf.getUnsignedByte(at + 1) * 8;
            if (optionLength == 0 || optionLength > end - at) {
                return ParseResult.BAD_LENGTH;
            }
            at += optionLength;
        }
        this.optionsOffset = offset + fixed;
        this.length = length;
        return ParseResult.OK;
    }

    /** The fixed part's length for an NDP type this view reads, or -1. */
    private static int fixedLength(int type) {
        switch (type) {
            case Icmpv6Packet.TYPE_ROUTER_SOLICITATION:
                return ROUTER_SOLICITATION_LENGTH;
            case Icmpv6Packet.TYPE_ROUTER_ADVERTISEMENT:
                return ROUTER_ADVERTISEMENT_LENGTH;
            case Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION:
                return NEIGHBOR_SOLICITATION_LENGTH;
            case Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT:
                return NEIGHBOR_ADVERTISEMENT_LENGTH;
            default:
                return -1;
        }
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    /** One of the four Icmpv6Packet.TYPE_ values for NDP. */
    public int type() {
        return buf.getUnsignedByte(offset);
    }

    /** RA: the hop limit hosts should use, 0 for unspecified. */
    public int curHopLimit() {
        return buf.getUnsignedByte(offset + 4);
    }

    /** RA: the M and O flags (RA_FLAG_ constants) and the rest of that byte. */
    public int routerFlags() {
        return buf.getUnsignedByte(offset + 5);
    }

    public boolean managed() {
        return (routerFlags() & RA_FLAG_MANAGED) != 0;
    }

    public boolean otherConfiguration() {
        return (routerFlags() & RA_FLAG_OTHER) != 0;
    }

    /** RA: seconds this router may be a default router, 0 for not at all. */
    public int routerLifetime() {
        return buf.getUnsignedShort(offset + 6);
    }

    /** RA: milliseconds, 0 for unspecified. */
    public long reachableTime() {
        return buf.getUnsignedInt(offset + 8);
    }

    /** RA: milliseconds, 0 for unspecified. */
    public long retransTimer() {
        return buf.getUnsignedInt(offset + 12);
    }

    /** NA: the R, S and O flags (NA_FLAG_ constants). */
    public int neighborFlags() {
        return buf.getUnsignedByte(offset + 4);
    }

    public boolean router() {
        return (neighborFlags() & NA_FLAG_ROUTER) != 0;
    }

    public boolean solicited() {
        return (neighborFlags() & NA_FLAG_SOLICITED) != 0;
    }

    public boolean override() {
        return (neighborFlags() & NA_FLAG_OVERRIDE) != 0;
    }

    /** NS and NA: the target address. */
    public long targetHi() {
        return buf.getLong(offset + 8);
    }

    public long targetLo() {
        return buf.getLong(offset + 16);
    }

    /** The source link-layer address option's MAC, or {@link MacAddress#NONE}. */
    public long sourceLinkLayer() {
        int at = findOption(OPTION_SOURCE_LINK_LAYER);
        return at < 0 ? MacAddress.NONE : linkLayerAddress(at);
    }

    /** The target link-layer address option's MAC, or {@link MacAddress#NONE}. */
    public long targetLinkLayer() {
        int at = findOption(OPTION_TARGET_LINK_LAYER);
        return at < 0 ? MacAddress.NONE : linkLayerAddress(at);
    }

    /** The MTU option's value, or -1. */
    public long mtu() {
        int at = findOption(OPTION_MTU);
        return at < 0 ? -1 : buf.getUnsignedInt(at + 4);
    }

    /** Absolute offset of the first well-sized option of {@code type}, or -1. */
    public int findOption(int type) {
        return findOption(type, -1);
    }

    /**
     * Absolute offset of the next well-sized option of {@code type} after the option at {@code after} (-1: from the
     * start), or -1. Options of that type with the wrong size are passed over, so the value accessors below are
     * safe on whatever this returns.
     */
    public int findOption(int type, int after) {
        int end = offset + length;
        int at = optionsOffset;
        if (after >= optionsOffset) {
            at = after + buf.getUnsignedByte(after + 1) * 8;
        }
        while (at < end) {
            int optionLength = buf.getUnsignedByte(at + 1) * 8;
            if (buf.getUnsignedByte(at) == type && wellSized(type, optionLength)) {
                return at;
            }
            at += optionLength;
        }
        return -1;
    }

    private static boolean wellSized(int type, int optionLength) {
        switch (type) {
            case OPTION_SOURCE_LINK_LAYER:
            case OPTION_TARGET_LINK_LAYER:
                return optionLength == LINK_LAYER_OPTION_LENGTH;
            case OPTION_PREFIX_INFORMATION:
                return optionLength == PREFIX_OPTION_LENGTH;
            case OPTION_MTU:
                return optionLength == MTU_OPTION_LENGTH;
            case OPTION_RDNSS:
                // RFC 8106 5.1: length 1 + 2n, at least one address
                return optionLength >= RDNSS_HEADER_LENGTH + 16 && (optionLength - RDNSS_HEADER_LENGTH) % 16 == 0;
            default:
                return true;
        }
    }

    /** The MAC of a link-layer address option at {@code at}. */
    public long linkLayerAddress(int at) {
        return MacAddress.read(buf, at + 2);
    }

    public int prefixLength(int at) {
        return buf.getUnsignedByte(at + 2);
    }

    /** The L and A flags (PREFIX_FLAG_ constants) and the rest of that byte. */
    public int prefixFlags(int at) {
        return buf.getUnsignedByte(at + 3);
    }

    /** Seconds, {@link #INFINITE_LIFETIME} for forever. */
    public long prefixValidLifetime(int at) {
        return buf.getUnsignedInt(at + 4);
    }

    /** Seconds, {@link #INFINITE_LIFETIME} for forever. */
    public long prefixPreferredLifetime(int at) {
        return buf.getUnsignedInt(at + 8);
    }

    public long prefixHi(int at) {
        return buf.getLong(at + 16);
    }

    public long prefixLo(int at) {
        return buf.getLong(at + 24);
    }

    /** Seconds the RDNSS option's servers may be used, {@link #INFINITE_LIFETIME} for forever. */
    public long rdnssLifetime(int at) {
        return buf.getUnsignedInt(at + 4);
    }

    public int rdnssCount(int at) {
        return (buf.getUnsignedByte(at + 1) * 8 - RDNSS_HEADER_LENGTH) / 16;
    }

    public long rdnssHi(int at, int index) {
        return buf.getLong(at + RDNSS_HEADER_LENGTH + 16 * index);
    }

    public long rdnssLo(int at, int index) {
        return buf.getLong(at + RDNSS_HEADER_LENGTH + 16 * index + 8);
    }

    /**
     * Writes the 16-byte fixed part of a router advertisement at {@code offset} (checksum left 0) and returns where
     * its options go. Lifetimes as in the accessors; flags from RA_FLAG_.
     */
    public static int emitRouterAdvertisementHeader(ByteBuf buf, int offset, int curHopLimit, int flags,
        int routerLifetime, int reachableTime, int retransTimer) {
        buf.setByte(offset, Icmpv6Packet.TYPE_ROUTER_ADVERTISEMENT);
        buf.setByte(offset + 1, 0);
        buf.setShort(offset + 2, 0);
        buf.setByte(offset + 4, curHopLimit);
        buf.setByte(offset + 5, flags);
        buf.setShort(offset + 6, routerLifetime);
        buf.setInt(offset + 8, reachableTime);
        buf.setInt(offset + 12, retransTimer);
        return offset + ROUTER_ADVERTISEMENT_LENGTH;
    }

    /** Writes a source or target link-layer address option (type {@code OPTION_..._LINK_LAYER}); returns its end. */
    public static int writeLinkLayerOption(ByteBuf buf, int at, int type, long mac) {
        buf.setByte(at, type);
        buf.setByte(at + 1, LINK_LAYER_OPTION_LENGTH / 8);
        MacAddress.write(buf, at + 2, mac);
        return at + LINK_LAYER_OPTION_LENGTH;
    }

    /** Writes a prefix information option (lifetimes in seconds, as unsigned ints); returns its end. */
    public static int writePrefixOption(ByteBuf buf, int at, int prefixLength, int flags, int validLifetime,
        int preferredLifetime, long prefixHi, long prefixLo) {
        buf.setByte(at, OPTION_PREFIX_INFORMATION);
        buf.setByte(at + 1, PREFIX_OPTION_LENGTH / 8);
        buf.setByte(at + 2, prefixLength);
        buf.setByte(at + 3, flags);
        buf.setInt(at + 4, validLifetime);
        buf.setInt(at + 8, preferredLifetime);
        buf.setInt(at + 12, 0);
        Ipv6Address.write(buf, at + 16, prefixHi, prefixLo);
        return at + PREFIX_OPTION_LENGTH;
    }

    public static int writeMtuOption(ByteBuf buf, int at, int mtu) {
        buf.setByte(at, OPTION_MTU);
        buf.setByte(at + 1, MTU_OPTION_LENGTH / 8);
        buf.setShort(at + 2, 0);
        buf.setInt(at + 4, mtu);
        return at + MTU_OPTION_LENGTH;
    }

    /** Writes an RDNSS option with one server; returns its end. */
    public static int writeRdnssOption(ByteBuf buf, int at, int lifetime, long serverHi, long serverLo) {
        writeRdnssHeader(buf, at, lifetime, 1);
        Ipv6Address.write(buf, at + RDNSS_HEADER_LENGTH, serverHi, serverLo);
        return at + RDNSS_HEADER_LENGTH + 16;
    }

    /** Writes an RDNSS option with the first {@code count} (at least 1) servers of the arrays; returns its end. */
    public static int writeRdnssOption(ByteBuf buf, int at, int lifetime, long[] serversHi, long[] serversLo,
        int count) {
        writeRdnssHeader(buf, at, lifetime, count);
        for (int i = 0; i < count; i++) {
            Ipv6Address.write(buf, at + RDNSS_HEADER_LENGTH + 16 * i, serversHi[i], serversLo[i]);
        }
        return at + RDNSS_HEADER_LENGTH + 16 * count;
    }

    private static void writeRdnssHeader(ByteBuf buf, int at, int lifetime, int count) {
        if (count < 1 || count > 127) {
            throw new IllegalArgumentException("RDNSS with " + count + " servers");
        }
        buf.setByte(at, OPTION_RDNSS);
        buf.setByte(at + 1, 1 + 2 * count);
        buf.setShort(at + 2, 0);
        buf.setInt(at + 4, lifetime);
    }

    /**
     * Writes a complete neighbor advertisement for {@code target}, with a target link-layer address option unless
     * {@code targetMac} is {@link MacAddress#NONE}, and its checksum. Returns the message length.
     */
    public static int emitNeighborAdvertisement(ByteBuf buf, int offset, int flags, long targetHi, long targetLo,
        long targetMac, long pseudoHeader) {
        return emitTargeted(buf, offset, Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT, flags, targetHi, targetLo,
            OPTION_TARGET_LINK_LAYER, targetMac, pseudoHeader);
    }

    /**
     * Writes a complete neighbor solicitation for {@code target}, with a source link-layer address option unless
     * {@code sourceMac} is {@link MacAddress#NONE} (it must be absent when the IPv6 source is unspecified), and its
     * checksum. Returns the message length.
     */
    public static int emitNeighborSolicitation(ByteBuf buf, int offset, long targetHi, long targetLo, long sourceMac,
        long pseudoHeader) {
        return emitTargeted(buf, offset, Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION, 0, targetHi, targetLo,
            OPTION_SOURCE_LINK_LAYER, sourceMac, pseudoHeader);
    }

    private static int emitTargeted(ByteBuf buf, int offset, int type, int flags, long targetHi, long targetLo,
        int optionType, long mac, long pseudoHeader) {
        buf.setByte(offset, type);
        buf.setByte(offset + 1, 0);
        buf.setByte(offset + 4, flags);
        buf.setMedium(offset + 5, 0);
        Ipv6Address.write(buf, offset + 8, targetHi, targetLo);
        int end = offset + NEIGHBOR_ADVERTISEMENT_LENGTH;
        if (mac != MacAddress.NONE) {
            end = writeLinkLayerOption(buf, end, optionType, mac);
        }
        Icmpv6Packet.updateChecksum(buf, offset, end - offset, pseudoHeader);
        return end - offset;
    }

    /**
     * Writes a complete router solicitation, with a source link-layer address option unless {@code sourceMac} is
     * {@link MacAddress#NONE}, and its checksum. Returns the message length.
     */
    public static int emitRouterSolicitation(ByteBuf buf, int offset, long sourceMac, long pseudoHeader) {
        buf.setByte(offset, Icmpv6Packet.TYPE_ROUTER_SOLICITATION);
        buf.setByte(offset + 1, 0);
        buf.setInt(offset + 4, 0);
        int end = offset + ROUTER_SOLICITATION_LENGTH;
        if (sourceMac != MacAddress.NONE) {
            end = writeLinkLayerOption(buf, end, OPTION_SOURCE_LINK_LAYER, sourceMac);
        }
        Icmpv6Packet.updateChecksum(buf, offset, end - offset, pseudoHeader);
        return end - offset;
    }
}
