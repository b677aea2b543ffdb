package io.slirp4j.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ping and raw ICMP sockets for real, inside a private network namespace with only {@code lo} (root only): nothing
 * sent here can leave it. The event loop's thread is started from a thread switched into that namespace, so every
 * socket it makes lives there.
 */
class EchoSocketsTest {
    private Process holder;
    private Path netns;
    private MultiThreadIoEventLoopGroup group;
    private IoEventLoop loop;
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void privateNamespace() throws Exception {
        Assumptions.assumeTrue("0".equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString()),
            "needs root");
        holder = new ProcessBuilder("unshare", "--net", "sleep", "infinity").inheritIO().start();
        Path comm = Path.of("/proc", Long.toString(holder.pid()), "comm");
        for (int i = 0; i < 500 && !Files.readString(comm).strip().equals("sleep"); i++) {
            Thread.sleep(10);
        }
        netns = Path.of("/proc", Long.toString(holder.pid()), "ns", "net");
        run("nsenter", "-t", Long.toString(holder.pid()), "-n", "ip", "link", "set", "lo", "up");
        group = Namespaces.inNetworkNamespace(netns, () -> {
            MultiThreadIoEventLoopGroup g = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
            g.submit(() -> { }).sync(); // the loop's thread starts here, inside the namespace
            return g;
        });
        loop = (IoEventLoop) group.next();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (group != null) {
            group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS).sync();
        }
        if (holder != null) {
            holder.destroyForcibly().waitFor();
        }
    }

    @Test
    void pingSocketsEchoOverLoopbackBothFamilies() throws Exception {
        pingGroupRange("0 2147483647");
        EchoSockets sockets = new EchoSockets(loop, warnings::add);
        for (String target : List.of("127.0.0.1", "::1")) {
            events.clear();
            boolean v6 = target.contains(":");
            EchoSocket s = loop.submit(() -> sockets.open(v6, null, listener())).get();
            assertEquals(EchoSockets.Kind.PING, s.kind());
            int sent = loop.submit(() -> s.send(InetAddress.getByName(target), 7, echo(v6, 0x1234, 42))).get();
            assertEquals(0, sent);
            awaitEvents(1);
            assertTrue(events.get(0).startsWith("reply from " + InetAddress.getByName(target).getHostAddress()
                + " type " + (v6 ? 129 : 0) + " seq 42 len 13"), events::toString);
            loop.submit(s::close).sync();
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void aBindAddressIsUsed() throws Exception {
        pingGroupRange("0 2147483647");
        EchoSockets sockets = new EchoSockets(loop, warnings::add);
        EchoSocket s = loop.submit(() -> sockets.open(false, InetAddress.getByName("127.0.0.1"), listener())).get();
        // a socket bound to loopback cannot reach beyond it: no route from 127.0.0.1 to an outside address
        int sent = loop.submit(() -> s.send(InetAddress.getByName("192.0.2.1"), 0, echo(false, 1, 1))).get();
        assertTrue(sent != 0, "an unroutable destination is refused");
        loop.submit(s::close).sync();
    }

    @Test
    void refusedPingSocketsFallBackToOneRawSocketAndSayWhyOnce() throws Exception {
        pingGroupRange("1 0");
        EchoSockets sockets = new EchoSockets(loop, warnings::add);
        EchoSocket a = loop.submit(() -> sockets.open(false, null, listener())).get();
        EchoSocket b = loop.submit(() -> sockets.open(false, null, listener())).get();
        assertEquals(EchoSockets.Kind.RAW, a.kind());
        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).contains("net.ipv4.ping_group_range (1 0)"), warnings::toString);
        assertTrue(warnings.get(0).contains("raw ICMP socket"), warnings::toString);
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        assertEquals(0, (int) loop.submit(() -> a.send(lo, 0, echo(false, 7, 1))).get());
        assertEquals(0, (int) loop.submit(() -> b.send(lo, 0, echo(false, 7, 2))).get());
        awaitEvents(2);
        // each member hears its own reply only, whatever identifier its requests had
        assertEquals(2, events.size(), events::toString);
        assertTrue(events.stream().anyMatch(e -> e.contains("seq 1 ")) && events.stream().anyMatch(e -> e.contains("seq 2 ")));
        loop.submit(() -> { a.close(); b.close(); }).sync();
    }

    private void pingGroupRange(String range) throws Exception {
        run("nsenter", "-t", Long.toString(holder.pid()), "-n", "sysctl", "-q", "-w",
            "net.ipv4.ping_group_range=" + range);
    }

    private EchoListener listener() {
        return new EchoListener() {
            @Override
            public void onEchoReply(InetAddress from, ByteBuf message) {
                events.add("reply from " + from.getHostAddress() + " type " + message.getUnsignedByte(0) + " seq "
                    + message.getUnsignedShort(6) + " len " + message.readableBytes());
            }

            @Override
            public void onEchoError(InetAddress reporter, int type, int code, int info, int sequence) {
                events.add("error from " + reporter + " " + type + "/" + code + " seq " + sequence);
            }
        };
    }

    private void awaitEvents(int count) throws InterruptedException {
        for (int i = 0; i < 300 && events.size() < count; i++) {
            Thread.sleep(10);
        }
        assertTrue(events.size() >= count, () -> "events: " + events);
    }

    static ByteBuf echo(boolean v6, int id, int seq) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(v6 ? 128 : 8).writeByte(0).writeShort(0).writeShort(id).writeShort(seq);
        b.writeBytes("hello".getBytes());
        return b;
    }

    private static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).inheritIO().start();
        assertEquals(0, p.waitFor(), String.join(" ", argv));
    }
}
