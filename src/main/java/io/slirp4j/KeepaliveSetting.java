package io.slirp4j;

import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.slirp4j.stack.tcp.TcpKeepalive;
import java.util.Map;

/**
 * The TCP keepalive timings: {@link TcpKeepalive#DEFAULTS} (60 s idle, a probe every 10 s, 5 probes; why in
 * {@code TcpConfig}), or {@value #VARIABLE}{@code =IDLE,INTERVAL,COUNT} in whole seconds from the environment, since
 * the command line must stay slirp4netns's. They apply to both sides: the stack's connections with the guest and
 * the host sockets (SO_KEEPALIVE with TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT), within the kernel's limits for
 * those (1-32767 s, 1-32767 s, 1-127).
 */
final class KeepaliveSetting {
    static final String VARIABLE = "SLIRP4J_TCP_KEEPALIVE";
    static final int MAX_SECONDS = 32767;
    static final int MAX_PROBES = 127;

    private KeepaliveSetting() {
    }

    /** The timings the environment asks for, or the defaults; a malformed value is an error that names it. */
    static TcpKeepalive fromEnvironment(Map<String, String> environment) {
        String value = environment.get(VARIABLE);
        return value == null ? TcpKeepalive.DEFAULTS : parse(value);
    }

    static TcpKeepalive parse(String value) {
        String[] parts = value.trim().split(",", -1);
        if (parts.length != 3) {
            throw invalid(value, "three numbers");
        }
        int idle = number(value, parts[0], "IDLE", MAX_SECONDS);
        int interval = number(value, parts[1], "INTERVAL", MAX_SECONDS);
        int probes = number(value, parts[2], "COUNT", MAX_PROBES);
        return new TcpKeepalive(idle * 1000L, interval * 1000L, probes);
    }

    private static int number(String value, String part, String name, int max) {
        int n;
        try {
            n = Integer.parseInt(part.trim());
        } catch (NumberFormatException e) {
            throw invalid(value, name + " not a whole number");
        }
        if (n < 1 || n > max) {
            throw invalid(value, name + " out of 1-" + max);
        }
        return n;
    }

    private static IllegalArgumentException invalid(String value, String why) {
        return new IllegalArgumentException(VARIABLE + "=" + value + ": " + why + "; expected IDLE,INTERVAL,COUNT "
            + "(seconds, seconds, probes), e.g. 60,10,5");
    }

    /** Turns on the kernel's keepalive with {@code timings} on an epoll socket channel (before it connects). */
    static void apply(SocketChannel channel, TcpKeepalive timings) {
        channel.config().setOption(ChannelOption.SO_KEEPALIVE, true);
        channel.config().setOption(EpollChannelOption.TCP_KEEPIDLE, seconds(timings.idleMs()));
        channel.config().setOption(EpollChannelOption.TCP_KEEPINTVL, seconds(timings.intervalMs()));
        channel.config().setOption(EpollChannelOption.TCP_KEEPCNT, Math.min(MAX_PROBES, timings.probes()));
    }

    /** Whole seconds, rounded up, within what the kernel takes. */
    private static int seconds(long ms) {
        return (int) Math.max(1, Math.min(MAX_SECONDS, (ms + 999) / 1000));
    }
}
