package io.slirp4j.stack.icmp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.slirp4j.stack.Ipv6Network;
import io.slirp4j.stack.host.HostPingSocket;
import io.slirp4j.stack.host.HostPings;
import io.slirp4j.stack.host.PingReceiver;
import io.slirp4j.stack.iface.AddressPolicy;
import io.slirp4j.stack.iface.GuestLink;
import io.slirp4j.stack.iface.IpDatagram;
import io.slirp4j.stack.nat.FlowKey;
import io.slirp4j.stack.nat.IpAddress;
import io.slirp4j.stack.nat.NatPolicy;
import io.slirp4j.stack.stats.ErrorCounters;
import io.slirp4j.stack.stats.FrameCounters;
import io.slirp4j.stack.stats.IcmpCounters;
import io.slirp4j.stack.stats.IcmpEchoCounters;
import io.slirp4j.stack.wire.IcmpV4Packet;
import io.slirp4j.stack.wire.Icmpv6Packet;
import io.slirp4j.stack.wire.InAny;
import io.slirp4j.stack.wire.Ipv4Packet;
import io.slirp4j.stack.wire.Ipv6Address;
import io.slirp4j.stack.wire.Ipv6Packet;
import java.io.IOException;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The guest's ICMP and ICMPv6 echo to outside addresses, through host echo sockets ({@link HostPings}: ping sockets
 * in the program), as slirp4netns does for IPv4 with libslirp's {@code icmp_send} (libslirp has no IPv6 twin: it
 * says "external icmpv6 not supported yet", so IPv6 mirrors what is done here for IPv4). One code path serves both
 * families; what differs (the socket's family, message types, quotes, checksums, which host errors pass, where the
 * stack's own errors come from) is a {@link Family}.
 *
 * <p>Theory of operation: each (guest source address, echo identifier) is one flow with one host echo socket of the
 * address's family, which sends the flow's requests to whatever destination each names (NAT rules:
 * {@link NatPolicy#routeEcho(long, long)}). The host's kernel gives the socket an identifier of its own and hands it
 * only the replies to that identifier; their sequence numbers are the requests'. So a reply from A for a flow goes to
 * the flow's guest address from A (as the NAT shows A: {@link NatPolicy#replySource(InetAddress, boolean)}) with the
 * guest's own identifier, the reply's sequence number and data, TTL (hop limit) 255 like every ICMP message libslirp
 * makes (its {@code icmp_reflect}). libslirp opens a socket per request and closes it at the first reply; a socket
 * per flow does the same work with one socket for a whole {@code ping} run. An IPv6 guest pings from its address in
 * the prefix: a request from a link-local address is not passed beyond the link (RFC 4291 2.5.6).
 *
 * <p>TTL and hop limit: the stack is a router on the guest's path, so a request arriving with TTL (hop limit) 1 is
 * answered with time exceeded from the router (the gateway N+2; fe80::2 for IPv6, where all the stack's ICMPv6 errors
 * come from, as libslirp's) and others leave with their TTL (hop limit) less one, so that traceroute works. (libslirp
 * does this only on its UDP fallback; its ping sockets send with the host's default TTL.)
 *
 * <p>Errors: the host socket reports ICMP errors about a request with the request's sequence number: destination
 * unreachable and time exceeded (the two kinds libslirp forwards for IPv4), and for IPv6 also packet too big with
 * the MTU (without it the guest could not learn the path's MTU: IPv6 routers do not fragment); others (parameter
 * problem) are dropped. The flow remembers the start of its last {@value #REMEMBERED_REQUESTS} requests as the guest
 * sent them, as much as an error quotes (IPv4: the IP header and first 8 bytes, RFC 792; IPv6: as much as fits in
 * 1280 bytes, RFC 4443 2.4(c)), so the guest gets the error quoting its own request exactly, from the router that
 * reported it (from our router when the host refused by itself, or the reporter cannot be shown, e.g. a link-local
 * one). A request the host refuses to send (no route) is answered with network (or host) unreachable from our
 * router, as libslirp does.
 *
 * <p>Life cycle: a flow closes {@value #IDLE_TIMEOUT_MS} ms after its last request or reply (ping sends one a
 * second; Linux's conntrack keeps ICMP 30 s), and at most {@code maxFlows} of both families together are open (each
 * is a host socket): a new flow beyond that closes the least recently used one.
 */
final class IcmpNat {
    static final long IDLE_TIMEOUT_MS = 60_000;
    static final int DEFAULT_MAX_FLOWS = 256;
    static final int REMEMBERED_REQUESTS = 16;
    /** The TTL (hop limit) of what this sends the guest. */
    private static final int HOP_LIMIT = 255;
    private static final int ENETUNREACH = 101;
    private static final int EHOSTUNREACH = 113;

    private final IcmpEngine engine;
    private final NatPolicy nat;
    private final AddressPolicy addresses;
    private final GuestLink link;
    private final HostPings host;
    private final FrameCounters frames;
    private final ErrorCounters errors;
    private final LongSupplier clock;
    private final int maxFlows;
    private final Family ipv4;
    /** Null without IPv6. */
    private final Family ipv6;
    /** Access order: the first is the least recently used. */
    private final LinkedHashMap<FlowKey, Flow> flows = new LinkedHashMap<>(16, 0.75f, true);
    private final FlowKey lookup = new FlowKey();
    private final List<Flow> scratch = new ArrayList<>();

    /**
     * @param engine6      sends the ICMPv6 time exceeded errors; null without IPv6
     * @param bindAddress  the local address of IPv4 echo sockets, null for the system's choice
     * @param bindAddress6 the same for IPv6
     */
    IcmpNat(IcmpEngine engine, Icmpv6Engine engine6, NatPolicy nat, GuestLink link, HostPings host,
        InetAddress bindAddress, InetAddress bindAddress6, FrameCounters frames, IcmpCounters counters,
        ErrorCounters errors, LongSupplier clock, int maxFlows) {
        this.engine = engine;
        this.nat = nat;
        this.addresses = nat.addresses();
        this.link = link;
        this.host = host;
        this.frames = frames;
        this.errors = errors;
        this.clock = clock;
        this.maxFlows = maxFlows;
        this.ipv4 = new Ipv4Echo(bindAddress, counters);
        this.ipv6 = engine6 == null ? null : new Ipv6Echo(engine6, bindAddress6);
    }

    /**
     * A valid echo request (borrowed) of either family, to an address that is not the stack's own; the ICMP message
     * is the datagram's payload.
     */
    void onEchoRequest(IpDatagram ip, int identifier, int sequence) {
        Family family = ip.isIpv4() ? ipv4 : ipv6;
        long toHi = ip.destinationHi();
        long toLo = ip.destinationLo();
        if (family == null || nat.routeEcho(toHi, toLo) != NatPolicy.Route.HOST
            || !addresses.isGuest(ip.sourceHi(), ip.sourceLo()) || Ipv6Address.isLinkLocal(ip.sourceHi())) {
            frames.droppedFiltered++;
            return;
        }
        if (ip.hopLimit() <= 1) {
            family.counters.ttlExceeded++;
            family.sendTimeExceeded(ip);
            return;
        }
        long now = clock.getAsLong();
        Flow flow = flowFor(family, ip.sourceHi(), ip.sourceLo(), identifier, now);
        if (flow == null) {
            return;
        }
        flow.remember(ip, sequence);
        flow.lastActive = now;
        int errno = flow.socket.send(flow.destination(nat.hostHi(toHi, toLo), nat.hostLo(toHi, toLo)),
            ip.hopLimit() - 1, ip.buffer().retainedSlice(ip.payloadOffset(), ip.payloadLength()));
        if (errno == 0) {
            family.counters.echoToHost++;
        } else {
            family.counters.hostSendFailures++;
            engine.sendUnreachable(ip, errno == EHOSTUNREACH ? Unreachable.HOST : Unreachable.NET);
        }
    }

    private Flow flowFor(Family family, long guestHi, long guestLo, int identifier, long now) {
        Flow flow = flows.get(lookup.set(guestHi, guestLo, identifier, 0, 0, 0));
        if (flow != null) {
            return flow;
        }
        if (flows.size() >= maxFlows) {
            Iterator<Flow> eldest = flows.values().iterator();
            Flow lru = eldest.next();
            eldest.remove();
            lru.close();
            lru.family.counters.echoFlowsEvicted++;
        }
        flow = new Flow(family, lookup.copy(), identifier, now);
        try {
            flow.socket = host.open(family.socketFamily, family.bindAddress, flow);
        } catch (IOException | RuntimeException e) {
            flow.socket = null;
        }
        if (flow.socket == null) {
            errors.hostSocketFailures++;
            return null;
        }
        flows.put(flow.key, flow);
        family.openFlows++;
        family.counters.echoFlowsOpened++;
        return flow;
    }

    void onReply(Flow flow, InetAddress from, ByteBuf message) {
        try {
            if (flow.closed || from == null || message == null) {
                return;
            }
            Family family = flow.family;
            int length = message.readableBytes();
            int at = message.readerIndex();
            IpAddress source = nat.replySource(from, family == ipv6);
            if (length < IcmpV4Packet.HEADER_LENGTH || length > family.maxMessage || source == null
                || message.getUnsignedByte(at) != family.echoReply || message.getUnsignedByte(at + 1) != 0) {
                family.counters.droppedFromHost++;
                return;
            }
            flow.lastActive = clock.getAsLong();
            ByteBuf frame = link.newFrame(family.protocol, HOP_LIMIT, source.hi(), source.lo(), flow.guestHi(),
                flow.guestLo(), length);
            int offset = frame.writerIndex();
            frame.writeBytes(message, at, length);
            family.emitEchoReply(frame, offset, flow.identifier, message.getUnsignedShort(at + 6),
                length - IcmpV4Packet.HEADER_LENGTH, source, flow.key);
            family.counters.echoRepliesFromHost++;
            link.send(frame);
        } catch (RuntimeException e) {
            errors.internalError(e);
        } finally {
            flushQuietly();
        }
    }

    void onError(Flow flow, InetAddress reporter, int type, int code, int info, int sequence) {
        try {
            if (flow.closed) {
                return;
            }
            Family family = flow.family;
            int slot = flow.slotOf(sequence);
            long restOfHeader = family.restOfHeader(type, code, info);
            if (slot < 0 || restOfHeader < 0 || code < 0 || code > 255) {
                family.counters.droppedFromHost++;
                return;
            }
            IpAddress source = reporter == null ? null : nat.replySource(reporter, family == ipv6);
            if (source == null) {
                source = family.router;
            }
            family.counters.errorsFromHost++;
            int quoteLength = flow.quoteLengths[slot];
            ByteBuf error = link.newFrame(family.protocol, HOP_LIMIT, source.hi(), source.lo(), flow.guestHi(),
                flow.guestLo(), IcmpV4Packet.HEADER_LENGTH + quoteLength);
            int at = error.writerIndex();
            error.writerIndex(at + family.emitError(error, at, type, code, (int) restOfHeader,
                Unpooled.wrappedBuffer(flow.quotes[slot]), quoteLength, source, flow.key));
            family.counters.errorsSent++;
            link.send(error);
        } catch (RuntimeException e) {
            errors.internalError(e);
        } finally {
            flushQuietly();
        }
    }

    private void flushQuietly() {
        try {
            link.flushIfNeeded();
        } catch (RuntimeException e) {
            errors.internalError(e);
        }
    }

    /** Closes flows idle for {@value #IDLE_TIMEOUT_MS} ms. */
    void expire(long now) {
        for (Flow flow : flows.values()) {
            if (now - flow.lastActive >= IDLE_TIMEOUT_MS) {
                scratch.add(flow);
            }
        }
        try {
            for (Flow flow : scratch) {
                flows.remove(flow.key);
                flow.close();
                flow.family.counters.echoFlowsExpired++;
            }
        } finally {
            scratch.clear();
        }
    }

    /** Flows (host echo sockets) of one family open now. */
    int openFlows(boolean v6) {
        Family family = v6 ? ipv6 : ipv4;
        return family == null ? 0 : family.openFlows;
    }

    void close() {
        scratch.addAll(flows.values());
        flows.clear();
        try {
            for (Flow flow : scratch) {
                flow.close();
            }
        } finally {
            scratch.clear();
        }
    }

    /** What ICMP and ICMPv6 echo do differently; everything else in {@link IcmpNat} serves both. */
    private abstract static class Family {
        final StandardProtocolFamily socketFamily;
        final InetAddress bindAddress;
        final IcmpEchoCounters counters;
        /** The IP protocol (next header) number. */
        final int protocol;
        final int echoReply;
        /** The longest message to the guest: what an IPv4 datagram of 65535 bytes, or an IPv6 payload, holds. */
        final int maxMessage;
        /** Where the stack's own errors come from: the gateway N+2, or fe80::2. */
        final IpAddress router;
        int openFlows;

        Family(StandardProtocolFamily socketFamily, InetAddress bindAddress, IcmpEchoCounters counters, int protocol,
            int echoReply, int maxMessage, IpAddress router) {
            this.socketFamily = socketFamily;
            this.bindAddress = bindAddress;
            this.counters = counters;
            this.protocol = protocol;
            this.echoReply = echoReply;
            this.maxMessage = maxMessage;
            this.router = router;
        }

        /** How many bytes of {@code request}, from its IP header on, an error about it quotes. */
        abstract int quoteLength(IpDatagram request);

        /** Tells the guest that {@code request} arrived with TTL (hop limit) 1. */
        abstract void sendTimeExceeded(IpDatagram request);

        /**
         * The 4 bytes after type and code for an error of the host's passed on to the guest (with {@code info}, the
         * MTU, where the type has one), or -1 for an error not passed on.
         */
        abstract long restOfHeader(int type, int code, int info);

        /**
         * Makes the message at {@code at} (its {@code dataLength} data bytes in place after the header) an echo reply
         * with {@code identifier} and {@code sequence}, checksummed from {@code source} to the guest.
         */
        abstract void emitEchoReply(ByteBuf frame, int at, int identifier, int sequence, int dataLength,
            IpAddress source, FlowKey guest);

        /**
         * Writes an error at {@code at} quoting the first {@code quoteLength} bytes of {@code quote}, checksummed from
         * {@code source} to the guest; returns its length.
         */
        abstract int emitError(ByteBuf frame, int at, int type, int code, int restOfHeader, ByteBuf quote,
            int quoteLength, IpAddress source, FlowKey guest);
    }

    private final class Ipv4Echo extends Family {
        Ipv4Echo(InetAddress bindAddress, IcmpCounters counters) {
            super(StandardProtocolFamily.INET, bindAddress, counters, Ipv4Packet.PROTOCOL_ICMP,
                IcmpV4Packet.TYPE_ECHO_REPLY, 65535 - Ipv4Packet.MIN_HEADER_LENGTH, IpAddress.of4(addresses.gateway()));
        }

        @Override
        int quoteLength(IpDatagram request) {
            return IcmpV4Packet.quoteLength(request.headerLength(), request.totalLength());
        }

        @Override
        void sendTimeExceeded(IpDatagram request) {
            engine.sendError(request, IcmpV4Packet.TYPE_TIME_EXCEEDED, 0, 0);
        }

        @Override
        long restOfHeader(int type, int code, int info) {
            if (type == IcmpV4Packet.TYPE_DESTINATION_UNREACHABLE) {
                return code == IcmpV4Packet.CODE_FRAGMENTATION_NEEDED ? info & 0xFFFF : 0;
            }
            return type == IcmpV4Packet.TYPE_TIME_EXCEEDED ? 0 : -1;
        }

        @Override
        void emitEchoReply(ByteBuf frame, int at, int identifier, int sequence, int dataLength, IpAddress source,
            FlowKey guest) {
            IcmpV4Packet.emitEcho(frame, at, IcmpV4Packet.TYPE_ECHO_REPLY, identifier, sequence, dataLength);
        }

        @Override
        int emitError(ByteBuf frame, int at, int type, int code, int restOfHeader, ByteBuf quote, int quoteLength,
            IpAddress source, FlowKey guest) {
            return IcmpV4Packet.emitError(frame, at, type, code, restOfHeader, quote, 0, quoteLength);
        }
    }

    private static final class Ipv6Echo extends Family {
        private final Icmpv6Engine engine6;

        Ipv6Echo(Icmpv6Engine engine6, InetAddress bindAddress) {
            super(StandardProtocolFamily.INET6, bindAddress, engine6.counters(), Ipv6Packet.NEXT_HEADER_ICMPV6,
                Icmpv6Packet.TYPE_ECHO_REPLY, Ipv6Packet.MAX_PAYLOAD_LENGTH,
                new IpAddress(Ipv6Network.LINK_LOCAL_PREFIX, Ipv6Network.GATEWAY_ID));
            this.engine6 = engine6;
        }

        @Override
        int quoteLength(IpDatagram request) {
            return Math.min(request.totalLength(), Icmpv6Packet.MAX_ERROR_QUOTE);
        }

        @Override
        void sendTimeExceeded(IpDatagram request) {
            engine6.sendError(request, Icmpv6Packet.TYPE_TIME_EXCEEDED, Icmpv6Packet.CODE_HOP_LIMIT_EXCEEDED, 0);
        }

        @Override
        long restOfHeader(int type, int code, int info) {
            return switch (type) {
                case Icmpv6Packet.TYPE_DESTINATION_UNREACHABLE, Icmpv6Packet.TYPE_TIME_EXCEEDED -> 0;
                case Icmpv6Packet.TYPE_PACKET_TOO_BIG -> info & 0xFFFF_FFFFL;
                default -> -1;
            };
        }

        @Override
        void emitEchoReply(ByteBuf frame, int at, int identifier, int sequence, int dataLength, IpAddress source,
            FlowKey guest) {
            Icmpv6Packet.emitEcho(frame, at, Icmpv6Packet.TYPE_ECHO_REPLY, identifier, sequence, dataLength,
                pseudoHeader(source, guest));
        }

        @Override
        int emitError(ByteBuf frame, int at, int type, int code, int restOfHeader, ByteBuf quote, int quoteLength,
            IpAddress source, FlowKey guest) {
            return Icmpv6Packet.emitError(frame, at, type, code, restOfHeader, quote, 0, quoteLength,
                pseudoHeader(source, guest));
        }

        private static long pseudoHeader(IpAddress source, FlowKey guest) {
            return Ipv6Packet.pseudoHeader(source.hi(), source.lo(), guest.guestHi(), guest.guestLo(),
                Ipv6Packet.NEXT_HEADER_ICMPV6);
        }
    }

    /**
     * One (guest address, identifier), its key (the guest's address, the identifier as its port, no peer), and its
     * host echo socket; touched only on the stack's loop.
     */
    final class Flow implements PingReceiver {
        final Family family;
        final FlowKey key;
        final int identifier;
        HostPingSocket socket;
        long lastActive;
        boolean closed;
        private final int[] sequences = new int[REMEMBERED_REQUESTS];
        /** Reused per slot: grown when a longer request comes, never shrunk. */
        private final byte[][] quotes = new byte[REMEMBERED_REQUESTS][];
        private final int[] quoteLengths = new int[REMEMBERED_REQUESTS];
        private int next;
        private long cachedHi;
        private long cachedLo;
        private InetAddress cachedDestination;

        Flow(Family family, FlowKey key, int identifier, long now) {
            this.family = family;
            this.key = key;
            this.identifier = identifier;
            this.lastActive = now;
        }

        long guestHi() {
            return key.guestHi();
        }

        long guestLo() {
            return key.guestLo();
        }

        @Override
        public void onEchoReply(InetAddress from, ByteBuf message) {
            onReply(this, from, message);
        }

        @Override
        public void onError(InetAddress reporter, int type, int code, int info, int sequence) {
            IcmpNat.this.onError(this, reporter, type, code, info, sequence);
        }

        /** Keeps what an error about this request must quote. */
        void remember(IpDatagram ip, int sequence) {
            int slot = next;
            next = (next + 1) % REMEMBERED_REQUESTS;
            int length = family.quoteLength(ip);
            if (quotes[slot] == null || quotes[slot].length < length) {
                quotes[slot] = new byte[length];
            }
            ip.buffer().getBytes(ip.offset(), quotes[slot], 0, length);
            sequences[slot] = sequence;
            quoteLengths[slot] = length;
        }

        /** The slot of the latest remembered request with this sequence number, or -1. */
        int slotOf(int sequence) {
            for (int i = 1; i <= REMEMBERED_REQUESTS; i++) {
                int slot = Math.floorMod(next - i, REMEMBERED_REQUESTS);
                if (quotes[slot] != null && sequences[slot] == sequence) {
                    return slot;
                }
            }
            return -1;
        }

        InetAddress destination(long hi, long lo) {
            if (cachedDestination == null || hi != cachedHi || lo != cachedLo) {
                cachedDestination = InAny.toInetAddress(hi, lo);
                cachedHi = hi;
                cachedLo = lo;
            }
            return cachedDestination;
        }

        void close() {
            if (!closed) {
                closed = true;
                family.openFlows--;
                socket.close();
            }
        }
    }
}
