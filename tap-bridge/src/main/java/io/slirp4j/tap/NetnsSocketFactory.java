package io.slirp4j.tap;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes sockets inside another network namespace for as long as the helper runs.
 *
 * <p>Theory of operation. A socket belongs to the network namespace of the thread that called socket(2), for its
 * whole life, whichever thread binds, accepts on or polls it later. So one dedicated thread switches into the target
 * netns (setns(CLONE_NEWNET): CAP_SYS_ADMIN in this process's user namespace and over the target's) and then does
 * nothing but socket(2) on request, handing the descriptors back; everything else (bind, listen, epoll) happens on the
 * event loop. It is switched once, at start-up, because the sandbox later hides the netns file and the seccomp filter
 * refuses setns; it never starts a thread (a thread it started would inherit the target netns) and it never returns
 * to the host's namespace (an unprivileged process cannot switch back), so it lives until {@link #close}.
 */
public final class NetnsSocketFactory implements AutoCloseable {
    static final int SOCK_STREAM = 1;
    static final int SOCK_NONBLOCK = 0x800;
    private static final long REQUEST_TIMEOUT_SECONDS = 5;

    /** One socket(2) to make, or with a {@code file} one file to open for reading; a negative domain ends the thread. */
    private record Request(int domain, int type, Path file, CompletableFuture<Object> done) {}

    private final BlockingQueue<Request> requests = new ArrayBlockingQueue<>(64);
    private final Thread thread;
    private volatile boolean closed;

    private final Path netns;
    private final CompletableFuture<Void> switched = new CompletableFuture<>();

    private NetnsSocketFactory(Path netns) {
        this.netns = netns;
        this.thread = new Thread(this::run, "slirp4j-netns-sockets");
        thread.setDaemon(true);
    }

    /**
     * Starts the thread and switches it into the network namespace at {@code netns}; returns once it is there, or
     * throws what setns (or opening the file) said.
     */
    public static NetnsSocketFactory start(Path netns) throws IOException {
        NetnsSocketFactory factory = new NetnsSocketFactory(netns);
        factory.thread.start();
        try {
            factory.switched.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while entering " + netns, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause);
        }
        return factory;
    }

    private void run() {
        try {
            int nsFd = Posix.check(Native.open(netns.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC), netns.toString());
            try {
                int r = Native.setns(nsFd, LibC.CLONE_NEWNET);
                if (r < 0) {
                    ErrnoException e = Posix.failure("setns(" + netns + ", CLONE_NEWNET)", r);
                    throw e.errno() == LibC.EINVAL
                        ? new IOException(e.getMessage() + " (" + netns + " is not a network namespace)", e)
                        : e;
                }
            } finally {
                Posix.close(nsFd);
            }
        } catch (IOException | RuntimeException e) {
            switched.completeExceptionally(e);
            return;
        }
        switched.complete(null);
        serve();
    }

    /** A non-blocking, close-on-exec TCP socket of the family (IPv4 or IPv6), made in the target namespace. */
    public int streamSocket(boolean ipv4) throws IOException {
        return socket(ipv4, SOCK_STREAM);
    }

    /** A non-blocking, close-on-exec UDP socket of the family, made in the target namespace. */
    public int datagramSocket(boolean ipv4) throws IOException {
        return socket(ipv4, LibC.SOCK_DGRAM);
    }

    /**
     * A file opened for reading on the thread inside the target namespace: {@code /proc/thread-self/net/tcp} there is
     * the target's table of sockets, and stays so (a seq file re-reads from its start), after the sandbox too.
     */
    public FileChannel openReadOnly(Path file) throws IOException {
        return (FileChannel) ask(new Request(0, 0, file, new CompletableFuture<>()));
    }

    private int socket(boolean ipv4, int type) throws IOException {
        return (Integer) ask(new Request(ipv4 ? LibC.AF_INET : LibC.AF_INET6,
            type | SOCK_NONBLOCK | LibC.SOCK_CLOEXEC, null, new CompletableFuture<>()));
    }

    private Object ask(Request request) throws IOException {
        if (closed) {
            throw new IOException("the namespace socket factory is closed");
        }
        try {
            if (!requests.offer(request, REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException("the namespace socket factory does not answer");
            }
            return request.done().get(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (TimeoutException e) {
            throw new IOException("the namespace socket factory does not answer", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause);
        }
    }

    private void serve() {
        while (true) {
            Request r;
            try {
                r = requests.take();
            } catch (InterruptedException e) {
                continue; // nobody interrupts this thread on purpose; it ends only on close()
            }
            if (r.domain() < 0) {
                return;
            }
            if (r.file() != null) {
                try {
                    r.done().complete(FileChannel.open(r.file(), StandardOpenOption.READ));
                } catch (IOException | RuntimeException e) {
                    r.done().completeExceptionally(e);
                }
                continue;
            }
            int fd = Native.socket(r.domain(), r.type(), 0);
            if (fd < 0) {
                r.done().completeExceptionally(Posix.failure("socket", fd));
            } else {
                r.done().complete(fd);
            }
        }
    }

    /** Ends the thread (the sockets it made stay open). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            requests.offer(new Request(-1, 0, null, new CompletableFuture<>()));
        }
    }

    /** Whether the thread is still there to serve (for tests). */
    public boolean alive() {
        return thread.isAlive();
    }
}
