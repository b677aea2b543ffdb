package io.slirp4j.api;

import io.slirp4j.stack.forward.ForwardProtocol;
import io.slirp4j.stack.wire.IpLiterals;
import io.slirp4j.stack.wire.Ipv4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One port forward as a command line writes it ({@code slirp4j -p}, {@code slirp4j api add}): what reaches
 * hostAddress:hostPort on the host goes to guestPort of the guest. The guest's address is not part of the spec:
 * {@code -p} forwards to the recommended guest address, {@code api add} to its {@code --guest-addr}.
 *
 * @param protocol    TCP or UDP
 * @param hostAddress the address to listen on; 0.0.0.0 (every IPv4 address) when the spec names none
 * @param hostPort    0..65535; 0 lets the host pick a free port
 * @param guestPort   1..65535
 */
public record ForwardSpec(ForwardProtocol protocol, InetAddress hostAddress, int hostPort, int guestPort) {
    public static final int MAX_PORT = 65535;
    /** The form of the argument, as the help and the messages show it. */
    public static final String SYNTAX = "[HOST_ADDR:]HOST_PORT:GUEST_PORT[/tcp|udp]";
    private static final InetAddress ANY = Ipv4Address.toInetAddress(Ipv4Address.ANY);

    public ForwardSpec {
        Objects.requireNonNull(protocol);
        Objects.requireNonNull(hostAddress);
        if (hostPort < 0 || hostPort > MAX_PORT || guestPort < 1 || guestPort > MAX_PORT) {
            throw new IllegalArgumentException("port out of range: " + hostPort + ":" + guestPort);
        }
    }

    /** The host socket a forward binds; no two forwards can bind the same one unless its port is 0 (any). */
    public record Listener(ForwardProtocol protocol, InetAddress address, int port) {}

    public Listener listener() {
        return new Listener(protocol, hostAddress, hostPort);
    }

    /**
     * A spec that breaks a rule. The message names the rule and echoes the text, but not where the text came from:
     * the caller prefixes that (the option, the command).
     *
     * <p>Carries no stack trace: it is an expected outcome of parsing, not a bug.
     */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /** A port, or a range of them, as written on one side of the spec. */
    private record Ports(int first, int last, boolean range) {
        int count() {
            return last - first + 1;
        }
    }

    /**
     * Parses {@code [HOST_ADDR:]HOST_PORT:GUEST_PORT[/tcp|udp]}, each port possibly a range ({@code 8000-8009}),
     * into one forward per port, in order. HOST_ADDR is an address literal: a host name is refused rather than
     * looked up, since the parser does no I/O and a name could resolve to something else by the time the port is
     * bound.
     *
     * @param whenUnsuffixed the protocol of a spec without {@code /tcp} or {@code /udp}
     */
    public static List<ForwardSpec> parse(String text, ForwardProtocol whenUnsuffixed) throws Invalid {
        String rest = text;
        ForwardProtocol protocol = Objects.requireNonNull(whenUnsuffixed);
        int slash = text.lastIndexOf('/');
        if (slash >= 0) {
            protocol = protocol(text.substring(slash + 1), text);
            rest = text.substring(0, slash);
        }

        InetAddress hostAddress = ANY;
        String[] ports;
        if (rest.startsWith("[")) {
            int end = rest.indexOf("]:");
            if (end < 0) {
                throw invalidShape(text);
            }
            hostAddress = hostAddress(IpLiterals.ipv6(rest.substring(1, end)), rest.substring(0, end + 1), text);
            ports = rest.substring(end + 2).split(":", -1);
            if (ports.length != 2) {
                throw invalidShape(text);
            }
        } else {
            String[] parts = rest.split(":", -1);
            if (parts.length == 3) {
                hostAddress = hostAddress(IpLiterals.ipv4(parts[0]), parts[0], text);
            } else if (parts.length > 3) {
                String address = rest.substring(0, rest.lastIndexOf(':', rest.lastIndexOf(':') - 1));
                if (IpLiterals.ipv6(address) != null) {
                    // the colons of an IPv6 address would run into the ports' without brackets
                    throw invalid("needs brackets around an IPv6 HOST_ADDR, like [::1]:8080:80", address, text);
                }
                throw invalidShape(text);
            } else if (parts.length < 2) {
                throw invalidShape(text);
            }
            ports = new String[] {parts[parts.length - 2], parts[parts.length - 1]};
        }

        Ports host = ports("HOST_PORT", ports[0], 0, "8000-8009", text);
        Ports guest = ports("GUEST_PORT", ports[1], 1, "80-89", text);
        if (host.range() && host.first() == 0) {
            // each port of a range is its own listener: a run of "any free port" would not be a range
            throw invalid("HOST_PORT 0 (any free port) cannot be part of a range", ports[0], text);
        }
        if (host.count() != guest.count()) {
            throw new Invalid("HOST_PORT and GUEST_PORT ranges must be the same length (got " + host.count() + " and "
                + guest.count() + " ports in '" + text + "')");
        }
        List<ForwardSpec> specs = new ArrayList<>(host.count());
        for (int i = 0; i < host.count(); i++) {
            specs.add(new ForwardSpec(protocol, hostAddress, host.first() + i, guest.first() + i));
        }
        return specs;
    }

    private static ForwardProtocol protocol(String suffix, String text) throws Invalid {
        return switch (suffix) {
            case "tcp" -> ForwardProtocol.TCP;
            case "udp" -> ForwardProtocol.UDP;
            default -> throw invalid("protocol must be tcp or udp", suffix, text);
        };
    }

    private static InetAddress hostAddress(InetAddress parsed, String given, String text) throws Invalid {
        if (parsed == null) {
            throw invalid("HOST_ADDR must be an IPv4 address or an IPv6 address in brackets like [::1]", given, text);
        }
        return parsed;
    }

    private static Ports ports(String name, String given, int min, String example, String text) throws Invalid {
        int dash = given.indexOf('-');
        int first = port(dash < 0 ? given : given.substring(0, dash), min);
        int last = dash < 0 ? first : port(given.substring(dash + 1), min);
        if (first < 0 || last < 0) {
            throw invalid(name + " must be " + min + " to " + MAX_PORT + ", or a range like " + example, given, text);
        }
        if (last < first) {
            throw invalid(name + " range must not end before it starts", given, text);
        }
        return new Ports(first, last, dash >= 0);
    }

    /** The port number, or -1 if the text is not a decimal number (digits only) from min to 65535. */
    private static int port(String text, int min) {
        if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        try {
            int port = Integer.parseInt(text);
            return port >= min && port <= MAX_PORT ? port : -1;
        } catch (NumberFormatException tooBig) {
            return -1;
        }
    }

    private static Invalid invalidShape(String text) {
        return new Invalid("must look like " + SYNTAX + " (got '" + text + "')");
    }

    /** A rule broken by one part of the spec: names the part, and the whole spec for context. */
    private static Invalid invalid(String rule, String part, String text) {
        return new Invalid(rule + " (got '" + part + "' in '" + text + "')");
    }
}
