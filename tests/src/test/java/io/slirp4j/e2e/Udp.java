package io.slirp4j.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/** UDP servers and clients placed in the test's namespaces. */
public final class Udp {
    public static final int MAX_PAYLOAD = 65507;

    private Udp() {}

    /**
     * A UDP server in some namespace: a thread answering each datagram with {@code reply.apply(payload)} (no
     * answer when that returns null). Records every peer it saw.
     */
    public static final class Server implements AutoCloseable {
        private final DatagramChannel channel;
        private final Thread thread;
        private final List<InetSocketAddress> peers = new CopyOnWriteArrayList<>();
        private final List<byte[]> received = new CopyOnWriteArrayList<>();
        private final AtomicInteger count = new AtomicInteger();

        /** What a server does with each datagram; it may answer any time through {@link Server#send}. */
        public interface Handler {
            void handle(Server server, byte[] data, InetSocketAddress from) throws IOException;
        }

        private Server(DatagramChannel channel, Handler handler, String name) {
            this.channel = channel;
            this.thread = new Thread(() -> serve(handler), name);
            thread.setDaemon(true);
            thread.start();
        }

        /** Binds {@code bind} inside {@code netns} and answers each datagram with {@code reply} (null: none). */
        public static Server start(Path netns, InetSocketAddress bind, UnaryOperator<byte[]> reply) {
            return start(netns, bind, (server, data, from) -> {
                byte[] answer = reply.apply(data);
                if (answer != null) {
                    server.send(answer, from);
                }
            });
        }

        /** Binds {@code bind} inside {@code netns} and passes each datagram to {@code handler}. */
        public static Server start(Path netns, InetSocketAddress bind, Handler handler) {
            DatagramChannel ch = TestNetwork.in(netns, () -> {
                DatagramChannel c = DatagramChannel.open(bind.getAddress() instanceof java.net.Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
                c.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
                c.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 4 << 20);
                c.bind(bind);
                return c;
            });
            return new Server(ch, handler, "udp-server-" + bind);
        }

        /** Sends a datagram from the server's socket. */
        public void send(byte[] data, InetSocketAddress to) throws IOException {
            channel.send(ByteBuffer.wrap(data), to);
        }

        public static Server echo(Path netns, InetSocketAddress bind) {
            return start(netns, bind, UnaryOperator.identity());
        }

        private void serve(Handler handler) {
            ByteBuffer buf = ByteBuffer.allocateDirect(70_000);
            while (true) {
                try {
                    buf.clear();
                    SocketAddress from = channel.receive(buf);
                    buf.flip();
                    byte[] data = new byte[buf.remaining()];
                    buf.get(data);
                    count.incrementAndGet();
                    received.add(data);
                    if (received.size() > 1000) {
                        received.remove(0);
                    }
                    if (!peers.contains((InetSocketAddress) from)) {
                        peers.add((InetSocketAddress) from);
                    }
                    handler.handle(this, data, (InetSocketAddress) from);
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    if (!channel.isOpen()) {
                        return;
                    }
                    // e.g. ICMP errors from a previous send: keep serving
                }
            }
        }

        public int port() {
            try {
                return ((InetSocketAddress) channel.getLocalAddress()).getPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Every distinct source address seen. */
        public List<InetSocketAddress> peers() {
            return peers;
        }

        /** The last (up to 1000) datagrams received. */
        public List<byte[]> received() {
            return received;
        }

        public int count() {
            return count.get();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** Opens a UDP socket bound to an ephemeral port inside the guest (or any) namespace. */
    public static DatagramSocket socketIn(Path netns) {
        return TestNetwork.in(netns, () -> {
            DatagramSocket s = new DatagramSocket(new InetSocketAddress(0));
            s.setReceiveBufferSize(4 << 20);
            s.setSendBufferSize(4 << 20);
            return s;
        });
    }

    /** Receives one datagram or returns null after {@code timeout}. */
    public static DatagramPacket receive(DatagramSocket s, Duration timeout) throws IOException {
        byte[] buf = new byte[70_000];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        try {
            s.receive(p);
            return p;
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    /** Deterministic pseudo-random content for a datagram. */
    public static byte[] payload(Random rnd, int size) {
        byte[] b = new byte[size];
        rnd.nextBytes(b);
        return b;
    }

    /**
     * Sends each payload in turn and waits for its echo (one retry after a silent {@code timeout}), comparing
     * content byte for byte and the reply's source address. Returns the number of retries needed.
     */
    public static int echoLockstep(DatagramSocket s, InetSocketAddress to, List<byte[]> payloads, Duration timeout)
        throws IOException {
        int retries = 0;
        for (int i = 0; i < payloads.size(); i++) {
            byte[] data = payloads.get(i);
            DatagramPacket reply = null;
            for (int attempt = 0; attempt < 2 && reply == null; attempt++) {
                if (attempt > 0) {
                    retries++;
                }
                s.send(new DatagramPacket(data, data.length, to));
                reply = receive(s, timeout);
                // after a retry, a late echo of an earlier datagram may still arrive: skip exact copies of those
                while (reply != null && retries > 0 && isEarlier(payloads, i, reply)) {
                    reply = receive(s, timeout);
                }
            }
            if (reply == null) {
                fail("no echo for datagram #" + i + " of " + data.length + " bytes to " + to + " (sent twice)");
            }
            assertEquals(to, reply.getSocketAddress(), "source of the echo of datagram #" + i);
            assertEquals(data.length, reply.getLength(), "length of the echo of datagram #" + i);
            assertArrayEquals(data, Arrays.copyOfRange(reply.getData(), reply.getOffset(),
                reply.getOffset() + reply.getLength()), "content of the echo of datagram #" + i
                + " (" + data.length + " bytes)");
        }
        return retries;
    }

    private static boolean isEarlier(List<byte[]> payloads, int current, DatagramPacket reply) {
        byte[] got = Arrays.copyOfRange(reply.getData(), reply.getOffset(), reply.getOffset() + reply.getLength());
        if (Arrays.equals(got, payloads.get(current))) {
            return false;
        }
        for (int j = 0; j < current; j++) {
            if (Arrays.equals(got, payloads.get(j))) {
                return true;
            }
        }
        return false;
    }
}
