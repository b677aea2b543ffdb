package io.slirp4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.slirp4j.stack.tcp.TcpKeepalive;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostSocketSetupTest {
    @Test
    void theUnsentTotalIsSharedOutAmongTheOpenSocketsWithinItsBounds() {
        assertEquals(4 << 20, HostSocketSetup.unsentLimit(1), "a lone socket: the kernel's own maximum");
        assertEquals(4 << 20, HostSocketSetup.unsentLimit(32));
        assertEquals((128L << 20) / 33, HostSocketSetup.unsentLimit(33));
        assertEquals(256 << 10, HostSocketSetup.unsentLimit(512));
        assertEquals(128 << 10, HostSocketSetup.unsentLimit(1024));
        assertEquals(128 << 10, HostSocketSetup.unsentLimit(16384), "never below the minimum");
        assertEquals(4 << 20, HostSocketSetup.unsentLimit(0));
    }

    /** Real sockets (unconnected): the kernel reports back the limit each one was given. */
    @Test
    void aShareHalvedSinceItWasLastGivenToAllIsGivenToAllAgain() {
        io.netty.channel.epoll.Epoll.ensureAvailability();
        HostSocketSetup setup = new HostSocketSetup(TcpKeepalive.DEFAULTS);
        List<EpollSocketChannel> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                EpollSocketChannel c = new EpollSocketChannel();
                sockets.add(c);
                setup.accept(c);
            }
            assertEquals(2 << 20, lowat(sockets.get(0)), "given to all at 64 sockets");
            assertEquals(2 << 20, lowat(sockets.get(63)));
            assertEquals((128L << 20) / 65, lowat(sockets.get(64)), "its own share since");
            assertEquals((128L << 20) / 100, lowat(sockets.get(99)));
            assertEquals(true, sockets.get(0).config().getOption(io.netty.channel.ChannelOption.SO_KEEPALIVE));
        } finally {
            for (EpollSocketChannel c : sockets) {
                c.unsafe().closeForcibly();
            }
        }
    }

    private static long lowat(EpollSocketChannel c) {
        return c.config().getOption(EpollChannelOption.TCP_NOTSENT_LOWAT);
    }
}
