package io.slirp4j.tap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEventLoop;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Host sockets for ICMP echo to the outside (the guest's pings), registered in one Netty epoll event loop so that
 * replies and errors arrive on it without other threads. Not thread-safe: use it on that loop only.
 *
 * <p>Theory of operation, the way libslirp (slirp4netns) does it, in the same order of preference:
 * <ol>
 *   <li>{@link Kind#PING}: an unprivileged ping socket, {@code socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)} (or
 *       {@code AF_INET6, IPPROTO_ICMPV6}), one per {@link #open}. The kernel replaces the echo identifier with the
 *       socket's own (its "port"), fills in the checksum, and hands the socket only the echo replies carrying that
 *       identifier; with IP_RECVERR / IPV6_RECVERR, ICMP errors about its requests (destination unreachable, time
 *       exceeded) come back on its error queue, quoting the request (so its sequence number). Allowed when the
 *       process's group is in {@code net.ipv4.ping_group_range} of the network namespace (that one sysctl governs
 *       IPv6 ping sockets too).</li>
 *   <li>If the kernel refuses one (EACCES: the group is not in the range; EAFNOSUPPORT/EPROTONOSUPPORT: no ping
 *       sockets), a line saying so goes to the warnings consumer once, and {@link Kind#RAW}: one raw ICMP socket
 *       per address family shared by every {@link #open} (needs CAP_NET_RAW in the namespace's user namespace; root
 *       has it). Each socket opened on it gets an identifier of its own, written into its requests, and incoming
 *       echo replies and errors (whose quote holds the identifier) are sorted by it, so it behaves like a ping
 *       socket.</li>
 *   <li>If that is refused too (EPERM), {@link Kind#UDP_PROBE}: each echo request becomes a UDP datagram to the
 *       destination's port 7 (the echo service) from a socket of its own, as libslirp does; an answer on it is
 *       taken as the echo reply (the request reflected), an ICMP error on it (typically port unreachable from the
 *       destination itself) as an error about the request.</li>
 * </ol>
 * Every open tries a ping socket first, so a change of the sysctl takes effect for new sockets.
 *
 * <p>{@code bindAddress} (for --outbound-addr / --outbound-addr6) binds the sockets to that local address; the
 * shared raw socket of a family takes the bind address of the first open that created it.
 */
public final class EchoSockets {
    /** How the echo requests of a socket leave the host. */
    public enum Kind { PING, RAW, UDP_PROBE }

    static final int IPV4 = 4;
    static final int IPV6 = 6;
    /** Room for any datagram: an IPv4 header with options plus 65535 bytes. */
    static final int BUFFER = 65536 + 128;
    static final int SO_EE_ORIGIN_LOCAL = 1;
    static final int SO_EE_ORIGIN_ICMP = 2;
    static final int SO_EE_ORIGIN_ICMP6 = 3;

    final IoEventLoop loop;
    private final Consumer<String> warnings;
    private final Path pingGroupRange;
    /** Where every socket of this instance reads to (one loop, one read at a time) and stages what it sends. */
    final ByteBuffer receive = ByteBuffer.allocateDirect(BUFFER);
    final ByteBuffer send = ByteBuffer.allocateDirect(BUFFER);
    private final ByteBuf receiveView = Unpooled.wrappedBuffer(receive);
    private final RawEchoMux[] raw = new RawEchoMux[2];
    private boolean warned;

    /**
     * @param warnings hears, once, why echo requests do not go out through ping sockets and what is done instead
     */
    public EchoSockets(IoEventLoop loop, Consumer<String> warnings) {
        this(loop, warnings, DEFAULT_PING_GROUP_RANGE);
    }

    EchoSockets(IoEventLoop loop, Consumer<String> warnings, Path pingGroupRange) {
        this.loop = loop;
        this.warnings = warnings;
        this.pingGroupRange = pingGroupRange;
    }

    /**
     * Opens an echo socket for IPv4 or IPv6 ({@code ipv6}), bound to {@code bindAddress} unless null (it must be of
     * that family), whose replies and errors go to {@code listener}.
     *
     * @throws IOException when no kind of socket can be had (e.g. out of fds)
     */
    public EchoSocket open(boolean ipv6, InetAddress bindAddress, EchoListener listener) throws IOException {
        int family = ipv6 ? IPV6 : IPV4;
        byte[] bind = null;
        if (bindAddress != null) {
            if ((bindAddress instanceof Inet6Address) != ipv6) {
                throw new IOException("bind address " + bindAddress.getHostAddress() + " is not an IPv"
                    + family + " address");
            }
            bind = bindAddress.getAddress();
        }
        int fd = Native.echoSocket(family, LibC.SOCK_DGRAM, ipv6 ? LibC.IPPROTO_ICMPV6 : LibC.IPPROTO_ICMP, bind);
        if (fd >= 0) {
            PingEchoSocket socket = new PingEchoSocket(this, fd, family, listener);
            socket.register(loop);
            return socket;
        }
        if (fd != -LibC.EACCES && fd != -LibC.EAFNOSUPPORT && fd != -LibC.EPROTONOSUPPORT) {
            throw Posix.failure(pingSocketCall(family), fd);
        }
        RawEchoMux mux = raw[ipv6 ? 1 : 0];
        int rawErrno = 0;
        if (mux == null) {
            int rawFd = Native.echoSocket(family, LibC.SOCK_RAW, ipv6 ? LibC.IPPROTO_ICMPV6 : LibC.IPPROTO_ICMP,
                bind);
            if (rawFd >= 0) {
                mux = new RawEchoMux(this, rawFd, family);
                mux.register(loop);
                raw[ipv6 ? 1 : 0] = mux;
            } else {
                rawErrno = -rawFd;
            }
        }
        warnOnce(family, -fd, rawErrno);
        if (mux != null) {
            return mux.open(listener);
        }
        return new UdpEchoProber(this, family, bind, listener);
    }

    private void warnOnce(int family, int pingErrno, int rawErrno) {
        if (warned) {
            return;
        }
        warned = true;
        StringBuilder s = new StringBuilder("ICMP echo to outside addresses: the kernel refused a ping socket (")
            .append(pingSocketCall(family)).append(": ").append(Native.strerror(pingErrno)).append(')');
        if (pingErrno == LibC.EACCES) {
            String groups = groups();
            if (groups.equals("unknown") && rememberedGroups != null) {
                groups = rememberedGroups;
            }
            s.append(": the helper's group (").append(groups).append(") is not in net.ipv4.ping_group_range (")
                .append(pingGroupRange()).append(") of its network namespace; allow it with e.g. sysctl -w "
                    + "net.ipv4.ping_group_range=\"0 2147483647\"");
        }
        if (rawErrno == 0) {
            s.append(". Using a raw ICMP socket instead, as slirp4netns does.");
        } else {
            s.append(". A raw ICMP socket is not permitted either (").append(Native.strerror(rawErrno))
                .append("), so, as slirp4netns does, each echo request goes out as a UDP datagram to port 7 (echo)"
                    + " of its destination and only an answer there counts as a reply.");
        }
        warnings.accept(s.toString());
    }

    private static String pingSocketCall(int family) {
        return family == IPV6 ? "socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6)"
            : "socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)";
    }

    /**
     * The helper's groups and ping_group_range as they are now, kept for the warning about refused ping sockets,
     * which comes at the first echo request: in the sandbox /proc is out of reach by then. Called before it.
     */
    public static void rememberHostSettings() {
        rememberedGroups = groups();
        rememberedRange = readPingGroupRange(DEFAULT_PING_GROUP_RANGE);
    }

    private static volatile String rememberedGroups;
    private static volatile String rememberedRange;
    private static final Path DEFAULT_PING_GROUP_RANGE = Path.of("/proc/sys/net/ipv4/ping_group_range");

    private String pingGroupRange() {
        String now = readPingGroupRange(pingGroupRange);
        return now.equals(UNREADABLE) && rememberedRange != null ? rememberedRange : now;
    }

    private static final String UNREADABLE = "unreadable";

    private static String readPingGroupRange(Path pingGroupRange) {
        // one read(2) with room to spare: this proc file answers a read of its exact size with the first number only
        try (java.io.InputStream in = Files.newInputStream(pingGroupRange)) {
            byte[] b = new byte[128];
            int n = in.read(b);
            return n <= 0 ? UNREADABLE : new String(b, 0, n, java.nio.charset.StandardCharsets.US_ASCII).strip()
                .replaceAll("\\s+", " ");
        } catch (IOException | RuntimeException e) {
            return UNREADABLE;
        }
    }

    /** The process's real group and supplementary groups as /proc/self/status tells them. */
    private static String groups() {
        try {
            String gid = null;
            String groups = "";
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Gid:")) {
                    gid = line.substring(4).trim().split("\\s+")[0];
                } else if (line.startsWith("Groups:")) {
                    groups = line.substring(7).trim();
                }
            }
            return gid == null ? "unknown" : "gid " + gid + (groups.isEmpty() ? "" : ", groups " + groups);
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    // ---- shared by the socket classes

    /** Copies {@code message}'s readable bytes to the start of the send buffer; returns how many. */
    int stage(ByteBuf message) {
        int length = Math.min(message.readableBytes(), BUFFER);
        send.clear();
        message.getBytes(message.readerIndex(), send.duplicate().limit(length));
        return length;
    }

    /** A view of {@code length} bytes of the receive buffer from {@code offset}, valid until the next read. */
    ByteBuf received(int offset, int length) {
        return receiveView.slice(offset, length);
    }

    static InetAddress address(byte[] bytes, int length) {
        if (length != 4 && length != 16) {
            return null;
        }
        try {
            return InetAddress.getByAddress(Arrays.copyOf(bytes, length));
        } catch (UnknownHostException e) {
            return null;
        }
    }

    static boolean isIpv4(InetAddress a) {
        return a instanceof Inet4Address;
    }
}
