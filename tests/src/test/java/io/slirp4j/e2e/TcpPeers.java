package io.slirp4j.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * TCP peers for the end-to-end tests: servers in a test namespace (host loopback or "internet") and guest-side
 * sockets, both as blocking NIO channels created on a thread switched into the namespace (the socket stays
 * there), plus streaming hash helpers.
 */
final class TcpPeers {
    private TcpPeers() {}

    /**
     * Threads for the tests' blocking socket work. CompletableFuture's default pool has cores - 1 workers, so on a
     * machine with a few cores a test that blocks in three tasks at once would wait for ever for the third.
     */
    private static final ExecutorService BLOCKING = Executors.newCachedThreadPool(task -> {
        Thread t = new Thread(task, "tcp-peer");
        t.setDaemon(true);
        return t;
    });

    /** Runs blocking {@code work} on a thread of its own. */
    static <T> CompletableFuture<T> inThread(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, BLOCKING);
    }

    /** Runs blocking {@code work} on a thread of its own. */
    static CompletableFuture<Void> inThread(Runnable work) {
        return CompletableFuture.runAsync(work, BLOCKING);
    }

    /** An unconnected socket whose fd lives in {@code netns} (connect it from any thread). */
    static SocketChannel socketIn(Path netns) {
        return TestNetwork.in(netns, SocketChannel::open);
    }

    /** Connects a socket from the guest's namespace; the exception is the guest kernel's answer. */
    static SocketChannel connectFromGuest(TestNetwork net, InetSocketAddress to) throws IOException {
        return connectFrom(net.guestNetns(), to);
    }

    /** A blocking TCP connection from a socket made in {@code netns} to {@code to}. */
    static SocketChannel connectFrom(Path netns, InetSocketAddress to) throws IOException {
        SocketChannel s = socketIn(netns);
        try {
            s.connect(to);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** A listening server in {@code netns} that runs {@code session} on its own thread per connection. */
    static final class Server implements AutoCloseable {
        final ServerSocketChannel listener;
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final AtomicInteger accepted = new AtomicInteger();
        private final Thread acceptor;

        Server(Path netns, InetSocketAddress bind, Consumer<SocketChannel> session) {
            this.listener = TestNetwork.in(netns, () -> {
                ServerSocketChannel l = ServerSocketChannel.open();
                l.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                l.bind(bind, 1024);
                return l;
            });
            this.acceptor = new Thread(() -> {
                while (listener.isOpen()) {
                    SocketChannel c;
                    try {
                        c = listener.accept();
                    } catch (IOException e) {
                        return;
                    }
                    accepted.incrementAndGet();
                    Thread t = new Thread(() -> {
                        try (c) {
                            session.accept(c);
                        } catch (Throwable e) {
                            errors.add(e);
                        }
                    }, "tcp-session");
                    t.setDaemon(true);
                    t.start();
                }
            }, "tcp-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            try {
                return ((InetSocketAddress) listener.getLocalAddress()).getPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }

    /** What one direction of a transfer moved. */
    record Transfer(long bytes, String sha256, long nanos) {
        double gbitPerSecond() {
            return bytes * 8.0 / Math.max(1, nanos);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Writes {@code total} pseudo-random bytes from {@code seed} and returns their hash (no shutdown). */
    static Transfer send(SocketChannel c, long total, long seed) throws IOException {
        MessageDigest md = sha256();
        Random rnd = new Random(seed);
        byte[] chunk = new byte[256 * 1024];
        ByteBuffer buf = ByteBuffer.wrap(chunk);
        long start = System.nanoTime();
        long done = 0;
        while (done < total) {
            int n = (int) Math.min(chunk.length, total - done);
            rnd.nextBytes(chunk);
            md.update(chunk, 0, n);
            buf.clear().limit(n);
            while (buf.hasRemaining()) {
                c.write(buf);
            }
            done += n;
        }
        return new Transfer(done, HexFormat.of().formatHex(md.digest()), System.nanoTime() - start);
    }

    /** Reads to EOF and returns the count and hash. */
    static Transfer receive(SocketChannel c) throws IOException {
        MessageDigest md = sha256();
        ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
        long start = System.nanoTime();
        long done = 0;
        for (;;) {
            buf.clear();
            int n = c.read(buf);
            if (n < 0) {
                break;
            }
            md.update(buf.array(), 0, n);
            done += n;
        }
        return new Transfer(done, HexFormat.of().formatHex(md.digest()), System.nanoTime() - start);
    }

    /** Reads exactly {@code n} bytes (fails on early EOF). */
    static byte[] readExactly(SocketChannel c, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (c.read(buf) < 0) {
                throw new IOException("EOF after " + buf.position() + " of " + n + " bytes");
            }
        }
        return buf.array();
    }

    static void writeAll(SocketChannel c, byte[] data) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(data);
        while (buf.hasRemaining()) {
            c.write(buf);
        }
    }
}
