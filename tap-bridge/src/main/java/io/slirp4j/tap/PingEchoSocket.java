package io.slirp4j.tap;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;

/**
 * One ping socket ({@code SOCK_DGRAM, IPPROTO_ICMP[V6]}): the kernel sets the identifier and checksum of what it
 * sends, delivers only the echo replies for its identifier (ICMP header and data, no IP header), and queues ICMP
 * errors about its requests on the error queue (IP_RECVERR), their payload starting at the quoted echo header.
 */
final class PingEchoSocket extends EchoFd implements EchoSocket {
    private final EchoSockets owner;
    private final int family;
    private final EchoListener listener;
    private final byte[] from = new byte[16];
    private final byte[] destination = new byte[16];
    private final int[] fromLength = new int[1];
    private final int[] info = new int[7];
    private int ttl;

    PingEchoSocket(EchoSockets owner, int fd, int family, EchoListener listener) {
        super(fd);
        this.owner = owner;
        this.family = family;
        this.listener = listener;
    }

    @Override
    public EchoSockets.Kind kind() {
        return EchoSockets.Kind.PING;
    }

    @Override
    public int send(InetAddress to, int ttl, ByteBuf message) {
        try {
            if (closed) {
                return LibC.EINVAL;
            }
            if (ttl > 0 && ttl != this.ttl && Native.setTtl(fd, family, ttl) == 0) {
                this.ttl = ttl;
            }
            int length = owner.stage(message);
            int n = Native.sendTo(fd, owner.send, 0, length, to.getAddress(), 0);
            return n < 0 ? -n : 0;
        } finally {
            message.release();
        }
    }

    @Override
    void onReadable() {
        for (int i = 0; i < READ_BUDGET && !closed; i++) {
            int n = Native.recvFrom(fd, owner.receive, 0, EchoSockets.BUFFER, from, fromLength);
            if (n < 0 || n > EchoSockets.BUFFER) {
                // EAGAIN: drained; a pending error (sk_err) is read from the error queue; a truncated datagram
                // cannot happen with this buffer
                return;
            }
            InetAddress sender = EchoSockets.address(from, fromLength[0]);
            if (sender != null && n >= 8) {
                listener.onEchoReply(sender, owner.received(0, n));
            }
        }
    }

    @Override
    void onErrors() {
        readErrorQueue(fd, owner, family, info, from, destination, listener);
    }

    /** Drains an error queue (a budget's worth), telling {@code listener} of each ICMP error about an echo request. */
    static void readErrorQueue(int fd, EchoSockets owner, int family, int[] info, byte[] offender, byte[] destination,
        EchoListener listener) {
        for (int i = 0; i < READ_BUDGET; i++) {
            int n = Native.recvError(fd, owner.receive, 0, EchoSockets.BUFFER, info, offender, destination);
            if (n < 0) {
                return;
            }
            if (n < 8) {
                continue;
            }
            int sequence = owner.received(0, n).getUnsignedShort(6);
            reportError(info, offender, family, sequence, listener);
        }
    }

    /** One error-queue report (see {@link Native#recvError}) about the request {@code sequence}, told to the listener. */
    static void reportError(int[] info, byte[] offender, int family, int sequence, EchoListener listener) {
        int errno = info[0];
        int origin = info[1];
        if (origin == EchoSockets.SO_EE_ORIGIN_ICMP || origin == EchoSockets.SO_EE_ORIGIN_ICMP6) {
            listener.onEchoError(EchoSockets.address(offender, info[5]), info[2], info[3], info[4], sequence);
        } else if (origin == EchoSockets.SO_EE_ORIGIN_LOCAL) {
            // the host refused it itself: a message too big for the route (info = MTU), or unreachable
            boolean v6 = family == EchoSockets.IPV6;
            if (errno == LibC.EMSGSIZE) {
                listener.onEchoError(null, v6 ? 2 : 3, v6 ? 0 : 4, info[4], sequence);
            } else {
                listener.onEchoError(null, v6 ? 1 : 3, v6 ? 3 : 1, 0, sequence);
            }
        }
    }
}
