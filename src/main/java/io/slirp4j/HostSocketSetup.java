package io.slirp4j;

import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.slirp4j.stack.tcp.TcpKeepalive;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What every host TCP socket gets before it connects or is handed to a forward: the kernel's keepalive
 * ({@link KeepaliveSetting}) and a limit on its unsent bytes (TCP_NOTSENT_LOWAT: the kernel takes no more data for
 * the socket while that much is unsent), shared out among the open sockets.
 *
 * <p>Why a limit: the send buffer of a socket whose peer does not read grows (autotuning) to hundreds of KiB, all of
 * it kernel memory charged to the machine's TCP, not to the helper. 2,000 guest connections to a server that never
 * reads put 1.3 GB there, past tcp_mem's pressure mark, which then squeezed every TCP socket on the machine (a bulk
 * stream beside them fell to 40%). With a limit, what such a peer does not take waits in the helper under its buffer
 * budget, and the guest's window closes. Why shared out: a small limit costs a lone bulk stream a quarter of its
 * rate at MTU 1500 (more wakeups, more writes per byte), while a few sockets cannot put much into the kernel anyway.
 * So each socket may leave {@link #UNSENT_TOTAL} divided by the number of open host sockets unsent, between
 * {@link #MIN_UNSENT} and {@link #MAX_UNSENT}; when that share has halved since it was last given to every open
 * socket, it is given to every open socket again (a few setsockopt calls per socket over its life), so the sockets
 * together stay within about twice the total.
 *
 * <p>Runs on the stack's event loop, as every socket set-up does; the set of sockets is confined there.
 */
final class HostSocketSetup implements Consumer<SocketChannel> {
    /** What all host sockets together may leave unsent in the kernel, within a factor of two. */
    static final long UNSENT_TOTAL = 128L << 20;
    static final int MIN_UNSENT = 128 << 10;
    /** tcp_wmem's default maximum: the send buffer cannot hold more anyway, so this is no limit. */
    static final int MAX_UNSENT = 4 << 20;

    private final TcpKeepalive keepalive;
    private final Set<SocketChannel> open = new HashSet<>();
    /** The share last given to every open socket. */
    private long applied = MAX_UNSENT;

    HostSocketSetup(TcpKeepalive keepalive) {
        this.keepalive = keepalive;
    }

    @Override
    public void accept(SocketChannel channel) {
        KeepaliveSetting.apply(channel, keepalive);
        open.add(channel);
        channel.closeFuture().addListener(closed -> open.remove(channel));
        long share = unsentLimit(open.size());
        if (share <= applied / 2) {
            applied = share;
            for (SocketChannel c : open) {
                limitUnsent(c, share);
            }
            return;
        }
        if (share >= applied * 2) {
            applied = share; // fewer sockets than when it was last given to all: newer ones may have more again
        }
        limitUnsent(channel, share);
    }

    private static void limitUnsent(SocketChannel channel, long bytes) {
        channel.config().setOption(EpollChannelOption.TCP_NOTSENT_LOWAT, bytes);
    }

    /** Each socket's share of {@link #UNSENT_TOTAL} while {@code open} host sockets are open. */
    static long unsentLimit(int open) {
        return Math.max(MIN_UNSENT, Math.min(MAX_UNSENT, UNSENT_TOTAL / Math.max(1, open)));
    }
}
