package io.slirp4j.stack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.collection.LongObjectHashMap;
import io.slirp4j.stack.FrameOffload;
import io.slirp4j.stack.Nameservers;
import io.slirp4j.stack.host.ConnectFailure;
import io.slirp4j.stack.host.HostStream;
import io.slirp4j.stack.host.HostStreams;
import io.slirp4j.stack.host.StreamHandler;
import io.slirp4j.stack.iface.AddressPolicy;
import io.slirp4j.stack.iface.GuestLink;
import io.slirp4j.stack.iface.IpDatagram;
import io.slirp4j.stack.iface.IpProtocolHandler;
import io.slirp4j.stack.icmp.IcmpEngine;
import io.slirp4j.stack.icmp.Unreachable;
import io.slirp4j.stack.nat.FlowKey;
import io.slirp4j.stack.nat.NatPolicy;
import io.slirp4j.stack.stats.ErrorCounters;
import io.slirp4j.stack.stats.FrameCounters;
import io.slirp4j.stack.stats.TcpCounters;
import io.slirp4j.stack.wire.InAny;
import io.slirp4j.stack.wire.InternetChecksum;
import io.slirp4j.stack.wire.Ipv4Packet;
import io.slirp4j.stack.wire.Ipv6Packet;
import io.slirp4j.stack.wire.ParseResult;
import io.slirp4j.stack.wire.TcpHeader;
import io.slirp4j.stack.wire.TcpSegment;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The TCP NAT: every guest connection is a {@link TcpConnection} (our end of the guest's TCP) glued to one host
 * socket ({@link HostStream}).
 *
 * <p>Theory of operation. Connections are keyed by the guest's four-tuple. A guest SYN for an unknown four-tuple
 * opens a host connection to the destination, mapped by the {@link NatPolicy} (as for UDP): an
 * outside address is itself; the gateway N+2 is the host's 127.0.0.1 (or, with host loopback disabled, ICMP
 * network unreachable and nothing else); with DNS enabled, N+3 port 53 is the host's nameservers, tried in the
 * order UDP uses, the next one when a connect fails ({@link Flow#connectNextNameserver}); any other port of N+3:
 * RST, "connection refused"; with DNS disabled, N+3 is an ordinary outside address (the host's N+3). While the host
 * connect runs, the flow holds a copy of the SYN and nothing else; the guest's retransmitted SYNs are absorbed. The guest hears SYN-ACK ({@link TcpConnection#accept})
 * only once the host connect succeeded, so its connect() reflects the real outcome: a refused connect answers RST,
 * network unreachable / host unreachable / a timeout answer the matching ICMP destination unreachable, quoting the
 * SYN (Linux aborts a connect in SYN-SENT on those). Segments for unknown four-tuples draw an RST (RFC 9293
 * 3.10.7.1). At {@code maxConnections} entries the table makes room before it refuses ({@link #makeRoom}): a
 * connection in TIME_WAIT, then one stuck in its handshake (host connect running, or a SYN-ACK the guest never
 * answered: a flood from addresses that do not exist), then one closing (FIN_WAIT_1/2, CLOSING, LAST_ACK), oldest
 * first, is reset both ways and counted; only when every entry is established (or in CLOSE_WAIT, where the host may
 * still be answering a guest that half-closed) does a new SYN draw an RST, counted too.
 *
 * <p>Data and backpressure. Guest data ({@link TcpOutput#onData}) is written to the host socket as it is (no copy);
 * {@link TcpConnection#consumed} is called only when the kernel took the bytes, so a host peer that does not read
 * closes the guest's window after one receive buffer. Host reads go to {@link TcpConnection#write}; what does not
 * fit waits here (one buffer) and reading the host socket pauses (autoRead off) until {@link TcpOutput#onSendSpace}.
 * The connection is corked from the first read of a read loop to its end ({@code onReadComplete}), so that what
 * one loop reads leaves in as few segments as the windows allow (a link that cuts segments gets 64 KiB frames).
 *
 * <p>Close paths. Host EOF: {@code shutdownOutput} on the connection (FIN after the queued data; deferred while a
 * remainder waits here). Guest FIN: {@code shutdownOutput} on the host socket. When both FINs have been passed on,
 * the host socket is closed (gracefully: queued writes still go out), so TIME_WAIT holds no host socket. An RST
 * either way (guest RST, retransmission, handshake or keepalive timeout; host reset or write error) resets the
 * other side. {@link TcpOutput#onClosed} removes the entry; {@link #close()} aborts everything.
 *
 * <p>Vanished peers. Nothing here waits forever on a side that is gone: a guest that stops answering is reset by
 * its connection's keepalive (or its retransmissions, or the handshake timeout, see {@link TcpConnection}) and
 * its host socket reset with it ({@code keepaliveTimeouts} counts those); a host peer that vanished is the host
 * socket's business: {@link io.slirp4j.stack.host.HostStreams} are expected to enable the kernel's keepalive with
 * the same timings ({@link TcpConfig}), whose failure arrives as an error and resets the guest. A host connect
 * runs for at most the connect timeout.
 *
 * <p>Timers. Each connection has one deadline ({@link TcpConnection#nextDeadline()}); a priority queue of
 * (deadline, flow) entries is kept lazily: an entry is added only when a flow's deadline moves earlier than the one
 * it has queued, an entry that fires early just runs the connection's (idempotent) timers and queues the real
 * deadline, and stale entries are skipped. {@link #nextDeadline()} is the queue's head.
 *
 * <p>Threading: like the rest of the stack, everything runs on one event loop; host callbacks flush the guest
 * link and then call the hook set by {@link #afterHostEvent(Runnable)} (the program re-arms its timer there).
 */
public final class TcpNat implements IpProtocolHandler {
    public static final int DEFAULT_MAX_CONNECTIONS = 16384;
    public static final int DNS_PORT = NatPolicy.DNS_PORT;
    /** How many eviction candidates one scan of a full table finds, so that a flood of SYNs scans it rarely. */
    static final int EVICTION_BATCH = 256;
    /** After a scan found nothing to evict, a full table refuses without scanning again for this long. */
    static final long FRUITLESS_SCAN_PAUSE_MS = 100;
    private static final int NOT_EVICTABLE = Integer.MAX_VALUE;

    private final AddressPolicy addresses;
    private final NatPolicy nat;
    private final GuestLink link;
    private final IcmpEngine icmp;
    private final HostStreams host;
    private final Nameservers nameservers;
    /** The nameserver DNS queries start with (the UDP forwarder's preference), or null for the first. */
    private final Supplier<InetSocketAddress> preferredNameserver;
    private final FrameCounters frames;
    private final TcpCounters counters;
    private final ErrorCounters errors;
    private final LongSupplier clock;
    private final TcpConfig tcpConfig;
    /** {@link #tcpConfig} with the MSS 20 bytes smaller: the IPv6 header is that much longer. */
    private final TcpConfig tcpConfig6;
    private final IsnSource isn;
    private final int maxConnections;

    private final LongObjectHashMap<Flow> table = new LongObjectHashMap<>();
    private int open;
    private final PriorityQueue<Timer> timers = new PriorityQueue<>(Comparator.comparingLong(Timer::deadline));
    private final List<Flow> due = new ArrayList<>();
    /** Entries a full table may reset for a new connection, best first; revalidated when taken. */
    private final ArrayDeque<Flow> evictable = new ArrayDeque<>();
    private long fruitlessScanAt = Long.MIN_VALUE / 2;
    private final TcpSegment segment = new TcpSegment();
    private final TcpSegment hostSegment = new TcpSegment();
    private final Ipv4Packet hostPacket = new Ipv4Packet();
    private final Ipv6Packet hostPacket6 = new Ipv6Packet();
    private final IpDatagram hostDatagram = new IpDatagram();
    private final TcpHeader reset = new TcpHeader();
    private final FlowKey lookup = new FlowKey();
    private Runnable afterHostEvent = () -> { };
    private int depth;
    private boolean closed;

    private record Timer(long deadline, Flow flow) {
    }

    public TcpNat(NatPolicy nat, GuestLink link, IcmpEngine icmp, HostStreams host,
        Nameservers nameservers, Supplier<InetSocketAddress> preferredNameserver, FrameCounters frames, TcpCounters counters, ErrorCounters errors, LongSupplier clock,
        TcpConfig tcpConfig, IsnSource isn, int maxConnections) {
        this.nat = nat;
        this.addresses = nat.addresses();
        this.link = link;
        this.icmp = icmp;
        this.host = host;
        this.nameservers = nameservers;
        this.preferredNameserver = preferredNameserver;
        this.frames = frames;
        this.counters = counters;
        this.errors = errors;
        this.clock = clock;
        this.tcpConfig = tcpConfig;
        this.tcpConfig6 = tcpConfig.withMss(Math.max(64, tcpConfig.mss() - 20));
        this.isn = isn;
        this.maxConnections = maxConnections;
    }

    /** Runs after each host event was handled (and the link flushed). */
    public void afterHostEvent(Runnable hook) {
        this.afterHostEvent = hook == null ? () -> { } : hook;
    }

    /** Entries in the table: connecting, open, closing and in TIME_WAIT. */
    public int openConnections() {
        return open;
    }

    // ------------------------------------------------------------------------------------------------------
    // Guest input

    @Override
    public void onDatagram(IpDatagram ip) {
        depth++;
        try {
            guestInput(ip);
        } finally {
            depth--;
        }
    }

    private void guestInput(IpDatagram ip) {
        TcpSegment seg = segment;
        ParseResult parsed = ip.checksumTrusted()
            ? seg.wrapUnchecked(ip.buffer(), ip.payloadOffset(), ip.payloadLength())
            : seg.wrap(ip.buffer(), ip.payloadOffset(), ip.payloadLength(), ip.pseudoHeader());
        if (parsed != ParseResult.OK) {
            frames.droppedMalformed++;
            return;
        }
        counters.segmentsIn++;
        if (closed || seg.sourcePort() == 0 || seg.destinationPort() == 0
            || (ip.isIpv4() && addresses.isBroadcast(ip.destination4()))) {
            frames.droppedFiltered++;
            return;
        }
        long now = clock.getAsLong();
        FlowKey key = lookup.set(ip.sourceHi(), ip.sourceLo(), seg.sourcePort(), ip.destinationHi(),
            ip.destinationLo(), seg.destinationPort());
        Flow flow = find(key);
        if (flow != null) {
            if (flow.conn == null) {
                connectingInput(flow, ip, seg);
                return;
            }
            if (flow.conn.onSegment(seg, now) != TcpConnection.Disposition.REOPEN) {
                schedule(flow);
                return;
            }
            // TIME_WAIT ended by a new SYN: onClosed removed the flow; the SYN opens a new one below
        }
        int flags = seg.flags() & (TcpSegment.SYN | TcpSegment.ACK | TcpSegment.RST | TcpSegment.FIN);
        if (flags == TcpSegment.SYN) {
            open(ip, seg, key, now);
        } else {
            counters.unknownSegments++;
            sendResetFor(seg, key);
        }
    }

    /** A segment for a flow whose host connect is still running. */
    private void connectingInput(Flow flow, IpDatagram ip, TcpSegment seg) {
        if (seg.has(TcpSegment.RST)) {
            // the guest gave up its connect (or its socket): forget the attempt
            remove(flow);
            flow.abortHost();
            return;
        }
        if (seg.has(TcpSegment.SYN) && !seg.has(TcpSegment.ACK)) {
            counters.synsAbsorbed++;
            if (seg.seq() != flow.synSeq) {
                // a new attempt on the same four-tuple (new ISN): answer that one when the connect completes
                flow.keepSyn(ip);
            }
            return;
        }
        frames.droppedFiltered++;
    }

    private void open(IpDatagram ip, TcpSegment seg, FlowKey key, long now) {
        int port = seg.destinationPort();
        InetSocketAddress remote;
        List<InetSocketAddress> servers = null;
        int start = 0;
        switch (nat.route(key.peerHi(), key.peerLo(), port)) {
            case HOST -> remote = new InetSocketAddress(nat.hostAddress(key.peerHi(), key.peerLo()).toInetAddress(),
                port);
            case NET_UNREACHABLE -> {
                counters.connectFailures++;
                icmp.sendUnreachable(ip, Unreachable.NET);
                return;
            }
            case NAMESERVER -> {
                servers = nameservers.current();
                if (servers == null || servers.isEmpty()) {
                    counters.connectRefused++;
                    sendResetFor(seg, key);
                    return;
                }
                start = NatPolicy.firstNameserver(servers, preferredNameserver.get());
                remote = NatPolicy.nameserver(servers, start, 0);
            }
            case CLOSED -> {
                counters.connectRefused++;
                sendResetFor(seg, key);
                return;
            }
            default -> {
                frames.droppedFiltered++;
                return;
            }
        }
        if (open >= maxConnections && !makeRoom(now)) {
            counters.connectionLimitRejects++;
            sendResetFor(seg, key);
            return;
        }
        Flow flow = new Flow(key.copy(), now);
        flow.keepSyn(ip);
        flow.nameservers = servers;
        flow.nameserverStart = start;
        insert(flow);
        try {
            flow.stream = host.connect(remote, nat.outboundAddress(remote.getAddress()), flow);
            if (flow.stream == null) {
                throw new IOException("no stream");
            }
        } catch (IOException | RuntimeException e) {
            errors.hostSocketFailures++;
            remove(flow);
            sendResetFor(seg, key);
            return;
        }
        counters.connectAttempts++;
    }

    /**
     * A host connection accepted by a port forward: opens a connection to the guest's {@code guest:guestPort} that
     * the guest sees coming from {@code source:sourcePort} (the client, or the gateway standing in for it), and
     * glues it to {@code stream} like an outbound one. Host data is buffered until the guest's handshake completes;
     * a guest that refuses (RST) or never answers resets the client. Returns the stream's handler, or null to
     * refuse the client (closed, the table full, or the four-tuple taken by another connection).
     */
    public StreamHandler acceptInbound(HostStream stream, int source, int sourcePort, int guest, int guestPort) {
        return acceptInbound(stream, FlowKey.ofIpv4(guest, guestPort, source, sourcePort));
    }

    /**
     * {@link #acceptInbound(HostStream, int, int, int, int)} for a four-tuple of either family ({@code key}: the
     * guest's address and port, and the source the guest is shown; both of one family). An IPv6 guest address whose
     * MAC is not known yet is asked for by neighbour solicitation, the SYN waiting for the answer.
     */
    public StreamHandler acceptInbound(HostStream stream, FlowKey key) {
        if (closed) {
            return null;
        }
        if (InAny.is4(key.guestHi(), key.guestLo()) != InAny.is4(key.peerHi(), key.peerLo())) {
            throw new IllegalArgumentException("families mixed: " + key);
        }
        key = key.copy();
        int sourcePort = key.peerPort();
        int guestPort = key.guestPort();
        long now = clock.getAsLong();
        int initialSequence = isn.next(key, now);
        Flow previous = find(key);
        if (previous != null) {
            if (previous.conn == null || previous.conn.state() != TcpState.TIME_WAIT) {
                counters.forwardCollisions++;
                return null;
            }
            // The host reused the client's port (for another forward to the same guest port, say) while our last
            // connection on this four-tuple lingers in TIME_WAIT, which holds nothing but the tuple: the new one
            // takes it over, as a guest SYN may. Starting above the old sequence numbers, which the clock part of
            // the ISN does not promise after a fast connection, lets a guest in TIME_WAIT too accept the SYN.
            if (Seq.le(initialSequence, previous.conn.sndNxt())) {
                initialSequence = previous.conn.sndNxt() + (1 << 16);
            }
            previous.conn.abort(now);
        }
        if (open >= maxConnections && !makeRoom(now)) {
            counters.connectionLimitRejects++;
            return null;
        }
        boolean outermost = enter();
        Flow flow = new Flow(key, now);
        try {
            flow.stream = stream;
            insert(flow);
            flow.conn = TcpConnection.connect(configFor(key), flow, sourcePort, guestPort, initialSequence, now);
            flow.conn.attach(flow);
            counters.forwardedConnections++;
            schedule(flow);
            return flow;
        } catch (RuntimeException e) {
            errors.internalError(e);
            remove(flow);
            return null; // the listener resets the client
        } finally {
            exit(outermost);
        }
    }

    private TcpConfig configFor(FlowKey key) {
        return key.isIpv4() ? tcpConfig : tcpConfig6;
    }

    /** Starts handling a host event; true if it is the outermost one (see {@link #exit}). */
    private boolean enter() {
        depth++;
        return depth == 1;
    }

    /** Ends a host event: the outermost one flushes what it sent to the guest and runs the after-event hook. */
    private void exit(boolean outermost) {
        depth--;
        if (outermost) {
            try {
                link.flushIfNeeded();
            } catch (RuntimeException e) {
                errors.internalError(e);
            }
            afterHostEvent.run();
        }
    }

    /** Answers the guest's {@code seg} on the four-tuple {@code flow} with an RST, where RFC 9293 wants one. */
    private void sendResetFor(TcpSegment seg, FlowKey flow) {
        if (TcpConnection.resetFor(seg, reset)) {
            counters.resetsSent++;
            emit(reset, null, flow, 0);
        }
    }

    /**
     * Sends a TCP segment to the guest on the four-tuple {@code flow}; the payload (may be null) is borrowed. A
     * payload longer than {@code segmentSize} is a super-segment (the connection sends those only when the link
     * cuts segments): the link cuts it into pieces of {@code segmentSize}. When the link completes checksums, the
     * checksum is left to it.
     */
    private void emit(TcpHeader header, ByteBuf payload, FlowKey flow, int segmentSize) {
        int length = payload == null ? 0 : payload.readableBytes();
        int headerLength = header.headerLength();
        ByteBuf frame = link.newFrame(Ipv4Packet.PROTOCOL_TCP, Ipv4Packet.DEFAULT_TTL, flow.peerHi(), flow.peerLo(),
            flow.guestHi(), flow.guestLo(), headerLength + length);
        int at = frame.writerIndex();
        frame.writerIndex(at + headerLength);
        if (length > 0) {
            frame.writeBytes(payload, payload.readerIndex(), length);
        }
        boolean partial = link.offloads().partialChecksums();
        TcpSegment.emitHeader(frame, at, header, length, InternetChecksum.addPseudoHeader(0, flow.peerHi(),
            flow.peerLo(), flow.guestHi(), flow.guestLo(), Ipv4Packet.PROTOCOL_TCP, 0), partial);
        counters.segmentsOut++;
        if (!partial) {
            link.send(frame);
        } else if (segmentSize > 0 && length > segmentSize) {
            link.send(frame, FrameOffload.tcpSegmentation(!flow.isIpv4(), at, at + headerLength, segmentSize));
        } else {
            link.send(frame, FrameOffload.checksum(at, 16));
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Timers

    /** The earliest time {@link #onTimer} has TCP work, or {@link Long#MAX_VALUE}. */
    public long nextDeadline() {
        for (;;) {
            Timer t = timers.peek();
            if (t == null) {
                return Long.MAX_VALUE;
            }
            if (t.flow.removed || t.flow.scheduledAt != t.deadline) {
                timers.poll();
                continue;
            }
            return t.deadline;
        }
    }

    /** Runs every connection timer due at {@code now}. */
    public void onTimer(long now) {
        depth++;
        try {
            for (Timer t = timers.peek(); t != null && t.deadline <= now; t = timers.peek()) {
                timers.poll();
                if (!t.flow.removed && t.flow.scheduledAt == t.deadline) {
                    t.flow.scheduledAt = Long.MAX_VALUE;
                    due.add(t.flow);
                }
            }
            for (Flow flow : due) {
                if (!flow.removed && flow.conn != null) {
                    flow.conn.onTimer(now);
                    schedule(flow);
                }
            }
        } finally {
            due.clear();
            depth--;
        }
    }

    private void schedule(Flow flow) {
        if (flow.removed || flow.conn == null) {
            return;
        }
        long deadline = flow.conn.nextDeadline();
        if (deadline < flow.scheduledAt) {
            flow.scheduledAt = deadline;
            timers.add(new Timer(deadline, flow));
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Eviction

    /**
     * Resets the best entry to evict (see the class comment) and counts it; false if every entry is established.
     * The candidates come from one scan of the table, {@link #EVICTION_BATCH} at a time, and each is checked again
     * when its turn comes, since it may have closed or completed its handshake meanwhile.
     */
    private boolean makeRoom(long now) {
        Flow victim = nextEvictable();
        if (victim == null && now - fruitlessScanAt >= FRUITLESS_SCAN_PAUSE_MS) {
            findEvictable();
            victim = nextEvictable();
            if (victim == null) {
                fruitlessScanAt = now;
            }
        }
        if (victim == null) {
            return false;
        }
        evict(victim, now);
        counters.connectionsEvicted++;
        return true;
    }

    private Flow nextEvictable() {
        for (Flow f = evictable.pollFirst(); f != null; f = evictable.pollFirst()) {
            if (!f.removed && evictionRank(f) != NOT_EVICTABLE) {
                return f;
            }
        }
        return null;
    }

    private void findEvictable() {
        List<Flow> candidates = new ArrayList<>();
        for (Flow head : table.values()) {
            for (Flow f = head; f != null; f = f.next) {
                if (evictionRank(f) != NOT_EVICTABLE) {
                    candidates.add(f);
                }
            }
        }
        candidates.sort(Comparator.comparingInt(TcpNat::evictionRank).thenComparingLong(f -> f.openedAt));
        evictable.addAll(candidates.subList(0, Math.min(EVICTION_BATCH, candidates.size())));
    }

    /** Lower goes first: TIME_WAIT, then handshakes, then closing states; established ones never. */
    private static int evictionRank(Flow flow) {
        if (flow.conn == null) {
            return 1;
        }
        return switch (flow.conn.state()) {
            case TIME_WAIT -> 0;
            case SYN_SENT, SYN_RECEIVED -> 1;
            case FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK -> 2;
            default -> NOT_EVICTABLE;
        };
    }

    /** Resets {@code flow} both ways: a guest still in its connect() hears RST, as from a refusing host. */
    private void evict(Flow flow, long now) {
        flow.abortHost();
        if (flow.conn == null) {
            if (flow.syn != null && flow.wrapSyn()) {
                sendResetFor(hostSegment, flow.key);
            }
        } else {
            flow.conn.abort(now);
        }
        remove(flow);
    }

    // ------------------------------------------------------------------------------------------------------
    // Table

    /** The flow on the four-tuple {@code key}, or null: entries chain on equal {@link FlowKey#hash()}es. */
    private Flow find(FlowKey key) {
        Flow f = table.get(key.hash());
        while (f != null && !f.key.sameAs(key)) {
            f = f.next;
        }
        return f;
    }

    private void insert(Flow flow) {
        flow.next = table.put(flow.hash, flow);
        open++;
    }

    private void remove(Flow flow) {
        if (flow.removed) {
            return;
        }
        flow.removed = true;
        open--;
        Flow head = table.get(flow.hash);
        if (head == flow) {
            if (flow.next == null) {
                table.remove(flow.hash);
            } else {
                table.put(flow.hash, flow.next);
            }
        } else {
            for (Flow f = head; f != null; f = f.next) {
                if (f.next == flow) {
                    f.next = flow.next;
                    break;
                }
            }
        }
        flow.next = null;
        flow.releaseBuffers();
    }

    /** Resets every connection (RST both ways) and releases everything. Later segments are dropped. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<Flow> all = new ArrayList<>();
        for (Flow head : table.values()) {
            for (Flow f = head; f != null; f = f.next) {
                all.add(f);
            }
        }
        long now = clock.getAsLong();
        for (Flow f : all) {
            try {
                f.abortHost();
                if (f.conn != null) {
                    f.conn.abort(now);
                }
            } catch (RuntimeException e) {
                errors.internalError(e);
            } finally {
                remove(f);
            }
        }
        timers.clear();
    }

    // ------------------------------------------------------------------------------------------------------

    /** One guest connection and its host socket. */
    private final class Flow implements TcpOutput, StreamHandler {
        /** The guest's address and port, and the peer's: the address and port the guest connected to, or a
         * forwarded client as the guest sees it (the source of everything we send it). */
        final FlowKey key;
        final long hash;
        /** When the entry was made: among entries of one eviction rank, the oldest goes first. */
        final long openedAt;
        Flow next;
        HostStream stream;
        /** For N+3:53: the nameservers (in {@link NatPolicy#nameserver} order) and which one is being tried. */
        List<InetSocketAddress> nameservers;
        int nameserverStart;
        int nameserverAttempt;
        /** A copy of the guest's SYN datagram while the host connect runs. */
        ByteBuf syn;
        int synSeq;
        TcpConnection conn;
        /** Host bytes the connection could not take yet (reading is paused meanwhile). */
        ByteBuf pending;
        boolean hostEof;
        boolean hostEofPassed;
        boolean guestFinPassed;
        boolean hostClosed;
        boolean removed;
        /** The connection is corked for the host socket's current read loop (see onRead, onReadComplete). */
        boolean readLoopCorked;
        long scheduledAt = Long.MAX_VALUE;

        Flow(FlowKey key, long openedAt) {
            this.key = key;
            this.hash = key.hash();
            this.openedAt = openedAt;
        }

        void keepSyn(IpDatagram ip) {
            if (syn != null) {
                syn.release();
            }
            syn = link.alloc().heapBuffer(ip.totalLength());
            syn.writeBytes(ip.buffer(), ip.offset(), ip.totalLength());
            synSeq = segment.seq();
        }

        void releaseBuffers() {
            if (syn != null) {
                syn.release();
                syn = null;
            }
            if (pending != null) {
                pending.release();
                pending = null;
            }
        }

        void abortHost() {
            if (!hostClosed && stream != null) {
                hostClosed = true;
                stream.abort();
            }
        }

        private void maybeCloseHost() {
            if (guestFinPassed && hostEofPassed && !hostClosed && stream != null) {
                hostClosed = true;
                stream.close();
            }
        }

        /** Wraps {@link #syn} into {@link #hostPacket} and {@link #hostSegment}; false if it does not parse. */
        private boolean wrapSyn() {
            if (Ipv4Packet.version(syn, syn.readerIndex()) == Ipv6Packet.VERSION) {
                if (hostPacket6.wrap(syn, syn.readerIndex(), syn.readableBytes()) != ParseResult.OK) {
                    return false;
                }
                hostDatagram.setIpv6(hostPacket6);
            } else {
                if (hostPacket.wrap(syn, syn.readerIndex(), syn.readableBytes()) != ParseResult.OK) {
                    return false;
                }
                hostDatagram.setIpv4(hostPacket);
            }
            return hostSegment.wrapUnchecked(syn, hostDatagram.payloadOffset(), hostDatagram.payloadLength())
                == ParseResult.OK;
        }

        // ---- host events

        @Override
        public void onConnected() {
            boolean outermost = enter();
            try {
                if (removed || syn == null) {
                    return;
                }
                if (!wrapSyn()) {
                    throw new IllegalStateException("kept SYN does not parse");
                }
                long now = clock.getAsLong();
                TcpConnection c = TcpConnection.accept(configFor(key), this, hostSegment,
                    isn.next(key, now), now);
                conn = c;
                c.attach(this);
                syn.release();
                syn = null;
                counters.connectionsOpened++;
                schedule(this);
            } catch (RuntimeException e) {
                errors.internalError(e);
                remove(this);
                abortHost();
            } finally {
                exit(outermost);
            }
        }

        /**
         * N+3:53 fails over the way UDP does ({@link io.slirp4j.stack.dns.DnsForwarder}): when the connect to one
         * nameserver fails, for whatever reason (refused, unreachable, timed out), the same guest SYN goes on to the
         * next one in the list, wrapping around, until each had its turn; only the last failure reaches the guest.
         * For the guest N+3 is one DNS server, and a user expects "dig +tcp @N+3" to work whenever
         * "dig @N+3" does, that is whenever some nameserver of the host answers. The guest's SYN retransmissions
         * are absorbed meanwhile, as for any connect. TCP starts where UDP currently starts (the nameserver the
         * forwarder last found working) but does not move that preference itself: one refused connect costs
         * microseconds, and a nameserver that is down altogether is what UDP notices first. Returns false when no
         * nameserver is left to try (or this is no DNS connection).
         */
        private boolean connectNextNameserver() {
            if (nameservers == null) {
                return false;
            }
            InetSocketAddress server = NatPolicy.nameserver(nameservers, nameserverStart, ++nameserverAttempt);
            if (server == null) {
                return false;
            }
            try {
                // never calls back from inside connect()
                HostStream next = host.connect(server, nat.outboundAddress(server.getAddress()), this);
                if (next == null) {
                    return false;
                }
                stream = next;
            } catch (IOException | RuntimeException e) {
                errors.hostSocketFailures++;
                return false;
            }
            hostClosed = false;
            counters.connectAttempts++;
            return true;
        }

        @Override
        public void onConnectFailed(ConnectFailure reason, Throwable cause) {
            boolean outermost = enter();
            boolean retrying = false;
            try {
                hostClosed = true;
                if (removed || syn == null) {
                    return;
                }
                if (connectNextNameserver()) {
                    retrying = true;
                    return;
                }
                if (!wrapSyn()) {
                    throw new IllegalStateException("kept SYN does not parse");
                }
                if (reason == ConnectFailure.REFUSED) {
                    counters.connectRefused++;
                    sendResetFor(hostSegment, key);
                } else {
                    counters.connectFailures++;
                    icmp.sendUnreachable(hostDatagram, reason == ConnectFailure.NETWORK_UNREACHABLE
                        ? Unreachable.NET : Unreachable.HOST);
                }
            } catch (RuntimeException e) {
                errors.internalError(e);
            } finally {
                if (!retrying) {
                    remove(this);
                }
                exit(outermost);
            }
        }

        @Override
        public void onRead(ByteBuf data) {
            boolean outermost = enter();
            try {
                if (removed || conn == null || hostEof) {
                    data.release();
                    return;
                }
                if (pending != null) {
                    // read after the short write that paused reading: in the same batch, or after the host's FIN,
                    // when Netty reads the socket to its end whatever autoRead says. One flat composite: nesting
                    // one per read overflowed the stack when it was released.
                    CompositeByteBuf all;
                    if (pending instanceof CompositeByteBuf c) {
                        all = c;
                    } else {
                        all = link.alloc().compositeBuffer(Integer.MAX_VALUE);
                        all.addComponent(true, pending);
                        pending = all;
                    }
                    all.addComponent(true, data);
                    return;
                }
                if (!readLoopCorked) {
                    // the reads of one loop leave together, at its end (onReadComplete)
                    readLoopCorked = true;
                    conn.cork();
                }
                int n = conn.write(data, clock.getAsLong());
                counters.bytesToGuest += n;
                if (data.isReadable()) {
                    pending = data;
                    stream.setAutoRead(false);
                } else {
                    data.release();
                }
                schedule(this);
            } catch (RuntimeException e) {
                errors.internalError(e);
            } finally {
                exit(outermost);
            }
        }

        @Override
        public void onReadComplete() {
            if (!readLoopCorked) {
                return;
            }
            boolean outermost = enter();
            try {
                readLoopCorked = false;
                if (conn != null) {
                    conn.uncork(clock.getAsLong());
                }
                if (!removed) {
                    schedule(this);
                }
            } catch (RuntimeException e) {
                errors.internalError(e);
            } finally {
                exit(outermost);
            }
        }

        @Override
        public int readLimit() {
            // what the send buffer takes now; once something is pending, reading has paused, and a read after all
            // (to the end, after the host's FIN) joins it anyway
            return removed || conn == null || pending != null ? Integer.MAX_VALUE : conn.sendSpace();
        }

        @Override
        public void onWritten(int bytes) {
            boolean outermost = enter();
            try {
                if (!removed && conn != null) {
                    conn.consumed(bytes, clock.getAsLong());
                    schedule(this);
                }
            } catch (RuntimeException e) {
                errors.internalError(e);
            } finally {
                exit(outermost);
            }
        }

        @Override
        public void onEof() {
            boolean outermost = enter();
            try {
                if (removed || conn == null || hostEof) {
                    return;
                }
                hostEof = true;
                if (pending == null) {
                    passEof();
                }
            } catch (RuntimeException e) {
                errors.internalError(e);
            } finally {
                exit(outermost);
            }
        }

        private void passEof() {
            hostEofPassed = true;
            conn.shutdownOutput(clock.getAsLong());
            maybeCloseHost();
            schedule(this);
        }

        @Override
        public void onError(Throwable cause) {
            boolean outermost = enter();
            try {
                hostClosed = true;
                if (removed) {
                    return;
                }
                counters.hostResets++;
                if (conn == null) {
                    // closed before the connect completed (should not happen: connect failures come separately)
                    if (syn != null && wrapSyn()) {
                        sendResetFor(hostSegment, key);
                    }
                    remove(this);
                } else {
                    conn.abort(clock.getAsLong()); // RST to the guest; onClosed removes the flow
                    remove(this);
                }
            } catch (RuntimeException e) {
                errors.internalError(e);
            } finally {
                exit(outermost);
            }
        }

        // ---- connection events (inside a connection entry point)

        @Override
        public void sendSegment(TcpConnection connection, TcpHeader header, ByteBuf payload) {
            // the payload per segment: the MSS less this segment's options (SACK blocks), as the connection cut it
            emit(header, payload, key, connection.sendMss() - (header.headerLength() - TcpSegment.MIN_HEADER_LENGTH));
        }

        @Override
        public void onData(TcpConnection connection, ByteBuf data) {
            counters.bytesToHost += data.readableBytes();
            if (hostClosed || stream == null) {
                data.release();
                return;
            }
            stream.write(data);
        }

        @Override
        public void onRemoteFin(TcpConnection connection) {
            guestFinPassed = true;
            if (!hostClosed && stream != null) {
                stream.shutdownOutput();
            }
            maybeCloseHost();
        }

        @Override
        public void onReset(TcpConnection connection, TcpCloseCause cause) {
            counters.guestResets++;
            if (cause == TcpCloseCause.KEEPALIVE_TIMEOUT) {
                counters.keepaliveTimeouts++;
            }
            abortHost();
        }

        @Override
        public void onSendSpace(TcpConnection connection) {
            if (pending == null || removed) {
                return;
            }
            int n = connection.write(pending, clock.getAsLong());
            counters.bytesToGuest += n;
            if (pending.isReadable()) {
                return; // (no discardReadComponents: it would move the bytes under the send buffer's slices)
            }
            pending.release();
            pending = null;
            if (hostEof) {
                passEof();
            } else if (!hostClosed && stream != null) {
                stream.setAutoRead(true);
            }
        }

        @Override
        public void onClosed(TcpConnection connection) {
            counters.connectionsClosed++;
            remove(this);
            if (!hostClosed && stream != null) {
                hostClosed = true;
                stream.close();
            }
        }
    }
}
