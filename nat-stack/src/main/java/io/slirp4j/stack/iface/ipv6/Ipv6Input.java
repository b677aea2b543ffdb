package io.slirp4j.stack.iface.ipv6;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.iface.AddressPolicy;
import io.slirp4j.stack.iface.GuestLink;
import io.slirp4j.stack.iface.IpDatagram;
import io.slirp4j.stack.iface.IpProtocolHandler;
import io.slirp4j.stack.stats.FrameCounters;
import io.slirp4j.stack.stats.Ipv6Counters;
import io.slirp4j.stack.wire.Ipv6Address;
import io.slirp4j.stack.wire.Ipv6Packet;
import io.slirp4j.stack.wire.MacAddress;
import io.slirp4j.stack.wire.ParseResult;
import java.util.function.LongSupplier;

/**
 * IPv6 input from the guest (with {@code --enable-ipv6}): validate, filter, dispatch.
 *
 * <p>Theory of operation: a packet must pass {@link Ipv6Packet#wrap} (version, payload length, a bounded walk of
 * the extension headers to the upper-layer protocol). Its source must be one of the guest's addresses (in the
 * prefix P or link-local), or the unspecified address :: (duplicate address detection and router solicitation
 * before the guest has an address: ICMPv6 only); a guest source teaches the neighbour cache the frame's source
 * MAC. Its destination must be one of the stack's addresses (P::2, P::3, fe80::2), an outside unicast address, or
 * a multicast group the stack listens to: all-nodes ff02::1, all-routers ff02::2, the solicited-node groups of its
 * addresses (ICMPv6, for neighbour and router discovery) and all-DHCP-agents ff02::1:2 (UDP, for DHCPv6).
 * Everything else is dropped and counted as filtered. A whole packet goes, as an {@link IpDatagram}, to the handler
 * registered for its upper-layer protocol (58 ICMPv6, 6 TCP, 17 UDP).
 *
 * <p>Fragments go to the {@link Ipv6Reassembler}; the whole packet is dispatched like any other. Like the IPv4
 * input, no hop-limit handling: the stack is the endpoint of every packet it accepts.
 *
 * <p>Ownership: the input buffer is borrowed; a reassembled packet is owned here and released after dispatch.
 */
public final class Ipv6Input {
    private static final int PROTOCOL_UDP = Ipv6Packet.NEXT_HEADER_UDP;
    private static final int PROTOCOL_ICMPV6 = Ipv6Packet.NEXT_HEADER_ICMPV6;

    private final AddressPolicy addresses;
    private final GuestLink link;
    private final Ipv6Reassembler reassembler;
    private final FrameCounters frames;
    private final Ipv6Counters counters;
    private final LongSupplier clock;
    private final IpProtocolHandler[] handlers = new IpProtocolHandler[256];
    private final Ipv6Packet packet = new Ipv6Packet();
    private final IpDatagram datagram = new IpDatagram();

    public Ipv6Input(AddressPolicy addresses, GuestLink link, Ipv6Reassembler reassembler, FrameCounters frames,
        Ipv6Counters counters, LongSupplier clock) {
        this.addresses = addresses;
        this.link = link;
        this.reassembler = reassembler;
        this.frames = frames;
        this.counters = counters;
        this.clock = clock;
    }

    /** Registers the engine for an upper-layer protocol (58 ICMPv6, 6 TCP, 17 UDP), replacing any earlier one. */
    public void register(int protocol, IpProtocolHandler handler) {
        handlers[protocol & 0xFF] = handler;
    }

    /** One IPv6 packet from the guest: {@code length} bytes at absolute {@code offset}, borrowed. */
    public void onPacket(ByteBuf buf, int offset, int length, long sourceMac) {
        onPacket(buf, offset, length, sourceMac, false);
    }

    /** As above; {@code checksumTrusted} as in {@code Ipv4Input}: the transport checksum is not verified. */
    public void onPacket(ByteBuf buf, int offset, int length, long sourceMac, boolean checksumTrusted) {
        if (packet.wrap(buf, offset, length) != ParseResult.OK) {
            frames.droppedMalformed++;
            return;
        }
        long sourceHi = packet.sourceHi();
        long sourceLo = packet.sourceLo();
        long destinationHi = packet.destinationHi();
        long destinationLo = packet.destinationLo();
        boolean guestSource = addresses.isGuest6(sourceHi, sourceLo);
        boolean unspecified = Ipv6Address.isUnspecified(sourceHi, sourceLo);
        if (!(guestSource || unspecified) || MacAddress.isGroup(sourceMac)) {
            frames.droppedFiltered++;
            return;
        }
        int protocol = packet.protocol();
        if (!acceptedDestination(destinationHi, destinationLo, protocol) || (unspecified && protocol != PROTOCOL_ICMPV6)) {
            frames.droppedFiltered++;
            return;
        }
        long now = clock.getAsLong();
        if (guestSource) {
            link.learn(sourceHi, sourceLo, sourceMac, now);
        }
        if (!packet.isFragment()) {
            dispatch(checksumTrusted);
            return;
        }
        counters.fragmentsIn++;
        ByteBuf whole = reassembler.offer(packet, now);
        if (whole == null) {
            return;
        }
        try {
            // the fragmentable part comes from the guest: its extension headers may well be refused now
            if (packet.wrap(whole, whole.readerIndex(), whole.readableBytes()) == ParseResult.OK
                && !packet.isFragment()) {
                dispatch(false);
            } else {
                frames.droppedMalformed++;
            }
        } finally {
            whole.release();
        }
    }

    private void dispatch(boolean checksumTrusted) {
        IpProtocolHandler handler = handlers[packet.protocol()];
        if (handler == null) {
            frames.droppedUnsupported++;
            return;
        }
        counters.packetsIn++;
        handler.onDatagram(datagram.setIpv6(packet).checksumTrusted(checksumTrusted));
    }

    private boolean acceptedDestination(long hi, long lo, int protocol) {
        if (!Ipv6Address.isMulticast(hi)) {
            return addresses.isOwn6(hi, lo) || addresses.isOutside6(hi, lo);
        }
        if (protocol == PROTOCOL_UDP) {
            return hi == Ipv6Address.ALL_DHCP_SERVERS_HI && lo == Ipv6Address.ALL_DHCP_SERVERS_LO;
        }
        if (protocol != PROTOCOL_ICMPV6) {
            return false;
        }
        return (hi == Ipv6Address.ALL_NODES_HI && lo == Ipv6Address.ALL_NODES_LO)
            || (hi == Ipv6Address.ALL_ROUTERS_HI && lo == Ipv6Address.ALL_ROUTERS_LO)
            || Ipv6Address.isSolicitedNode(hi, lo);
    }
}
