package io.slirp4j.pasta;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * pasta's forwards from the namespace to the host (-T, -U): listeners on the namespace's loopback (127.0.0.1, and ::1
 * when the namespace has IPv6), each connection or datagram relayed to the same (or mapped) port on the host's
 * loopback of the client's family, as pasta's "spliced" path does.
 *
 * <p>Theory of operation. The listening sockets are made in the target namespace by a {@link SocketMaker} (a thread
 * kept there, see {@code NetnsSocketFactory}), and wrapped as Netty channels on the helper's one event loop, which
 * binds them and, like everything else here, runs in the host's namespace: the sockets of the host side are made
 * there. TCP: an accepted connection waits (autoRead off) until the host side connects, then the two channels relay
 * with backpressure (a side stops reading while the other is not writable), half-close both ways (the end of one side's
 * input shuts the other's output; a channel closes when both of its directions have ended) and close together on an
 * error; a refused host connection resets the namespace's client. UDP: one connected host socket per client address
 * of the namespace, whose replies go back to that client from the listener's address; a flow idle for
 * {@link #UDP_IDLE_MILLIS} is closed. With {@code auto}, the host's bound ports are read every {@link #SCAN_MILLIS} and
 * the listeners follow them: opened for a port the host binds, closed again when it no longer does (connections
 * already relayed go on), leaving out the host ports that -t/-u auto holds ({@link InboundAutoForwards}), which would
 * otherwise come back as a loop. Everything runs on the loop, no locks.
 */
public final class NamespaceForwards {
    /** How often {@code auto} looks at the host's ports, as pasta. */
    public static final long SCAN_MILLIS = 1000;
    /** A UDP flow without a datagram either way for this long is closed (pasta's UDP_CONN_TIMEOUT is 180 s). */
    public static final long UDP_IDLE_MILLIS = 180_000;
    static final int DATAGRAM_BUFFER = 65536;
    /** UDP flows (host sockets) per forwarded port at most; a new client beyond that ends the least recently used. */
    public static final int MAX_UDP_FLOWS_PER_PORT = 256;

    /** Makes a socket in the target namespace (a descriptor, non-blocking, unbound). */
    public interface SocketMaker {
        int stream(boolean ipv4) throws IOException;

        int datagram(boolean ipv4) throws IOException;
    }

    private static final InetAddress LOOPBACK4 = InetAddress.getLoopbackAddress();
    private static final InetAddress LOOPBACK6;

    static {
        try {
            LOOPBACK6 = InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final IoEventLoop loop;
    private final SocketMaker maker;
    private final NamespaceForwardPlan plan;
    private final HostPortScanner scanner;
    private final java.util.function.Supplier<BitSet> ownUdpPorts;
    /** Listeners by namespace port: TCP and UDP (loop-confined). */
    private final Map<Integer, List<Channel>> tcpListeners = new TreeMap<>();
    private final Map<Integer, UdpPort> udpPorts = new TreeMap<>();
    /** The ports {@code auto} forwards now (a port whose bind failed counts, so it is not retried every second). */
    private final BitSet tcpAuto = new BitSet();
    private final BitSet udpAuto = new BitSet();
    private ScheduledFuture<?> scan;
    private ScheduledFuture<?> sweep;
    private boolean closed;
    /**
     * The host ports forwarded the other way right now by -t/-u auto ({@link InboundAutoForwards}), whose listeners
     * auto must not mirror back into the namespace (as pasta's scan leaves out the reverse direction's ports).
     */
    private java.util.function.Function<Boolean, BitSet> reverse = tcp -> new BitSet();

    /**
     * @param scanner     the host's ports, for {@code auto}; null without (auto then forwards nothing)
     * @param ownUdpPorts the ports of this helper's own host UDP sockets now (the NAT's flows: bound, unconnected,
     *                    so they look like servers in /proc/net/udp), which -U auto leaves out
     */
    public NamespaceForwards(IoEventLoop loop, SocketMaker maker, NamespaceForwardPlan plan, HostPortScanner scanner,
        java.util.function.Supplier<BitSet> ownUdpPorts) {
        this.loop = loop;
        this.maker = maker;
        this.plan = plan;
        this.scanner = scanner;
        this.ownUdpPorts = ownUdpPorts;
    }

    /**
     * On the loop: opens the explicit forwards, then, with {@code auto}, those of the host's ports bound now, and
     * starts the scans. Returns what went wrong with the first explicit forward that could not listen, or null.
     */
    public String start() {
        for (Map.Entry<Integer, Integer> f : plan.tcp().fixed().entrySet()) {
            String failure = openTcp(f.getKey(), f.getValue());
            if (failure != null) {
                return "cannot forward TCP port " + f.getKey() + " from the namespace: " + failure;
            }
        }
        for (Map.Entry<Integer, Integer> f : plan.udp().fixed().entrySet()) {
            String failure = openUdp(f.getKey(), f.getValue());
            if (failure != null) {
                return "cannot forward UDP port " + f.getKey() + " from the namespace: " + failure;
            }
        }
        if (scanner != null && plan.hasAuto()) {
            rescan();
            scan = loop.scheduleWithFixedDelay(this::rescan, SCAN_MILLIS, SCAN_MILLIS, TimeUnit.MILLISECONDS);
        }
        if (!plan.udp().empty()) {
            sweep = loop.scheduleWithFixedDelay(this::sweepUdp, 10, 10, TimeUnit.SECONDS);
        }
        return null;
    }

    /** One scan of the host's ports, and the listeners brought in line (loop). */
    void rescan() {
        if (closed) {
            return;
        }
        BitSet tcpBound = scanner.tcpListening();
        tcpBound.andNot(reverse.apply(true));
        if (plan.tcp().auto() != null) {
            BitSet wanted = HostPortScanner.wanted(tcpBound, plan.tcp().auto(), plan.tcp().exclude());
            apply(HostPortScanner.diff(tcpAuto, wanted), tcpAuto, true);
        }
        if (plan.udp().auto() != null) {
            // as pasta: UDP ports bound, and the numbers of TCP ports listening too (iperf3 and the like)
            BitSet udpBound = scanner.udpBound();
            udpBound.andNot(ownUdpPorts.get());
            udpBound.andNot(reverse.apply(false));
            udpBound.or(tcpBound);
            BitSet wanted = HostPortScanner.wanted(udpBound, plan.udp().auto(), plan.udp().exclude());
            apply(HostPortScanner.diff(udpAuto, wanted), udpAuto, false);
        }
    }

    private void apply(HostPortScanner.Diff diff, BitSet current, boolean tcp) {
        for (int port = diff.removed().nextSetBit(0); port >= 0; port = diff.removed().nextSetBit(port + 1)) {
            current.clear(port);
            if (tcp) {
                closeAll(tcpListeners.remove(port));
            } else {
                UdpPort u = udpPorts.remove(port);
                if (u != null) {
                    u.close();
                }
            }
        }
        for (int port = diff.added().nextSetBit(0); port >= 0; port = diff.added().nextSetBit(port + 1)) {
            current.set(port);
            // a port the namespace already uses itself is left to it, as pasta does; not retried while bound
            if (tcp) {
                openTcp(port, port);
            } else {
                openUdp(port, port);
            }
        }
    }

    /** What -t/-u auto forwards now, by protocol (true: TCP), for auto here to leave out (set before start). */
    public void excludeReverse(java.util.function.Function<Boolean, BitSet> ports) {
        this.reverse = ports;
    }

    /** The namespace ports this listens on now (TCP or UDP), which -t/-u auto must not forward back (loop). */
    public BitSet listening(boolean tcp) {
        BitSet ports = new BitSet();
        (tcp ? tcpListeners.keySet() : udpPorts.keySet()).forEach(ports::set);
        return ports;
    }

    /** Whether the namespace's port is forwarded now (for tests and the log). */
    public boolean forwarding(boolean tcp, int port) {
        return tcp ? tcpListeners.containsKey(port) : udpPorts.containsKey(port);
    }

    /** How many UDP flows the forwarded namespace port has now (loop; tests). */
    int udpFlows(int port) {
        UdpPort u = udpPorts.get(port);
        return u == null ? 0 : u.flowCount();
    }

    // ---- TCP

    /** Listens on the namespace's loopback at {@code port}; returns null, or why not even IPv4 could listen. */
    private String openTcp(int port, int target) {
        List<Channel> listeners = new ArrayList<>();
        String failure = null;
        for (boolean ipv4 : families()) {
            try {
                EpollServerSocketChannel server = new EpollServerSocketChannel(maker.stream(ipv4));
                server.config().setReuseAddress(true);
                server.pipeline().addLast(new Acceptor(target));
                ChannelFuture bound = register(server).isSuccess()
                    ? server.bind(new InetSocketAddress(ipv4 ? LOOPBACK4 : LOOPBACK6, port)) : server.newFailedFuture(
                        new IOException("cannot register"));
                if (bound.isDone() && !bound.isSuccess()) {
                    server.close();
                    if (ipv4) {
                        failure = bound.cause().getMessage();
                    }
                    continue;
                }
                listeners.add(server);
            } catch (IOException | RuntimeException e) {
                if (ipv4) {
                    failure = e.getMessage();
                }
            }
        }
        if (failure != null) {
            closeAll(listeners);
            return failure;
        }
        tcpListeners.put(port, listeners);
        return null;
    }

    private ChannelFuture register(Channel channel) {
        ChannelFuture f = loop.register(channel);
        if (f.isDone() && !f.isSuccess()) {
            channel.unsafe().closeForcibly();
        }
        return f;
    }

    /**
     * Takes the namespace's connections. An accepted connection is registered with the loop only once its host side
     * is connected: until then nothing reads it, so what the client sent (and its FIN) waits in the kernel. (Netty
     * reads a registered channel on EPOLLRDHUP even with autoRead off, and would report the end of input first.)
     */
    private final class Acceptor extends ChannelInboundHandlerAdapter {
        private final int target;

        Acceptor(int target) {
            this.target = target;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel child = (Channel) msg;
            try {
                child.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
                connectHost(child, target);
            } catch (RuntimeException e) {
                child.unsafe().closeForcibly();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // accept failed (EMFILE, say): the listener stays, the client retries
        }
    }

    private void connectHost(Channel ns, int target) {
        boolean ipv4 = ((InetSocketAddress) ns.localAddress()).getAddress() instanceof Inet4Address;
        ChannelFuture connect = new Bootstrap().group(loop)
            .channelFactory(() -> new EpollSocketChannel(ipv4 ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6))
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(ChannelOption.AUTO_READ, false)
            .handler(new Relay(ns))
            .connect(new InetSocketAddress(ipv4 ? LOOPBACK4 : LOOPBACK6, target));
        Channel host = connect.channel();
        connect.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                reset(ns);
                return;
            }
            ns.pipeline().addLast(new Relay(host));
            loop.register(ns).addListener((ChannelFutureListener) r -> {
                if (r.isSuccess()) {
                    host.config().setAutoRead(true);
                } else {
                    ns.unsafe().closeForcibly();
                    host.close();
                }
            });
        });
    }

    /** Closes an accepted (unregistered) connection with a RST, as one to a port nobody listens on ends. */
    private static void reset(Channel ns) {
        try {
            ns.config().setOption(ChannelOption.SO_LINGER, 0);
        } catch (RuntimeException ignored) {
            // closed already
        }
        ns.unsafe().closeForcibly();
    }

    /** One direction of a relayed connection: what this channel reads goes to {@code peer}. */
    static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel peer;

        Relay(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!peer.isActive()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            peer.write(msg).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            if (!peer.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            peer.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && peer.isActive() && !((DuplexChannel) peer).isInputShutdown()) {
                peer.config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                // this side sent its FIN: pass it on once what it sent before is written
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess() && peer instanceof DuplexChannel d && d.isActive()) {
                        d.shutdownOutput().addListener(x -> closeIfDone(peer));
                    }
                });
                closeIfDone(ctx.channel());
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
            peer.close();
        }

        private static void closeIfDone(Channel c) {
            if (c instanceof DuplexChannel d && d.isInputShutdown() && d.isOutputShutdown()) {
                c.close();
            }
        }
    }

    // ---- UDP

    private String openUdp(int port, int target) {
        List<EpollDatagramChannel> listeners = new ArrayList<>();
        String failure = null;
        UdpPort udp = new UdpPort(target);
        for (boolean ipv4 : families()) {
            try {
                EpollDatagramChannel channel = new EpollDatagramChannel(maker.datagram(ipv4));
                channel.config().setOption(ChannelOption.RECVBUF_ALLOCATOR, datagramAllocator());
                channel.pipeline().addLast(udp.new FromNamespace(channel));
                if (!register(channel).isSuccess()) {
                    continue;
                }
                ChannelFuture bound = channel.bind(new InetSocketAddress(ipv4 ? LOOPBACK4 : LOOPBACK6, port));
                if (bound.isDone() && !bound.isSuccess()) {
                    channel.close();
                    if (ipv4) {
                        failure = bound.cause().getMessage();
                    }
                    continue;
                }
                listeners.add(channel);
            } catch (IOException | RuntimeException e) {
                if (ipv4) {
                    failure = e.getMessage();
                }
            }
        }
        udp.listeners.addAll(listeners);
        if (failure != null) {
            udp.close();
            return failure;
        }
        udpPorts.put(port, udp);
        return null;
    }

    private void sweepUdp() {
        long now = System.nanoTime();
        for (UdpPort u : udpPorts.values()) {
            u.sweep(now);
        }
    }

    /** One forwarded UDP port: its listeners in the namespace and a flow per client. */
    private final class UdpPort {
        final int target;
        final List<Channel> listeners = new ArrayList<>();
        final Map<InetSocketAddress, Flow> flows = new HashMap<>();

        UdpPort(int target) {
            this.target = target;
        }

        void close() {
            closeAll(listeners);
            for (Flow f : new ArrayList<>(flows.values())) {
                f.host.close();
            }
            flows.clear();
        }

        void evictLeastRecentlyUsed() {
            Flow oldest = null;
            for (Flow f : flows.values()) {
                if (oldest == null || f.lastUsed - oldest.lastUsed < 0) {
                    oldest = f;
                }
            }
            if (oldest != null) {
                flows.remove(oldest.client);
                oldest.host.close();
            }
        }

        /** How many flows there are (tests). */
        int flowCount() {
            return flows.size();
        }

        void sweep(long now) {
            for (Iterator<Flow> it = flows.values().iterator(); it.hasNext(); ) {
                Flow f = it.next();
                if (now - f.lastUsed > TimeUnit.MILLISECONDS.toNanos(UDP_IDLE_MILLIS)) {
                    it.remove();
                    f.host.close();
                }
            }
        }

        /** A client's datagrams to the host, and the host's answers back to the client. */
        final class Flow {
            final Channel listener;
            final InetSocketAddress client;
            final ChannelFuture connected;
            final Channel host;
            long lastUsed = System.nanoTime();

            Flow(Channel listener, InetSocketAddress client) {
                this.listener = listener;
                this.client = client;
                boolean ipv4 = client.getAddress() instanceof Inet4Address;
                connected = new Bootstrap().group(loop)
                    .channelFactory(() -> new EpollDatagramChannel(
                        ipv4 ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6))
                    .option(ChannelOption.RECVBUF_ALLOCATOR, datagramAllocator())
                    .handler(new FromHost(this))
                    .connect(new InetSocketAddress(ipv4 ? LOOPBACK4 : LOOPBACK6, target));
                host = connected.channel();
                host.closeFuture().addListener(f -> flows.remove(client, this));
            }

            void send(ByteBuf data) {
                lastUsed = System.nanoTime();
                if (connected.isDone()) {
                    if (connected.isSuccess()) {
                        host.writeAndFlush(data);
                    } else {
                        data.release();
                    }
                    return;
                }
                connected.addListener(f -> {
                    if (f.isSuccess()) {
                        host.writeAndFlush(data);
                    } else {
                        data.release();
                    }
                });
            }
        }

        final class FromNamespace extends ChannelInboundHandlerAdapter {
            private final Channel listener;

            FromNamespace(Channel listener) {
                this.listener = listener;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                DatagramPacket p = (DatagramPacket) msg;
                Flow flow = flows.get(p.sender());
                if (flow == null) {
                    if (flows.size() >= MAX_UDP_FLOWS_PER_PORT) {
                        evictLeastRecentlyUsed();
                    }
                    flow = new Flow(listener, p.sender());
                    flows.put(p.sender(), flow);
                }
                flow.send(p.content());
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // an ICMP error on the listener: nothing to do, the listener stays
            }
        }

        final class FromHost extends ChannelInboundHandlerAdapter {
            private final Flow flow;

            FromHost(Flow flow) {
                this.flow = flow;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf data = msg instanceof DatagramPacket p ? p.content() : (ByteBuf) msg;
                flow.lastUsed = System.nanoTime();
                if (flow.listener.isActive()) {
                    flow.listener.writeAndFlush(new DatagramPacket(data, flow.client));
                } else {
                    data.release();
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // ECONNREFUSED from an ICMP port unreachable: the host's port is closed; the flow times out
            }
        }
    }

    // ----

    /**
     * Whole datagrams (up to 64 KiB), and up to 16 of them per turn of the loop: an allocator set by hand reads one
     * per turn unless told, and stops at any datagram that does not fill its buffer.
     */
    private static FixedRecvByteBufAllocator datagramAllocator() {
        FixedRecvByteBufAllocator a = new FixedRecvByteBufAllocator(DATAGRAM_BUFFER);
        a.respectMaybeMoreData(false);
        a.maxMessagesPerRead(16);
        return a;
    }

    private boolean[] families() {
        return plan.ipv6() ? new boolean[] {true, false} : new boolean[] {true};
    }

    private static void closeAll(List<? extends Channel> channels) {
        if (channels != null) {
            for (Channel c : channels) {
                c.close();
            }
        }
    }

    /** Closes every listener and flow and stops the scans (loop). */
    public void close() {
        closed = true;
        if (scan != null) {
            scan.cancel(false);
        }
        if (sweep != null) {
            sweep.cancel(false);
        }
        for (List<Channel> l : tcpListeners.values()) {
            closeAll(l);
        }
        tcpListeners.clear();
        for (UdpPort u : udpPorts.values()) {
            u.close();
        }
        udpPorts.clear();
        if (scanner != null) {
            scanner.close();
        }
    }
}
