package io.slirp4j.stack.udp;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.Nameservers;
import io.slirp4j.stack.dns.DnsForwarder;
import io.slirp4j.stack.host.HostDatagramSocket;
import io.slirp4j.stack.host.HostDatagrams;
import io.slirp4j.stack.iface.GuestLink;
import io.slirp4j.stack.iface.IpDatagram;
import io.slirp4j.stack.icmp.IcmpEngine;
import io.slirp4j.stack.icmp.Unreachable;
import io.slirp4j.stack.nat.FlowKey;
import io.slirp4j.stack.nat.IpAddress;
import io.slirp4j.stack.nat.NatPolicy;
import io.slirp4j.stack.nat.RecencyList;
import io.slirp4j.stack.stats.DnsCounters;
import io.slirp4j.stack.stats.ErrorCounters;
import io.slirp4j.stack.stats.FrameCounters;
import io.slirp4j.stack.stats.UdpCounters;
import io.slirp4j.stack.wire.InAny;
import io.slirp4j.stack.wire.InternetChecksum;
import io.slirp4j.stack.wire.Ipv4Address;
import io.slirp4j.stack.wire.Ipv4Packet;
import io.slirp4j.stack.wire.Ipv6Address;
import io.slirp4j.stack.wire.UdpDatagram;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The UDP NAT: guest datagrams out through host sockets, host datagrams back in.
 *
 * <p>Theory of operation: each guest source (address, port) is one flow with one host socket bound to
 * 0.0.0.0:0, or to the outbound address ({@code --outbound-addr}, {@link NatPolicy#outboundBind}) and port 0
 * (endpoint-independent mapping and filtering, RFC 4787, as libslirp does): the flow sends to any
 * destination from the same host port, and whatever arrives on that socket from any A:q goes to the guest's
 * (address, port) as from A:q. So STUN, games and VoIP behave as behind a friendly NAT.
 *
 * <p>Destinations as the guest sees them (the rules are the {@link NatPolicy}'s): an address outside the virtual network is itself; the gateway N+2 is
 * the host's 127.0.0.1 when host loopback is allowed, else refused with ICMP network unreachable (what the guest
 * would get from a router without a route); with DNS enabled, N+3 port 53 is the {@link DnsForwarder} and any
 * other port of N+3 is refused with ICMP port unreachable; with DNS disabled, N+3 is an ordinary outside address
 * (the host's N+3, whose answers the guest sees from N+3); anything else was filtered by the IPv4 input already. Sources as the guest sees them: loopback on the host shows up as the gateway, the
 * forwarder's answers as N+3:53, and datagrams from addresses the guest could not tell apart from its own
 * network (the host's LAN overlapping the virtual one) or from IPv6 are dropped.
 *
 * <p>Life cycle: a flow opens with the first datagram from its guest source and closes after
 * {@value #IDLE_TIMEOUT_MS} ms without traffic either way, or {@value #DNS_IDLE_TIMEOUT_MS} ms if the guest only
 * ever sent DNS queries to N+3 through it (resolvers use a fresh port per query, and there is no point keeping
 * their sockets). At most {@code maxFlows} are open (flows and forward peers together). A new source that finds the
 * table full takes the place of the least recently active flow, which is closed and counted ({@link #evict}): a
 * guest that opened thousands of flows and fell silent must not lock its own DNS lookups out until they expire.
 * DNS-only flows idle for {@value #DNS_ANSWER_GRACE_MS} ms go first, as the resolver that used one has its answer or
 * has given up on it; a younger one, whose answer may be on its way, is left to plain recency order. Forward peers
 * are not evicted (they expire), so a source is dropped and counted only when they fill the table, as are
 * datagrams whose host socket cannot be opened. The flows are kept in two {@link RecencyList}s, DNS-only and the
 * rest, so that eviction and expiry look only at the flows they end.
 *
 * <p>Ownership: guest datagrams are borrowed; the payload goes to the host as a retained slice (no copy).
 * Host datagrams are borrowed from the receiver callback and copied once into the frame for the guest, which
 * {@link UdpToGuest} holds until the socket's read loop ends, so that a burst of one flow's equal-sized datagrams
 * reaches the guest in one frame when the link cuts UDP ({@link io.slirp4j.stack.LinkOffloads#udpSegmentation}).
 * Inbound port forwards ({@link #openForward}) are the other way round: a peer sending to the forward's host
 * socket becomes a flow that the guest sees as coming from the peer; the guest's answers are matched against
 * those peers first.
 */
public final class UdpNat {
    public static final int DEFAULT_MAX_FLOWS = 4096;
    /**
     * SO_RCVBUF for a forward's socket, which all its peers share like a server's: the kernel's default holds only
     * about 256 small datagrams (~830 bytes of accounting each), so a burst from many peers overflowed it while the
     * loop was busy. The kernel caps the request at net.core.rmem_max (212992 by default, which still doubles the
     * default).
     */
    static final int FORWARD_RECEIVE_BUFFER = 4 << 20;
    public static final long IDLE_TIMEOUT_MS = 240_000;
    public static final long DNS_IDLE_TIMEOUT_MS = 10_000;
    /** A DNS-only flow quiet this long has had its answer or its resolver's timeout (glibc's is 5 s, in tries of 1 s
     * or more): it is the first to make room in a full table. */
    public static final long DNS_ANSWER_GRACE_MS = 1_000;
    public static final int DNS_PORT = NatPolicy.DNS_PORT;

    private final NatPolicy nat;
    private final GuestLink link;
    private final IcmpEngine icmp;
    private final HostDatagrams host;
    private final DnsForwarder dns;
    private final Nameservers nameservers;
    private final FrameCounters frames;
    private final UdpCounters counters;
    private final DnsCounters dnsCounters;
    private final ErrorCounters errors;
    private final LongSupplier clock;
    private final int maxFlows;
    private final Map<FlowKey, UdpFlow> flows = new HashMap<>();
    /** The flows that carried nothing but DNS queries to N+3, least recently active first. */
    private final RecencyList<UdpFlow> dnsFlows = new RecencyList<>();
    /** Every other flow, least recently active first. */
    private final RecencyList<UdpFlow> otherFlows = new RecencyList<>();
    /** Reused for lookups, so a datagram costs no key object. */
    private final FlowKey lookup = new FlowKey();
    private final List<UdpFlow> scratch = new ArrayList<>();
    private final List<UdpForward> forwards = new ArrayList<>();
    /** Forward peers by their four-tuple as the guest sees it (the guest's end, and the peer as shown). */
    private final Map<FlowKey, UdpForward.Peer> inboundPeers = new HashMap<>();
    private long nextFlowId;
    private final UdpToGuest toGuest;

    public UdpNat(NatPolicy nat, GuestLink link, IcmpEngine icmp, HostDatagrams host,
        DnsForwarder dns, Nameservers nameservers, FrameCounters frames, UdpCounters counters, DnsCounters dnsCounters,
        ErrorCounters errors, LongSupplier clock, int maxFlows) {
        this.nat = nat;
        this.link = link;
        this.icmp = icmp;
        this.host = host;
        this.dns = dns;
        this.nameservers = nameservers;
        this.frames = frames;
        this.counters = counters;
        this.dnsCounters = dnsCounters;
        this.errors = errors;
        this.clock = clock;
        this.maxFlows = maxFlows;
        this.toGuest = new UdpToGuest(link, counters);
    }

    /** A validated UDP datagram from a guest address to N+2, N+3 or the outside (both views borrowed). */
    public void onGuestDatagram(IpDatagram ip, UdpDatagram udp) {
        if (!inboundPeers.isEmpty() && answerForwardPeer(ip, udp)) {
            return;
        }
        long destinationHi = ip.destinationHi();
        long destinationLo = ip.destinationLo();
        int port = udp.destinationPort();
        switch (nat.route(destinationHi, destinationLo, port)) {
            case HOST -> {
            }
            case NET_UNREACHABLE -> {
                icmp.sendUnreachable(ip, Unreachable.NET);
                return;
            }
            case NAMESERVER -> {
                forwardDns(ip, udp);
                return;
            }
            case CLOSED -> {
                icmp.sendUnreachable(ip, Unreachable.PORT);
                return;
            }
            default -> {
                frames.droppedFiltered++;
                return;
            }
        }
        if (port == 0) {
            frames.droppedFiltered++;
            return;
        }
        long now = clock.getAsLong();
        UdpFlow flow = flowFor(ip, udp.sourcePort(), now, false);
        if (flow == null) {
            return;
        }
        if (flow.dnsOnly) {
            flow.dnsOnly = false;
            otherFlows.touch(flow);
        }
        sendToHost(flow, flow.destination(nat.hostHi(destinationHi, destinationLo),
            nat.hostLo(destinationHi, destinationLo), port),
            ip.buffer().retainedSlice(udp.payloadOffset(), udp.payloadLength()));
    }

    private void forwardDns(IpDatagram ip, UdpDatagram udp) {
        if (udp.payloadLength() < DnsForwarder.HEADER_LENGTH) {
            dnsCounters.dropped++;
            return;
        }
        List<InetSocketAddress> servers = nameservers.current();
        if (servers == null || servers.isEmpty()) {
            dnsCounters.noNameservers++;
            icmp.sendUnreachable(ip, Unreachable.PORT);
            return;
        }
        long now = clock.getAsLong();
        UdpFlow flow = flowFor(ip, udp.sourcePort(), now, true);
        if (flow != null) {
            dns.forward(flow, servers, ip.buffer(), udp.payloadOffset(), udp.payloadLength(), now);
        }
    }

    /**
     * Sends from the flow's socket for {@code to}'s address family, opening it on first use (a flow has the socket
     * of its guest's family from the start; the other one serves DNS queries to nameservers of the other family);
     * takes ownership of {@code payload}.
     */
    void sendToHost(UdpFlow flow, InetSocketAddress to, ByteBuf payload) {
        HostDatagramSocket socket;
        if (to.getAddress() instanceof Inet6Address) {
            if (flow.socket6 == null && !flow.closed) {
                flow.socket6 = open(nat.outboundBind(false), flow);
            }
            socket = flow.socket6;
        } else {
            if (flow.socket4 == null && !flow.closed) {
                flow.socket4 = open(nat.outboundBind(true), flow);
            }
            socket = flow.socket4;
        }
        if (socket == null || flow.closed) {
            payload.release();
            return;
        }
        markActive(flow, clock.getAsLong());
        counters.toHost++;
        socket.send(to, payload);
    }

    /** A datagram for {@code flow} from the host (payload borrowed). Never throws; flushes what it sent. */
    void onHostDatagram(UdpFlow flow, InetSocketAddress from, ByteBuf payload) {
        try {
            if (flow.closed || from == null || payload == null) {
                return;
            }
            int length = payload.readableBytes();
            if (length > UdpDatagram.MAX_PAYLOAD) {
                frames.droppedFiltered++;
                return;
            }
            IpAddress source;
            int sourcePort;
            if (dns.takeAnswer(flow, from, payload)) {
                source = nat.nameserverSource(flow.ipv6);
                sourcePort = DNS_PORT;
            } else {
                // A resolver's port expects nothing but answers; a peer of the other family cannot be shown.
                source = flow.dnsOnly ? null
                    : nat.replySource(from.getAddress(), flow.ipv6, Ipv6Address.isLinkLocal(flow.guestHi));
                if (source == null) {
                    frames.droppedFiltered++;
                    return;
                }
                sourcePort = from.getPort();
            }
            markActive(flow, clock.getAsLong());
            sendToGuest(source.hi(), source.lo(), sourcePort, flow.guestHi, flow.guestLo, flow.guestPort, payload);
        } catch (RuntimeException e) {
            errors.internalError(e);
        } finally {
            flushQuietly();
        }
    }

    /** Host events end here: what they sent to the guest goes out now, and nothing they do escapes. */
    private void flushQuietly() {
        try {
            link.flushIfNeeded();
        } catch (RuntimeException e) {
            errors.internalError(e);
        }
    }

    /** One datagram to the guest; the payload is borrowed (copied into the frame). Held until the read ends. */
    private void sendToGuest(long sourceHi, long sourceLo, int sourcePort, long guestHi, long guestLo, int guestPort,
        ByteBuf payload) {
        toGuest.add(sourceHi, sourceLo, sourcePort, guestHi, guestLo, guestPort, payload);
    }

    /** A host socket's read loop ended: the datagrams it brought go to the guest now. Never throws. */
    void onHostReadComplete() {
        try {
            toGuest.flush();
        } catch (RuntimeException e) {
            errors.internalError(e);
        } finally {
            flushQuietly();
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Inbound port forwards

    /**
     * Opens a UDP port forward: a host socket bound to {@code local}; each remote peer that sends to it becomes a
     * flow to the guest's {@code guestAddress:guestPort}, seen by the guest as coming from the peer's address
     * ({@link NatPolicy#forwardClientSource}) and port. The guest's answers to that address and port go back to the
     * peer from the forward's socket. Peers expire like flows; closing the forward ends them all (their socket is
     * the forward's).
     *
     * @throws IOException when {@code local} cannot be bound
     */
    public UdpForward openForward(InetSocketAddress local, int guestAddress, int guestPort) throws IOException {
        return openForward(local, InAny.hiOf4(), InAny.loOf4(guestAddress), guestPort);
    }

    /**
     * {@link #openForward(InetSocketAddress, int, int)} to a guest address of either family ({@link InAny} halves):
     * its peers are shown to the guest as addresses of that family ({@link NatPolicy#forwardClientSource(InetAddress,
     * boolean)}), whatever the family of the forward's host socket.
     */
    public UdpForward openForward(InetSocketAddress local, long guestHi, long guestLo, int guestPort)
        throws IOException {
        return openForward(local, null, guestHi, guestLo, guestPort);
    }

    /** {@link #openForward(InetSocketAddress, long, long, int)} on one host interface only (null: any). */
    public UdpForward openForward(InetSocketAddress local, String device, long guestHi, long guestLo, int guestPort)
        throws IOException {
        UdpForward forward = new UdpForward(this, guestHi, guestLo, guestPort);
        forward.socket = host.open(local, device, forward, FORWARD_RECEIVE_BUFFER);
        if (forward.socket == null) {
            throw new IOException("cannot open a socket on " + local);
        }
        forwards.add(forward);
        return forward;
    }

    void onForwardDatagram(UdpForward forward, InetSocketAddress from, ByteBuf payload) {
        try {
            if (forward.closed || from == null || payload == null) {
                return;
            }
            if (payload.readableBytes() > UdpDatagram.MAX_PAYLOAD) {
                frames.droppedFiltered++;
                return;
            }
            long now = clock.getAsLong();
            UdpForward.Peer peer = forward.peers.get(from);
            if (peer == null) {
                peer = newPeer(forward, from, now);
                if (peer == null) {
                    return;
                }
            }
            peer.lastActive = now;
            FlowKey k = peer.key;
            sendToGuest(k.peerHi(), k.peerLo(), k.peerPort(), k.guestHi(), k.guestLo(), k.guestPort(), payload);
        } catch (RuntimeException e) {
            errors.internalError(e);
        } finally {
            flushQuietly();
        }
    }

    private UdpForward.Peer newPeer(UdpForward forward, InetSocketAddress from, long now) {
        IpAddress source = nat.forwardClientSource(from.getAddress(), !InAny.is4(forward.guestHi, forward.guestLo));
        FlowKey key = new FlowKey(forward.guestHi, forward.guestLo, forward.guestPort, source.hi(), source.lo(),
            from.getPort());
        if (inboundPeers.containsKey(key)) {
            // another peer already shows up as this address and port (two loopback clients on one port)
            counters.forwardDrops++;
            return null;
        }
        if (!makeRoom(now)) {
            return null;
        }
        UdpForward.Peer peer = new UdpForward.Peer(forward, from, key, now);
        forward.peers.put(from, peer);
        inboundPeers.put(key, peer);
        counters.forwardedPeers++;
        return peer;
    }

    /** A guest datagram answering a forward's peer: out through the forward's socket. False if it is not one. */
    private boolean answerForwardPeer(IpDatagram ip, UdpDatagram udp) {
        UdpForward.Peer peer = inboundPeers.get(lookup.set(ip.sourceHi(), ip.sourceLo(), udp.sourcePort(),
            ip.destinationHi(), ip.destinationLo(), udp.destinationPort()));
        if (peer == null) {
            return false;
        }
        peer.lastActive = clock.getAsLong();
        counters.toHost++;
        peer.forward.socket.send(peer.address, ip.buffer().retainedSlice(udp.payloadOffset(), udp.payloadLength()));
        return true;
    }

    /** Closes a forward's socket and forgets its peers. Idempotent. */
    void closeForward(UdpForward forward) {
        if (forward.closed) {
            return;
        }
        forward.closed = true;
        forwards.remove(forward);
        for (UdpForward.Peer peer : forward.peers.values()) {
            inboundPeers.remove(peer.key);
        }
        forward.peers.clear();
        forward.socket.close();
    }

    /** Closes flows idle for longer than their timeout. */
    public void expire(long now) {
        onHostReadComplete(); // never needed when every read loop ends as it should; cheap insurance
        expire(dnsFlows, now, DNS_IDLE_TIMEOUT_MS);
        expire(otherFlows, now, IDLE_TIMEOUT_MS);
        if (!inboundPeers.isEmpty()) {
            inboundPeers.values().removeIf(peer -> {
                if (now - peer.lastActive < IDLE_TIMEOUT_MS) {
                    return false;
                }
                peer.forward.peers.remove(peer.address);
                counters.flowsExpired++;
                return true;
            });
        }
    }

    /** Closes the flows of {@code list} idle for {@code timeout} ms or more: those at its least recent end. */
    private void expire(RecencyList<UdpFlow> list, long now, long timeout) {
        for (UdpFlow flow = list.oldest(); flow != null && now - flow.lastActive >= timeout; flow = list.oldest()) {
            closeFlow(flow);
            counters.flowsExpired++;
        }
    }

    /**
     * True if the table has room for one more flow or forward peer, after evicting a flow if it was full ({@link
     * #evict}); a source it has no room for is a counted drop.
     */
    private boolean makeRoom(long now) {
        if (flows.size() + inboundPeers.size() < maxFlows || evict(now)) {
            return true;
        }
        counters.flowLimitDrops++;
        return false;
    }

    /**
     * Closes a flow of a full table: the DNS-only flow quiet for longest if it is past
     * {@link #DNS_ANSWER_GRACE_MS}, else the least recently active flow. False if there is no flow to close (forward
     * peers fill the table).
     */
    private boolean evict(long now) {
        UdpFlow dns = dnsFlows.oldest();
        UdpFlow other = otherFlows.oldest();
        UdpFlow victim;
        if (dns != null && (now - dns.lastActive >= DNS_ANSWER_GRACE_MS || other == null
            || dns.lastActive <= other.lastActive)) {
            victim = dns;
        } else {
            victim = other;
        }
        if (victim == null) {
            return false;
        }
        closeFlow(victim);
        counters.flowsEvicted++;
        return true;
    }

    private void markActive(UdpFlow flow, long now) {
        flow.lastActive = now;
        (flow.dnsOnly ? dnsFlows : otherFlows).touch(flow);
    }

    public int openFlows() {
        return flows.size();
    }

    /** Closes every flow and forward and their host sockets. */
    public void close() {
        toGuest.release();
        for (UdpForward forward : new ArrayList<>(forwards)) {
            closeForward(forward);
        }
        scratch.addAll(flows.values());
        try {
            for (UdpFlow flow : scratch) {
                closeFlow(flow);
            }
        } finally {
            scratch.clear();
        }
    }

    /** The flow of the guest's source address (of {@code ip}) and port, opened if needed; null if it cannot be. */
    private UdpFlow flowFor(IpDatagram ip, int guestPort, long now, boolean dnsOnly) {
        UdpFlow flow = flows.get(lookup.set(ip.sourceHi(), ip.sourceLo(), guestPort, 0, 0, 0));
        if (flow != null) {
            return flow;
        }
        if (!makeRoom(now)) {
            return null;
        }
        flow = new UdpFlow(this, lookup.copy(), nextFlowId++, now, dnsOnly);
        if (flow.ipv6) {
            flow.socket6 = open(nat.outboundBind(false), flow);
        } else {
            flow.socket4 = open(nat.outboundBind(true), flow);
        }
        if (flow.socket4 == null && flow.socket6 == null) {
            return null;
        }
        flows.put(flow.key, flow);
        markActive(flow, now);
        counters.flowsOpened++;
        return flow;
    }

    private HostDatagramSocket open(InetSocketAddress local, UdpFlow flow) {
        try {
            HostDatagramSocket socket = host.open(local, flow, HostDatagrams.DEFAULT_RECEIVE_BUFFER);
            if (socket == null) {
                errors.hostSocketFailures++;
            }
            return socket;
        } catch (IOException | RuntimeException e) {
            errors.hostSocketFailures++;
            return null;
        }
    }

    private void closeFlow(UdpFlow flow) {
        flows.remove(flow.key);
        if (flow.recencyList() != null) {
            flow.recencyList().remove(flow);
        }
        dns.forget(flow);
        flow.close();
    }
}
