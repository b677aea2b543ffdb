package io.slirp4j.pasta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.BitSet;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The relay of {@link NamespaceForwards} in this process's own network namespace: the "namespace" and the "host" are
 * the same loopback here, the listener on one port and the server on another (the end-to-end tests use real
 * namespaces).
 */
class NamespaceForwardsTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();
    private MultiThreadIoEventLoopGroup group;
    private IoEventLoop loop;

    /** Sockets made here (fds of channels that are never registered: the relay wraps the fd). */
    static final NamespaceForwards.SocketMaker HERE = new NamespaceForwards.SocketMaker() {
        @Override
        public int stream(boolean ipv4) {
            return new EpollServerSocketChannel(family(ipv4)).fd().intValue();
        }

        @Override
        public int datagram(boolean ipv4) {
            return new EpollDatagramChannel(family(ipv4)).fd().intValue();
        }
    };

    static SocketProtocolFamily family(boolean ipv4) {
        return ipv4 ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
    }

    @BeforeEach
    void start() {
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        loop = group.next();
    }

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }

    private NamespaceForwards forwards(Map<Integer, Integer> tcp, Map<Integer, Integer> udp) throws Exception {
        NamespaceForwardPlan plan = new NamespaceForwardPlan(new NamespaceForwardPlan.Side(tcp, null, new BitSet()),
            new NamespaceForwardPlan.Side(udp, null, new BitSet()), false);
        NamespaceForwards f = new NamespaceForwards(loop, HERE, plan, null, BitSet::new);
        String failure = loop.submit(f::start).get(5, TimeUnit.SECONDS);
        assertNull(failure);
        return f;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, LO); DatagramSocket d = new DatagramSocket(s.getLocalPort(), LO)) {
            return s.getLocalPort();
        }
    }

    @Test
    void tcpThreeMegabytesEachWayWithHalfClose() throws Exception {
        int listen = freePort();
        try (ServerSocket server = new ServerSocket(0, 5, LO)) {
            forwards(Map.of(listen, server.getLocalPort()), Map.of());
            int size = 3 << 20;
            CompletableFuture<byte[]> serverGot = CompletableFuture.supplyAsync(() -> {
                try (Socket c = server.accept()) {
                    byte[] got = sha(c.getInputStream());
                    OutputStream out = c.getOutputStream();
                    out.write(data(size, 2));
                    c.shutdownOutput();
                    return got;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (Socket client = new Socket(LO, listen)) {
                client.getOutputStream().write(data(size, 1));
                client.shutdownOutput();
                byte[] back = sha(client.getInputStream());
                assertArrayEquals(digest(data(size, 2)), back, "server -> client");
            }
            assertArrayEquals(digest(data(size, 1)), serverGot.get(10, TimeUnit.SECONDS), "client -> server");
        }
    }

    /** What a client sends and ends at once arrives, whether or not the host side is connected yet. */
    @Test
    void tcpShortExchangesEndedAtOnceLoseNothing() throws Exception {
        int listen = freePort();
        try (ServerSocket server = new ServerSocket(0, 50, LO)) {
            forwards(Map.of(listen, server.getLocalPort()), Map.of());
            Thread echo = new Thread(() -> {
                while (true) {
                    try (Socket c = server.accept()) {
                        c.getOutputStream().write(c.getInputStream().readAllBytes());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            echo.setDaemon(true);
            echo.start();
            for (int i = 0; i < 200; i++) {
                try (Socket client = new Socket(LO, listen)) {
                    client.setSoTimeout(5000);
                    byte[] ping = ("ping " + i).getBytes();
                    client.getOutputStream().write(ping);
                    client.shutdownOutput();
                    assertArrayEquals(ping, client.getInputStream().readAllBytes(), "exchange " + i);
                }
            }
        }
    }

    @Test
    void tcpRefusedOnTheHostResetsTheClient() throws Exception {
        int listen = freePort();
        int closed = freePort();
        forwards(Map.of(listen, closed), Map.of());
        try (Socket client = new Socket(LO, listen)) {
            client.setSoTimeout(5000);
            assertThrows(IOException.class, () -> {
                int r = client.getInputStream().read();
                if (r < 0) {
                    throw new IOException("EOF");
                }
            });
        }
    }

    @Test
    void udpEchoByteExactAndRepliesFromTheListener() throws Exception {
        int listen = freePort();
        try (DatagramSocket echo = new DatagramSocket(0, LO); DatagramSocket client = new DatagramSocket(0, LO)) {
            forwards(Map.of(), Map.of(listen, echo.getLocalPort()));
            Thread t = new Thread(() -> {
                byte[] buf = new byte[65536];
                try {
                    while (true) {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        echo.receive(p);
                        echo.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            t.setDaemon(true);
            t.start();
            client.setSoTimeout(3000);
            Random rnd = new Random(5353);
            for (int size : new int[] {1, 512, 1472, 9000, 32768, 65000}) {
                byte[] payload = new byte[size];
                rnd.nextBytes(payload);
                client.send(new DatagramPacket(payload, size, new InetSocketAddress(LO, listen)));
                DatagramPacket reply = new DatagramPacket(new byte[65536], 65536);
                client.receive(reply);
                assertEquals(new InetSocketAddress(LO, listen), reply.getSocketAddress());
                assertArrayEquals(payload, java.util.Arrays.copyOf(reply.getData(), reply.getLength()), "size " + size);
            }
        }
    }

    @Test
    void udpFlowsPerPortAreCappedTheOldestGoing() throws Exception {
        int listen = freePort();
        try (DatagramSocket sink = new DatagramSocket(0, LO)) {
            NamespaceForwards f = forwards(Map.of(), Map.of(listen, sink.getLocalPort()));
            int clients = NamespaceForwards.MAX_UDP_FLOWS_PER_PORT + 20;
            java.util.List<DatagramSocket> sockets = new java.util.ArrayList<>();
            try {
                sink.setSoTimeout(3000);
                for (int i = 0; i < clients; i++) {
                    DatagramSocket c = new DatagramSocket(0, LO);
                    sockets.add(c);
                    c.send(new DatagramPacket(new byte[] {1}, 1, new InetSocketAddress(LO, listen)));
                    sink.receive(new DatagramPacket(new byte[16], 16)); // each new client's datagram gets through
                }
                assertEquals(NamespaceForwards.MAX_UDP_FLOWS_PER_PORT,
                    loop.submit(() -> f.udpFlows(listen)).get(5, TimeUnit.SECONDS));
            } finally {
                sockets.forEach(DatagramSocket::close);
            }
        }
    }

    @Test
    void aPortTakenIsAnErrorForExplicitForwards() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, LO)) {
            NamespaceForwardPlan plan = new NamespaceForwardPlan(new NamespaceForwardPlan.Side(
                Map.of(taken.getLocalPort(), 1), null, new BitSet()), NamespaceForwardPlan.Side.NONE, false);
            NamespaceForwards f = new NamespaceForwards(loop, HERE, plan, null, BitSet::new);
            String failure = loop.submit(f::start).get(5, TimeUnit.SECONDS);
            assertNotNull(failure);
            assertTrue(failure.contains("TCP port " + taken.getLocalPort()), failure);
        }
    }

    static byte[] data(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] digest(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    static byte[] sha(InputStream in) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return md.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
