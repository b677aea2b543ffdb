package io.slirp4j.tap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * The last resort when neither a ping socket nor a raw socket is allowed, as libslirp's: each echo request becomes
 * one UDP datagram to port 7 (echo) of its destination, from a socket of its own with IP_RECVERR and the request's
 * TTL. Whatever answers on that socket counts as the echo reply (the request reflected, with its own data); an ICMP
 * error on it (port unreachable from a host without the echo service, host unreachable, time exceeded) as an error
 * about the request. The socket closes after either, or when it is one of more than {@value #MAX_PENDING} waiting
 * for this prober (the oldest goes), or with the prober.
 */
final class UdpEchoProber implements EchoSocket {
    static final int ECHO_PORT = 7;
    static final int MAX_PENDING = 16;
    static final byte[] PROBE = "slirp4j: an ICMP echo request from a guest, sent to the UDP echo service since this host allows no ICMP socket\n"
        .getBytes(StandardCharsets.US_ASCII);

    private final EchoSockets owner;
    private final int family;
    private final byte[] bind;
    private final EchoListener listener;
    private final ArrayDeque<Probe> pending = new ArrayDeque<>();
    private boolean closed;

    UdpEchoProber(EchoSockets owner, int family, byte[] bind, EchoListener listener) {
        this.owner = owner;
        this.family = family;
        this.bind = bind;
        this.listener = listener;
    }

    @Override
    public EchoSockets.Kind kind() {
        return EchoSockets.Kind.UDP_PROBE;
    }

    @Override
    public int send(InetAddress to, int ttl, ByteBuf message) {
        try {
            if (closed || message.readableBytes() < 8) {
                return LibC.EINVAL;
            }
            int fd = Native.echoSocket(family, LibC.SOCK_DGRAM, LibC.IPPROTO_UDP, bind);
            if (fd < 0) {
                return -fd;
            }
            byte[] request = new byte[message.readableBytes()];
            message.getBytes(message.readerIndex(), request);
            Probe probe = new Probe(fd, request);
            if (ttl > 0) {
                Native.setTtl(fd, family, ttl);
            }
            owner.send.clear();
            owner.send.put(0, PROBE);
            int n = Native.sendTo(fd, owner.send, 0, PROBE.length, to.getAddress(), ECHO_PORT);
            if (n < 0) {
                probe.close();
                return -n;
            }
            try {
                probe.register(owner.loop);
            } catch (IOException e) {
                return LibC.EINVAL;
            }
            pending.add(probe);
            if (pending.size() > MAX_PENDING) {
                pending.poll().close();
            }
            return 0;
        } finally {
            message.release();
        }
    }

    int pending() {
        return pending.size();
    }

    @Override
    public void close() {
        closed = true;
        for (Probe p : pending) {
            p.close();
        }
        pending.clear();
    }

    private final class Probe extends EchoFd {
        final byte[] request;
        private final byte[] from = new byte[16];
        private final byte[] destination = new byte[16];
        private final int[] fromLength = new int[1];
        private final int[] info = new int[7];

        Probe(int fd, byte[] request) {
            super(fd);
            this.request = request;
        }

        @Override
        void onReadable() {
            int n = Native.recvFrom(fd, owner.receive, 0, EchoSockets.BUFFER, from, fromLength);
            if (n < 0) {
                return; // EAGAIN, or an error whose report is on the error queue
            }
            InetAddress sender = EchoSockets.address(from, fromLength[0]);
            finish();
            if (sender != null) {
                ByteBuf reply = Unpooled.wrappedBuffer(request);
                reply.setByte(0, family == EchoSockets.IPV6 ? 129 : 0);
                listener.onEchoReply(sender, reply);
            }
        }

        @Override
        void onErrors() {
            int n = Native.recvError(fd, owner.receive, 0, EchoSockets.BUFFER, info, from, destination);
            if (n < 0) {
                return;
            }
            finish();
            PingEchoSocket.reportError(info, from, family, ((request[6] & 0xFF) << 8) | (request[7] & 0xFF),
                listener);
        }

        private void finish() {
            pending.remove(this);
            close();
        }
    }
}
