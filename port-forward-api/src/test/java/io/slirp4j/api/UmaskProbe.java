package io.slirp4j.api;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Run in a child JVM under {@code umask 0} by {@link ApiServerTest}: starts a server at {@code args[0]}, creates a
 * plain file next to it (whose mode shows the umask was in effect), says "ready", and stops at EOF on stdin.
 */
public final class UmaskProbe {
    private UmaskProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try (ApiServer server = ApiServer.start(group.next(), new FakePortForwards(), socket)) {
            Path plain = Files.createFile(server.path().resolveSibling("plain"));
            System.out.println("plain " + PosixFilePermissions.toString(Files.getPosixFilePermissions(plain)));
            System.out.println("ready");
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the test to let go
            }
        } finally {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }
}
