package io.slirp4j.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.slirp4j.stack.forward.PortForwards;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * slirp4netns's API socket ({@code --api-socket PATH}): a unix stream socket serving one JSON request per
 * connection, on top of the stack's {@link PortForwards}.
 *
 * <p>Everything runs on one event loop, the stack's own: accepting, reading, and answering when the stack's
 * futures complete. Nothing blocks there. The socket is placed at PATH by {@link SocketPlacement}, so it is
 * connectable by its owner only from the first moment. Connections are few and short, but a flood must not
 * exhaust file descriptors the stack needs: beyond a limit, new ones are accepted and closed at once, and each
 * connection has a deadline ({@link ApiConnection}).
 */
public final class ApiServer implements AutoCloseable {
    /** How long a client has from connecting to getting its answer. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** API connections open at once; podman and rootlesskit use one at a time. */
    public static final int DEFAULT_MAX_CONNECTIONS = 128;
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final EventLoop loop;
    private final ApiHandler handler;
    private final Path path;
    private final long requestTimeoutNanos;
    private final int maxConnections;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Open API connections; touched only on the loop. */
    private final Set<Channel> connections = new HashSet<>();
    /** Set on the loop when closing starts: connections accepted after that are refused. */
    private boolean refusing;
    private Channel listener;
    private Object fileKey;

    private ApiServer(EventLoop loop, PortForwards forwards, Path path, Duration requestTimeout, int maxConnections) {
        this.loop = loop;
        this.handler = new ApiHandler(forwards);
        this.path = path;
        this.requestTimeoutNanos = requestTimeout.toNanos();
        this.maxConnections = maxConnections;
    }

    /** {@link #start(EventLoop, PortForwards, Path, Duration, int)} with the defaults. */
    public static ApiServer start(EventLoop loop, PortForwards forwards, Path path) throws IOException {
        return start(loop, forwards, path, DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_CONNECTIONS);
    }

    /**
     * Listens at {@code path} (replacing any file there; mode 0600) and serves on {@code loop}, an epoll loop.
     * Returns once the socket is listening at {@code path}. Call it from outside {@code loop}: it waits for the
     * bind, which runs there.
     *
     * @throws IOException if the path is too long for a unix socket address (107 bytes), or the socket cannot be
     *                     created there
     */
    public static ApiServer start(EventLoop loop, PortForwards forwards, Path path, Duration requestTimeout,
        int maxConnections) throws IOException {
        if (loop.inEventLoop()) {
            throw new IllegalStateException("ApiServer.start waits for the bind: call it from outside the loop");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero() || maxConnections < 1) {
            throw new IllegalArgumentException("request timeout " + requestTimeout + ", connections " + maxConnections);
        }
        ApiServer server = new ApiServer(loop, forwards, path, requestTimeout, maxConnections);
        try (SocketPlacement placement = SocketPlacement.prepare(path)) {
            server.listener = server.bind(placement.bindPath());
            server.fileKey = placement.publish();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw new IOException("cannot create API socket " + path + ": " + describe(e), e);
        }
        return server;
    }

    /** The file system's exceptions give reason and file apart; the rest say enough in their message. */
    private static String describe(Exception e) {
        if (e instanceof FileSystemException failed) {
            String reason = failed.getReason() != null ? failed.getReason() : e.getClass().getSimpleName();
            return reason + " (" + failed.getFile() + ")";
        }
        return e.getMessage();
    }

    /** The path clients connect to. */
    public Path path() {
        return path;
    }

    /**
     * Stops listening, closes the open API connections (answers not yet written are lost) and deletes the socket
     * file if it still is this server's. Idempotent; callable from any thread, the loop's included.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (loop.inEventLoop()) {
            closeChannels();
        } else {
            try {
                loop.submit(this::closeChannels).awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (RejectedExecutionException e) {
                // the loop is shut down, which closed its channels already
            }
        }
        SocketPlacement.deleteIfSame(path, fileKey);
    }

    /** How many API connections are open now; for tests, which must know a connection was accepted. */
    int openConnections() throws InterruptedException, ExecutionException {
        return loop.submit(connections::size).get();
    }

    private Channel bind(Path bindPath) throws IOException {
        ChannelFuture bound = new ServerBootstrap()
            .group(loop)
            .channel(EpollServerDomainSocketChannel.class)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childHandler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel channel) {
                    accept(channel);
                }
            })
            .bind(new DomainSocketAddress(bindPath.toString()))
            .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            bound.channel().close().awaitUninterruptibly();
            throw new IOException(bound.cause().getMessage(), bound.cause());
        }
        return bound.channel();
    }

    /** On the loop, for each accepted connection. */
    private void accept(Channel channel) {
        if (refusing || connections.size() >= maxConnections) {
            channel.close();
            return;
        }
        connections.add(channel);
        channel.closeFuture().addListener(future -> connections.remove(channel));
        channel.pipeline().addLast(new ApiConnection(handler, requestTimeoutNanos));
    }

    private void closeChannels() {
        refusing = true;
        if (listener != null) {
            listener.close();
        }
        for (Channel connection : new ArrayList<>(connections)) {
            connection.close();
        }
    }
}
