package io.slirp4j.stack.host;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.function.Function;

/**
 * {@link HostDatagrams} on Netty datagram channels registered in the stack's own event loop, so that receivers
 * run there and no flow state is shared between threads. The channel class is injected (epoll in the program,
 * NIO in tests): this package does not pick a transport.
 */
public final class NettyHostDatagrams implements HostDatagrams {
    /** Large enough for any UDP payload (65507) so nothing is truncated; the pool recycles it at once. */
    static final int RECEIVE_BUFFER = 65536;

    private final EventLoop loop;
    private final Function<Boolean, DatagramChannel> newChannel;

    /** @param newChannel makes an unregistered channel; its argument is true for IPv4, false for IPv6 */
    public NettyHostDatagrams(EventLoop loop, Function<Boolean, DatagramChannel> newChannel) {
        this.loop = loop;
        this.newChannel = newChannel;
    }

    @Override
    public HostDatagramSocket open(InetSocketAddress local, DatagramReceiver receiver, int receiveBuffer)
        throws IOException {
        assert loop.inEventLoop();
        DatagramChannel channel = newChannel.apply(local.getAddress() instanceof Inet4Address);
        channel.config().setOption(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(RECEIVE_BUFFER));
        if (receiveBuffer != DEFAULT_RECEIVE_BUFFER) {
            channel.config().setOption(ChannelOption.SO_RCVBUF, receiveBuffer);
        }
        channel.pipeline().addLast(new SimpleChannelInboundHandler<DatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                receiver.onDatagram(packet.sender(), packet.content());
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // ICMP errors surfacing as read errors (e.g. ECONNREFUSED) do not end an unconnected socket
            }
        });
        InlineBind.registerAndBind(loop, channel, local);
        return new HostDatagramSocket() {
            @Override
            public void send(InetSocketAddress to, ByteBuf payload) {
                channel.writeAndFlush(new DatagramPacket(payload, to), channel.voidPromise());
            }

            @Override
            public InetSocketAddress localAddress() {
                return channel.localAddress();
            }

            @Override
            public void close() {
                channel.close();
            }
        };
    }
}
