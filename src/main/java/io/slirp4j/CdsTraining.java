package io.slirp4j;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.slirp4j.api.ApiServer;
import io.slirp4j.cli.Cli;
import io.slirp4j.stack.FrameSink;
import io.slirp4j.stack.LinkOffloads;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.Stack;
import io.slirp4j.stack.forward.LoopPortForwards;
import io.slirp4j.stack.host.HostDatagrams;
import io.slirp4j.stack.host.NettyHostDatagrams;
import io.slirp4j.stack.host.NettyHostStreams;
import io.slirp4j.tap.Confinement;
import io.slirp4j.tap.InterfaceConfigurator;
import io.slirp4j.tap.Namespaces;
import io.slirp4j.tap.Posix;
import io.slirp4j.tap.TunDevice;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Run once at build time under -XX:DumpLoadedClassList to list the classes of the start-up path, which the build
 * then dumps into the static class-data archive the launcher uses. It walks that path without touching any other
 * namespace or making any device, and sends no packet: it opens /dev/net/tun through the namespace child in its own
 * netns (as root), an unused datagram socket bound to 127.0.0.1 and an API socket in a temporary directory, and asks
 * that one list request (the first request an engine makes pays for the JSON classes otherwise).
 */
public final class CdsTraining {
    private CdsTraining() {}

    public static void main(String[] args) throws Exception {
        Main.configureLibraries();
        Cli.parse("--help");
        Cli.parse("--disable-host-loopback", "--mtu=65520", "-c", "-r", "3", "-e", "4", "--netns-type=path",
            "/run/netns/x", "tap0");
        Posix.warmUp();
        Posix.isOpen(0);
        // what the sandbox's root will hold: real paths, a sort and lambdas (~40 ms unarchived on 2 cores)
        Confinement.sandboxPathsForThisJvm(NetworkHelper.RESOLV_CONF);
        // Main's own path up to the namespace child (its lambdas are archived per call site), failing there
        PrintStream err = System.err;
        System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        try {
            Main.run(new String[] {"-c", "--netns-type=path", "/nonexistent/slirp4j-cds-training", "tap0"});
        } finally {
            System.setErr(err);
        }
        try {
            // the namespace child, into our own netns: opens /dev/net/tun but makes no device (TUNSETIFF and the
            // -c ioctls fail on an empty name and a closed socket)
            Namespaces.TargetDescriptors fds = Namespaces.openInTarget(Path.of("/proc/self/ns/net"), null, true);
            fds.closeSockets();
            TunDevice.Offloads.NONE.describe();
            TunDevice.attachTap(fds.tun(), "", true);
        } catch (IOException expected) {
            // the classes are loaded either way
        }
        try {
            InterfaceConfigurator.configure(-1, "tap0", 1500, null, 0, 0, 0);
        } catch (IOException expected) {
            // EBADF
        }
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        IoEventLoop loop = group.next();
        Stack[] trainingStack = new Stack[1];
        loop.submit(() -> {
            FrameSink discard = new FrameSink() {
                @Override
                public void send(ByteBuf frame) {
                    frame.release();
                }

                @Override
                public void flush() {
                }

                @Override
                public LinkOffloads offloads() {
                    return LinkOffloads.ALL; // the path a tap with a vnet header takes
                }
            };
            NettyHostDatagrams hostUdp = NetworkHelper.hostDatagrams(loop, false);
            NettyHostStreams hostTcp = NetworkHelper.hostStreams(loop, false);
            Stack stack = trainingStack[0] = new Stack(NetworkConfig.defaults(), PooledByteBufAllocator.DEFAULT, discard, hostUdp,
                hostTcp, List::of, System::currentTimeMillis, Stack.MAX_TCP_CONNECTIONS);
            stack.afterHostEvent(() -> { });
            stack.nextDeadline();
            hostUdp.open(new java.net.InetSocketAddress("127.0.0.1", 0), (from, payload) -> { },
                HostDatagrams.DEFAULT_RECEIVE_BUFFER).close();
            stack.onFrame(PooledByteBufAllocator.DEFAULT.directBuffer(64).writeZero(60));
            stack.onTimer();
            return null;
        }).sync();
        Path dir = Files.createTempDirectory("slirp4j-cds-");
        try {
            Stack stack = trainingStack[0];
            ApiServer api = ApiServer.start(loop, new LoopPortForwards(loop, stack.forwards(), stack.config()),
                dir.resolve("api.sock"));
            try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                c.connect(UnixDomainSocketAddress.of(api.path()));
                c.write(ByteBuffer.wrap("{\"execute\":\"list_hostfwd\"}\n".getBytes(StandardCharsets.US_ASCII)));
                c.shutdownOutput();
                while (c.read(ByteBuffer.allocate(256)) >= 0) {
                    // the answer itself does not matter
                }
            }
            api.close();
        } finally {
            Files.deleteIfExists(dir);
        }
        loop.submit(() -> trainingStack[0].close()).sync();
        group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS).sync();
    }
}
