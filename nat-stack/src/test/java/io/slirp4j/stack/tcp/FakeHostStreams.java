package io.slirp4j.stack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.slirp4j.stack.host.HostListener;
import io.slirp4j.stack.host.HostStream;
import io.slirp4j.stack.host.HostStreams;
import io.slirp4j.stack.host.StreamAcceptor;
import io.slirp4j.stack.host.StreamHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** Host TCP connections that the test drives by hand: connect outcome, reads, write completions, EOF, errors. */
public final class FakeHostStreams implements HostStreams {
    final ByteBufAllocator alloc;
    final List<Conn> all = new ArrayList<>();
    final List<Listener> listeners = new ArrayList<>();
    int failNextConnects;

    public FakeHostStreams(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    @Override
    public HostStream connect(InetSocketAddress remote, InetAddress local, StreamHandler handler) throws IOException {
        if (failNextConnects > 0) {
            failNextConnects--;
            throw new IOException("Too many open files");
        }
        Conn c = new Conn(remote, handler);
        c.local = local;
        all.add(c);
        return c;
    }

    @Override
    public HostListener listen(InetSocketAddress local, StreamAcceptor acceptor) throws IOException {
        if (local.getPort() != 0 && listeners.stream().anyMatch(l -> !l.closed && l.local.getPort() == local.getPort())) {
            throw new java.net.BindException("Address already in use");
        }
        Listener l = new Listener(local.getPort() == 0 ? new InetSocketAddress(local.getAddress(), 40000 + listeners.size())
            : local, acceptor);
        listeners.add(l);
        return l;
    }

    final class Listener implements HostListener {
        final InetSocketAddress local;
        final StreamAcceptor acceptor;
        boolean closed;

        Listener(InetSocketAddress local, StreamAcceptor acceptor) {
            this.local = local;
            this.acceptor = acceptor;
        }

        @Override
        public InetSocketAddress localAddress() {
            return local;
        }

        @Override
        public void close() {
            closed = true;
        }

        /** A client connects; returns its connection (aborted if the acceptor refused it). */
        Conn connectFrom(InetSocketAddress client) {
            if (closed) {
                throw new AssertionError("connect to a closed listener");
            }
            Conn c = new Conn(client, null);
            all.add(c);
            c.handler = acceptor.accept(c, client);
            if (c.handler == null) {
                c.aborted = true;
            }
            return c;
        }
    }

    Conn last() {
        return all.get(all.size() - 1);
    }

    /** Every connection made so far, in order: outbound ones and those accepted from listeners. */
    public List<Conn> connections() {
        return all;
    }

    public long openCount() {
        return all.stream().filter(c -> !c.closed && !c.aborted && !c.failed).count();
    }

    public final class Conn implements HostStream {
        final InetSocketAddress remote;
        /** The local address an outbound connection was asked to bind, or null. */
        InetAddress local;
        StreamHandler handler;
        /** Writes not yet completed (the test completes them with {@link #complete}). */
        final Deque<ByteBuf> queued = new ArrayDeque<>();
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        public boolean autoCompleteWrites = true;
        boolean autoRead = true;
        int autoReadOffs;
        boolean shutdown;
        public boolean closed;
        public boolean aborted;
        public boolean failed;

        Conn(InetSocketAddress remote, StreamHandler handler) {
            this.remote = remote;
            this.handler = handler;
        }

        @Override
        public void write(ByteBuf data) {
            if (closed || aborted || failed || shutdown) {
                data.release();
                throw new AssertionError("write after close/shutdown");
            }
            if (autoCompleteWrites) {
                int n = data.readableBytes();
                take(data);
                handler.onWritten(n);
            } else {
                queued.add(data);
            }
        }

        private void take(ByteBuf data) {
            byte[] b = new byte[data.readableBytes()];
            data.readBytes(b);
            written.writeBytes(b);
            data.release();
        }

        /** Completes every queued write. */
        public void complete() {
            while (!queued.isEmpty()) {
                ByteBuf b = queued.poll();
                int n = b.readableBytes();
                take(b);
                if (!closed && !aborted) {
                    handler.onWritten(n);
                }
            }
        }

        /** The writes the host has not completed yet. */
        public java.util.Collection<ByteBuf> pendingWrites() {
            return queued;
        }

        int queuedBytes() {
            return queued.stream().mapToInt(ByteBuf::readableBytes).sum();
        }

        @Override
        public void shutdownOutput() {
            shutdown = true;
        }

        @Override
        public void close() {
            closed = true;
            releaseQueued();
        }

        @Override
        public void abort() {
            aborted = true;
            releaseQueued();
        }

        public void releaseQueued() {
            while (!queued.isEmpty()) {
                queued.poll().release();
            }
        }

        @Override
        public void setAutoRead(boolean on) {
            if (autoRead && !on) {
                autoReadOffs++;
            }
            autoRead = on;
        }

        public void connected() {
            handler.onConnected();
        }

        /** One read loop that brings {@code data}, as Netty delivers it: the read, then its end. */
        public void read(byte[] data) {
            handler.onRead(alloc.buffer(data.length).writeBytes(data));
            handler.onReadComplete();
        }

        /** One read loop that brings several pieces, each an onRead, then the loop's end. */
        void readLoop(byte[]... pieces) {
            for (byte[] p : pieces) {
                handler.onRead(alloc.buffer(p.length).writeBytes(p));
            }
            handler.onReadComplete();
        }

        public void eof() {
            handler.onEof();
        }

        public void reset() {
            failed = true;
            releaseQueued();
            handler.onError(new IOException("Connection reset by peer"));
        }

        public void fail(io.slirp4j.stack.host.ConnectFailure reason) {
            failed = true;
            handler.onConnectFailed(reason, null);
        }
    }
}
