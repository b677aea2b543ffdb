package io.slirp4j.stack.icmp;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.Ipv6Network;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.iface.AddressPolicy;
import io.slirp4j.stack.iface.GuestLink;
import io.slirp4j.stack.iface.IpDatagram;
import io.slirp4j.stack.iface.IpProtocolHandler;
import io.slirp4j.stack.iface.ipv6.NeighborDiscovery;
import io.slirp4j.stack.stats.FrameCounters;
import io.slirp4j.stack.stats.Icmpv6Counters;
import io.slirp4j.stack.wire.Icmpv6Packet;
import io.slirp4j.stack.wire.Ipv6Address;
import io.slirp4j.stack.wire.Ipv6Packet;
import io.slirp4j.stack.wire.ParseResult;

/**
 * ICMPv6 (RFC 4443) for the guest, as libslirp's {@code ip6_icmp.c} does it; the neighbour and router discovery
 * messages go to the {@link NeighborDiscovery} of the IPv6 interface layer.
 *
 * <p>Theory of operation:
 * <ul>
 *   <li>Echo: a request to one of the stack's addresses is answered with the same identifier, sequence number and
 *       data, hop limit 255. A request to an outside address goes to the echo NAT ({@link IcmpNat}, shared with
 *       ICMPv4) when the stack has host echo sockets, and is dropped as unsupported without (libslirp says "external
 *       icmpv6 not supported yet").</li>
 *   <li>Errors to the guest ({@link #sendDestinationUnreachable}): from fe80::2 as libslirp's, quoting as much of the
 *       offending packet as fits in the IPv6 minimum MTU (RFC 4443 2.4(c)), never about an ICMPv6 error or a
 *       packet from :: or to a multicast group (2.4(e)). Errors from the guest are dropped.</li>
 * </ul>
 */
public final class Icmpv6Engine implements IpProtocolHandler {
    public static final int HOP_LIMIT = Ipv6Packet.MAX_HOP_LIMIT;

    private final AddressPolicy addresses;
    private final Ipv6Network network;
    private final GuestLink link;
    private final NeighborDiscovery neighborDiscovery;
    private final FrameCounters frames;
    private final Icmpv6Counters counters;
    private final Icmpv6Packet icmp = new Icmpv6Packet();
    /** Echo to outside addresses; null without. */
    private IcmpNat echoNat;

    public Icmpv6Engine(NetworkConfig config, AddressPolicy addresses, GuestLink link,
        NeighborDiscovery neighborDiscovery, FrameCounters frames, Icmpv6Counters counters) {
        this.network = config.ipv6();
        this.addresses = addresses;
        this.link = link;
        this.neighborDiscovery = neighborDiscovery;
        this.frames = frames;
        this.counters = counters;
    }

    @Override
    public void onDatagram(IpDatagram datagram) {
        if (icmp.wrap(datagram.buffer(), datagram.payloadOffset(), datagram.payloadLength(), datagram.pseudoHeader())
            != ParseResult.OK) {
            frames.droppedMalformed++;
            return;
        }
        switch (icmp.type()) {
            case Icmpv6Packet.TYPE_ECHO_REQUEST -> echo(datagram);
            case Icmpv6Packet.TYPE_ROUTER_SOLICITATION, Icmpv6Packet.TYPE_ROUTER_ADVERTISEMENT,
                Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION, Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT,
                Icmpv6Packet.TYPE_REDIRECT ->
                neighborDiscovery.onMessage(datagram, icmp.type(), icmp.code(), icmp.offset(), icmp.length());
            default -> frames.droppedUnsupported++;
        }
    }

    /** Hands echo requests to outside addresses to {@code nat} (the {@link IcmpEngine} that owns it calls this). */
    void echoToOutside(IcmpNat nat) {
        this.echoNat = nat;
    }

    Icmpv6Counters counters() {
        return counters;
    }

    private void echo(IpDatagram datagram) {
        if (icmp.code() != 0 || Ipv6Address.isUnspecified(datagram.sourceHi(), datagram.sourceLo())) {
            frames.droppedUnsupported++;
            return;
        }
        if (!addresses.isOwn6(datagram.destinationHi(), datagram.destinationLo())) {
            if (echoNat == null) {
                frames.droppedUnsupported++;
            } else {
                echoNat.onEchoRequest(datagram, icmp.identifier(), icmp.sequence());
            }
            return;
        }
        int length = icmp.length();
        long fromHi = datagram.destinationHi();
        long fromLo = datagram.destinationLo();
        long toHi = datagram.sourceHi();
        long toLo = datagram.sourceLo();
        ByteBuf reply = link.newIpv6Frame(Ipv6Packet.NEXT_HEADER_ICMPV6, HOP_LIMIT, fromHi, fromLo, toHi, toLo,
            length);
        int at = reply.writerIndex();
        reply.writeBytes(datagram.buffer(), icmp.offset(), length);
        Icmpv6Packet.emitEcho(reply, at, Icmpv6Packet.TYPE_ECHO_REPLY, icmp.identifier(), icmp.sequence(),
            icmp.dataLength(), pseudoHeader(fromHi, fromLo, toHi, toLo));
        counters.echoReplies++;
        link.sendIpv6(reply);
    }

    /**
     * Tells the guest that {@code original} (borrowed, an IPv6 packet) cannot be delivered: destination
     * unreachable with {@code code}.
     */
    public void sendDestinationUnreachable(IpDatagram original, int code) {
        sendError(original, Icmpv6Packet.TYPE_DESTINATION_UNREACHABLE, code, 0);
    }

    /**
     * An ICMPv6 error of {@code type} and {@code code} (the 4 bytes after them: {@code restOfHeader}) about
     * {@code original} (borrowed), under the rules above.
     */
    void sendError(IpDatagram original, int type, int code, int restOfHeader) {
        if (!addresses.isGuest6(original.sourceHi(), original.sourceLo())
            || Ipv6Address.isMulticast(original.destinationHi())) {
            return;
        }
        if (original.protocol() == Ipv6Packet.NEXT_HEADER_ICMPV6) {
            if (original.payloadLength() < 1
                || Icmpv6Packet.isError(Icmpv6Packet.type(original.buffer(), original.payloadOffset()))) {
                return;
            }
        }
        int quote = Math.min(original.totalLength(), Icmpv6Packet.MAX_ERROR_QUOTE);
        long fromHi = network.routerHi();
        long fromLo = network.routerLo();
        long toHi = original.sourceHi();
        long toLo = original.sourceLo();
        ByteBuf error = link.newIpv6Frame(Ipv6Packet.NEXT_HEADER_ICMPV6, HOP_LIMIT, fromHi, fromLo, toHi, toLo,
            Icmpv6Packet.HEADER_LENGTH + quote);
        int at = error.writerIndex();
        int length = Icmpv6Packet.emitError(error, at, type, code, restOfHeader, original.buffer(), original.offset(),
            quote, pseudoHeader(fromHi, fromLo, toHi, toLo));
        error.writerIndex(at + length);
        counters.errorsSent++;
        link.sendIpv6(error);
    }

    private static long pseudoHeader(long fromHi, long fromLo, long toHi, long toLo) {
        return Ipv6Packet.pseudoHeader(fromHi, fromLo, toHi, toLo, Ipv6Packet.NEXT_HEADER_ICMPV6);
    }
}
