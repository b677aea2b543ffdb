package io.slirp4j.stack.host;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.UncheckedBooleanSupplier;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * {@link HostStreams} on Netty socket channels registered in the stack's own event loop, so that handlers run
 * there and no connection state is shared between threads. The channel class is injected (epoll in the program,
 * NIO in tests), as for {@link NettyHostDatagrams}.
 *
 * <p>Every channel has TCP_NODELAY (the guest's TCP already decided segment boundaries; Nagle here would only add
 * latency) and ALLOW_HALF_CLOSURE (a host FIN is an event, not the end: the guest may go on sending). A write's
 * completion is reported with its length, which is the NAT's cue to reopen the guest's window: so a host peer
 * that does not read stops the guest after one receive window, and Netty's outbound buffer never holds more than
 * that. Every connection's channel also goes through the {@link #socketSetup} the program gives (the kernel's
 * keepalive, so that a host peer that vanished ends in an error, which resets the guest's side). Because Netty fails queued writes on {@code shutdownOutput()} and {@code close()}, both are deferred here
 * until the last queued write completed; a graceful close that waits longer than {@link #CLOSE_LINGER_MS} for a
 * peer that does not read ends with RST.
 *
 * <p>Reads are no larger than the handler can take ({@link StreamHandler#readLimit}, see {@link BoundedReads}): a
 * thousand connections each holding the rest of a 64 KiB read it could not take would pin 64 MiB that no budget
 * counts.
 *
 * <p>Listeners (inbound port forwards) hand each accepted connection to a {@link StreamAcceptor} before it is
 * registered, so no event can reach a stream that has no handler yet; a refused one is reset unregistered.
 *
 * <p>Connect failures are classified from the exception: "refused", "network is unreachable", "no route to host",
 * the connect timeout. Netty's epoll transport reports both ENETUNREACH and EHOSTUNREACH as a bare
 * {@link NoRouteToHostException}; the usual ENETUNREACH (no route at all) fails inside {@code connect(2)} itself,
 * while EHOSTUNREACH (neighbour resolution failed) arrives later, so a synchronous failure counts as network
 * unreachable and a later one as host unreachable.
 */
public final class NettyHostStreams implements HostStreams {
    public static final int DEFAULT_CONNECT_TIMEOUT_MS = 20_000;
    static final long CLOSE_LINGER_MS = 60_000;

    /** The smallest read however little the handler can take: what it cannot take is held, but only this much. */
    static final int MIN_READ = 2048;

    /** How long a listener stops accepting after an accept failed (typically out of fds), as ServerBootstrap does. */
    static final long ACCEPT_PAUSE_MS = 1_000;

    private final EventLoop loop;
    private final Function<Boolean, SocketChannel> newChannel;
    private final Function<Boolean, ServerSocketChannel> newServerChannel;
    private DeviceBinding deviceBinding = DeviceBinding.UNSUPPORTED;
    private Consumer<SocketChannel> socketSetup = channel -> { };
    private final int connectTimeoutMs;

    /**
     * @param newChannel       makes an unregistered channel; its argument is true for IPv4, false for IPv6
     * @param newServerChannel the same for listening sockets
     */
    public NettyHostStreams(EventLoop loop, Function<Boolean, SocketChannel> newChannel,
        Function<Boolean, ServerSocketChannel> newServerChannel) {
        this(loop, newChannel, newServerChannel, DEFAULT_CONNECT_TIMEOUT_MS);
    }

    public NettyHostStreams(EventLoop loop, Function<Boolean, SocketChannel> newChannel,
        Function<Boolean, ServerSocketChannel> newServerChannel, int connectTimeoutMs) {
        this.loop = loop;
        this.newChannel = newChannel;
        this.newServerChannel = newServerChannel;
        this.connectTimeoutMs = connectTimeoutMs;
    }

    /** How {@link #listen(InetSocketAddress, String, StreamAcceptor)} binds to an interface (set before use). */
    public NettyHostStreams deviceBinding(DeviceBinding binding) {
        this.deviceBinding = binding;
        return this;
    }

    /**
     * Runs {@code setup} on every connection's channel before it is registered: outbound ones before they connect,
     * accepted ones before their handler sees them (the program sets the kernel's keepalive there, see
     * {@link io.slirp4j.stack.tcp.TcpKeepalive}). Set before use.
     */
    public NettyHostStreams socketSetup(Consumer<SocketChannel> setup) {
        this.socketSetup = setup;
        return this;
    }

    @Override
    public HostStream connect(InetSocketAddress remote, InetAddress local, StreamHandler handler)
        throws IOException {
        assert loop.inEventLoop();
        SocketChannel channel;
        try {
            channel = newChannel.apply(remote.getAddress() instanceof Inet4Address);
        } catch (RuntimeException e) {
            throw new IOException("cannot create a host socket", e);
        }
        Stream stream = new Stream(channel, handler);
        channel.config().setOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMs);
        channel.config().setOption(ChannelOption.TCP_NODELAY, true);
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        try {
            socketSetup.accept(channel);
        } catch (RuntimeException e) {
            channel.close();
            throw new IOException("cannot set up a host socket", e);
        }
        channel.pipeline().addLast(stream);
        ChannelFuture registered = loop.register(channel);
        if (registered.isDone() && !registered.isSuccess()) {
            channel.close();
            Throwable cause = registered.cause();
            throw cause instanceof IOException io ? io : new IOException("cannot register a host socket", cause);
        }
        stream.connecting = true;
        // with a local address, Netty binds it (port 0) just before connect(2): a bind failure fails the connect
        ChannelFuture connected = local == null ? channel.connect(remote)
            : channel.connect(remote, new InetSocketAddress(local, 0));
        if (connected.isDone()) {
            // never call the handler from inside connect(): the caller has not even seen the stream yet
            loop.execute(() -> stream.connectDone(connected, true));
        } else {
            connected.addListener((ChannelFutureListener) f -> stream.connectDone(f, false));
        }
        return stream;
    }

    @Override
    public HostListener listen(InetSocketAddress local, StreamAcceptor acceptor) throws IOException {
        return listen(local, null, acceptor);
    }

    @Override
    public HostListener listen(InetSocketAddress local, String device, StreamAcceptor acceptor) throws IOException {
        assert loop.inEventLoop();
        ServerSocketChannel server;
        try {
            server = newServerChannel.apply(local.getAddress() instanceof Inet4Address);
        } catch (RuntimeException e) {
            throw new IOException("cannot create a listening socket", e);
        }
        if (device != null) {
            deviceBinding.bind(server, device);
        }
        server.config().setOption(ChannelOption.SO_BACKLOG, 1024);
        // a forward re-added right after its predecessor closed must not fail on the old connections' TIME_WAIT;
        // on Linux this never lets two sockets listen on one port
        server.config().setOption(ChannelOption.SO_REUSEADDR, true);
        server.pipeline().addLast(new Acceptor(acceptor));
        InlineBind.registerAndBind(loop, server, local);
        return new HostListener() {
            @Override
            public InetSocketAddress localAddress() {
                return server.localAddress();
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }

    /** The handler of a listening socket: wraps each accepted channel in a {@link Stream} and registers it. */
    private final class Acceptor extends ChannelInboundHandlerAdapter {
        private final StreamAcceptor acceptor;

        Acceptor(StreamAcceptor acceptor) {
            this.acceptor = acceptor;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof SocketChannel child)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            StreamHandler handler = null;
            Stream stream = new Stream(child, null);
            try {
                child.config().setOption(ChannelOption.TCP_NODELAY, true);
                child.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
                try {
                    socketSetup.accept(child);
                } catch (RuntimeException e) {
                    return; // a socket option the kernel refused: this client is refused (reset below), not the rest
                }
                handler = acceptor.accept(stream, child.remoteAddress());
            } finally {
                if (handler == null) {
                    resetUnregistered(child);
                }
            }
            if (handler == null) {
                return;
            }
            stream.handler = handler;
            child.pipeline().addLast(stream);
            ChannelFuture registered = loop.register(child);
            if (registered.isDone() && !registered.isSuccess()) {
                resetUnregistered(child);
                handler.onError(registered.cause());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // accept(2) failed, most likely EMFILE: pause instead of spinning on a backlog we cannot take
            ctx.channel().config().setAutoRead(false);
            ctx.channel().eventLoop().schedule(() -> ctx.channel().config().setAutoRead(true), ACCEPT_PAUSE_MS,
                TimeUnit.MILLISECONDS);
        }

        private void resetUnregistered(SocketChannel child) {
            try {
                child.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException ignored) {
                // closing is what matters
            }
            child.unsafe().closeForcibly();
        }
    }

    static ConnectFailure classify(Throwable cause, boolean synchronous) {
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof ConnectTimeoutException) {
                return ConnectFailure.TIMEOUT;
            }
            String m = String.valueOf(c.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (m.contains("refused")) {
                return ConnectFailure.REFUSED;
            }
            if (m.contains("network is unreachable")) {
                return ConnectFailure.NETWORK_UNREACHABLE;
            }
            if (m.contains("no route to host")) {
                return ConnectFailure.HOST_UNREACHABLE;
            }
            if (m.contains("timed out")) {
                return ConnectFailure.TIMEOUT;
            }
            if (c instanceof NoRouteToHostException) {
                return synchronous ? ConnectFailure.NETWORK_UNREACHABLE : ConnectFailure.HOST_UNREACHABLE;
            }
            if (c instanceof ConnectException && m.contains("unreachable")) {
                return ConnectFailure.NETWORK_UNREACHABLE;
            }
        }
        return ConnectFailure.OTHER;
    }

    /**
     * A channel's read allocator, bounded: each read buffer is the inner allocator's guess, but no larger than
     * {@code limit} says (and no smaller than {@link #MIN_READ}). Everything else is the inner allocator's.
     */
    static final class BoundedReads implements RecvByteBufAllocator {
        private final RecvByteBufAllocator inner;
        private final IntSupplier limit;

        BoundedReads(RecvByteBufAllocator inner, IntSupplier limit) {
            this.inner = inner;
            this.limit = limit;
        }

        @Override
        public Handle newHandle() {
            return new BoundedHandle((ExtendedHandle) inner.newHandle(), limit);
        }
    }

    /** The handle of {@link BoundedReads} (an extended one: Netty's epoll channels need that). */
    static final class BoundedHandle implements RecvByteBufAllocator.ExtendedHandle {
        private final RecvByteBufAllocator.ExtendedHandle inner;
        private final IntSupplier limit;

        BoundedHandle(RecvByteBufAllocator.ExtendedHandle inner, IntSupplier limit) {
            this.inner = inner;
            this.limit = limit;
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return alloc.ioBuffer(guess());
        }

        @Override
        public int guess() {
            return Math.max(MIN_READ, Math.min(inner.guess(), limit.getAsInt()));
        }

        @Override
        public void reset(ChannelConfig config) {
            inner.reset(config);
        }

        @Override
        public void incMessagesRead(int numMessages) {
            inner.incMessagesRead(numMessages);
        }

        @Override
        public void lastBytesRead(int bytes) {
            inner.lastBytesRead(bytes);
        }

        @Override
        public int lastBytesRead() {
            return inner.lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            inner.attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead() {
            return inner.attemptedBytesRead();
        }

        @Override
        public boolean continueReading() {
            return inner.continueReading();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return inner.continueReading(maybeMoreDataSupplier);
        }

        @Override
        public void readComplete() {
            inner.readComplete();
        }
    }

    /** One connection: the handler at the end of its pipeline and the operations on it. */
    private final class Stream extends ChannelInboundHandlerAdapter implements HostStream {
        private final SocketChannel channel;
        /** Final once the stream is in use; set late only for accepted streams (see {@link Acceptor}). */
        private StreamHandler handler;
        boolean connecting;
        /** No more callbacks: closed or aborted by the owner, or an error/failure reported. */
        private boolean silenced;
        private int pendingWrites;
        private boolean shutdownRequested;
        private boolean closeRequested;
        private ScheduledFuture<?> lingerTimer;
        private boolean inWrite;

        Stream(SocketChannel channel, StreamHandler handler) {
            this.channel = channel;
            this.handler = handler;
            ChannelConfig config = channel.config();
            config.setRecvByteBufAllocator(new BoundedReads(config.getRecvByteBufAllocator(), this::readLimit));
        }

        private int readLimit() {
            StreamHandler h = handler;
            return h == null || silenced ? Integer.MAX_VALUE : h.readLimit();
        }

        void connectDone(ChannelFuture f, boolean synchronous) {
            connecting = false;
            if (silenced) {
                return;
            }
            if (f.isSuccess()) {
                handler.onConnected();
            } else {
                silenced = true;
                channel.close();
                handler.onConnectFailed(classify(f.cause(), synchronous), f.cause());
            }
        }

        // ---- events

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (silenced || !(msg instanceof ByteBuf buf)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (!buf.isReadable()) {
                buf.release();
                return;
            }
            handler.onRead(buf);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            // even when silenced: the handler may hold something back until the end of the read loop
            handler.onReadComplete();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent && !silenced) {
                handler.onEof();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // after our own close (silenced) there is nobody to tell: no exception (and its stack trace, some 2% of
            // the CPU a connection costs) for every connection that ends normally
            if (!connecting && !silenced) {
                fail(new ClosedChannelException());
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (!silenced) {
                handler.onWritabilityChanged(channel.isWritable());
            }
        }

        private void fail(Throwable cause) {
            if (silenced) {
                return;
            }
            silenced = true;
            channel.close();
            if (inWrite) {
                // a write that failed at once: report it after write() returned, as promised
                channel.eventLoop().execute(() -> handler.onError(cause));
            } else {
                handler.onError(cause);
            }
        }

        // ---- operations

        @Override
        public void write(ByteBuf data) {
            if (!channel.isActive() || shutdownRequested || closeRequested) {
                data.release();
                return;
            }
            int n = data.readableBytes();
            pendingWrites++;
            inWrite = true;
            try {
                EpollHalfClosure.beforeInterest(channel); // the peer's FIN may have cost the fd its registration
                channel.writeAndFlush(data).addListener((ChannelFutureListener) f -> written(f, n));
            } finally {
                inWrite = false;
            }
        }

        private void written(ChannelFuture f, int n) {
            pendingWrites--;
            if (!f.isSuccess()) {
                fail(f.cause());
                return;
            }
            if (!silenced) {
                handler.onWritten(n);
            }
            if (pendingWrites == 0) {
                if (closeRequested) {
                    finishClose();
                } else if (shutdownRequested) {
                    channel.shutdownOutput();
                }
            }
        }

        @Override
        public void shutdownOutput() {
            if (shutdownRequested || closeRequested) {
                return;
            }
            shutdownRequested = true;
            if (pendingWrites == 0) {
                channel.shutdownOutput();
            }
        }

        @Override
        public void close() {
            if (closeRequested) {
                return;
            }
            closeRequested = true;
            silenced = true;
            if (pendingWrites == 0 || !channel.isActive()) {
                finishClose();
            } else {
                lingerTimer = channel.eventLoop().schedule(this::abort, CLOSE_LINGER_MS, TimeUnit.MILLISECONDS);
            }
        }

        private void finishClose() {
            if (lingerTimer != null) {
                lingerTimer.cancel(false);
                lingerTimer = null;
            }
            channel.close();
        }

        @Override
        public void abort() {
            silenced = true;
            closeRequested = true;
            if (lingerTimer != null) {
                lingerTimer.cancel(false);
                lingerTimer = null;
            }
            if (channel.isOpen()) {
                try {
                    channel.config().setOption(ChannelOption.SO_LINGER, 0);
                } catch (RuntimeException ignored) {
                    // not connected yet: a plain close is all there is
                }
                channel.close();
            }
        }

        @Override
        public void setAutoRead(boolean on) {
            if (channel.isOpen()) {
                if (on) {
                    EpollHalfClosure.beforeInterest(channel);
                }
                channel.config().setAutoRead(on);
            }
        }
    }
}
