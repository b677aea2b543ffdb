package io.slirp4j;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.slirp4j.cli.Cli;
import io.slirp4j.stack.FrameSink;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.Stack;
import io.slirp4j.stack.host.NettyHostDatagrams;
import io.slirp4j.stack.host.NettyHostStreams;
import io.slirp4j.tap.Posix;
import java.util.List;

/**
 * Run once at build time under -XX:ArchiveClassesAtExit to record the classes of the start-up path into the
 * class-data archive the launcher uses. It walks that path without touching any namespace or device and sends
 * no packet: the only socket it opens is an unused datagram socket bound to 127.0.0.1.
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
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        IoEventLoop loop = group.next();
        loop.submit(() -> {
            FrameSink discard = new FrameSink() {
                @Override
                public void send(ByteBuf frame) {
                    frame.release();
                }

                @Override
                public void flush() {
                }
            };
            NettyHostDatagrams hostUdp = NetworkHelper.hostDatagrams(loop);
            NettyHostStreams hostTcp = NetworkHelper.hostStreams(loop);
            Stack stack = new Stack(NetworkConfig.defaults(), PooledByteBufAllocator.DEFAULT, discard, hostUdp,
                hostTcp, List::of, System::currentTimeMillis, Stack.MAX_TCP_CONNECTIONS);
            stack.afterHostEvent(() -> { });
            stack.nextDeadline();
            hostUdp.open(new java.net.InetSocketAddress("127.0.0.1", 0), (from, payload) -> { }).close();
            stack.onFrame(PooledByteBufAllocator.DEFAULT.directBuffer(64).writeZero(60));
            stack.onTimer();
            stack.close();
            return null;
        }).sync();
        group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS).sync();
    }
}
