package io.slirp4j.stack.iface;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.slirp4j.stack.FrameOffload;
import io.slirp4j.stack.FrameSink;
import io.slirp4j.stack.Ipv6Network;
import io.slirp4j.stack.LinkOffloads;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.SoftwareOffload;
import io.slirp4j.stack.stats.ArpCounters;
import io.slirp4j.stack.stats.FrameCounters;
import io.slirp4j.stack.stats.Icmpv6Counters;
import io.slirp4j.stack.stats.Ipv4Counters;
import io.slirp4j.stack.stats.Ipv6Counters;
import io.slirp4j.stack.wire.ArpPacket;
import io.slirp4j.stack.wire.EthernetFrame;
import io.slirp4j.stack.wire.Icmpv6Packet;
import io.slirp4j.stack.wire.InAny;
import io.slirp4j.stack.wire.Ipv4Address;
import io.slirp4j.stack.wire.Ipv4Packet;
import io.slirp4j.stack.wire.Ipv6Address;
import io.slirp4j.stack.wire.Ipv6Packet;
import io.slirp4j.stack.wire.MacAddress;
import io.slirp4j.stack.wire.NdpMessage;
import java.util.function.LongSupplier;

/**
 * The way out to the guest: every frame the stack emits passes here.
 *
 * <p>Theory of operation: an engine that answers the guest asks for a frame with {@link #newIpv4Frame}, which
 * reserves the Ethernet header and writes an IPv4 header, appends its transport header and payload, and hands
 * the frame to {@link #sendIpv4}. That fills in total length, identification and checksum, picks the
 * destination MAC (broadcast, or the guest's from {@link Neighbors}; if unknown, an ARP request for it goes out
 * from the gateway and the frame waits in {@link ParkedFrames} for the answer, as in a router), and then either
 * sends the frame as it is or, if the datagram exceeds the MTU, splits it into fragments (RFC 791) and sends
 * those (a parked frame takes this path when the answer comes, see {@link #learn}). The source
 * MAC is the one the guest resolved for the source address: the DNS address's own MAC for datagrams from N+3,
 * the gateway's for everything else (routed traffic).
 *
 * <p>IPv6 ({@link #newIpv6Frame}, {@link #sendIpv6}) works the same way with neighbour discovery in place of ARP:
 * multicast destinations map to 33:33 MACs, a unicast guest address is looked up in the same {@link Neighbors}
 * (which learns from the guest's IPv6 frames and neighbour advertisements), and an unknown one draws a neighbour
 * solicitation to its solicited-node group while the frame is parked. A packet over the MTU is split with a
 * fragment header (RFC 8200 4.5), as we are its source. Source MACs follow libslirp: 52:56 and the source address's
 * last four bytes for the DNS address P::3, the gateway's (52:56:00:00:00:02) for everything else.
 * {@link #newFrame}/{@link #send} pick the family from the addresses, for engines that serve both.
 *
 * <p>Offloads: when the sink finishes frames ({@link #offloads()}), engines may leave a transport checksum partial
 * and send TCP super-segments larger than the MTU, with {@link #send(ByteBuf, long)}. A super-segment goes to the
 * sink as it is, never fragmented (its IPv4 identification counts one per segment the link makes of it); a frame
 * with only a partial checksum that exceeds the MTU is completed here and then fragmented; one that must wait for
 * the guest's MAC is finished in software first ({@link SoftwareOffload}), so parked frames are always complete.
 *
 * <p>Ownership: {@code send}, {@code sendIpv4}, {@code sendIpv4To}, {@code sendIpv6} and {@code sendFrame} take
 * ownership of the frame and release it on every path that does not pass it to the {@link FrameSink}.
 *
 * <p>{@link #flushIfNeeded()} is called by the stack at the end of each unit of work (a frame from the guest, a
 * timer tick, a host datagram), so a burst of frames costs one flush.
 */
public final class GuestLink {
    /** Where the IPv4 header starts in frames made by {@link #newIpv4Frame}. */
    public static final int IPV4_OFFSET = EthernetFrame.HEADER_LENGTH;
    /** Where the transport header starts in frames made by {@link #newIpv4Frame}. */
    public static final int IPV4_PAYLOAD_OFFSET = IPV4_OFFSET + Ipv4Packet.MIN_HEADER_LENGTH;
    /** Where the IPv6 header starts in frames made by {@link #newIpv6Frame}. */
    public static final int IPV6_OFFSET = EthernetFrame.HEADER_LENGTH;
    /** Where the upper-layer header starts in frames made by {@link #newIpv6Frame}. */
    public static final int IPV6_PAYLOAD_OFFSET = IPV6_OFFSET + Ipv6Packet.HEADER_LENGTH;

    private final NetworkConfig config;
    private final ByteBufAllocator alloc;
    private final FrameSink sink;
    private final FrameCounters frames;
    private final ArpCounters arpCounters;
    private final Ipv4Counters ipv4Counters;
    private final LongSupplier clock;
    private final Neighbors neighbors = new Neighbors();
    private final ParkedFrames parked = new ParkedFrames();
    private final long gatewayMac;
    private final long dnsMac;
    private final Ipv6Network ipv6;
    /** Whether the IPv6 addressing is a mirror's ({@link io.slirp4j.stack.HostMirror6}). */
    private final boolean mirrored6;
    private final Ipv6Counters ipv6Counters;
    private final Icmpv6Counters icmpv6Counters;
    private final long gatewayMac6;
    private final long dnsMac6;
    private final LinkOffloads offloads;
    private int nextIdentification;
    private int nextIdentification6;
    private boolean unflushed;

    public GuestLink(NetworkConfig config, ByteBufAllocator alloc, FrameSink sink, FrameCounters frames,
        ArpCounters arpCounters, Ipv4Counters ipv4Counters, LongSupplier clock) {
        this(config, alloc, sink, frames, arpCounters, ipv4Counters, new Ipv6Counters(), new Icmpv6Counters(), clock);
    }

    public GuestLink(NetworkConfig config, ByteBufAllocator alloc, FrameSink sink, FrameCounters frames,
        ArpCounters arpCounters, Ipv4Counters ipv4Counters, Ipv6Counters ipv6Counters,
        Icmpv6Counters icmpv6Counters, LongSupplier clock) {
        this.config = config;
        this.alloc = alloc;
        this.sink = sink;
        this.frames = frames;
        this.arpCounters = arpCounters;
        this.ipv4Counters = ipv4Counters;
        this.clock = clock;
        this.gatewayMac = MacAddress.of(NetworkConfig.macFor(config.gateway()));
        this.dnsMac = MacAddress.of(NetworkConfig.macFor(config.dns()));
        this.ipv6 = config.ipv6();
        this.mirrored6 = config.mirror6() != null;
        this.ipv6Counters = ipv6Counters;
        this.icmpv6Counters = icmpv6Counters;
        this.gatewayMac6 = Ipv6Network.macFor(Ipv6Network.GATEWAY_ID);
        this.dnsMac6 = Ipv6Network.macFor(Ipv6Network.DNS_ID);
        this.offloads = sink.offloads();
    }

    public int mtu() {
        return config.mtu();
    }

    /** What the sink finishes for engines that send with {@link #send(ByteBuf, long)}. */
    public LinkOffloads offloads() {
        return offloads;
    }

    public ByteBufAllocator alloc() {
        return alloc;
    }

    public Neighbors neighbors() {
        return neighbors;
    }

    /**
     * Records that {@code address} is at {@code mac} (callers filter out what is not a guest's) and sends what was
     * parked for it. Called for every frame from the guest, so the common case is one table update.
     */
    public void learn(int address, long mac, long now) {
        learn(InAny.hiOf4(), InAny.loOf4(address), mac, now);
    }

    /** {@link #learn(int, long, long)} for an address of either family ({@link InAny} halves). */
    public void learn(long hi, long lo, long mac, long now) {
        neighbors.learn(hi, lo, mac, now);
        if (!parked.isEmpty()) {
            for (ByteBuf frame : parked.take(hi, lo)) {
                if (InAny.is4(hi, lo)) {
                    sendIpv4To(frame, mac);
                } else {
                    sendIpv6To(frame, mac);
                }
            }
        }
    }

    /** Drops frames parked too long for an address that never answered ARP. */
    public void expireParked(long now) {
        if (!parked.isEmpty()) {
            frames.droppedUnresolved += parked.expire(now);
        }
    }

    /** Releases every parked frame (the stack is closing). */
    public void clearParked() {
        parked.clear();
    }

    public long gatewayMac() {
        return gatewayMac;
    }

    /** The MAC the guest sees for one of the stack's own addresses (gateway for anything not N+3). */
    public long macFor(int ownAddress) {
        return ownAddress == config.dns() ? dnsMac : gatewayMac;
    }

    /**
     * Allocates a frame for an IPv4 datagram to the guest with room for {@code payloadLength} bytes after a
     * 20-byte header; the header is written, the writer index is at {@link #IPV4_PAYLOAD_OFFSET}. The caller
     * owns the frame until it passes it to {@link #sendIpv4}.
     */
    public ByteBuf newIpv4Frame(int protocol, int source, int destination, int payloadLength) {
        return newIpv4Frame(protocol, Ipv4Packet.DEFAULT_TTL, source, destination, payloadLength);
    }

    /** {@link #newIpv4Frame(int, int, int, int)} with a TTL other than {@link Ipv4Packet#DEFAULT_TTL}. */
    public ByteBuf newIpv4Frame(int protocol, int ttl, int source, int destination, int payloadLength) {
        ByteBuf frame = alloc.buffer(IPV4_PAYLOAD_OFFSET + payloadLength);
        Ipv4Packet.emitHeader(frame, IPV4_OFFSET, 0, 0, 0, 0, ttl, protocol, source, destination);
        frame.writerIndex(IPV4_PAYLOAD_OFFSET);
        return frame;
    }

    /**
     * Allocates a frame for a datagram to the guest between {@link InAny} addresses, IPv4 when both are
     * IPv4-mapped, with room for {@code payloadLength} bytes; the writer index is where the transport header goes.
     * Pass it to {@link #send}.
     */
    public ByteBuf newFrame(int protocol, int hopLimit, long sourceHi, long sourceLo, long destinationHi,
        long destinationLo, int payloadLength) {
        if (InAny.is4(sourceHi, sourceLo) && InAny.is4(destinationHi, destinationLo)) {
            return newIpv4Frame(protocol, hopLimit, InAny.v4(sourceLo), InAny.v4(destinationLo), payloadLength);
        }
        if (InAny.is4(sourceHi, sourceLo) || InAny.is4(destinationHi, destinationLo)) {
            throw new IllegalArgumentException("families mixed: " + InAny.format(sourceHi, sourceLo) + " -> "
                + InAny.format(destinationHi, destinationLo));
        }
        return newIpv6Frame(protocol, hopLimit, sourceHi, sourceLo, destinationHi, destinationLo, payloadLength);
    }

    /** Completes and sends a frame from {@link #newFrame}. Takes ownership. */
    public void send(ByteBuf frame) {
        if (Ipv4Packet.version(frame, IPV4_OFFSET) == Ipv6Packet.VERSION) {
            sendIpv6(frame);
        } else {
            sendIpv4(frame);
        }
    }

    /**
     * Completes and sends a frame from {@link #newFrame} that the sink is to finish as {@code offload} says
     * ({@link FrameOffload}; only what {@link #offloads()} allows). Takes ownership.
     */
    public void send(ByteBuf frame, long offload) {
        if (offload == FrameOffload.NONE) {
            send(frame);
            return;
        }
        if (Ipv4Packet.version(frame, IPV4_OFFSET) == Ipv6Packet.VERSION) {
            long mac = destinationMac6(frame, false);
            if (mac != MacAddress.NONE) {
                sendIpv6To(frame, mac, offload);
                return;
            }
        } else {
            long mac = destinationMac4(Ipv4Packet.destination(frame, IPV4_OFFSET), false);
            if (mac != MacAddress.NONE) {
                sendIpv4To(frame, mac, offload);
                return;
            }
        }
        // it waits for the guest's MAC (the plain path asks for it and parks it): parked frames are complete
        SoftwareOffload.finish(frame, offload, alloc, this::send);
    }

    /**
     * Allocates a frame for an IPv6 packet to the guest with room for {@code payloadLength} bytes after a 40-byte
     * header (no extension headers); the header is written except for its payload length, the writer index is at
     * {@link #IPV6_PAYLOAD_OFFSET}. The caller owns the frame until it passes it to {@link #sendIpv6}.
     */
    public ByteBuf newIpv6Frame(int nextHeader, int hopLimit, long sourceHi, long sourceLo, long destinationHi,
        long destinationLo, int payloadLength) {
        ByteBuf frame = alloc.buffer(IPV6_PAYLOAD_OFFSET + payloadLength);
        Ipv6Packet.emitHeader(frame, IPV6_OFFSET, 0, nextHeader, hopLimit, sourceHi, sourceLo, destinationHi,
            destinationLo);
        frame.writerIndex(IPV6_PAYLOAD_OFFSET);
        return frame;
    }

    /** Completes and sends a frame from {@link #newIpv6Frame}, resolving the destination MAC. Takes ownership. */
    public void sendIpv6(ByteBuf frame) {
        long mac = destinationMac6(frame, true);
        if (mac == MacAddress.NONE) {
            frames.droppedUnresolved += parked.park(Ipv6Packet.destinationHi(frame, IPV6_OFFSET),
                Ipv6Packet.destinationLo(frame, IPV6_OFFSET), frame, clock.getAsLong());
            return;
        }
        sendIpv6To(frame, mac);
    }

    /**
     * The MAC for the IPv6 destination of {@code frame}: a multicast group's, or the guest's from the neighbour
     * table, or {@link MacAddress#NONE}; then, if {@code ask}, a neighbour solicitation goes out (rate-limited).
     */
    private long destinationMac6(ByteBuf frame, boolean ask) {
        long hi = Ipv6Packet.destinationHi(frame, IPV6_OFFSET);
        long lo = Ipv6Packet.destinationLo(frame, IPV6_OFFSET);
        if (Ipv6Address.isMulticast(hi)) {
            return Ipv6Address.multicastMac(lo);
        }
        long mac = neighbors.lookup(hi, lo);
        if (mac == MacAddress.NONE && ask && neighbors.shouldRequest(hi, lo, clock.getAsLong())) {
            sendNeighborSolicitation(hi, lo);
        }
        return mac;
    }

    /** Like {@link #sendIpv6} but to a known MAC. Takes ownership. */
    public void sendIpv6To(ByteBuf frame, long destinationMac) {
        sendIpv6To(frame, destinationMac, FrameOffload.NONE);
    }

    private void sendIpv6To(ByteBuf frame, long destinationMac, long offload) {
        boolean passed = false;
        try {
            int payloadLength = frame.writerIndex() - IPV6_PAYLOAD_OFFSET;
            if (payloadLength > Ipv6Packet.MAX_PAYLOAD_LENGTH) {
                throw new IllegalArgumentException("IPv6 payload of " + payloadLength + " bytes");
            }
            Ipv6Packet.setPayloadLength(frame, IPV6_OFFSET, payloadLength);
            long sourceLo = Ipv6Packet.sourceLo(frame, IPV6_OFFSET);
            long sourceHi = Ipv6Packet.sourceHi(frame, IPV6_OFFSET);
            long sourceMac = ipv6 != null && sourceHi == ipv6.dnsHi() && sourceLo == ipv6.dnsLo() ? dnsMac6
                : gatewayMac6;
            ipv6Counters.packetsOut++;
            if (Ipv6Packet.HEADER_LENGTH + payloadLength <= config.mtu() || FrameOffload.isSegmentation(offload)) {
                EthernetFrame.emitHeader(frame, 0, destinationMac, sourceMac, EthernetFrame.TYPE_IPV6);
                frame.readerIndex(0);
                passed = true;
                sendFrame(frame, offload);
            } else {
                completeBeforeFragmenting(frame, offload);
                sendFragments6(frame, destinationMac, sourceMac, payloadLength);
            }
        } finally {
            if (!passed) {
                frame.release();
            }
        }
    }

    /** The gateway's MAC for IPv6 (52:56:00:00:00:02): what the guest resolves fe80::2 and P::2 to. */
    public long gatewayMac6() {
        return gatewayMac6;
    }

    /** The MAC the guest sees for one of the stack's own IPv6 addresses (the gateway's for anything not P::3). */
    public long macFor6(long hi, long lo) {
        return ipv6 != null && hi == ipv6.dnsHi() && lo == ipv6.dnsLo() ? dnsMac6 : gatewayMac6;
    }

    /**
     * Asks the guest for the MAC of its address (hi, lo): a neighbour solicitation to the solicited-node group,
     * from the gateway (fe80::2 for a link-local target, P::2 otherwise), as libslirp's {@code ndp_send_ns}; with a
     * mirror always from fe80::2, since its prefix's P::2 may well be the guest's own address.
     */
    private void sendNeighborSolicitation(long hi, long lo) {
        if (ipv6 == null) {
            return;
        }
        boolean linkLocal = Ipv6Address.isLinkLocal(hi) || mirrored6;
        long sourceHi = linkLocal ? ipv6.routerHi() : ipv6.gatewayHi();
        long sourceLo = linkLocal ? ipv6.routerLo() : ipv6.gatewayLo();
        long groupLo = Ipv6Address.solicitedNodeLo(lo);
        int length = NdpMessage.NEIGHBOR_SOLICITATION_LENGTH + NdpMessage.LINK_LAYER_OPTION_LENGTH;
        ByteBuf frame = newIpv6Frame(Ipv6Packet.NEXT_HEADER_ICMPV6, Ipv6Packet.MAX_HOP_LIMIT, sourceHi, sourceLo,
            Ipv6Address.SOLICITED_NODE_HI, groupLo, length);
        int at = frame.writerIndex();
        int written = NdpMessage.emitNeighborSolicitation(frame, at, hi, lo, gatewayMac6, Ipv6Packet.pseudoHeader(
            sourceHi, sourceLo, Ipv6Address.SOLICITED_NODE_HI, groupLo, Ipv6Packet.NEXT_HEADER_ICMPV6));
        frame.writerIndex(at + written);
        icmpv6Counters.neighborSolicitationsSent++;
        sendIpv6To(frame, Ipv6Address.multicastMac(groupLo));
    }

    /** Completes and sends a frame from {@link #newIpv4Frame}, resolving the destination MAC. Takes ownership. */
    public void sendIpv4(ByteBuf frame) {
        int destination = Ipv4Packet.destination(frame, IPV4_OFFSET);
        long mac = destinationMac4(destination, true);
        if (mac == MacAddress.NONE) {
            frames.droppedUnresolved += parked.park(InAny.hiOf4(), InAny.loOf4(destination), frame,
                clock.getAsLong());
            return;
        }
        sendIpv4To(frame, mac);
    }

    /** Like {@link #sendIpv4} but to a known MAC (DHCP replies to a client that has no address yet). */
    public void sendIpv4To(ByteBuf frame, long destinationMac) {
        sendIpv4To(frame, destinationMac, FrameOffload.NONE);
    }

    private void sendIpv4To(ByteBuf frame, long destinationMac, long offload) {
        boolean passed = false;
        try {
            int totalLength = frame.writerIndex() - IPV4_OFFSET;
            if (totalLength > Ipv4Packet.MAX_TOTAL_LENGTH) {
                throw new IllegalArgumentException("IPv4 datagram of " + totalLength + " bytes");
            }
            Ipv4Packet.setTotalLength(frame, IPV4_OFFSET, totalLength);
            Ipv4Packet.setIdentification(frame, IPV4_OFFSET, nextIdentification);
            // the link gives each segment of a super-segment the next identification (RFC 6864, ip_select_ident_segs)
            nextIdentification += FrameOffload.isSegmentation(offload)
                ? segments(IPV4_OFFSET + totalLength - FrameOffload.headersLength(offload), offload) : 1;
            Ipv4Packet.updateChecksum(frame, IPV4_OFFSET);
            long sourceMac = macFor(Ipv4Packet.source(frame, IPV4_OFFSET));
            if (totalLength <= config.mtu() || FrameOffload.isSegmentation(offload)) {
                EthernetFrame.emitHeader(frame, 0, destinationMac, sourceMac, EthernetFrame.TYPE_IPV4);
                frame.readerIndex(0);
                passed = true;
                sendFrame(frame, offload);
            } else {
                completeBeforeFragmenting(frame, offload);
                sendFragments(frame, destinationMac, sourceMac, totalLength);
            }
        } finally {
            if (!passed) {
                frame.release();
            }
        }
    }

    /** Sends a complete Ethernet frame. Takes ownership. */
    public void sendFrame(ByteBuf frame) {
        sendFrame(frame, FrameOffload.NONE);
    }

    private void sendFrame(ByteBuf frame, long offload) {
        frames.out++;
        unflushed = true;
        if (offload == FrameOffload.NONE) {
            sink.send(frame);
        } else {
            sink.send(frame, offload);
        }
    }

    /** How many segments the link makes of a super-segment with {@code payload} bytes of TCP payload. */
    private static int segments(int payload, long offload) {
        int size = FrameOffload.segmentSize(offload);
        return Math.max(1, (payload + size - 1) / size);
    }

    /** A datagram the link is to fragment leaves here whole: its fragments cannot carry a partial checksum. */
    private static void completeBeforeFragmenting(ByteBuf frame, long offload) {
        if (offload != FrameOffload.NONE) {
            frame.readerIndex(0);
            SoftwareOffload.completeChecksum(frame, offload);
        }
    }

    /** Flushes the sink if anything was sent since the last flush. */
    public void flushIfNeeded() {
        if (unflushed) {
            unflushed = false;
            sink.flush();
        }
    }

    /**
     * The MAC for an IPv4 destination: broadcast for a broadcast address, else the guest's from the ARP table, or
     * {@link MacAddress#NONE}; then, if {@code ask}, an ARP request goes out (rate-limited).
     */
    private long destinationMac4(int destination, boolean ask) {
        if (Ipv4Address.LIMITED_BROADCAST == destination || config.broadcast() == destination) {
            return MacAddress.BROADCAST;
        }
        long mac = neighbors.lookup(destination);
        if (mac == MacAddress.NONE && ask && neighbors.shouldRequest(destination, clock.getAsLong())) {
            sendArpRequest(destination);
        }
        return mac;
    }

    private void sendArpRequest(int address) {
        ByteBuf frame = alloc.buffer(EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH);
        EthernetFrame.emitHeader(frame, 0, MacAddress.BROADCAST, gatewayMac, EthernetFrame.TYPE_ARP);
        ArpPacket.emit(frame, EthernetFrame.HEADER_LENGTH, ArpPacket.OP_REQUEST, gatewayMac, config.gateway(),
            MacAddress.ZERO, address);
        frame.writerIndex(EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH);
        arpCounters.requestsSent++;
        sendFrame(frame);
    }

    /**
     * Splits the datagram in {@code frame} into fragments of at most the MTU. Every fragment repeats the whole
     * header; ours never carry options, so RFC 791's "copy only copied options" does not arise. DF is cleared:
     * these datagrams are ours to fragment. Does not release {@code frame}.
     */
    private void sendFragments(ByteBuf frame, long destinationMac, long sourceMac, int totalLength) {
        int headerLength = Ipv4Packet.headerLength(frame, IPV4_OFFSET);
        int payloadLength = totalLength - headerLength;
        int maxChunk = (config.mtu() - headerLength) & ~7;
        int original = Ipv4Packet.flagsAndFragmentOffset(frame, IPV4_OFFSET);
        int baseOffset = (original & Ipv4Packet.FRAGMENT_OFFSET_MASK) * 8;
        boolean originalMore = (original & Ipv4Packet.FLAG_MORE_FRAGMENTS) != 0;
        int payloadStart = IPV4_OFFSET + headerLength;
        for (int done = 0; done < payloadLength; done += maxChunk) {
            int chunk = Math.min(maxChunk, payloadLength - done);
            boolean last = done + chunk == payloadLength;
            int fragmentLength = headerLength + chunk;
            ByteBuf fragment = alloc.buffer(IPV4_OFFSET + fragmentLength);
            EthernetFrame.emitHeader(fragment, 0, destinationMac, sourceMac, EthernetFrame.TYPE_IPV4);
            fragment.setBytes(IPV4_OFFSET, frame, IPV4_OFFSET, headerLength);
            Ipv4Packet.setTotalLength(fragment, IPV4_OFFSET, fragmentLength);
            int flags = (last && !originalMore) ? 0 : Ipv4Packet.FLAG_MORE_FRAGMENTS;
            Ipv4Packet.setFlagsAndFragmentOffset(fragment, IPV4_OFFSET, flags | ((baseOffset + done) / 8));
            Ipv4Packet.updateChecksum(fragment, IPV4_OFFSET);
            fragment.setBytes(IPV4_OFFSET + headerLength, frame, payloadStart + done, chunk);
            fragment.writerIndex(IPV4_OFFSET + fragmentLength);
            ipv4Counters.fragmentsOut++;
            sendFrame(fragment);
        }
    }

    /**
     * Splits the packet in {@code frame} (a 40-byte header without extension headers, as {@link #newIpv6Frame}
     * makes) into fragments of at most the MTU, each the header plus a fragment header plus a multiple of 8 bytes
     * (RFC 8200 4.5). Does not release {@code frame}.
     */
    private void sendFragments6(ByteBuf frame, long destinationMac, long sourceMac, int payloadLength) {
        int nextHeader = Ipv6Packet.nextHeader(frame, IPV6_OFFSET);
        int maxChunk = (config.mtu() - Ipv6Packet.HEADER_LENGTH - Ipv6Packet.FRAGMENT_HEADER_LENGTH) & ~7;
        int identification = nextIdentification6++;
        int fragmentHeader = IPV6_PAYLOAD_OFFSET;
        int dataStart = fragmentHeader + Ipv6Packet.FRAGMENT_HEADER_LENGTH;
        for (int done = 0; done < payloadLength; done += maxChunk) {
            int chunk = Math.min(maxChunk, payloadLength - done);
            boolean more = done + chunk < payloadLength;
            ByteBuf fragment = alloc.buffer(dataStart + chunk);
            EthernetFrame.emitHeader(fragment, 0, destinationMac, sourceMac, EthernetFrame.TYPE_IPV6);
            fragment.setBytes(IPV6_OFFSET, frame, IPV6_OFFSET, Ipv6Packet.HEADER_LENGTH);
            Ipv6Packet.setPayloadLength(fragment, IPV6_OFFSET, Ipv6Packet.FRAGMENT_HEADER_LENGTH + chunk);
            Ipv6Packet.setNextHeader(fragment, IPV6_OFFSET, Ipv6Packet.NEXT_HEADER_FRAGMENT);
            Ipv6Packet.emitFragmentHeader(fragment, fragmentHeader, nextHeader, done, more, identification);
            fragment.setBytes(dataStart, frame, IPV6_PAYLOAD_OFFSET + done, chunk);
            fragment.writerIndex(dataStart + chunk);
            ipv6Counters.fragmentsOut++;
            sendFrame(fragment);
        }
    }
}
