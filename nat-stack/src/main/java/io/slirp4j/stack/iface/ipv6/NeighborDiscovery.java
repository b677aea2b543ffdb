package io.slirp4j.stack.iface.ipv6;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.HostMirror;
import io.slirp4j.stack.HostMirror6;
import io.slirp4j.stack.Ipv6Network;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.iface.AddressPolicy;
import io.slirp4j.stack.iface.GuestLink;
import io.slirp4j.stack.iface.IpDatagram;
import io.slirp4j.stack.stats.FrameCounters;
import io.slirp4j.stack.stats.Icmpv6Counters;
import io.slirp4j.stack.wire.Icmpv6Packet;
import io.slirp4j.stack.wire.Ipv6Address;
import io.slirp4j.stack.wire.Ipv6Packet;
import io.slirp4j.stack.wire.MacAddress;
import io.slirp4j.stack.wire.NdpMessage;
import io.slirp4j.stack.wire.ParseResult;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Neighbour and router discovery (RFC 4861) for the guest, as libslirp's {@code ip6_icmp.c} does them, so a guest
 * configured by slirp4netns configures itself the same way here. The ICMPv6 engine hands it the NDP messages it
 * received (checksum already verified).
 *
 * <p>Theory of operation:
 * <ul>
 *   <li>Router discovery: a router solicitation (hop limit 255, as RFC 4861 6.1.1 requires) is answered with a
 *       router advertisement from fe80::2 to all-nodes; one also goes out unsolicited every 200 to 600 s
 *       ({@link #onTimer}). It carries the prefix P/64 with the on-link and autonomous flags (the guest forms its
 *       address by SLAAC; valid 86400 s, preferred 14400 s), the router's link-layer address, the link MTU and,
 *       with DNS enabled, P::3 as recursive DNS server (RFC 8106), and a router lifetime of 1800 s so the guest
 *       routes through fe80::2 by default. The values are libslirp's; the MTU option is ours (a guest on a
 *       65520-byte tap otherwise keeps its interface's own MTU, which is the same, but a bridge in between would
 *       not), and so is the O (other configuration) flag when the stack's stateless DHCPv6 server answers:
 *       libslirp serves DHCPv6 but advertises O = 0 ({@code NDP_AdvOtherConfigFlag}), so clients that follow the
 *       flag never ask it. M (managed addresses) stays off: there are no DHCPv6 addresses.</li>
 *   <li>Neighbour discovery: a solicitation for P::2, P::3 or fe80::2 is answered with an advertisement (router,
 *       solicited unless it went to a group, override) carrying the address's MAC, 52:56 followed by its last four
 *       bytes. The guest's own addresses are learned from every frame by the IPv6 input, and the
 *       {@link GuestLink} solicits the ones it has not seen yet.</li>
 * </ul>
 */
public final class NeighborDiscovery {
    /** libslirp's NDP_AdvDefaultLifetime: three times the longest interval between advertisements. */
    static final int ROUTER_LIFETIME_S = 1800;
    static final int PREFIX_VALID_LIFETIME_S = 86400;
    static final int PREFIX_PREFERRED_LIFETIME_S = 14400;
    /** libslirp's RDNSS lifetime: twice the longest interval between advertisements. */
    static final int RDNSS_LIFETIME_S = 1200;
    static final long MIN_ADVERTISEMENT_INTERVAL_MS = 200_000;
    static final long MAX_ADVERTISEMENT_INTERVAL_MS = 600_000;
    /** What NDP messages must carry, and what the stack sends them with (RFC 4861 6.1, 7.1). */
    static final int HOP_LIMIT = Ipv6Packet.MAX_HOP_LIMIT;

    private final AddressPolicy addresses;
    private final Ipv6Network network;
    /** The mirror's IPv6 half (its prefix and DNS forwarder go in router advertisements), or null. */
    private final HostMirror6 mirror6;
    /** Which of NDP and router advertisements answer (all but with a mirror's --no-ndp or --no-ra). */
    private final HostMirror.Services services;
    private final GuestLink link;
    private final FrameCounters frames;
    private final Icmpv6Counters counters;
    private final LongSupplier clock;
    private final int mtu;
    private final boolean dnsEnabled;
    private final boolean otherConfiguration;
    private final NdpMessage ndp = new NdpMessage();
    private final SplittableRandom random = new SplittableRandom();
    private long nextAdvertisement;

    /**
     * @param otherConfiguration whether the RA's O flag tells the guest to ask DHCPv6 for other configuration
     *                           (DNS servers): true when a DHCPv6 server answers
     */
    public NeighborDiscovery(NetworkConfig config, AddressPolicy addresses, GuestLink link, FrameCounters frames,
        Icmpv6Counters counters, boolean otherConfiguration, LongSupplier clock) {
        this.network = config.ipv6();
        this.mirror6 = config.mirror6();
        this.services = config.mirrored() ? config.mirror().services() : HostMirror.Services.ALL;
        this.addresses = addresses;
        this.link = link;
        this.frames = frames;
        this.counters = counters;
        this.mtu = config.mtu();
        this.dnsEnabled = mirror6 != null ? mirror6.dnsForward() != null : config.dnsEnabled();
        this.otherConfiguration = otherConfiguration;
        this.clock = clock;
        this.nextAdvertisement = clock.getAsLong() + randomInterval();
    }

    private long randomInterval() {
        return random.nextLong(MIN_ADVERTISEMENT_INTERVAL_MS, MAX_ADVERTISEMENT_INTERVAL_MS);
    }

    /**
     * An NDP message from the guest: the ICMPv6 message of {@code type} and {@code code} at {@code offset},
     * {@code length} bytes, in {@code datagram} (borrowed; its checksum verified). Router and neighbour
     * solicitations are answered; an advertisement teaches the neighbour cache its target (which RFC 4861 4.4 lets a
     * guest answer for from another of its addresses, say its link-local one, whose MAC the frame taught already);
     * anything else a guest has no business sending (router advertisements, redirects) is dropped as unsupported.
     */
    public void onMessage(IpDatagram datagram, int type, int code, int offset, int length) {
        if (!answersSolicitations(type)) {
            frames.droppedFiltered++; // --no-ndp, or a router solicitation with --no-ra
            return;
        }
        switch (type) {
            case Icmpv6Packet.TYPE_ROUTER_SOLICITATION -> routerSolicitation(datagram, code, offset, length);
            case Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION -> neighborSolicitation(datagram, code, offset, length);
            case Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT -> neighborAdvertisement(datagram, code, offset, length);
            default -> frames.droppedUnsupported++;
        }
    }

    private void routerSolicitation(IpDatagram datagram, int code, int offset, int length) {
        if (!validNdp(datagram, code, offset, length)) {
            return;
        }
        counters.routerSolicitations++;
        sendRouterAdvertisement();
    }

    private void neighborSolicitation(IpDatagram datagram, int code, int offset, int length) {
        if (!validNdp(datagram, code, offset, length)) {
            return;
        }
        boolean fromUnspecified = Ipv6Address.isUnspecified(datagram.sourceHi(), datagram.sourceLo());
        if (fromUnspecified && !Ipv6Address.isSolicitedNode(datagram.destinationHi(), datagram.destinationLo())) {
            frames.droppedMalformed++; // RFC 4861 7.1.1
            return;
        }
        long targetHi = ndp.targetHi();
        long targetLo = ndp.targetLo();
        // with a mirror, every address but the guest's is ours to answer for, so a solicitation from :: (the guest's
        // duplicate address detection, for an address we cannot know is its own) is not answered, as pasta does
        if (!addresses.answersNdp6(targetHi, targetLo) || (fromUnspecified && mirror6 != null)) {
            frames.droppedFiltered++; // duplicate address detection of the guest's own, or someone else's
            return;
        }
        counters.neighborSolicitations++;
        long toHi = fromUnspecified ? Ipv6Address.ALL_NODES_HI : datagram.sourceHi();
        long toLo = fromUnspecified ? Ipv6Address.ALL_NODES_LO : datagram.sourceLo();
        int flags = NdpMessage.NA_FLAG_ROUTER | NdpMessage.NA_FLAG_OVERRIDE
            | (fromUnspecified ? 0 : NdpMessage.NA_FLAG_SOLICITED);
        ByteBuf frame = link.newIpv6Frame(Ipv6Packet.NEXT_HEADER_ICMPV6, HOP_LIMIT, targetHi, targetLo, toHi, toLo,
            NdpMessage.NEIGHBOR_ADVERTISEMENT_LENGTH + NdpMessage.LINK_LAYER_OPTION_LENGTH);
        int at = frame.writerIndex();
        int written = NdpMessage.emitNeighborAdvertisement(frame, at, flags, targetHi, targetLo,
            link.macFor6(targetHi, targetLo), pseudoHeader(targetHi, targetLo, toHi, toLo));
        frame.writerIndex(at + written);
        link.sendIpv6(frame);
    }

    private void neighborAdvertisement(IpDatagram datagram, int code, int offset, int length) {
        if (!validNdp(datagram, code, offset, length)) {
            return;
        }
        long mac = ndp.targetLinkLayer();
        if (mac != MacAddress.NONE && !MacAddress.isGroup(mac) && addresses.isGuest6(ndp.targetHi(), ndp.targetLo())) {
            link.learn(ndp.targetHi(), ndp.targetLo(), mac, clock.getAsLong());
        }
    }

    /**
     * Hop limit 255, code 0, a well-formed message (RFC 4861 6.1.1, 7.1.1, 7.1.2), and no source link-layer
     * address option when the source is :: (the same sections); counts what fails as malformed.
     */
    private boolean validNdp(IpDatagram datagram, int code, int offset, int length) {
        if (datagram.hopLimit() != Ipv6Packet.MAX_HOP_LIMIT || wrapNdp(datagram, code, offset, length) != ParseResult.OK
            || (Ipv6Address.isUnspecified(datagram.sourceHi(), datagram.sourceLo())
                && ndp.sourceLinkLayer() != MacAddress.NONE)) {
            frames.droppedMalformed++;
            return false;
        }
        return true;
    }

    private ParseResult wrapNdp(IpDatagram datagram, int code, int offset, int length) {
        if (code != 0) {
            return ParseResult.UNSUPPORTED;
        }
        return ndp.wrap(datagram.buffer(), offset, length);
    }

    /** Sends a router advertisement to all nodes (see the class comment for what it says). */
    public void sendRouterAdvertisement() {
        long fromHi = network.routerHi();
        long fromLo = network.routerLo();
        long toHi = Ipv6Address.ALL_NODES_HI;
        long toLo = Ipv6Address.ALL_NODES_LO;
        int length = NdpMessage.ROUTER_ADVERTISEMENT_LENGTH + NdpMessage.LINK_LAYER_OPTION_LENGTH
            + NdpMessage.PREFIX_OPTION_LENGTH + NdpMessage.MTU_OPTION_LENGTH
            + (dnsEnabled ? NdpMessage.RDNSS_HEADER_LENGTH + 16 : 0);
        ByteBuf frame = link.newIpv6Frame(Ipv6Packet.NEXT_HEADER_ICMPV6, HOP_LIMIT, fromHi, fromLo, toHi, toLo,
            length);
        int start = frame.writerIndex();
        int at = NdpMessage.emitRouterAdvertisementHeader(frame, start, 0,
            otherConfiguration ? NdpMessage.RA_FLAG_OTHER : 0, ROUTER_LIFETIME_S, 0, 0);
        at = NdpMessage.writeLinkLayerOption(frame, at, NdpMessage.OPTION_SOURCE_LINK_LAYER, link.gatewayMac6());
        if (mirror6 != null) {
            // the copied prefix, on-link only: the guest holds the host's address already, and SLAAC would add one
            int length6 = mirror6.prefixLength();
            long[] prefix = prefixOf(mirror6.guest().hi(), mirror6.guest().lo(), length6);
            at = NdpMessage.writePrefixOption(frame, at, length6, NdpMessage.PREFIX_FLAG_ON_LINK,
                PREFIX_VALID_LIFETIME_S, PREFIX_PREFERRED_LIFETIME_S, prefix[0], prefix[1]);
        } else {
            at = NdpMessage.writePrefixOption(frame, at, 64,
                NdpMessage.PREFIX_FLAG_ON_LINK | NdpMessage.PREFIX_FLAG_AUTONOMOUS, PREFIX_VALID_LIFETIME_S,
                PREFIX_PREFERRED_LIFETIME_S, network.prefix(), 0);
        }
        at = NdpMessage.writeMtuOption(frame, at, mtu);
        if (dnsEnabled) {
            long dnsHi = mirror6 != null ? mirror6.dnsForward().hi() : network.dnsHi();
            long dnsLo = mirror6 != null ? mirror6.dnsForward().lo() : network.dnsLo();
            at = NdpMessage.writeRdnssOption(frame, at, RDNSS_LIFETIME_S, dnsHi, dnsLo);
        }
        Icmpv6Packet.updateChecksum(frame, start, at - start, pseudoHeader(fromHi, fromLo, toHi, toLo));
        frame.writerIndex(at);
        counters.routerAdvertisements++;
        link.sendIpv6(frame);
    }

    /** Whether a message of this type is taken: all, but solicitations with --no-ndp and router ones with --no-ra. */
    private boolean answersSolicitations(int type) {
        if (type == Icmpv6Packet.TYPE_ROUTER_SOLICITATION) {
            return services.routerAdvertisements();
        }
        return type != Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION || services.ndp();
    }

    /** Sends the periodic router advertisement when it is due (never with a mirror's --no-ra or --no-ndp). */
    public void onTimer(long now) {
        if (!services.routerAdvertisements()) {
            return;
        }
        if (now >= nextAdvertisement) {
            sendRouterAdvertisement();
            nextAdvertisement = now + randomInterval();
        }
    }

    /** The first {@code length} bits of hi:lo, the rest zero. */
    static long[] prefixOf(long hi, long lo, int length) {
        if (length <= 64) {
            return new long[] {length == 0 ? 0 : hi & (-1L << (64 - length)), 0};
        }
        return new long[] {hi, length == 128 ? lo : lo & (-1L << (128 - length))};
    }

    private static long pseudoHeader(long fromHi, long fromLo, long toHi, long toLo) {
        return Ipv6Packet.pseudoHeader(fromHi, fromLo, toHi, toLo, Ipv6Packet.NEXT_HEADER_ICMPV6);
    }
}
