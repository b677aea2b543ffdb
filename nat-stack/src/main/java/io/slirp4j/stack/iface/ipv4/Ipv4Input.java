package io.slirp4j.stack.iface.ipv4;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.iface.AddressPolicy;
import io.slirp4j.stack.iface.GuestLink;
import io.slirp4j.stack.iface.IpDatagram;
import io.slirp4j.stack.iface.IpProtocolHandler;
import io.slirp4j.stack.stats.ErrorCounters;
import io.slirp4j.stack.stats.FrameCounters;
import io.slirp4j.stack.stats.Ipv4Counters;
import io.slirp4j.stack.wire.Ipv4Packet;
import io.slirp4j.stack.wire.MacAddress;
import io.slirp4j.stack.wire.ParseResult;
import java.util.function.LongSupplier;

/**
 * IPv4 input from the guest: validate, filter, reassemble, dispatch.
 *
 * <p>Theory of operation: a datagram must pass {@link Ipv4Packet#wrap} (version, lengths, header checksum;
 * Ethernet padding beyond the total length is ignored). Its source must be a guest address of the virtual
 * network, or 0.0.0.0 for a broadcast (a DHCP client without an address); that source teaches the ARP cache the
 * frame's source MAC. Its destination must be the gateway N+2, the DNS address N+3, a unicast address outside
 * the network, or a broadcast (UDP only: the UDP input admits DHCP and nothing else). Everything else (other
 * guests' addresses, multicast, loopback, 0/8, 240/4) is dropped and counted as filtered. Fragments go to the
 * {@link Ipv4Reassembler}; a whole datagram goes, as an {@link IpDatagram}, to the handler registered for its protocol number.
 * No TTL handling: like slirp, the stack is the endpoint of every datagram it accepts, not a router.
 *
 * <p>Ownership: the input buffer is borrowed; a reassembled datagram is owned here and released after dispatch.
 */
public final class Ipv4Input {
    private final AddressPolicy addresses;
    private final GuestLink link;
    private final Ipv4Reassembler reassembler;
    private final FrameCounters frames;
    private final Ipv4Counters counters;
    private final ErrorCounters errors;
    private final LongSupplier clock;
    private final IpProtocolHandler[] handlers = new IpProtocolHandler[256];
    private final Ipv4Packet packet = new Ipv4Packet();
    private final IpDatagram datagram = new IpDatagram();

    public Ipv4Input(AddressPolicy addresses, GuestLink link, Ipv4Reassembler reassembler, FrameCounters frames,
        Ipv4Counters counters, ErrorCounters errors, LongSupplier clock) {
        this.addresses = addresses;
        this.link = link;
        this.reassembler = reassembler;
        this.frames = frames;
        this.counters = counters;
        this.errors = errors;
        this.clock = clock;
    }

    /** Registers the engine for an IP protocol number (1 ICMP, 6 TCP, 17 UDP), replacing any earlier one. */
    public void register(int protocol, IpProtocolHandler handler) {
        handlers[protocol & 0xFF] = handler;
    }

    /** One IPv4 datagram from the guest: {@code length} bytes at absolute {@code offset}, borrowed. */
    public void onPacket(ByteBuf buf, int offset, int length, long sourceMac) {
        onPacket(buf, offset, length, sourceMac, false);
    }

    /**
     * As above; {@code checksumTrusted}: the link vouches for the transport checksum (a tap that received the frame
     * with a partial or validated checksum), which is then not verified. A reassembled datagram is always verified.
     */
    public void onPacket(ByteBuf buf, int offset, int length, long sourceMac, boolean checksumTrusted) {
        if (packet.wrap(buf, offset, length) != ParseResult.OK) {
            frames.droppedMalformed++;
            return;
        }
        int source = packet.source();
        int destination = packet.destination();
        boolean broadcast = addresses.isBroadcast(destination);
        boolean guestSource = addresses.isGuest(source);
        if (!(guestSource || (source == 0 && broadcast)) || MacAddress.isGroup(sourceMac)) {
            frames.droppedFiltered++;
            return;
        }
        long now = clock.getAsLong();
        if (guestSource) {
            link.learn(source, sourceMac, now);
        }
        if (broadcast ? packet.protocol() != Ipv4Packet.PROTOCOL_UDP || packet.isFragment()
            : !addresses.isOwn(destination) && !addresses.isOutside(destination)) {
            frames.droppedFiltered++;
            return;
        }
        IpProtocolHandler handler = handlers[packet.protocol()];
        if (handler == null) {
            frames.droppedUnsupported++;
            return;
        }
        if (!packet.isFragment()) {
            handler.onDatagram(datagram.setIpv4(packet).checksumTrusted(checksumTrusted));
            return;
        }
        counters.fragmentsIn++;
        ByteBuf whole = reassembler.offer(packet, now);
        if (whole == null) {
            return;
        }
        try {
            if (packet.wrap(whole, whole.readerIndex(), whole.readableBytes()) == ParseResult.OK) {
                handler.onDatagram(datagram.setIpv4(packet)); // setIpv4 clears the trust: reassembled, verified
            } else {
                errors.internalError(new IllegalStateException("reassembled datagram does not parse"));
            }
        } finally {
            whole.release();
        }
    }
}
