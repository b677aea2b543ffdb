package io.slirp4j.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.ListeningDomainSockets;
import io.slirp4j.stack.forward.PortForwards;
import io.slirp4j.tap.Posix;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * slirp4netns's API socket ({@code --api-socket PATH}): a unix stream socket serving one JSON request per
 * connection, on top of the stack's {@link PortForwards}.
 *
 * <p>Listening and serving are two steps: {@link #listen} binds the socket at PATH, with no event loop yet, so that
 * the helper can create it together with the tap and before the rest of its start-up (clients connecting early wait
 * in the backlog); {@link #serve} then accepts and answers on one event loop, the stack's own: accepting, reading,
 * and answering when the stack's futures complete. Nothing blocks there. The socket is placed at PATH by
 * {@link SocketPlacement}, so it is connectable by its owner only from the first moment.
 *
 * <p>Connections are few and short, but a flood must not exhaust file descriptors the stack needs, so they are
 * limited, and each has deadlines ({@link ApiConnection}). Nor may a flood of clients that connect and say nothing
 * lock the engines out: when every slot is taken, a newcomer takes the slot of the connection that has waited
 * longest without a request, one that has sent nothing at all first, then one part-way through its request. Only a
 * newcomer that finds every slot answering (answers are quick: the stack has nothing to wait for) is closed at once.
 * A newcomer is itself silent until its first read, a turn of the loop after its accept even when the client wrote at
 * once; it would be the oldest silent one only if a full set of newer connections were accepted before that read,
 * which {@link #ACCEPTS_PER_TURN} rules out.
 */
public final class ApiServer implements AutoCloseable {
    /** How long a client has from connecting to getting its answer. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /**
     * How long a client that has sent nothing keeps its connection. podman and rootlesskit write as soon as they
     * connect; a person at {@code socat} sends a line at a time, and has the whole-request deadline once it arrives.
     */
    public static final Duration DEFAULT_SILENT_TIMEOUT = Duration.ofSeconds(3);
    /** API connections open at once; podman and rootlesskit use one at a time. */
    public static final int DEFAULT_MAX_CONNECTIONS = 128;
    private static final long CLOSE_WAIT_SECONDS = 5;
    /** Connections waiting to be accepted; the kernel caps it at net.core.somaxconn. */
    static final int BACKLOG = 4096;
    /**
     * Connections accepted per turn of the loop (Netty's default for server channels, pinned): far fewer than the
     * slots, so a connection accepted in one turn has been read from before a full set of newer ones can evict it.
     */
    static final int ACCEPTS_PER_TURN = 16;
    private static final int NO_FD = -1;

    private final Path path;
    private final long requestTimeoutNanos;
    private final long silentTimeoutNanos;
    private final int maxConnections;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The listening socket until {@link #serve} hands it to its channel. */
    private final AtomicInteger unservedFd = new AtomicInteger(NO_FD);
    /** Open API connections, oldest first; touched only on the loop. */
    private final Map<Channel, ApiConnection> connections = new LinkedHashMap<>();
    /** Connections closed because every slot was taken (for the log); written only on the loop. */
    private volatile long evictedAtLimit;
    private volatile long refusedAtLimit;
    /** Set on the loop when closing starts: connections accepted after that are refused. */
    private boolean refusing;
    /** Set by {@link #serve}: the loop first, then the listening channel. */
    private volatile EventLoop loop;
    private volatile Channel listener;
    private Object fileKey;

    private ApiServer(Path path, Duration requestTimeout, Duration silentTimeout, int maxConnections) {
        this.path = path;
        this.requestTimeoutNanos = requestTimeout.toNanos();
        this.silentTimeoutNanos = Math.min(silentTimeout.toNanos(), requestTimeoutNanos);
        this.maxConnections = maxConnections;
    }

    /** {@link #start(EventLoop, PortForwards, Path, Duration, int)} with the defaults. */
    public static ApiServer start(EventLoop loop, PortForwards forwards, Path path) throws IOException {
        return start(loop, forwards, path, DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_CONNECTIONS);
    }

    /** {@link #start(EventLoop, PortForwards, Path, Duration, Duration, int)} with the default silent timeout. */
    public static ApiServer start(EventLoop loop, PortForwards forwards, Path path, Duration requestTimeout,
        int maxConnections) throws IOException {
        return start(loop, forwards, path, requestTimeout, DEFAULT_SILENT_TIMEOUT, maxConnections);
    }

    /** {@link #listen(Path, Duration, Duration, int)}, then {@link #serve} on {@code loop}, an epoll loop. */
    public static ApiServer start(EventLoop loop, PortForwards forwards, Path path, Duration requestTimeout,
        Duration silentTimeout, int maxConnections) throws IOException {
        ApiServer server = listen(path, requestTimeout, silentTimeout, maxConnections);
        try {
            server.serve(loop, forwards);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** {@link #listen(Path, Duration, Duration, int)} with the defaults. */
    public static ApiServer listen(Path path) throws IOException {
        return listen(path, DEFAULT_REQUEST_TIMEOUT, DEFAULT_SILENT_TIMEOUT, DEFAULT_MAX_CONNECTIONS);
    }

    /**
     * Listens at {@code path} (replacing any file there; mode 0600), without serving yet: clients that connect
     * wait in the backlog until {@link #serve}. A client has {@code requestTimeout} from accept to its answer, and
     * {@code silentTimeout} (capped at {@code requestTimeout}) to send its first byte.
     *
     * @throws IOException if the path is too long for a unix socket address (107 bytes), or the socket cannot be
     *                     created there
     */
    public static ApiServer listen(Path path, Duration requestTimeout, Duration silentTimeout, int maxConnections)
        throws IOException {
        if (requestTimeout.isNegative() || requestTimeout.isZero() || silentTimeout.isNegative()
            || silentTimeout.isZero() || maxConnections < 1) {
            throw new IllegalArgumentException("request timeout " + requestTimeout + ", silent timeout "
                + silentTimeout + ", connections " + maxConnections);
        }
        ApiServer server = new ApiServer(path, requestTimeout, silentTimeout, maxConnections);
        try (SocketPlacement placement = SocketPlacement.prepare(path)) {
            server.unservedFd.set(Posix.listenUnix(placement.bindPath().toString(), BACKLOG));
            server.fileKey = placement.publish();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw new IOException("cannot create API socket " + path + ": " + describe(e), e);
        }
        return server;
    }

    /**
     * Starts accepting and answering on {@code loop}, an epoll loop, with {@code forwards}. Callable once, on the
     * loop (the registration then completes inline, before any connection is read) or from outside it (it waits
     * for the registration).
     */
    public void serve(EventLoop loop, PortForwards forwards) throws IOException {
        int fd = unservedFd.getAndSet(NO_FD);
        if (fd == NO_FD) {
            throw new IOException("API socket " + path + " is closed or served already");
        }
        ApiHandler handler = new ApiHandler(forwards);
        ServerChannel channel = ListeningDomainSockets.adopt(fd);
        MaxMessagesRecvByteBufAllocator accepts = channel.config().getRecvByteBufAllocator();
        accepts.maxMessagesPerRead(ACCEPTS_PER_TURN);
        this.loop = loop;
        this.listener = channel;
        ChannelFuture registered = new ServerBootstrap()
            .group(loop)
            .channelFactory((io.netty.channel.ChannelFactory<ServerChannel>) () -> channel)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childHandler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel child) {
                    accept(child, handler);
                }
            })
            .register();
        if (!loop.inEventLoop()) {
            registered.awaitUninterruptibly();
        }
        if (registered.isDone() && !registered.isSuccess()) {
            channel.close();
            throw new IOException("cannot serve API socket " + path + ": " + registered.cause().getMessage(),
                registered.cause());
        }
        if (closed.get()) {
            // close() ran meanwhile and may not have seen the channel
            closeOnLoop();
        }
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
        int fd = unservedFd.getAndSet(NO_FD);
        if (fd != NO_FD) {
            Posix.close(fd);
        }
        if (listener != null) {
            closeOnLoop();
        }
        SocketPlacement.deleteIfSame(path, fileKey);
    }

    private void closeOnLoop() {
        if (loop.inEventLoop()) {
            closeChannels();
        } else {
            try {
                loop.submit(this::closeChannels).awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (RejectedExecutionException e) {
                // the loop is shut down, which closed its channels already
            }
        }
    }

    /** How many API connections are open now; for tests, which must know a connection was accepted. */
    int openConnections() throws InterruptedException, ExecutionException {
        return loop.submit(connections::size).get();
    }

    /** The open connections' stages, oldest first; for tests of the eviction order. */
    List<ApiConnection.Stage> stages() throws InterruptedException, ExecutionException {
        return loop.submit(() -> connections.values().stream().map(ApiConnection::stage).toList()).get();
    }

    /** Connections closed so far to make room for a newcomer. Readable from any thread. */
    public long evictedAtLimit() {
        return evictedAtLimit;
    }

    /** Newcomers closed so far because every slot was answering. Readable from any thread. */
    public long refusedAtLimit() {
        return refusedAtLimit;
    }

    /** On the loop, for each accepted connection. */
    private void accept(Channel channel, ApiHandler handler) {
        if (refusing) {
            channel.close();
            return;
        }
        if (connections.size() >= maxConnections && !evictOneWaiting()) {
            refusedAtLimit++;
            channel.close();
            return;
        }
        ApiConnection connection = new ApiConnection(handler, requestTimeoutNanos, silentTimeoutNanos);
        connections.put(channel, connection);
        channel.closeFuture().addListener(future -> connections.remove(channel));
        channel.pipeline().addLast(connection);
    }

    /**
     * Closes the oldest connection that has sent nothing, else the oldest one part-way through its request; false
     * if every connection is answering. A scan: the slots are few, and it runs only while they are all taken.
     */
    private boolean evictOneWaiting() {
        Channel oldestReading = null;
        for (Map.Entry<Channel, ApiConnection> entry : connections.entrySet()) {
            ApiConnection.Stage stage = entry.getValue().stage();
            if (stage == ApiConnection.Stage.SILENT) {
                evict(entry.getKey());
                return true;
            }
            if (stage == ApiConnection.Stage.READING && oldestReading == null) {
                oldestReading = entry.getKey();
            }
        }
        if (oldestReading == null) {
            return false;
        }
        evict(oldestReading);
        return true;
    }

    private void evict(Channel channel) {
        evictedAtLimit++;
        // out of the count now, whenever the close completes
        connections.remove(channel);
        channel.close();
    }

    private void closeChannels() {
        refusing = true;
        if (listener != null) {
            listener.close();
        }
        for (Channel connection : new ArrayList<>(connections.keySet())) {
            connection.close();
        }
    }
}
