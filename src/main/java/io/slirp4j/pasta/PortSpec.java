package io.slirp4j.pasta;

import io.slirp4j.stack.wire.IpLiterals;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * One {@code -t/-u/-T/-U} argument, parsed by the grammar of pasta's {@code conf_ports()} and
 * {@code conf_ports_spec()} (passt 2025):
 * <pre>
 *   none
 *   [[ADDR][%IFACE]/]PORTS        ADDR IPv4 or IPv6, optionally in [brackets]; only for -t and -u
 *   PORTS := all | CHUNK[,CHUNK]...[,]
 *   CHUNK := auto | ~FIRST[-LAST] | FIRST[-LAST][:TARGETFIRST[-TARGETLAST]]
 * </pre>
 * With no including chunk (only exclusions, only {@code auto}, empty, or {@code all}), the spec means every
 * non-ephemeral port but the excluded ones ({@link #allExcept()}); {@code auto} makes every forward conditional on
 * the port being bound on the other side ({@link #auto()}).
 *
 * @param option     the option letter: 't', 'u', 'T' or 'U'
 * @param text       the argument as given
 * @param none       {@code none}: no forwarding in this direction
 * @param address    the listening address, or null for any
 * @param iface      the listening interface, or null for any
 * @param auto       forwards only while the port is bound on the target side
 * @param allExcept  every non-ephemeral port except {@link #exclusions()} (pasta leaves out the ephemeral range,
 *                   which it reads from /proc/sys/net/ipv4/ip_local_port_range when it starts)
 * @param ranges     the explicit ranges, exclusions already removed (split around them)
 * @param exclusions the {@code ~} ranges, each with target = first
 */
public record PortSpec(char option, String text, boolean none, InetAddress address, String iface, boolean auto,
                       boolean allExcept, List<Range> ranges, List<Range> exclusions) {

    /** Ports first..last, forwarded to targetFirst..targetFirst+(last-first). */
    public record Range(int first, int last, int targetFirst) {
        public int targetLast() {
            return targetFirst + last - first;
        }
    }

    /** One port to forward: listen on hostPort (at bindAddress/bindInterface if set), forward to guestPort. */
    public record Forward(InetAddress bindAddress, String bindInterface, int hostPort, int guestPort) {}

    /** Linux's IFNAMSIZ: an interface name has at most 15 bytes. */
    static final int IFNAMSIZ = 16;
    private static final int NUM_PORTS = 65536;

    public PortSpec {
        ranges = List.copyOf(ranges);
        exclusions = List.copyOf(exclusions);
    }

    /** The explicit forwards, one per port, in the order given. Empty for none and for allExcept-only specs. */
    public List<Forward> forwards() {
        List<Forward> forwards = new ArrayList<>();
        for (Range range : ranges) {
            for (int port = range.first(); port <= range.last(); port++) {
                forwards.add(new Forward(address, iface, port, port - range.first() + range.targetFirst()));
            }
        }
        return forwards;
    }

    /** Whether the option is inbound (-t, -u: host to namespace) rather than outbound (-T, -U). */
    public boolean inbound() {
        return option == 't' || option == 'u';
    }

    /** Whether the option is about TCP (-t, -T) rather than UDP. */
    public boolean tcp() {
        return option == 't' || option == 'T';
    }

    static PortSpec none(char option) {
        return new PortSpec(option, "none", true, null, null, false, false, List.of(), List.of());
    }

    /** Parses one argument of -t/-u/-T/-U other than "none", with pasta's checks and texts. */
    static PortSpec parse(char option, String arg) throws PastaException {
        String spec = arg;
        InetAddress address = null;
        String iface = null;
        int slash = arg.indexOf('/');
        if (slash >= 0) {
            spec = arg.substring(slash + 1);
            if (option == 'T' || option == 'U') {
                throw new PastaException("Listening address not allowed for -" + option + " " + arg);
            }
            String where = arg.substring(0, slash);
            int percent = where.indexOf('%');
            if (percent >= 0) {
                iface = where.substring(percent + 1);
                if (iface.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= IFNAMSIZ) {
                    throw new PastaException("Interface name '" + iface + "' is too long (max "
                        + (IFNAMSIZ - 1) + ")");
                }
                where = where.substring(0, percent);
            }
            if (percent != 0) { // "%eth0/80" names an interface and no address
                String literal = where;
                if (literal.length() >= 2 && literal.startsWith("[") && literal.endsWith("]")) {
                    literal = literal.substring(1, literal.length() - 1);
                }
                address = IpLiterals.parse(literal);
                if (address == null) {
                    throw new PastaException("Bad forwarding address '" + literal + "'");
                }
            }
        }
        return ports(option, arg, address, iface, spec);
    }

    private static PortSpec ports(char option, String arg, InetAddress address, String iface, String given)
        throws PastaException {
        String spec = given.equals("all") ? "" : given; // "all" is the empty list: every non-ephemeral port
        List<String> chunks = chunks(spec);
        BitSet excluded = new BitSet(NUM_PORTS);
        List<Range> exclusions = new ArrayList<>();
        boolean auto = false;
        boolean excludeOnly = true;
        for (String chunk : chunks) {
            if (!chunk.isEmpty() && isDigit(chunk.charAt(0))) {
                excludeOnly = false;
            } else if (chunk.equals("auto")) {
                auto = true;
            } else if (chunk.startsWith("~")) {
                int[] range = portRange(chunk, 1);
                if (range == null || range[2] != chunk.length()) {
                    throw bad(given);
                }
                excluded.set(range[0], range[1] + 1);
                exclusions.add(new Range(range[0], range[1], range[0]));
            } else {
                throw bad(given);
            }
        }
        List<Range> ranges = new ArrayList<>();
        if (!excludeOnly) {
            for (String chunk : chunks) {
                if (chunk.isEmpty() || !isDigit(chunk.charAt(0))) {
                    continue;
                }
                int[] from = portRange(chunk, 0);
                if (from == null) {
                    throw bad(given);
                }
                int end = from[2];
                int targetFirst = from[0];
                if (end < chunk.length() && chunk.charAt(end) == ':') {
                    int[] to = portRange(chunk, end + 1);
                    if (to == null || to[1] - to[0] != from[1] - from[0]) {
                        throw bad(given);
                    }
                    targetFirst = to[0];
                    end = to[2];
                }
                if (end != chunk.length()) {
                    throw bad(given);
                }
                if (from[0] == 0) {
                    throw new PastaException("Can't forward port 0 included in '" + given + "'");
                }
                int delta = targetFirst - from[0];
                for (int base = from[0]; base <= from[1]; base++) {
                    if (excluded.get(base)) {
                        continue;
                    }
                    int last = base;
                    while (last < from[1] && !excluded.get(last + 1)) {
                        last++;
                    }
                    ranges.add(new Range(base, last, base + delta));
                    base = last;
                }
            }
        }
        return new PortSpec(option, arg, false, address, iface, auto, excludeOnly, ranges, exclusions);
    }

    /**
     * conf_ports_spec()'s for_each_chunk: pieces between commas, ending at the end of the text; so a trailing
     * comma is allowed and an empty text has no chunk, while an empty piece elsewhere is a (bad) chunk.
     */
    private static List<String> chunks(String spec) {
        List<String> chunks = new ArrayList<>();
        int p = 0;
        while (p < spec.length()) {
            int comma = spec.indexOf(',', p);
            int end = comma < 0 ? spec.length() : comma;
            chunks.add(spec.substring(p, end));
            p = comma < 0 ? end : end + 1;
        }
        return chunks;
    }

    /**
     * parse_port_range(): strtoul, optionally '-' and strtoul again; {first, last, end} or null if nothing was
     * converted, last is below first, or last is beyond 65535.
     */
    private static int[] portRange(String s, int from) {
        CNumbers.Parsed first = CNumbers.strtoul(s, from, 10);
        if (first.end() == from) {
            return null;
        }
        CNumbers.Parsed last = first;
        if (first.end() < s.length() && s.charAt(first.end()) == '-') {
            last = CNumbers.strtoul(s, first.end() + 1, 10);
            if (last.end() == first.end() + 1) {
                return null;
            }
        }
        if (last.value() < first.value() || last.value() >= NUM_PORTS) {
            return null;
        }
        return new int[] {(int) first.value(), (int) last.value(), last.end()};
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static PastaException bad(String spec) {
        return new PastaException("Invalid port specifier '" + spec + "'");
    }

    /** Whether the listening address is an IPv4 one (else IPv6, or none). */
    boolean ipv4Address() {
        return address instanceof Inet4Address;
    }
}
