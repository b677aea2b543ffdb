package io.slirp4j.stack.wire;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The bodies of the wire fuzz harnesses, shared by {@link WireFuzzTest} (Jazzer) and {@link WireMutationTest}
 * (seeded mutation in every build). Each takes arbitrary bytes, runs a parser over them, reads every accessor of
 * a view that said OK, and checks the invariants the engines rely on: an OK view lies inside the bytes it was
 * given, and what an emitter wrote parses back to the same values. A failure is an exception or an
 * {@link AssertionError}; a parser may refuse anything, but may never throw.
 *
 * <p>Checksums would stop a fuzzer at the first branch, so the targets that reach a checksum fill it in first
 * (over a fixed pseudo-header) and test the checksum code through the round trips instead.
 */
final class WireFuzzTargets {
    static final long SRC_HI = 0xFE80_0000_0000_0000L;
    static final long SRC_LO = 1L;
    static final long DST_HI = 0xFE80_0000_0000_0000L;
    static final long DST_LO = 2L;
    private static final long SERVER_MAC = 0x5255_0A00_0202L;

    private WireFuzzTargets() {
    }

    static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    private static boolean inside(int offset, int length, int start, int available) {
        return offset >= start && length >= 0 && (long) offset + length <= (long) start + available;
    }

    /** How many targets {@link #anyParser} chooses from: one per case of its switch. */
    static final int TARGETS = 8;

    /**
     * Every target above behind one entry point, the input's last byte choosing which ({@link FuzzedDataProvider}
     * takes integers from the end): one fuzzing session, in one JVM, covers all the parsers, which is what a
     * bounded CI run can afford (Jazzer fuzzes one test per JVM, and each start costs seconds).
     */
    static void anyParser(FuzzedDataProvider in) {
        switch (in.consumeInt(0, TARGETS - 1)) {
            case 0 -> ipv6Packet(in.consumeRemainingAsBytes());
            case 1 -> icmpv6AndNdp(in.consumeRemainingAsBytes());
            case 2 -> ndp(in.consumeRemainingAsBytes());
            case 3 -> dhcpv6(in.consumeRemainingAsBytes());
            case 4 -> ipv6Address(in.consumeRemainingAsBytes());
            case 5 -> ipv4Views(in.consumeRemainingAsBytes());
            case 6 -> ipv6RoundTrip(in);
            default -> ndpRoundTrip(in);
        }
    }

    /** The IPv6 view and its extension header walk over arbitrary bytes, at an offset inside a larger buffer. */
    static void ipv6Packet(byte[] data) {
        ByteBuf b = Unpooled.buffer(data.length + 3).writeZero(3).writeBytes(data);
        Ipv6Packet p = new Ipv6Packet();
        ParseResult r = p.wrap(b, 3, data.length);
        if (!r.ok()) {
            check(p.problemCode() == -1 || (p.problemCode() >= 0 && p.problemCode() <= 2), "problem code");
            check(p.problemCode() == -1 || (p.problemPointer() >= 0 && p.problemPointer() < data.length),
                "problem pointer inside the packet");
            return;
        }
        check(inside(p.offset(), p.totalLength(), 3, data.length), "packet inside the bytes");
        check(p.headerLength() >= Ipv6Packet.HEADER_LENGTH, "header length");
        check(inside(p.payloadOffset(), p.payloadLength(), p.offset(), p.totalLength()), "payload inside the packet");
        check(p.protocolPointer() >= 6 && p.protocolPointer() < p.headerLength(), "protocol pointer");
        check(p.protocol() >= 0 && p.protocol() < 256, "protocol");
        p.nextHeader();
        p.trafficClass();
        p.flowLabel();
        p.hopLimit();
        p.sourceHi();
        p.sourceLo();
        p.destinationHi();
        p.destinationLo();
        p.pseudoHeader();
        if (p.hasFragmentHeader()) {
            check(inside(p.fragmentHeaderOffset(), Ipv6Packet.FRAGMENT_HEADER_LENGTH, p.offset(), p.totalLength()),
                "fragment header inside");
            check(p.fragmentPrecedingNextHeaderOffset() < p.fragmentHeaderOffset(), "preceding field");
            check(!p.isFragment() || p.payloadOffset() == p.fragmentHeaderOffset() + 8, "fragment data offset");
            check(p.fragmentOffset() % 8 == 0, "fragment offset in 8-byte units");
            p.moreFragments();
            p.identification();
        } else {
            check(!p.isFragment() && p.fragmentOffset() == 0 && p.identification() == 0, "no fragment fields");
        }
        p.setHopLimit(p.hopLimit() - 1);
        p.setTrafficClass(p.trafficClass());
        p.setFlowLabel(p.flowLabel());
    }

    /** An ICMPv6 message (checksum filled in) and, when it is one, the NDP view over it. */
    static void icmpv6AndNdp(byte[] data) {
        ByteBuf b = Unpooled.wrappedBuffer(data.clone());
        long pseudo = Ipv6Packet.pseudoHeader(SRC_HI, SRC_LO, DST_HI, DST_LO, Ipv6Packet.NEXT_HEADER_ICMPV6);
        if (data.length >= Icmpv6Packet.HEADER_LENGTH) {
            Icmpv6Packet.updateChecksum(b, 0, data.length, pseudo);
        }
        Icmpv6Packet icmp = new Icmpv6Packet();
        ParseResult r = icmp.wrap(b, 0, data.length, pseudo);
        if (data.length >= Icmpv6Packet.HEADER_LENGTH) {
            check(r.ok(), "a message with its checksum filled in is valid: " + r);
        }
        if (!r.ok()) {
            return;
        }
        icmp.type();
        icmp.code();
        icmp.identifier();
        icmp.sequence();
        icmp.mtu();
        icmp.pointer();
        icmp.restOfHeader();
        icmp.isError();
        check(inside(icmp.dataOffset(), icmp.dataLength(), 0, data.length), "data inside");
        ndp(b, 0, data.length);
    }

    /** The NDP view over arbitrary bytes (no checksum involved). */
    static void ndp(byte[] data) {
        ndp(Unpooled.wrappedBuffer(data), 0, data.length);
    }

    private static void ndp(ByteBuf b, int offset, int length) {
        NdpMessage ndp = new NdpMessage();
        if (!ndp.wrap(b, offset, length).ok()) {
            return;
        }
        // the accessors of a message type's fixed part are for that type only
        if (ndp.type() == Icmpv6Packet.TYPE_ROUTER_ADVERTISEMENT) {
            ndp.curHopLimit();
            ndp.managed();
            ndp.otherConfiguration();
            ndp.routerLifetime();
            ndp.reachableTime();
            ndp.retransTimer();
        }
        if (ndp.type() == Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT) {
            ndp.router();
            ndp.solicited();
            ndp.override();
        }
        if (ndp.type() == Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION || ndp.type() == Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT) {
            check(!Ipv6Address.isMulticast(ndp.targetHi()), "no multicast target");
            ndp.targetLo();
        }
        ndp.sourceLinkLayer();
        ndp.targetLinkLayer();
        ndp.mtu();
        int options = 0;
        for (int type = 0; type < 256; type++) {
            for (int at = ndp.findOption(type); at >= 0; at = ndp.findOption(type, at)) {
                check(++options <= length / 8, "options found never exceed what fits");
                check(inside(at, 8, offset, length), "option inside the message");
                if (type == NdpMessage.OPTION_PREFIX_INFORMATION) {
                    ndp.prefixLength(at);
                    ndp.prefixFlags(at);
                    ndp.prefixValidLifetime(at);
                    ndp.prefixPreferredLifetime(at);
                    ndp.prefixHi(at);
                    ndp.prefixLo(at);
                } else if (type == NdpMessage.OPTION_RDNSS) {
                    ndp.rdnssLifetime(at);
                    for (int i = 0; i < ndp.rdnssCount(at); i++) {
                        ndp.rdnssHi(at, i);
                        ndp.rdnssLo(at, i);
                    }
                } else if (type == NdpMessage.OPTION_SOURCE_LINK_LAYER || type == NdpMessage.OPTION_TARGET_LINK_LAYER) {
                    ndp.linkLayerAddress(at);
                }
            }
        }
    }

    /** A DHCPv6 message; when valid, the replies to it are emitted and must parse back consistently. */
    static void dhcpv6(byte[] data) {
        Dhcpv6Message d = new Dhcpv6Message();
        if (!d.wrap(Unpooled.wrappedBuffer(data), 0, data.length).ok()) {
            return;
        }
        d.messageType();
        d.elapsedTime();
        d.hasIaNa();
        d.iaNaIaid();
        d.hasIa();
        d.rapidCommit();
        d.hasServerId();
        d.serverIdIs(SERVER_MAC);
        for (int option = 0; option < 30; option++) {
            d.requests(option);
        }
        if (d.hasClientId()) {
            check(inside(d.clientIdOffset(), d.clientIdLength(), 0, data.length), "client id inside");
        }
        ByteBuf out = Unpooled.buffer(1024).writerIndex(1024);
        long[] dnsHi = {DST_HI};
        long[] dnsLo = {DST_LO};
        byte[] search = {3, 'c', 'o', 'm', 0};
        int n = d.emitReply(out, 0, Dhcpv6Message.REPLY, SERVER_MAC, dnsHi, dnsLo, 1, search);
        Dhcpv6Message reply = new Dhcpv6Message();
        check(reply.wrap(out, 0, n).ok(), "our reply parses");
        check(reply.messageType() == Dhcpv6Message.REPLY && reply.transactionId() == d.transactionId(), "reply header");
        check(reply.serverIdIs(SERVER_MAC), "reply server id");
        check(reply.clientIdLength() == d.clientIdLength(), "client id echoed");
        n = d.emitNoAddrsAvail(out, 0, SERVER_MAC);
        check(reply.wrap(out, 0, n).ok() && reply.messageType() == Dhcpv6Message.ADVERTISE, "advertise parses");
    }

    /** Address text: 16 bytes format and parse back; any text either parses to what formats back, or is refused. */
    static void ipv6Address(byte[] data) {
        if (data.length >= 16) {
            ByteBuf b = Unpooled.wrappedBuffer(data);
            long hi = Ipv6Address.readHi(b, 0);
            long lo = Ipv6Address.readLo(b, 0);
            long[] back = Ipv6Address.parse(Ipv6Address.format(hi, lo));
            check(back[0] == hi && back[1] == lo, "format/parse round trip");
            long[] viaJdk = Ipv6Address.fromInetAddress(Ipv6Address.toInetAddress(hi, lo));
            check(viaJdk[0] == hi && viaJdk[1] == lo, "InetAddress round trip");
            int length = data[0] & 0xFF;
            if (length <= 128) {
                check(Ipv6Address.inPrefix(hi, lo, hi, lo, length), "an address is in its own prefix");
            }
        }
        String text = new String(data, java.nio.charset.StandardCharsets.ISO_8859_1);
        long[] a;
        try {
            a = Ipv6Address.parse(text);
        } catch (IllegalArgumentException refused) {
            return;
        }
        long[] again = Ipv6Address.parse(Ipv6Address.format(a[0], a[1]));
        check(again[0] == a[0] && again[1] == a[1], "parsed text formats back");
        check(IpLiterals.ipv6(text) != null || Ipv6Address.isIpv4Mapped(a[0], a[1]), "the JDK agrees it is a literal");
    }

    /** The existing IPv4 views, cheaply: each over the same bytes, checksums filled in where they are checked. */
    static void ipv4Views(byte[] data) {
        ByteBuf b = Unpooled.wrappedBuffer(data.clone());
        Ipv4Packet ip = new Ipv4Packet();
        if (data.length >= Ipv4Packet.MIN_HEADER_LENGTH) {
            int ihl = (data[0] & 0xF) * 4;
            if (ihl >= Ipv4Packet.MIN_HEADER_LENGTH && ihl <= data.length) {
                Ipv4Packet.updateChecksum(b, 0);
            }
        }
        if (ip.wrap(b, 0, data.length).ok()) {
            check(inside(ip.payloadOffset(), ip.payloadLength(), 0, data.length), "IPv4 payload inside");
            ip.tos();
            ip.identification();
            ip.dontFragment();
            ip.moreFragments();
            ip.fragmentOffset();
            ip.isFragment();
            ip.ttl();
            ip.protocol();
            ip.source();
            ip.destination();
        }
        IcmpV4Packet icmp = new IcmpV4Packet();
        if (data.length >= IcmpV4Packet.HEADER_LENGTH) {
            IcmpV4Packet.updateChecksum(b, 0, data.length);
            check(icmp.wrap(b, 0, data.length).ok(), "ICMPv4 with its checksum filled in");
            icmp.type();
            icmp.identifier();
            icmp.sequence();
            icmp.restOfHeader();
            check(inside(icmp.dataOffset(), icmp.dataLength(), 0, data.length), "ICMPv4 data inside");
        }
        UdpDatagram udp = new UdpDatagram();
        if (udp.wrap(b, 0, data.length, 0x0A00_0264, 0x0A00_0202).ok()) {
            check(inside(udp.payloadOffset(), udp.payloadLength(), 0, data.length), "UDP payload inside");
            udp.sourcePort();
            udp.destinationPort();
        }
        TcpSegment tcp = new TcpSegment();
        if (tcp.wrapUnchecked(b, 0, data.length).ok()) {
            check(inside(tcp.payloadOffset(), tcp.payloadLength(), 0, data.length), "TCP payload inside");
            TcpHeader h = tcp.toHeader(new TcpHeader());
            check(h.sackCount <= TcpHeader.MAX_SACK_BLOCKS, "SACK blocks");
            tcp.sequenceLength();
        }
        DhcpMessage dhcp = new DhcpMessage();
        if (dhcp.wrap(b, 0, data.length).ok()) {
            dhcp.messageType();
            dhcp.requestedAddress();
            dhcp.serverId();
            dhcp.clientMac();
        }
        EthernetFrame eth = new EthernetFrame();
        if (eth.wrap(b, 0, data.length).ok()) {
            eth.etherType();
            eth.source();
        }
        ArpPacket arp = new ArpPacket();
        if (arp.wrap(b, 0, data.length).ok()) {
            arp.senderIp();
            arp.targetMac();
        }
    }

    /** Emitted IPv6 headers (with an optional fragment header) and ICMPv6 echo parse back to what was written. */
    static void ipv6RoundTrip(FuzzedDataProvider in) {
        long srcHi = in.consumeLong();
        long srcLo = in.consumeLong();
        long dstHi = in.consumeLong();
        long dstLo = in.consumeLong();
        int hopLimit = in.consumeInt(0, 255);
        int trafficClass = in.consumeInt(0, 255);
        int flowLabel = in.consumeInt(0, 0xF_FFFF);
        boolean fragmented = in.consumeBoolean();
        int fragmentOffset = in.consumeInt(0, 0x1FFF) * 8;
        boolean more = in.consumeBoolean();
        int id = in.consumeInt();
        int identifier = in.consumeInt(0, 0xFFFF);
        int sequence = in.consumeInt(0, 0xFFFF);
        byte[] data = in.consumeRemainingAsBytes();
        if (more) {
            data = java.util.Arrays.copyOf(data, data.length / 8 * 8);
        }
        int icmpLength = Icmpv6Packet.HEADER_LENGTH + data.length;
        int extension = fragmented ? Ipv6Packet.FRAGMENT_HEADER_LENGTH : 0;
        if (fragmented && fragmentOffset + icmpLength > Ipv6Packet.MAX_PAYLOAD_LENGTH) {
            fragmentOffset = 0;
        }
        ByteBuf b = Unpooled.buffer(40 + extension + icmpLength).writerIndex(40 + extension + icmpLength);
        Ipv6Packet.emitHeader(b, 0, extension + icmpLength, fragmented ? 44 : 58, hopLimit, srcHi, srcLo, dstHi, dstLo);
        if (fragmented) {
            Ipv6Packet.emitFragmentHeader(b, 40, 58, fragmentOffset, more, id);
        }
        long pseudo = Ipv6Packet.pseudoHeader(srcHi, srcLo, dstHi, dstLo, 58);
        b.setBytes(40 + extension + 8, data);
        Icmpv6Packet.emitEcho(b, 40 + extension, Icmpv6Packet.TYPE_ECHO_REQUEST, identifier, sequence, data.length,
            pseudo);
        Ipv6Packet p = new Ipv6Packet();
        check(p.wrap(b, 0, b.writerIndex()).ok(), "emitted header parses");
        p.setTrafficClass(trafficClass);
        p.setFlowLabel(flowLabel);
        check(p.hopLimit() == hopLimit && p.trafficClass() == trafficClass && p.flowLabel() == flowLabel, "fields");
        check(p.sourceHi() == srcHi && p.sourceLo() == srcLo && p.destinationHi() == dstHi
            && p.destinationLo() == dstLo, "addresses");
        check(p.protocol() == 58 && p.payloadLength() == icmpLength, "protocol and payload");
        check(p.pseudoHeader() == pseudo, "pseudo-header from the view");
        boolean isFragment = fragmented && (more || fragmentOffset != 0);
        check(p.isFragment() == isFragment && p.hasFragmentHeader() == fragmented, "fragment flags");
        if (fragmented) {
            check(p.fragmentOffset() == fragmentOffset && p.moreFragments() == more && p.identification() == id,
                "fragment fields");
        }
        Icmpv6Packet icmp = new Icmpv6Packet();
        check(icmp.wrap(p).ok(), "emitted echo verifies");
        check(icmp.identifier() == identifier && icmp.sequence() == sequence && icmp.dataLength() == data.length,
            "echo fields");
    }

    /** A router advertisement written option by option parses back to the same values. */
    static void ndpRoundTrip(FuzzedDataProvider in) {
        int hopLimit = in.consumeInt(0, 255);
        int flags = in.consumeInt(0, 255);
        int lifetime = in.consumeInt(0, 0xFFFF);
        int reachable = in.consumeInt();
        int retrans = in.consumeInt();
        long mac = in.consumeLong() & 0xFFFF_FFFF_FFFFL;
        int mtu = in.consumeInt();
        int prefixes = in.consumeInt(0, 3);
        int servers = in.consumeInt(1, 4);
        ByteBuf b = Unpooled.buffer(512).writerIndex(512);
        int at = NdpMessage.emitRouterAdvertisementHeader(b, 0, hopLimit, flags, lifetime, reachable, retrans);
        at = NdpMessage.writeLinkLayerOption(b, at, NdpMessage.OPTION_SOURCE_LINK_LAYER, mac);
        at = NdpMessage.writeMtuOption(b, at, mtu);
        long[] prefixHi = new long[prefixes];
        int[] prefixLength = new int[prefixes];
        for (int i = 0; i < prefixes; i++) {
            prefixHi[i] = in.consumeLong();
            prefixLength[i] = in.consumeInt(0, 128);
            at = NdpMessage.writePrefixOption(b, at, prefixLength[i], in.consumeInt(0, 255), in.consumeInt(),
                in.consumeInt(), prefixHi[i], 0);
        }
        long[] hi = new long[servers];
        long[] lo = new long[servers];
        for (int i = 0; i < servers; i++) {
            hi[i] = in.consumeLong();
            lo[i] = in.consumeLong();
        }
        at = NdpMessage.writeRdnssOption(b, at, in.consumeInt(), hi, lo, servers);
        long pseudo = Ipv6Packet.pseudoHeader(SRC_HI, SRC_LO, Ipv6Address.ALL_NODES_HI,
            Ipv6Address.ALL_NODES_LO, 58);
        Icmpv6Packet.updateChecksum(b, 0, at, pseudo);
        Icmpv6Packet icmp = new Icmpv6Packet();
        check(icmp.wrap(b, 0, at, pseudo).ok(), "RA checksum");
        NdpMessage ndp = new NdpMessage();
        check(ndp.wrap(b, 0, at).ok(), "RA parses");
        check(ndp.curHopLimit() == hopLimit && ndp.routerFlags() == flags && ndp.routerLifetime() == lifetime
            && ndp.reachableTime() == (reachable & 0xFFFF_FFFFL) && ndp.retransTimer() == (retrans & 0xFFFF_FFFFL),
            "RA fields");
        check(ndp.sourceLinkLayer() == mac && ndp.mtu() == (mtu & 0xFFFF_FFFFL), "link-layer and MTU");
        int p = -1;
        for (int i = 0; i < prefixes; i++) {
            p = ndp.findOption(NdpMessage.OPTION_PREFIX_INFORMATION, p);
            check(p >= 0 && ndp.prefixHi(p) == prefixHi[i] && ndp.prefixLength(p) == prefixLength[i], "prefix " + i);
        }
        check(ndp.findOption(NdpMessage.OPTION_PREFIX_INFORMATION, p) == -1, "no extra prefix");
        int r = ndp.findOption(NdpMessage.OPTION_RDNSS);
        check(r >= 0 && ndp.rdnssCount(r) == servers, "RDNSS count");
        for (int i = 0; i < servers; i++) {
            check(ndp.rdnssHi(r, i) == hi[i] && ndp.rdnssLo(r, i) == lo[i], "RDNSS server " + i);
        }
    }
}
