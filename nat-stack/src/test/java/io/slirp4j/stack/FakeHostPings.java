package io.slirp4j.stack;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.slirp4j.stack.host.HostPingSocket;
import io.slirp4j.stack.host.HostPings;
import io.slirp4j.stack.host.PingReceiver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.util.ArrayList;
import java.util.List;

/** Echo sockets that only record: each has an identifier of its own, like a ping socket; replies are injected. */
public final class FakeHostPings implements HostPings {
    public record Sent(InetAddress to, int ttl, byte[] message) {
    }

    private final ByteBufAllocator alloc;
    private final List<Socket> sockets = new ArrayList<>();
    public int failNextOpens;
    /** The errno the next send returns (0: sent). */
    public int failNextSend;

    public FakeHostPings(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    @Override
    public HostPingSocket open(StandardProtocolFamily family, InetAddress bindAddress, PingReceiver receiver)
        throws IOException {
        if (failNextOpens > 0) {
            failNextOpens--;
            throw new IOException("fake: too many open files");
        }
        Socket s = new Socket(family, bindAddress, receiver, 0x7000 + sockets.size());
        sockets.add(s);
        return s;
    }

    public List<Socket> sockets() {
        return sockets;
    }

    public Socket last() {
        return sockets.get(sockets.size() - 1);
    }

    public long openCount() {
        return sockets.stream().filter(s -> !s.closed).count();
    }

    public final class Socket implements HostPingSocket {
        public final StandardProtocolFamily family;
        public final InetAddress bindAddress;
        public final PingReceiver receiver;
        public final int kernelId;
        public final List<Sent> sent = new ArrayList<>();
        public boolean closed;

        Socket(StandardProtocolFamily family, InetAddress bindAddress, PingReceiver receiver, int kernelId) {
            this.family = family;
            this.bindAddress = bindAddress;
            this.receiver = receiver;
            this.kernelId = kernelId;
        }

        @Override
        public int send(InetAddress to, int ttl, ByteBuf message) {
            try {
                if (closed) {
                    throw new AssertionError("send on a closed socket");
                }
                if (failNextSend != 0) {
                    int errno = failNextSend;
                    failNextSend = 0;
                    return errno;
                }
                sent.add(new Sent(to, ttl, ByteBufUtil.getBytes(message)));
                return 0;
            } finally {
                message.release();
            }
        }

        @Override
        public void close() {
            closed = true;
        }

        /** The reply the host's kernel would hand this socket for {@code request}: type 0 (ICMPv6: 129), its id. */
        public void reply(InetAddress from, byte[] request) {
            byte[] m = request.clone();
            m[0] = (byte) (family == StandardProtocolFamily.INET6 ? 129 : 0);
            m[4] = (byte) (kernelId >>> 8);
            m[5] = (byte) kernelId;
            deliver(from, m);
        }

        public void deliver(InetAddress from, byte[] message) {
            if (closed) {
                throw new AssertionError("delivery to a closed socket");
            }
            ByteBuf b = alloc.buffer(message.length);
            b.writeBytes(message);
            try {
                receiver.onEchoReply(from, b);
            } finally {
                b.release();
            }
        }

        public void error(InetAddress reporter, int type, int code, int info, int sequence) {
            receiver.onError(reporter, type, code, info, sequence);
        }
    }
}
