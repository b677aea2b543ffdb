package io.slirp4j.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.slirp4j.stack.host.EpollHalfClosure;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One API connection: one request in, one answer out, then close. Lives on the server's event loop.
 *
 * <p>The request is complete when the client half-closes (the channel allows half-closure, so EOF arrives as a
 * {@link ChannelInputShutdownEvent} while the answer can still be written). Bytes are collected up to
 * {@link ApiRequests#MAX_REQUEST_BYTES}; filling that answers {@code too large message} at once and closes the
 * connection right after, whether or not the client half-closed, as slirp4netns does ({@link #shutDownAndDrain}).
 *
 * <p>Two deadlines, counted from accept, end connections that never finish, so that a client cannot hold a slot
 * for long: a short one while the client has sent nothing at all (engines write as soon as they connect, so
 * silence means a stuck or hostile client), and the whole-request one, which also covers a person typing into
 * {@code socat} and a stack that never answers. The {@link Stage} tells the server which connections it may evict
 * when its slots run out: those still waiting for a request, never one already answering.
 */
final class ApiConnection extends ChannelInboundHandlerAdapter {
    enum Stage {
        /** Accepted, no byte read yet. */
        SILENT,
        /** Some of the request read, no EOF yet. */
        READING,
        /** The request is complete: being answered, or the answer is on its way out. */
        ANSWERING
    }

    private static final int DRAIN_CHUNK = 64 << 10;
    /** More than any socket buffer holds: a bound on the drain loop, which the kernel's limits end first. */
    private static final long MAX_DRAIN_BYTES = 64L << 20;

    private final ApiHandler handler;
    private final long timeoutNanos;
    private final long silentTimeoutNanos;
    private final byte[] request = new byte[ApiRequests.MAX_REQUEST_BYTES];
    private int length;
    private Stage stage = Stage.SILENT;
    private ScheduledFuture<?> deadline;
    private ScheduledFuture<?> silentDeadline;

    /** Both deadlines count from accept: {@code silentTimeoutNanos} is meant to be the shorter. */
    ApiConnection(ApiHandler handler, long timeoutNanos, long silentTimeoutNanos) {
        this.handler = handler;
        this.timeoutNanos = timeoutNanos;
        this.silentTimeoutNanos = silentTimeoutNanos;
    }

    /** Where the exchange is; read on the loop. */
    Stage stage() {
        return stage;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        deadline = ctx.executor().schedule((Runnable) ctx::close, timeoutNanos, TimeUnit.NANOSECONDS);
        silentDeadline = ctx.executor().schedule((Runnable) ctx::close, silentTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        deadline.cancel(false);
        silentDeadline.cancel(false);
    }

    /** Leaves {@link Stage#SILENT}, for good: the whole-request deadline alone applies from now on. */
    private void advance(Stage next) {
        stage = next;
        silentDeadline.cancel(false);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (stage == Stage.ANSWERING) {
                return;
            }
            ByteBuf bytes = (ByteBuf) msg;
            if (bytes.isReadable() && stage == Stage.SILENT) {
                advance(Stage.READING);
            }
            int take = Math.min(bytes.readableBytes(), request.length - length);
            bytes.readBytes(request, length, take);
            length += take;
            if (length == request.length) {
                tooLarge(ctx);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (!(event instanceof ChannelInputShutdownEvent)) {
            ReferenceCountUtil.release(event);
            return;
        }
        if (stage != Stage.ANSWERING) {
            advance(Stage.ANSWERING);
            answer(ctx);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private void tooLarge(ChannelHandlerContext ctx) {
        advance(Stage.ANSWERING);
        ctx.writeAndFlush(Unpooled.wrappedBuffer(ApiResponses.error(ApiErrors.TOO_LARGE)))
            .addListener((ChannelFuture written) -> {
                if (written.isSuccess()) {
                    shutDownAndDrain(written.channel());
                }
                written.channel().close();
            });
    }

    /**
     * Prepares closing a connection whose client may still be writing, so that it can read our answer and then
     * EOF: closing a unix socket with unread data makes the peer's next read fail with ECONNRESET (its answer
     * before that is readable, but clients that read to EOF take the reset as a failure). So: shut down both
     * directions, after which the kernel refuses the client's writes (EPIPE) and our receive queue can only shrink,
     * then read that queue empty. The caller closes the channel next, on the same loop turn.
     */
    private static void shutDownAndDrain(Channel channel) {
        if (!(channel instanceof UnixChannel unix) || !(unix.fd() instanceof Socket socket)) {
            return;
        }
        try {
            socket.shutdown(true, true);
            ByteBuffer scratch = ByteBuffer.allocateDirect(DRAIN_CHUNK);
            long drained = 0;
            int n;
            while (drained < MAX_DRAIN_BYTES && (n = socket.read(scratch, 0, scratch.capacity())) > 0) {
                drained += n;
            }
        } catch (IOException e) {
            // the client is gone already: nothing left to protect
        }
    }

    private void answer(ChannelHandlerContext ctx) {
        CompletableFuture<byte[]> answer;
        try {
            answer = handler.answer(request, length);
        } catch (RuntimeException e) {
            fail(ctx, e);
            return;
        }
        answer.whenComplete((bytes, error) -> {
            if (ctx.executor().inEventLoop()) {
                write(ctx, bytes, error);
                return;
            }
            try {
                ctx.executor().execute(() -> write(ctx, bytes, error));
            } catch (RejectedExecutionException e) {
                // the loop is shutting down, and closes the connection itself
            }
        });
    }

    private void write(ChannelHandlerContext ctx, byte[] bytes, Throwable error) {
        if (error != null) {
            fail(ctx, error);
        } else {
            // the client's half-close may have cost the fd its registration, which an answer too large for the
            // socket buffer needs
            EpollHalfClosure.beforeInterest(ctx.channel());
            ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The stack failed in a way the API has no answer for: the client sees EOF, the log says why. */
    private static void fail(ChannelHandlerContext ctx, Throwable cause) {
        Throwable reason = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
        System.err.println("slirp4j: API request failed: " + reason);
        ctx.close();
    }
}
