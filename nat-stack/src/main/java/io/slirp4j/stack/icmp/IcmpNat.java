package io.slirp4j.stack.icmp;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.host.HostPingSocket;
import io.slirp4j.stack.host.HostPings;
import io.slirp4j.stack.host.PingReceiver;
import io.slirp4j.stack.iface.GuestLink;
import io.slirp4j.stack.iface.IpDatagram;
import io.slirp4j.stack.nat.NatPolicy;
import io.slirp4j.stack.stats.ErrorCounters;
import io.slirp4j.stack.stats.FrameCounters;
import io.slirp4j.stack.stats.IcmpCounters;
import io.slirp4j.stack.wire.IcmpV4Packet;
import io.slirp4j.stack.wire.Ipv4Address;
import io.slirp4j.stack.wire.Ipv4Packet;
import java.io.IOException;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The guest's ICMP echo to outside addresses, through host echo sockets ({@link HostPings}: ping sockets in the
 * program), as slirp4netns does with libslirp's {@code icmp_send}.
 *
 * <p>Theory of operation: each (guest source address, echo identifier) is one flow with one host echo socket, which
 * sends the flow's requests to whatever destination each names (NAT rules: {@link NatPolicy#routeEcho}). The host's
 * kernel gives the socket an identifier of its own and hands it only the replies to that identifier; their sequence
 * numbers are the requests'. So a reply from A for a flow goes to the flow's guest address from A (as the NAT shows
 * A: {@link NatPolicy#replySource}) with the guest's own identifier, the reply's sequence number and data, TTL 255
 * like every ICMP message libslirp makes (its {@code icmp_reflect}). libslirp opens a socket per request and closes
 * it at the first reply; a socket per flow does the same work with one socket for a whole {@code ping} run.
 *
 * <p>TTL: the stack is a router on the guest's path, so a request arriving with TTL 1 is answered with time
 * exceeded from the gateway and others leave with their TTL less one, so that traceroute works. (libslirp does this
 * only on its UDP fallback; its ping sockets send with the host's default TTL.)
 *
 * <p>Errors: the host socket reports ICMP errors about a request (destination unreachable, time exceeded: the two
 * kinds libslirp forwards; others are dropped) with the request's sequence number; the flow remembers the IP header
 * and first 8 bytes of its last {@value #REMEMBERED_REQUESTS} requests, so the guest gets the error quoting its own
 * request exactly (the quote {@link IcmpEngine#sendDestinationUnreachable} makes), from the router that reported it
 * (from the gateway when the host refused by itself, or the reporter cannot be shown). A request the host refuses to
 * send (no route) is answered with network (or host) unreachable from the gateway, as libslirp does.
 *
 * <p>Life cycle: a flow closes {@value #IDLE_TIMEOUT_MS} ms after its last request or reply (ping sends one a
 * second; Linux's conntrack keeps ICMP 30 s), and at most {@code maxFlows} are open (each is a host socket): a new
 * flow beyond that closes the least recently used one.
 */
final class IcmpNat {
    static final long IDLE_TIMEOUT_MS = 60_000;
    static final int DEFAULT_MAX_FLOWS = 256;
    static final int REMEMBERED_REQUESTS = 16;
    /** The most an ICMP message to the guest may carry: an IPv4 datagram of 65535 bytes. */
    private static final int MAX_MESSAGE = 65535 - Ipv4Packet.MIN_HEADER_LENGTH;
    private static final int ENETUNREACH = 101;
    private static final int EHOSTUNREACH = 113;

    private final IcmpEngine engine;
    private final NatPolicy nat;
    private final GuestLink link;
    private final HostPings host;
    private final InetAddress bindAddress;
    private final FrameCounters frames;
    private final IcmpCounters counters;
    private final ErrorCounters errors;
    private final LongSupplier clock;
    private final int maxFlows;
    /** Access order: the first is the least recently used. */
    private final LinkedHashMap<Long, Flow> flows = new LinkedHashMap<>(16, 0.75f, true);
    private final List<Flow> scratch = new ArrayList<>();

    IcmpNat(IcmpEngine engine, NatPolicy nat, GuestLink link, HostPings host, InetAddress bindAddress,
        FrameCounters frames, IcmpCounters counters, ErrorCounters errors, LongSupplier clock, int maxFlows) {
        this.engine = engine;
        this.nat = nat;
        this.link = link;
        this.host = host;
        this.bindAddress = bindAddress;
        this.frames = frames;
        this.counters = counters;
        this.errors = errors;
        this.clock = clock;
        this.maxFlows = maxFlows;
    }

    /** A valid echo request (both views borrowed) to an address that is not the stack's own. */
    void onEchoRequest(IpDatagram ip, IcmpV4Packet icmp) {
        int destination = ip.destination4();
        if (nat.routeEcho(destination) != NatPolicy.Route.HOST || !nat.addresses().isGuest(ip.source4())) {
            frames.droppedFiltered++;
            return;
        }
        if (ip.hopLimit() <= 1) {
            counters.ttlExceeded++;
            engine.sendError(ip, IcmpV4Packet.TYPE_TIME_EXCEEDED, 0, 0);
            return;
        }
        long now = clock.getAsLong();
        Flow flow = flowFor(ip.source4(), icmp.identifier(), now);
        if (flow == null) {
            return;
        }
        flow.remember(ip, icmp.sequence());
        flow.lastActive = now;
        int errno = flow.socket.send(flow.destination(nat.hostAddress(destination)), ip.hopLimit() - 1,
            ip.buffer().retainedSlice(icmp.offset(), icmp.length()));
        if (errno == 0) {
            counters.echoToHost++;
        } else {
            counters.hostSendFailures++;
            engine.sendDestinationUnreachable(ip, errno == EHOSTUNREACH ? IcmpV4Packet.CODE_HOST_UNREACHABLE
                : IcmpV4Packet.CODE_NET_UNREACHABLE);
        }
    }

    private Flow flowFor(int guestAddress, int identifier, long now) {
        long key = ((guestAddress & 0xFFFF_FFFFL) << 16) | identifier;
        Flow flow = flows.get(key);
        if (flow != null) {
            return flow;
        }
        if (flows.size() >= maxFlows) {
            Iterator<Flow> eldest = flows.values().iterator();
            Flow lru = eldest.next();
            eldest.remove();
            lru.close();
            counters.echoFlowsEvicted++;
        }
        flow = new Flow(key, guestAddress, identifier, now);
        try {
            flow.socket = host.open(StandardProtocolFamily.INET, bindAddress, flow);
        } catch (IOException | RuntimeException e) {
            flow.socket = null;
        }
        if (flow.socket == null) {
            errors.hostSocketFailures++;
            return null;
        }
        flows.put(key, flow);
        counters.echoFlowsOpened++;
        return flow;
    }

    void onReply(Flow flow, InetAddress from, ByteBuf message) {
        try {
            if (flow.closed || from == null || message == null) {
                return;
            }
            int length = message.readableBytes();
            int at = message.readerIndex();
            int source = nat.replySource(from);
            if (length < IcmpV4Packet.HEADER_LENGTH || length > MAX_MESSAGE || source == NatPolicy.NONE
                || message.getUnsignedByte(at) != IcmpV4Packet.TYPE_ECHO_REPLY || message.getUnsignedByte(at + 1) != 0) {
                counters.droppedFromHost++;
                return;
            }
            flow.lastActive = clock.getAsLong();
            ByteBuf frame = link.newIpv4Frame(Ipv4Packet.PROTOCOL_ICMP, Ipv4Packet.MAX_TTL, source, flow.guestAddress,
                length);
            int offset = frame.writerIndex();
            frame.writeBytes(message, at, length);
            IcmpV4Packet.emitEcho(frame, offset, IcmpV4Packet.TYPE_ECHO_REPLY, flow.identifier,
                message.getUnsignedShort(at + 6), length - IcmpV4Packet.HEADER_LENGTH);
            counters.echoRepliesFromHost++;
            link.sendIpv4(frame);
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
            byte[] quote = flow.quote(sequence);
            if (quote == null || (type != IcmpV4Packet.TYPE_DESTINATION_UNREACHABLE
                && type != IcmpV4Packet.TYPE_TIME_EXCEEDED) || code < 0 || code > 255) {
                counters.droppedFromHost++;
                return;
            }
            int source = reporter == null ? NatPolicy.NONE : nat.replySource(reporter);
            if (source == NatPolicy.NONE) {
                source = nat.addresses().gateway();
            }
            int rest = type == IcmpV4Packet.TYPE_DESTINATION_UNREACHABLE
                && code == IcmpV4Packet.CODE_FRAGMENTATION_NEEDED ? info & 0xFFFF : 0;
            counters.errorsFromHost++;
            engine.sendErrorQuoting(source, flow.guestAddress, type, code, rest, quote);
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
                counters.echoFlowsExpired++;
            }
        } finally {
            scratch.clear();
        }
    }

    int openFlows() {
        return flows.size();
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

    /** One (guest address, identifier) and its host echo socket; touched only on the stack's loop. */
    final class Flow implements PingReceiver {
        final long key;
        final int guestAddress;
        final int identifier;
        HostPingSocket socket;
        long lastActive;
        boolean closed;
        private final int[] sequences = new int[REMEMBERED_REQUESTS];
        private final byte[][] quotes = new byte[REMEMBERED_REQUESTS][];
        private int next;
        private int cachedAddress;
        private InetAddress cachedDestination;

        Flow(long key, int guestAddress, int identifier, long now) {
            this.key = key;
            this.guestAddress = guestAddress;
            this.identifier = identifier;
            this.lastActive = now;
        }

        @Override
        public void onEchoReply(InetAddress from, ByteBuf message) {
            onReply(this, from, message);
        }

        @Override
        public void onError(InetAddress reporter, int type, int code, int info, int sequence) {
            IcmpNat.this.onError(this, reporter, type, code, info, sequence);
        }

        /** Keeps what an error about this request must quote: its IP header and first 8 payload bytes. */
        void remember(IpDatagram ip, int sequence) {
            int slot = next;
            next = (next + 1) % REMEMBERED_REQUESTS;
            byte[] quote = new byte[IcmpV4Packet.quoteLength(ip.headerLength(), ip.totalLength())];
            ip.buffer().getBytes(ip.offset(), quote);
            sequences[slot] = sequence;
            quotes[slot] = quote;
        }

        /** The quote of the latest remembered request with this sequence number, or null. */
        byte[] quote(int sequence) {
            for (int i = 1; i <= REMEMBERED_REQUESTS; i++) {
                int slot = Math.floorMod(next - i, REMEMBERED_REQUESTS);
                if (quotes[slot] != null && sequences[slot] == sequence) {
                    return quotes[slot];
                }
            }
            return null;
        }

        InetAddress destination(int address) {
            if (cachedDestination == null || address != cachedAddress) {
                cachedDestination = Ipv4Address.toInetAddress(address);
                cachedAddress = address;
            }
            return cachedDestination;
        }

        void close() {
            if (!closed) {
                closed = true;
                socket.close();
            }
        }
    }
}
