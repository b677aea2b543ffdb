package io.slirp4j.stack;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.slirp4j.stack.host.DatagramReceiver;
import io.slirp4j.stack.host.HostDatagramSocket;
import io.slirp4j.stack.host.HostDatagrams;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** Host sockets that only record: sends are kept as bytes, replies are injected by the test. */
public final class FakeHostDatagrams implements HostDatagrams {
    public record Sent(InetSocketAddress to, byte[] payload) {
    }

    private final ByteBufAllocator alloc;
    private final List<Socket> sockets = new ArrayList<>();
    private int failNextOpens;

    public FakeHostDatagrams(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    @Override
    public HostDatagramSocket open(InetSocketAddress local, DatagramReceiver receiver, int receiveBuffer)
        throws IOException {
        if (failNextOpens > 0) {
            failNextOpens--;
            throw new IOException("fake: too many open files");
        }
        Socket socket = new Socket(local, receiver, receiveBuffer);
        sockets.add(socket);
        return socket;
    }

    public void failNextOpens(int count) {
        failNextOpens = count;
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

    /** Every datagram sent through any socket, in order of sockets then sends. */
    public List<Sent> allSent() {
        List<Sent> all = new ArrayList<>();
        for (Socket s : sockets) {
            all.addAll(s.sent);
        }
        return all;
    }

    public final class Socket implements HostDatagramSocket {
        public final InetSocketAddress local;
        public final DatagramReceiver receiver;
        public final int receiveBuffer;
        public final List<Sent> sent = new ArrayList<>();
        public boolean closed;

        Socket(InetSocketAddress local, DatagramReceiver receiver, int receiveBuffer) {
            this.local = local;
            this.receiver = receiver;
            this.receiveBuffer = receiveBuffer;
        }

        @Override
        public void send(InetSocketAddress to, ByteBuf payload) {
            if (payload.refCnt() < 1) {
                throw new AssertionError("payload already released");
            }
            try {
                if (closed) {
                    throw new AssertionError("send on a closed socket");
                }
                sent.add(new Sent(to, ByteBufUtil.getBytes(payload)));
            } finally {
                payload.release();
            }
        }

        @Override
        public InetSocketAddress localAddress() {
            return local;
        }

        @Override
        public void close() {
            closed = true;
        }

        /** A datagram from {@code from} arrives on this socket, alone in its read loop. */
        public void deliver(InetSocketAddress from, byte[] data) {
            deliverBurst(from, List.of(data));
        }

        /** Datagrams from {@code from} arrive on this socket in one read loop; payloads are borrowed. */
        public void deliverBurst(InetSocketAddress from, List<byte[]> datagrams) {
            if (closed) {
                throw new AssertionError("delivery to a closed socket");
            }
            for (byte[] data : datagrams) {
                ByteBuf payload = alloc.buffer(data.length);
                payload.writeBytes(data);
                try {
                    receiver.onDatagram(from, payload);
                } finally {
                    payload.release();
                }
            }
            receiver.onReadComplete();
        }
    }
}
