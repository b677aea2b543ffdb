package io.slirp4j.tap;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.FileDescriptor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The -e semantics on real pipes: hang-up ends it, data does not, an fd that is not open ends it at once. */
class ExitFdWatcherTest {

    @BeforeAll
    static void loadNatives() {
        Epoll.ensureAvailability(); // FileDescriptor.pipe() lives in Netty's native library
        Posix.warmUp(); // so that the watcher thread's first poll does not pay for loading libc's bindings
    }

    @Test
    void writerClosingEndsTheWatchAndDataWrittenFirstIsIgnored() throws Exception {
        FileDescriptor[] pipe = FileDescriptor.pipe();
        CountDownLatch exited = new CountDownLatch(1);
        ExitFdWatcher.start(pipe[0].intValue(), exited::countDown);

        byte[] bytes = "ignored".repeat(2000).getBytes(StandardCharsets.US_ASCII);
        ByteBuffer data = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        while (data.hasRemaining()) {
            data.position(data.position() + pipe[1].write(data, data.position(), data.limit()));
        }
        assertFalse(exited.await(300, TimeUnit.MILLISECONDS), "data on the exit fd must not end the helper");

        pipe[1].close();
        assertTrue(exited.await(30, TimeUnit.SECONDS), "closing the writer must end the helper");
        pipe[0].close();
    }

    @Test
    void anFdThatIsNotOpenEndsTheWatchAtOnce() throws Exception {
        // far above any number this JVM allocates: a just-closed number could be reused by another thread's open
        int closed = 1 << 20;
        assertFalse(Posix.isOpen(closed));
        CountDownLatch exited = new CountDownLatch(1);
        ExitFdWatcher.start(closed, exited::countDown);
        assertTrue(exited.await(30, TimeUnit.SECONDS));
    }
}
