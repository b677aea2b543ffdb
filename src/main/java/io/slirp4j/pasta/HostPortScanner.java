package io.slirp4j.pasta;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Which ports the host has bound, for pasta's {@code auto} forwarding from the namespace to the host (-T, -U), read as
 * pasta's procfs_scan_listen() reads them: every line of {@code /proc/net/tcp} and {@code tcp6} in state LISTEN
 * (0x0A), of {@code udp} and {@code udp6} in state 7 (unconnected, bound), whatever the local address.
 *
 * <p>The files are opened once, in the host's network namespace and before the sandbox hides /proc, and read again
 * from offset 0 at every scan (a seq_file restarts there). The parsing ({@link #listening}) and the choice of what to
 * forward ({@link #wanted}, {@link #diff}) are pure.
 */
public final class HostPortScanner implements Closeable {
    /** The kernel's TCP_LISTEN (include/net/tcp_states.h). */
    public static final int TCP_LISTEN = 0x0A;
    /** TCP_CLOSE, which a bound, unconnected UDP socket shows. */
    public static final int UDP_LISTEN = 0x07;
    static final int PORTS = 65536;

    private final List<FileChannel> tcp;
    private final List<FileChannel> udp;

    private HostPortScanner(List<FileChannel> tcp, List<FileChannel> udp) {
        this.tcp = tcp;
        this.udp = udp;
    }

    /** Opens a file for reading (in whichever network namespace the opener's /proc shows). */
    @FunctionalInterface
    public interface Opener {
        FileChannel open(Path file) throws IOException;
    }

    /** Opens /proc/net/{tcp,tcp6,udp,udp6} of this process's network namespace (a missing family is left out). */
    public static HostPortScanner open() throws IOException {
        return open(Path.of("/proc/net"), file -> FileChannel.open(file, StandardOpenOption.READ));
    }

    /**
     * Opens {tcp,tcp6,udp,udp6} in {@code dir} with {@code opener}: {@code /proc/thread-self/net} opened by a thread
     * inside another namespace scans that namespace's ports (-t auto).
     */
    public static HostPortScanner open(Path dir, Opener opener) throws IOException {
        List<FileChannel> tcp = new ArrayList<>();
        List<FileChannel> udp = new ArrayList<>();
        openIfThere(opener, dir.resolve("tcp"), tcp);
        openIfThere(opener, dir.resolve("tcp6"), tcp);
        openIfThere(opener, dir.resolve("udp"), udp);
        openIfThere(opener, dir.resolve("udp6"), udp);
        if (tcp.isEmpty() && udp.isEmpty()) {
            throw new IOException("cannot read " + dir.resolve("tcp") + " or " + dir.resolve("udp"));
        }
        return new HostPortScanner(tcp, udp);
    }

    private static void openIfThere(Opener opener, Path path, List<FileChannel> into) {
        try {
            into.add(opener.open(path));
        } catch (IOException e) {
            // no IPv6 on this host, say: the other family still counts
        }
    }

    /** The host's listening TCP ports now. */
    public BitSet tcpListening() {
        return scan(tcp, TCP_LISTEN);
    }

    /** The host's bound, unconnected UDP ports now. */
    public BitSet udpBound() {
        return scan(udp, UDP_LISTEN);
    }

    private static BitSet scan(List<FileChannel> files, int state) {
        BitSet ports = new BitSet(PORTS);
        for (FileChannel file : files) {
            try {
                listening(readAll(file), state, ports);
            } catch (IOException e) {
                // a failed read counts as no ports this time; the next scan tries again
            }
        }
        return ports;
    }

    private static String readAll(FileChannel file) throws IOException {
        file.position(0);
        ByteBuffer buf = ByteBuffer.allocate(64 << 10);
        StringBuilder text = new StringBuilder();
        while (file.read(buf) > 0 || buf.position() > 0) {
            buf.flip();
            text.append(StandardCharsets.US_ASCII.decode(buf));
            buf.clear();
        }
        return text.toString();
    }

    @Override
    public void close() {
        for (FileChannel f : tcp) {
            closeQuietly(f);
        }
        for (FileChannel f : udp) {
            closeQuietly(f);
        }
    }

    private static void closeQuietly(FileChannel f) {
        try {
            f.close();
        } catch (IOException ignored) {
            // read-only procfs file
        }
    }

    /**
     * Adds to {@code into} the local port of every line of a /proc/net/{tcp,udp}[6] text in {@code state}, as
     * {@code sscanf(line, "%*u: %*x:%lx %*x:%*x %x")}: the header (the first line) and lines that do not read so are
     * skipped, never an exception.
     */
    public static void listening(CharSequence text, int state, BitSet into) {
        String[] lines = text.toString().split("\n", -1);
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (f.length < 4 || !f[0].endsWith(":") || !isDecimal(f[0], f[0].length() - 1)) {
                continue;
            }
            int colon = f[1].lastIndexOf(':');
            if (colon <= 0 || f[2].indexOf(':') <= 0) {
                continue;
            }
            long port = hex(f[1], colon + 1, f[1].length());
            long lineState = hex(f[3], 0, f[3].length());
            if (port < 0 || port >= PORTS || lineState != state || hex(f[1], 0, colon) == -1) {
                continue;
            }
            into.set((int) port);
        }
    }

    private static boolean isDecimal(String s, int end) {
        if (end <= 0) {
            return false;
        }
        for (int i = 0; i < end; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** A hexadecimal number of up to 8 digits (ports, states), or -1; longer texts (addresses) are -2 if hex. */
    private static long hex(String s, int from, int to) {
        if (to <= from) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0) {
                return -1;
            }
            if (to - from > 8) {
                continue;
            }
            v = v * 16 + d;
        }
        return to - from > 8 ? -2 : v;
    }

    /**
     * What {@code auto} forwards: the ports bound on the host ({@code bound}) that the spec allows, except
     * {@code exclude} (ports whose host listener is this helper's own, forwarded the other way: forwarding them back
     * would loop), as pasta's procfs_scan_listen() with its exclude map.
     */
    public static BitSet wanted(BitSet bound, BitSet allowed, BitSet exclude) {
        BitSet wanted = (BitSet) bound.clone();
        wanted.and(allowed);
        wanted.andNot(exclude);
        wanted.clear(0);
        return wanted;
    }

    /** Ports to start and to stop forwarding, to go from {@code current} to {@code wanted}. */
    public record Diff(BitSet added, BitSet removed) {
        public boolean empty() {
            return added.isEmpty() && removed.isEmpty();
        }
    }

    public static Diff diff(BitSet current, BitSet wanted) {
        BitSet added = (BitSet) wanted.clone();
        added.andNot(current);
        BitSet removed = (BitSet) current.clone();
        removed.andNot(wanted);
        return new Diff(added, removed);
    }
}
