package io.slirp4j.stack.iface;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.wire.InAny;
import io.slirp4j.stack.wire.InternetChecksum;
import io.slirp4j.stack.wire.Ipv4Packet;
import io.slirp4j.stack.wire.Ipv6Packet;

/**
 * What the transport engines receive from an IP input: one whole datagram from the guest (reassembled if it came
 * in fragments), validated and past the address filter, whatever its IP version.
 *
 * <p>Why: TCP, UDP and ICMP need from IP only the addresses, the protocol, where their bytes are, and the
 * pseudo-header for their checksum. Giving them exactly that, with addresses as {@link InAny} (IPv4-mapped IPv6
 * in two longs), lets one engine serve IPv4 and IPv6. An ICMP error about the datagram quotes it from
 * {@link #offset()} ({@link #headerLength()} covers the IPv4 header with options, or the IPv6 header with its
 * extension headers).
 *
 * <p>A flyweight: the input that owns it refills it for every datagram; the view and its buffer are borrowed for
 * the duration of the engine's call.
 */
public final class IpDatagram {
    private int version;
    private ByteBuf buf;
    private int offset;
    private int headerLength;
    private int totalLength;
    private int protocol;
    private int hopLimit;
    private long sourceHi;
    private long sourceLo;
    private long destinationHi;
    private long destinationLo;
    private long pseudoHeader;
    private boolean checksumTrusted;

    /** Points this view at the IPv4 datagram {@code p} (whole, not a fragment). */
    public IpDatagram setIpv4(Ipv4Packet p) {
        checksumTrusted = false;
        version = 4;
        buf = p.buffer();
        offset = p.offset();
        headerLength = p.headerLength();
        totalLength = p.totalLength();
        protocol = p.protocol();
        hopLimit = p.ttl();
        sourceHi = InAny.hiOf4();
        sourceLo = InAny.loOf4(p.source());
        destinationHi = InAny.hiOf4();
        destinationLo = InAny.loOf4(p.destination());
        pseudoHeader = InternetChecksum.addPseudoHeader(0, p.source(), p.destination(), protocol, 0);
        return this;
    }

    /** Points this view at the IPv6 packet {@code p} (whole, not a fragment). */
    public IpDatagram setIpv6(Ipv6Packet p) {
        checksumTrusted = false;
        version = 6;
        buf = p.buffer();
        offset = p.offset();
        headerLength = p.headerLength();
        totalLength = p.totalLength();
        protocol = p.protocol();
        hopLimit = p.hopLimit();
        sourceHi = p.sourceHi();
        sourceLo = p.sourceLo();
        destinationHi = p.destinationHi();
        destinationLo = p.destinationLo();
        pseudoHeader = p.pseudoHeader();
        return this;
    }

    /** Marks the transport checksum as vouched for by the link (see {@link #checksumTrusted()}). */
    public IpDatagram checksumTrusted(boolean trusted) {
        checksumTrusted = trusted;
        return this;
    }

    /**
     * True when the link vouched for the transport checksum, so engines must not verify it: a tap with checksum
     * offload hands over the guest's TCP and UDP with the checksum left partial (only the pseudo-header sum in the
     * field) or already validated, as virtio-net does. Only the guest's kernel can mark a frame so.
     */
    public boolean checksumTrusted() {
        return checksumTrusted;
    }

    /** 4 or 6. */
    public int version() {
        return version;
    }

    public boolean isIpv4() {
        return version == 4;
    }

    public ByteBuf buffer() {
        return buf;
    }

    /** Absolute offset of the IP header. */
    public int offset() {
        return offset;
    }

    /** The IP header's length, IPv6 extension headers included: where the transport's bytes start. */
    public int headerLength() {
        return headerLength;
    }

    /** IP header and payload. */
    public int totalLength() {
        return totalLength;
    }

    /** Absolute offset of the transport header. */
    public int payloadOffset() {
        return offset + headerLength;
    }

    public int payloadLength() {
        return totalLength - headerLength;
    }

    /** The transport protocol (next header): 1 ICMP, 6 TCP, 17 UDP, 58 ICMPv6. */
    public int protocol() {
        return protocol;
    }

    /** TTL (IPv4) or hop limit (IPv6). */
    public int hopLimit() {
        return hopLimit;
    }

    public long sourceHi() {
        return sourceHi;
    }

    public long sourceLo() {
        return sourceLo;
    }

    public long destinationHi() {
        return destinationHi;
    }

    public long destinationLo() {
        return destinationLo;
    }

    /** The IPv4 source address; meaningful only for {@link #isIpv4()} datagrams. */
    public int source4() {
        return InAny.v4(sourceLo);
    }

    /** The IPv4 destination address; meaningful only for {@link #isIpv4()} datagrams. */
    public int destination4() {
        return InAny.v4(destinationLo);
    }

    /**
     * The transport checksum's pseudo-header partial sum (addresses and protocol, without the length, which
     * the transport adds: RFC 793 for IPv4, RFC 8200 8.1 for IPv6).
     */
    public long pseudoHeader() {
        return pseudoHeader;
    }
}
