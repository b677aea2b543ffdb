package io.slirp4j.stack.host;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.net.SocketAddress;

/** Registering and binding a host socket on the loop's own thread, where both run inline. */
final class InlineBind {
    private InlineBind() {
    }

    /**
     * Registers {@code channel} with {@code loop} and binds it to {@code local}. Called on {@code loop}, both are
     * done on return, so a failed bind is known here and not later; on failure the channel is closed.
     */
    static void registerAndBind(EventLoop loop, Channel channel, SocketAddress local) throws IOException {
        assert loop.inEventLoop();
        ChannelFuture registered = loop.register(channel);
        ChannelFuture bound = registered.isSuccess() ? channel.bind(local) : registered;
        if (bound.isDone() && bound.isSuccess()) {
            return;
        }
        channel.close();
        Throwable cause = bound.cause();
        if (cause instanceof IOException io) {
            throw io;
        }
        throw new IOException("cannot bind " + local + ": " + (cause == null ? "bind did not complete" : cause),
            cause);
    }
}
