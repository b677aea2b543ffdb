package io.slirp4j;

import io.netty.buffer.ByteBuf;
import io.netty.channel.IoEventLoop;
import io.slirp4j.stack.host.HostPingSocket;
import io.slirp4j.stack.host.HostPings;
import io.slirp4j.stack.host.PingReceiver;
import io.slirp4j.tap.EchoListener;
import io.slirp4j.tap.EchoSocket;
import io.slirp4j.tap.EchoSockets;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;

/**
 * The stack's {@link HostPings} on tap-bridge's {@link EchoSockets}: ping sockets (or libslirp's fallbacks) in the
 * stack's own epoll event loop, so replies and errors reach the stack on its thread. Made on first use, so that a
 * guest that never pings outside costs nothing. Why pings do not go out through ping sockets, if they do not, is said
 * once on stderr.
 */
final class EpollHostPings implements HostPings {
    private final IoEventLoop loop;
    private final PrintStream err;
    private EchoSockets sockets;

    EpollHostPings(IoEventLoop loop, PrintStream err) {
        this.loop = loop;
        this.err = err;
    }

    @Override
    public HostPingSocket open(StandardProtocolFamily family, InetAddress bindAddress, PingReceiver receiver)
        throws IOException {
        if (sockets == null) {
            sockets = new EchoSockets(loop, warning -> err.println("slirp4j: " + warning));
        }
        EchoSocket socket = sockets.open(family == StandardProtocolFamily.INET6, bindAddress, new EchoListener() {
            @Override
            public void onEchoReply(InetAddress from, ByteBuf message) {
                receiver.onEchoReply(from, message);
            }

            @Override
            public void onEchoError(InetAddress reporter, int type, int code, int info, int sequence) {
                receiver.onError(reporter, type, code, info, sequence);
            }
        });
        return new HostPingSocket() {
            @Override
            public int send(InetAddress to, int ttl, ByteBuf message) {
                return socket.send(to, ttl, message);
            }

            @Override
            public void close() {
                socket.close();
            }
        };
    }
}
