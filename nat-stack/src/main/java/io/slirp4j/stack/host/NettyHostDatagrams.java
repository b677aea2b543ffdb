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
import java.util.ArrayDeque;
import java.util.function.Function;

/**
 * {@link HostDatagrams} on Netty datagram channels registered in the stack's own event loop, so that receivers
 * run there and no flow state is shared between threads. The channel class is injected (epoll in the program,
 * NIO in tests): this package does not pick a transport.
 *
 * <p>Sends are queued and flushed once per turn of the loop, by a task that runs after the turn's I/O: the
 * datagrams a burst of guest frames produced for one socket leave in one {@code sendmmsg(2)} (Netty's epoll
 * transport uses it whenever more than one is queued), not one {@code sendto(2)} each, and the host's receiver
 * is woken once per burst rather than per datagram. Datagrams keep their order; nothing waits longer than the
 * loop's current turn.
 */
public final class NettyHostDatagrams implements HostDatagrams {
    /** Large enough for any UDP payload (65507) so nothing is truncated; the pool recycles it at once. */
    static final int RECEIVE_BUFFER = 65536;
    /** Datagrams read from one socket per turn of the loop at most: a full UDP super-frame's worth. */
    static final int READS_PER_TURN = 64;

    private final EventLoop loop;
    private final Function<Boolean, DatagramChannel> newChannel;
    private DeviceBinding deviceBinding = DeviceBinding.UNSUPPORTED;
    /** Channels with queued, unflushed datagrams, each once; drained by {@link #flushAll}. */
    private final ArrayDeque<Socket> unflushed = new ArrayDeque<>();
    private boolean flushScheduled;
    private final Runnable flushAll = this::flushAll;

    /** @param newChannel makes an unregistered channel; its argument is true for IPv4, false for IPv6 */
    public NettyHostDatagrams(EventLoop loop, Function<Boolean, DatagramChannel> newChannel) {
        this.loop = loop;
        this.newChannel = newChannel;
    }

    /** How {@link #open(InetSocketAddress, String, DatagramReceiver, int)} binds to an interface (set before use). */
    public NettyHostDatagrams deviceBinding(DeviceBinding binding) {
        this.deviceBinding = binding;
        return this;
    }

    @Override
    public HostDatagramSocket open(InetSocketAddress local, DatagramReceiver receiver, int receiveBuffer)
        throws IOException {
        return open(local, null, receiver, receiveBuffer);
    }

    @Override
    public HostDatagramSocket open(InetSocketAddress local, String device, DatagramReceiver receiver,
        int receiveBuffer) throws IOException {
        assert loop.inEventLoop();
        DatagramChannel channel = newChannel.apply(local.getAddress() instanceof Inet4Address);
        if (device != null) {
            deviceBinding.bind(channel, device);
        }
        // read on while datagrams wait, up to READS_PER_TURN: an allocator set here reads one per turn unless told
        // (the channel's default of 16 goes with the allocator it replaces), and would stop at any datagram that
        // does not fill the buffer ("maybe more data"). What one turn reads for a flow can reach the guest in one
        // frame (UDP segmentation), and a burst costs one wake-up instead of one each.
        channel.config().setOption(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(RECEIVE_BUFFER)
            .respectMaybeMoreData(false).maxMessagesPerRead(READS_PER_TURN));
        if (receiveBuffer != DEFAULT_RECEIVE_BUFFER) {
            channel.config().setOption(ChannelOption.SO_RCVBUF, receiveBuffer);
        }
        channel.pipeline().addLast(new SimpleChannelInboundHandler<DatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                receiver.onDatagram(packet.sender(), packet.content());
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                receiver.onReadComplete();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // ICMP errors surfacing as read errors (e.g. ECONNREFUSED) do not end an unconnected socket
            }
        });
        InlineBind.registerAndBind(loop, channel, local);
        return new Socket(channel);
    }

    private void flushAll() {
        flushScheduled = false;
        Socket socket;
        while ((socket = unflushed.poll()) != null) {
            socket.queued = false;
            socket.channel.flush();
        }
    }

    private final class Socket implements HostDatagramSocket {
        final DatagramChannel channel;
        boolean queued;

        Socket(DatagramChannel channel) {
            this.channel = channel;
        }

        @Override
        public void send(InetSocketAddress to, ByteBuf payload) {
            channel.write(new DatagramPacket(payload, to), channel.voidPromise());
            if (!queued) {
                queued = true;
                unflushed.add(this);
                if (!flushScheduled) {
                    flushScheduled = true;
                    loop.execute(flushAll);
                }
            }
        }

        @Override
        public InetSocketAddress localAddress() {
            return channel.localAddress();
        }

        @Override
        public void close() {
            if (queued) {
                channel.flush(); // what was sent before the close still goes (the flush task skips closed ones)
            }
            channel.close();
        }
    }
}
