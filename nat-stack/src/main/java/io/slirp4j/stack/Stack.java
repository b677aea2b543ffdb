package io.slirp4j.stack;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.slirp4j.stack.dhcp.DhcpServer;
import io.slirp4j.stack.dhcpv6.Dhcpv6Server;
import io.slirp4j.stack.dns.DnsForwarder;
import io.slirp4j.stack.host.HostDatagrams;
import io.slirp4j.stack.host.HostPings;
import io.slirp4j.stack.host.HostStreams;
import io.slirp4j.stack.iface.AddressPolicy;
import io.slirp4j.stack.iface.ipv4.ArpResponder;
import io.slirp4j.stack.iface.GuestLink;
import io.slirp4j.stack.iface.ipv4.Ipv4Input;
import io.slirp4j.stack.iface.ipv4.Ipv4Reassembler;
import io.slirp4j.stack.icmp.IcmpEngine;
import io.slirp4j.stack.icmp.Icmpv6Engine;
import io.slirp4j.stack.iface.ipv6.Ipv6Input;
import io.slirp4j.stack.iface.ipv6.Ipv6Reassembler;
import io.slirp4j.stack.iface.ipv6.NeighborDiscovery;
import io.slirp4j.stack.nat.NatPolicy;
import io.slirp4j.stack.stats.ArpCounters;
import io.slirp4j.stack.stats.DhcpCounters;
import io.slirp4j.stack.stats.Dhcpv6Counters;
import io.slirp4j.stack.stats.DnsCounters;
import io.slirp4j.stack.stats.ErrorCounters;
import io.slirp4j.stack.stats.FrameCounters;
import io.slirp4j.stack.stats.IcmpCounters;
import io.slirp4j.stack.stats.Icmpv6Counters;
import io.slirp4j.stack.stats.Ipv4Counters;
import io.slirp4j.stack.stats.Ipv6Counters;
import io.slirp4j.stack.stats.TcpCounters;
import io.slirp4j.stack.stats.UdpCounters;
import io.slirp4j.stack.tcp.IsnSource;
import io.slirp4j.stack.forward.ForwardTable;
import io.slirp4j.stack.tcp.BufferBudget;
import io.slirp4j.stack.tcp.TcpConfig;
import io.slirp4j.stack.tcp.TcpKeepalive;
import io.slirp4j.stack.tcp.TcpNat;
import io.slirp4j.stack.udp.UdpInput;
import io.slirp4j.stack.udp.UdpNat;
import io.slirp4j.stack.wire.EthernetFrame;
import io.slirp4j.stack.wire.Ipv4Packet;
import io.slirp4j.stack.wire.Ipv6Packet;
import io.slirp4j.stack.wire.ParseResult;
import io.slirp4j.stack.wire.UdpDatagram;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The userspace network stack as the program sees it: Ethernet frames from the guest in, frames for the guest
 * out through a {@link FrameSink}, host sockets through {@link HostDatagrams}, time from a clock.
 *
 * <p>Theory of operation: {@link #onFrame} demultiplexes by EtherType to ARP ({@link ArpResponder}) or IPv4
 * ({@link Ipv4Input}, which validates, filters, reassembles and hands datagrams to ICMP, or to UDP: the DHCP
 * server and the {@link UdpNat} with its {@link DnsForwarder}). Everything the stack sends to the guest goes
 * through one {@link GuestLink}. Host datagrams arrive on the receivers the NAT registered with
 * {@code HostDatagrams}, outside of {@code onFrame}. {@link #onTimer} drives every timeout. The stack has no
 * threads and no locks: every method, and every receiver callback, must run on one event loop.
 *
 * <p>Robustness: {@code onFrame} never throws; malformed input is dropped and counted, and a bug that throws is
 * caught at this boundary and counted as {@code internalErrors} (the frame is dropped, the stack goes on).
 *
 * <p>TCP: when constructed with {@link HostStreams}, the {@link TcpNat} is registered for protocol 6 and turns
 * guest connections into host sockets; without, TCP is dropped as unsupported. TCP needs millisecond timers
 * (delayed ACK, RTO): {@link #nextDeadline()} says when {@link #onTimer} next has TCP work, and the caller
 * should call it then, and at least every {@value #HOUSEKEEPING_PERIOD_MS} ms for the coarse timeouts
 * (reassembly, UDP flows, DNS retries), which {@code onTimer} runs at most that often.
 *
 * <p>IPv6 (with {@link NetworkConfig#ipv6()}): EtherType 0x86DD goes to the {@link Ipv6Input}, which hands
 * ICMPv6 to the {@link Icmpv6Engine} (echo, errors; neighbour and router discovery it passes to the
 * {@link NeighborDiscovery}) and TCP and UDP to the same engines as
 * IPv4, which serve both families, except DHCPv6, which the stateless {@link Dhcpv6Server} answers; without IPv6
 * such frames are dropped as unsupported.
 *
 * <p>Offloads: a {@link FrameSink} that finishes frames ({@link FrameSink#offloads()}, a tap with a vnet header)
 * gets TCP segments with the checksum left partial, and TCP super-segments of up to 64 KiB with the MSS to cut them
 * to (fewer, larger writes whatever the MTU; the guest's kernel takes them whole, and cuts them only to forward
 * them); frames from the guest that the link vouches for
 * ({@link #onFrame(ByteBuf, boolean)}) skip checksum verification and may be super-segments themselves.
 *
 * <p>ICMP echo to outside addresses: when constructed with {@link HostPings}, the guest's pings of outside addresses,
 * IPv4 and IPv6 alike, go through host echo sockets (see {@code icmp/IcmpNat}); without, they are dropped as
 * unsupported.
 */
public final class Stack implements AutoCloseable {
    /** How many UDP flows may be open at once. */
    public static final int MAX_UDP_FLOWS = UdpNat.DEFAULT_MAX_FLOWS;
    /**
     * How many ICMP and ICMPv6 echo flows (host ping sockets) may be open at once, both families together; beyond that
     * the least recently used closes.
     */
    public static final int MAX_ECHO_FLOWS = IcmpEngine.DEFAULT_MAX_ECHO_FLOWS;
    /** How many TCP connections may be in the table at once (connecting, open, closing, TIME_WAIT). */
    public static final int MAX_TCP_CONNECTIONS = TcpNat.DEFAULT_MAX_CONNECTIONS;
    /** The TCP buffer budget when none is given: 32 connections' worth of full 4 MiB windows both ways. */
    public static final long DEFAULT_TCP_BUDGET = 128L << 20;
    /** How often (at most) {@link #onTimer} runs the coarse timeouts: reassembly, UDP flows, DNS. */
    public static final long HOUSEKEEPING_PERIOD_MS = 250;

    private final NetworkConfig config;
    private final LongSupplier clock;
    private final FrameCounters frames = new FrameCounters();
    private final ErrorCounters errors = new ErrorCounters();
    private final ArpCounters arpCounters = new ArpCounters();
    private final Ipv4Counters ipv4Counters = new Ipv4Counters();
    private final IcmpCounters icmpCounters = new IcmpCounters();
    private final UdpCounters udpCounters = new UdpCounters();
    private final DnsCounters dnsCounters = new DnsCounters();
    private final DhcpCounters dhcpCounters = new DhcpCounters();
    private final Dhcpv6Counters dhcpv6Counters = new Dhcpv6Counters();
    private final TcpCounters tcpCounters = new TcpCounters();
    private final Ipv6Counters ipv6Counters = new Ipv6Counters();
    private final Icmpv6Counters icmpv6Counters = new Icmpv6Counters();
    private final GuestLink link;
    private final ArpResponder arp;
    private final Ipv4Reassembler reassembler;
    private final Ipv4Input ipv4;
    private final Ipv6Input ipv6;
    private final Ipv6Reassembler reassembler6;
    private final Icmpv6Engine icmp6;
    private final NeighborDiscovery neighborDiscovery;
    private final DnsForwarder dns;
    private final UdpNat udp;
    private final IcmpEngine icmp;
    private final TcpNat tcp;
    private final BufferBudget tcpBudget;
    private final ForwardTable forwards;
    private final EthernetFrame ethernet = new EthernetFrame();
    private long lastHousekeeping;
    private boolean closed;

    /**
     * @param config      the virtual network
     * @param alloc       allocates every frame and copy the stack makes
     * @param toGuest     receives frames for the guest (ownership passes with each frame)
     * @param hostUdp     opens the UDP NAT's host sockets
     * @param nameservers the host's resolvers for the DNS forwarder (e.g. {@link ResolvConf})
     * @param clockMillis milliseconds, monotonic (e.g. {@code System.nanoTime() / 1_000_000})
     */
    public Stack(NetworkConfig config, ByteBufAllocator alloc, FrameSink toGuest, HostDatagrams hostUdp,
        Nameservers nameservers, LongSupplier clockMillis) {
        this(config, alloc, toGuest, hostUdp, null, nameservers, clockMillis, MAX_UDP_FLOWS, MAX_TCP_CONNECTIONS,
            BufferBudget.unlimited());
    }

    /**
     * A stack with TCP: as above, plus {@code hostTcp}, which opens the TCP NAT's host connections, and the
     * most TCP connections to hold at once (mind the process's fd limit: each open one is a host socket).
     */
    public Stack(NetworkConfig config, ByteBufAllocator alloc, FrameSink toGuest, HostDatagrams hostUdp,
        HostStreams hostTcp, Nameservers nameservers, LongSupplier clockMillis, int maxTcpConnections) {
        this(config, alloc, toGuest, hostUdp, hostTcp, nameservers, clockMillis, maxTcpConnections,
            new BufferBudget(DEFAULT_TCP_BUDGET, BufferBudget.DEFAULT_FLOOR));
    }

    /**
     * As above, with the memory budget every TCP connection's buffers share (size it well inside the memory the
     * allocator may use: what the budget allows is held in the allocator's buffers).
     */
    public Stack(NetworkConfig config, ByteBufAllocator alloc, FrameSink toGuest, HostDatagrams hostUdp,
        HostStreams hostTcp, Nameservers nameservers, LongSupplier clockMillis, int maxTcpConnections,
        BufferBudget tcpBudget) {
        this(config, alloc, toGuest, hostUdp, Objects.requireNonNull(hostTcp, "hostTcp"), nameservers, clockMillis,
            MAX_UDP_FLOWS, maxTcpConnections, Objects.requireNonNull(tcpBudget, "tcpBudget"));
    }

    Stack(NetworkConfig config, ByteBufAllocator alloc, FrameSink toGuest, HostDatagrams hostUdp,
        Nameservers nameservers, LongSupplier clockMillis, int maxUdpFlows) {
        this(config, alloc, toGuest, hostUdp, null, nameservers, clockMillis, maxUdpFlows, MAX_TCP_CONNECTIONS,
            BufferBudget.unlimited());
    }

    Stack(NetworkConfig config, ByteBufAllocator alloc, FrameSink toGuest, HostDatagrams hostUdp,
        HostStreams hostTcp, Nameservers nameservers, LongSupplier clockMillis, int maxUdpFlows,
        int maxTcpConnections, BufferBudget tcpBudget) {
        this(config, alloc, toGuest, hostUdp, hostTcp, null, nameservers, clockMillis, maxUdpFlows, maxTcpConnections,
            tcpBudget, IcmpEngine.DEFAULT_MAX_ECHO_FLOWS);
    }

    /**
     * A stack with TCP and with ICMP echo to outside addresses: as above, plus {@code hostPings}, which opens the host
     * echo sockets (ping sockets) the guest's pings of outside addresses go through, at most
     * {@link #MAX_ECHO_FLOWS} at once.
     */
    public Stack(NetworkConfig config, ByteBufAllocator alloc, FrameSink toGuest, HostDatagrams hostUdp,
        HostStreams hostTcp, HostPings hostPings, Nameservers nameservers, LongSupplier clockMillis,
        int maxTcpConnections, BufferBudget tcpBudget) {
        this(config, alloc, toGuest, hostUdp, Objects.requireNonNull(hostTcp, "hostTcp"),
            Objects.requireNonNull(hostPings, "hostPings"), nameservers, clockMillis, MAX_UDP_FLOWS, maxTcpConnections,
            Objects.requireNonNull(tcpBudget, "tcpBudget"), MAX_ECHO_FLOWS, TcpKeepalive.DEFAULTS);
    }

    /**
     * As above, with the keepalive timings of the TCP connections with the guest (the host sockets' own keepalive
     * is {@code hostTcp}'s business).
     */
    public Stack(NetworkConfig config, ByteBufAllocator alloc, FrameSink toGuest, HostDatagrams hostUdp,
        HostStreams hostTcp, HostPings hostPings, Nameservers nameservers, LongSupplier clockMillis,
        int maxTcpConnections, BufferBudget tcpBudget, TcpKeepalive keepalive) {
        this(config, alloc, toGuest, hostUdp, Objects.requireNonNull(hostTcp, "hostTcp"),
            Objects.requireNonNull(hostPings, "hostPings"), nameservers, clockMillis, MAX_UDP_FLOWS, maxTcpConnections,
            Objects.requireNonNull(tcpBudget, "tcpBudget"), MAX_ECHO_FLOWS,
            Objects.requireNonNull(keepalive, "keepalive"));
    }

    Stack(NetworkConfig config, ByteBufAllocator alloc, FrameSink toGuest, HostDatagrams hostUdp,
        HostStreams hostTcp, HostPings hostPings, Nameservers nameservers, LongSupplier clockMillis, int maxUdpFlows,
        int maxTcpConnections, BufferBudget tcpBudget, int maxEchoFlows) {
        this(config, alloc, toGuest, hostUdp, hostTcp, hostPings, nameservers, clockMillis, maxUdpFlows,
            maxTcpConnections, tcpBudget, maxEchoFlows, TcpKeepalive.DEFAULTS);
    }

    Stack(NetworkConfig config, ByteBufAllocator alloc, FrameSink toGuest, HostDatagrams hostUdp,
        HostStreams hostTcp, HostPings hostPings, Nameservers nameservers, LongSupplier clockMillis, int maxUdpFlows,
        int maxTcpConnections, BufferBudget tcpBudget, int maxEchoFlows, TcpKeepalive keepalive) {
        this(config, alloc, toGuest, hostUdp, hostTcp, hostPings, nameservers, clockMillis, maxUdpFlows,
            maxTcpConnections, tcpBudget, maxEchoFlows, keepalive, IsnSource.rfc6528());
    }

    /** As above, with the TCP connections' initial sequence numbers from {@code isn}: fixed, a run repeats exactly. */
    Stack(NetworkConfig config, ByteBufAllocator alloc, FrameSink toGuest, HostDatagrams hostUdp,
        HostStreams hostTcp, HostPings hostPings, Nameservers nameservers, LongSupplier clockMillis, int maxUdpFlows,
        int maxTcpConnections, BufferBudget tcpBudget, int maxEchoFlows, IsnSource isn) {
        this(config, alloc, toGuest, hostUdp, hostTcp, hostPings, nameservers, clockMillis, maxUdpFlows,
            maxTcpConnections, tcpBudget, maxEchoFlows, TcpKeepalive.DEFAULTS, isn);
    }

    private Stack(NetworkConfig config, ByteBufAllocator alloc, FrameSink toGuest, HostDatagrams hostUdp,
        HostStreams hostTcp, HostPings hostPings, Nameservers nameservers, LongSupplier clockMillis, int maxUdpFlows,
        int maxTcpConnections, BufferBudget tcpBudget, int maxEchoFlows, TcpKeepalive keepalive, IsnSource isn) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(alloc, "alloc");
        Objects.requireNonNull(toGuest, "toGuest");
        Objects.requireNonNull(hostUdp, "hostUdp");
        Objects.requireNonNull(nameservers, "nameservers");
        this.clock = Objects.requireNonNull(clockMillis, "clockMillis");
        AddressPolicy addresses = new AddressPolicy(config);
        NatPolicy nat = new NatPolicy(config, addresses);
        HostMirror.Services services = config.mirrored() ? config.mirror().services() : HostMirror.Services.ALL;
        this.link = new GuestLink(config, alloc, toGuest, frames, arpCounters, ipv4Counters, ipv6Counters,
            icmpv6Counters, clock);
        this.arp = new ArpResponder(addresses, link, frames, arpCounters, clock);
        this.reassembler = new Ipv4Reassembler(alloc, ipv4Counters);
        this.ipv4 = new Ipv4Input(addresses, link, reassembler, frames, ipv4Counters, errors, clock);
        if (config.ipv6Enabled()) {
            this.reassembler6 = new Ipv6Reassembler(alloc, ipv6Counters);
            this.ipv6 = new Ipv6Input(addresses, link, reassembler6, frames, ipv6Counters, clock);
            // the O flag: the DHCPv6 server below answers Information-Requests (libslirp serves DHCPv6 too, but
            // leaves the flag off, so guest clients that follow it never ask)
            this.neighborDiscovery = new NeighborDiscovery(config, addresses, link, frames, icmpv6Counters,
                services.dhcpv6(), clock);
            this.icmp6 = new Icmpv6Engine(config, addresses, link, neighborDiscovery, frames, icmpv6Counters);
            ipv6.register(Ipv6Packet.NEXT_HEADER_ICMPV6, icmp6);
        } else {
            this.reassembler6 = null;
            this.ipv6 = null;
            this.icmp6 = null;
            this.neighborDiscovery = null;
        }
        // echo sockets bind --outbound-addr's and --outbound-addr6's addresses like TCP and UDP (null: the system's)
        IcmpEngine icmp = hostPings == null ? new IcmpEngine(addresses, link, frames, icmpCounters, icmp6)
            : new IcmpEngine(nat, link, hostPings, config.outboundAddress4(), config.outboundAddress6(), frames,
                icmpCounters, errors, clock, maxEchoFlows, icmp6);
        this.icmp = icmp;
        this.dns = new DnsForwarder(alloc, dnsCounters);
        this.udp = new UdpNat(nat, link, icmp, hostUdp, dns, nameservers, frames, udpCounters,
            dnsCounters, errors, clock, maxUdpFlows);
        DhcpServer dhcp = services.dhcp() ? new DhcpServer(config, link, frames, dhcpCounters, clock) : null;
        ipv4.register(Ipv4Packet.PROTOCOL_ICMP, icmp);
        Dhcpv6Server dhcp6 = config.ipv6Enabled() && services.dhcpv6()
            ? new Dhcpv6Server(config, link, frames, dhcpv6Counters) : null;
        UdpInput udpInput = new UdpInput(addresses, udp, dhcp, dhcp6, frames);
        ipv4.register(Ipv4Packet.PROTOCOL_UDP, udpInput);
        if (ipv6 != null) {
            ipv6.register(Ipv6Packet.NEXT_HEADER_UDP, udpInput);
        }
        if (hostTcp != null) {
            // MTU - 40, but at least 64 (TcpConfig's floor): below an MTU of 104 the link fragments our segments.
            // With a link that cuts segments (a tap with a vnet header), up to 64 KiB at a time whatever the MTU,
            // but not below 104, where segments would need fragments rather than cutting
            boolean segmentation = link.offloads().tcpSegmentation() && config.mtu() - 40 >= 64;
            TcpConfig tcpConfig = TcpConfig.builder().allocator(alloc).mss(Math.max(64, config.mtu() - 40))
                .budget(tcpBudget)
                .keepalive(keepalive)
                .segmentationOffload(segmentation ? LinkOffloads.MAX_SEGMENTATION_BYTES : 0)
                .build();
            this.tcp = new TcpNat(nat, link, icmp, hostTcp, nameservers, dns::preferred, frames, tcpCounters,
                errors, clock, tcpConfig, Objects.requireNonNull(isn, "isn"), maxTcpConnections);
            ipv4.register(Ipv4Packet.PROTOCOL_TCP, tcp);
            if (ipv6 != null) {
                ipv6.register(Ipv6Packet.NEXT_HEADER_TCP, tcp);
            }
        } else {
            this.tcp = null;
        }
        this.tcpBudget = tcpBudget;
        this.forwards = new ForwardTable(nat, hostTcp, tcp, udp);
        this.lastHousekeeping = clock.getAsLong();
    }

    public NetworkConfig config() {
        return config;
    }

    /**
     * One Ethernet frame from the guest, between its reader and writer index. The stack takes ownership and
     * releases it before returning. Never throws.
     */
    public void onFrame(ByteBuf frame) {
        onFrame(frame, false);
    }

    /** The most datagrams a UDP super-frame from the guest may hold: the largest UDP_MAX_SEGMENTS (64, later 128). */
    static final int MAX_GUEST_UDP_SEGMENTS = 128;

    /**
     * UDP datagrams of one flow that the guest's kernel left in one frame for the link to cut (its UDP
     * segmentation offload through a tap with a vnet header: GSO_UDP_L4, the checksum partial): cut here as the
     * kernel cuts them ({@link SoftwareOffload}), each datagram's checksum completed from the partial one, and
     * taken as frames of their own. Only the plain layouts the kernel makes are taken (IPv4 with its options, IPv6
     * without extension headers, UDP right after, at most {@value #MAX_GUEST_UDP_SEGMENTS} datagrams); anything else
     * is dropped as malformed. Ownership passes.
     *
     * @param udpStart    where the UDP header starts, from the frame's first byte (the vnet header's csum_start)
     * @param segmentSize payload bytes per datagram, the last may have fewer (the vnet header's gso_size)
     */
    public void onUdpSuperFrame(ByteBuf frame, int udpStart, int segmentSize) {
        int length = frame.readableBytes();
        int ip = frame.readerIndex() + EthernetFrame.HEADER_LENGTH;
        int ethertype = length >= EthernetFrame.HEADER_LENGTH ? frame.getUnsignedShort(ip - 2) : 0;
        boolean ipv6 = ethertype == EthernetFrame.TYPE_IPV6;
        boolean plain;
        if (ethertype == EthernetFrame.TYPE_IPV4
            && length >= EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH) {
            plain = Ipv4Packet.protocol(frame, ip) == Ipv4Packet.PROTOCOL_UDP
                && udpStart == EthernetFrame.HEADER_LENGTH + Ipv4Packet.headerLength(frame, ip);
        } else if (ipv6 && length >= EthernetFrame.HEADER_LENGTH + Ipv6Packet.HEADER_LENGTH) {
            plain = Ipv6Packet.nextHeader(frame, ip) == Ipv6Packet.NEXT_HEADER_UDP
                && udpStart == EthernetFrame.HEADER_LENGTH + Ipv6Packet.HEADER_LENGTH;
        } else {
            plain = false;
        }
        int headers = udpStart + UdpDatagram.HEADER_LENGTH;
        if (!plain || segmentSize <= 0 || segmentSize > 0xFFFF || headers > length
            || length - headers > (long) segmentSize * MAX_GUEST_UDP_SEGMENTS) {
            frames.in++;
            frames.droppedMalformed++;
            frame.release();
            return;
        }
        try {
            SoftwareOffload.finish(frame, FrameOffload.udpSegmentation(ipv6, udpStart, headers, segmentSize),
                frame.alloc(), datagram -> onFrame(datagram, true));
        } catch (RuntimeException e) {
            errors.internalError(e); // only a bug: SoftwareOffload released what it had not passed on
        }
    }

    /**
     * As {@link #onFrame(ByteBuf)}; {@code checksumTrusted}: the link vouches for the frame's TCP or UDP checksum
     * (a tap with a vnet header received it with VIRTIO_NET_HDR_F_NEEDS_CSUM or DATA_VALID: the guest's kernel left
     * it to the link, or checked it), so it is not verified. Such a frame may be a TCP super-segment larger than the
     * MTU (the guest's TSO), which the stack takes as one segment.
     */
    public void onFrame(ByteBuf frame, boolean checksumTrusted) {
        if (frame == null) {
            return;
        }
        try {
            frames.in++;
            if (closed) {
                frames.droppedFiltered++;
                return;
            }
            if (ethernet.wrap(frame, frame.readerIndex(), frame.readableBytes()) != ParseResult.OK) {
                frames.droppedMalformed++;
                return;
            }
            switch (ethernet.etherType()) {
                case EthernetFrame.TYPE_ARP -> arp.onFrame(ethernet);
                case EthernetFrame.TYPE_IPV4 -> ipv4.onPacket(frame, ethernet.payloadOffset(),
                    ethernet.payloadLength(), ethernet.source(), checksumTrusted);
                case EthernetFrame.TYPE_IPV6 -> {
                    if (ipv6 == null) {
                        frames.droppedUnsupported++;
                    } else {
                        ipv6.onPacket(frame, ethernet.payloadOffset(), ethernet.payloadLength(), ethernet.source(),
                            checksumTrusted);
                    }
                }
                default -> frames.droppedUnsupported++;
            }
        } catch (RuntimeException e) {
            // Only a bug gets here (views never throw on input); losing one frame beats losing the network.
            errors.internalError(e);
        } finally {
            releaseQuietly(frame);
            flushQuietly();
        }
    }

    /**
     * Drives timeouts: TCP's (whenever due), and every {@value #HOUSEKEEPING_PERIOD_MS} ms reassembly, UDP flow
     * expiry, ICMP echo flow expiry and DNS retries. Call at {@link #nextDeadline()} and at least every {@value #HOUSEKEEPING_PERIOD_MS}
     * ms. Never throws.
     */
    public void onTimer() {
        if (closed) {
            return;
        }
        try {
            long now = clock.getAsLong();
            if (tcp != null) {
                tcp.onTimer(now);
            }
            if (now - lastHousekeeping >= HOUSEKEEPING_PERIOD_MS) {
                lastHousekeeping = now;
                reassembler.expire(now);
                link.expireParked(now);
                dns.onTimer(now);
                udp.expire(now);
                icmp.expire(now);
                if (icmp6 != null) {
                    reassembler6.expire(now);
                    neighborDiscovery.onTimer(now);
                }
            }
        } catch (RuntimeException e) {
            errors.internalError(e);
        } finally {
            flushQuietly();
        }
    }

    /**
     * The earliest clock time at which {@link #onTimer} has TCP work to do (delayed ACKs, retransmissions,
     * probes, TIME_WAIT), or {@link Long#MAX_VALUE} for none. Changes after every call into the stack (a frame, a
     * timer, a host event). The coarse timeouts are not included: call {@code onTimer} at least every
     * {@value #HOUSEKEEPING_PERIOD_MS} ms anyway.
     */
    public long nextDeadline() {
        if (closed || tcp == null) {
            return Long.MAX_VALUE;
        }
        try {
            return tcp.nextDeadline();
        } catch (RuntimeException e) {
            errors.internalError(e);
            return Long.MAX_VALUE;
        }
    }

    /**
     * Runs after every host event the stack handled on its own (TCP reads, write completions, connects): the
     * program re-arms its timer for {@link #nextDeadline()} there. Null for none.
     */
    public void afterHostEvent(Runnable hook) {
        if (tcp != null) {
            tcp.afterHostEvent(hook);
        }
    }

    /**
     * Where to report internal errors (bugs caught at the stack's boundary, also counted in
     * {@code stats().errors().internalErrors()}), e.g. to log them; null for none. Called on the event loop.
     */
    public void onInternalError(java.util.function.Consumer<? super RuntimeException> listener) {
        errors.internalErrorListener(listener);
    }

    /** The port forwards (confined to the stack's loop, like the rest of it). */
    public ForwardTable forwards() {
        return forwards;
    }

    /** A snapshot of the counters. */
    public StackStats stats() {
        return new StackStats(frames.snapshot(), errors.snapshot(), arpCounters.snapshot(),
            ipv4Counters.snapshot(reassembler.inProgress()), icmpCounters.snapshot(icmp.openEchoFlows()),
            udpCounters.snapshot(udp.openFlows()), dnsCounters.snapshot(dns.pending()), dhcpCounters.snapshot(),
            tcpCounters.snapshot(tcp == null ? 0 : tcp.openConnections(), tcpBudget.used(), tcpBudget.peak(),
                tcpBudget.limit(), tcpBudget.exhaustions(), tcpBudget.shortages()),
            ipv6Counters.snapshot(reassembler6 == null ? 0 : reassembler6.inProgress()),
            icmpv6Counters.snapshot(icmp.openEchoFlows6()), dhcpv6Counters.snapshot());
    }

    /** Closes every host socket and releases every buffer the stack holds. Later frames are dropped. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        forwards.close();
        try {
            if (tcp != null) {
                tcp.close();
            }
        } catch (RuntimeException e) {
            errors.internalError(e);
        }
        try {
            icmp.close();
        } catch (RuntimeException e) {
            errors.internalError(e);
        }
        try {
            udp.close();
        } finally {
            dns.close();
            reassembler.clear();
            if (reassembler6 != null) {
                reassembler6.clear();
            }
            link.clearParked();
            flushQuietly();
        }
    }

    private void releaseQuietly(ByteBuf frame) {
        try {
            if (frame.refCnt() > 0) {
                frame.release();
            }
        } catch (RuntimeException e) {
            errors.internalError(e);
        }
    }

    private void flushQuietly() {
        try {
            link.flushIfNeeded();
        } catch (RuntimeException e) {
            errors.internalError(e);
        }
    }
}
