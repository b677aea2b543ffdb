package io.slirp4j.tap;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.Future;
import java.io.IOException;

/**
 * A socket of {@link EchoSockets} registered in a Netty epoll event loop, level-triggered for reading: readiness to
 * read calls {@link #onReadable}, a non-empty error queue (EPOLLERR, which epoll always reports) {@link #onErrors}.
 * Both must drain what they can, at most a budget per wake-up.
 */
abstract class EchoFd implements EpollIoHandle {
    static final int READ_BUDGET = 32;

    final int fd;
    private final FileDescriptor descriptor;
    private IoRegistration registration;
    boolean closed;

    EchoFd(int fd) {
        this.fd = fd;
        this.descriptor = new FileDescriptor(fd);
    }

    /** Registers with {@code loop} (inline on the loop's own thread) and starts reading; closes the fd on failure. */
    void register(IoEventLoop loop) throws IOException {
        Future<IoRegistration> f = loop.register(this);
        if (!loop.inEventLoop()) {
            f.awaitUninterruptibly();
        }
        if (!f.isSuccess()) {
            closeFd();
            throw new IOException("cannot register an echo socket in the event loop", f.cause());
        }
        registration = f.getNow();
        registration.submit(EpollIoOps.EPOLLIN);
    }

    @Override
    public FileDescriptor fd() {
        return descriptor;
    }

    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        EpollIoOps ops = ((EpollIoEvent) event).ops();
        if (ops.contains(EpollIoOps.EPOLLERR) && !closed) {
            onErrors();
        }
        if (ops.contains(EpollIoOps.EPOLLIN) && !closed) {
            onReadable();
        }
    }

    abstract void onReadable();

    abstract void onErrors();

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (registration != null && registration.isValid()) {
            registration.cancel();
        }
        closeFd();
    }

    private void closeFd() {
        try {
            descriptor.close();
        } catch (IOException ignored) {
            // nothing to do about a failed close(2)
        }
    }
}
