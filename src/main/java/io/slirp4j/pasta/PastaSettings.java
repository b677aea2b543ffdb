package io.slirp4j.pasta;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A pasta command line, checked as pasta checks it before it touches anything (values, repetitions, conflicts).
 * What pasta can only check at run time (that an interface exists, that a --runas user exists, files) is left to
 * the caller. Per-family options hold the last address given for each family, as pasta keeps them.
 *
 * @param target         what to connect: a PID, a namespace path, or a command (empty: the default shell)
 * @param userns         --userns, a path
 * @param netnsOnly      join only the network namespace: --netns-only, or implied by a PID-less --netns
 *                       without --userns
 * @param prefixLength4  from -n, or from -a ADDR/LEN for IPv4
 * @param prefixLength6  from -a ADDR/LEN for IPv6
 * @param mtu            -m; 0 means "don't assign one" (pasta's default is 65520)
 * @param dns            -D addresses in order (pasta keeps at most 4 per family, as here); noDns for -D none
 * @param tcpIn          -t specs in order (empty: pasta's default, auto)
 * @param notHonoured    long names (with dashes) of options given that these settings do not carry, in the
 *                       order first given, for the caller to warn about
 * @param other          values of those options, by long name, in order (no values for flags)
 */
public record PastaSettings(
    Target target, Optional<String> userns, boolean netnsOnly,
    boolean foreground, boolean quiet, boolean debug, boolean trace, boolean stderr,
    Optional<String> logFile, Optional<String> pidFile,
    boolean ipv4Only, boolean ipv6Only, OptionalInt mtu,
    Optional<Inet4Address> address4, Optional<Inet6Address> address6,
    OptionalInt prefixLength4, OptionalInt prefixLength6,
    Optional<Inet4Address> gateway4, Optional<Inet6Address> gateway6,
    Optional<String> iface, Optional<Inet4Address> outbound4, Optional<Inet6Address> outbound6,
    Optional<String> outboundIf4, Optional<String> outboundIf6,
    Optional<String> nsIfname, Optional<String> nsMacAddr,
    boolean noDhcp, boolean noNdp, boolean noDhcpv6, boolean noRa, boolean noMapGw,
    Optional<Inet4Address> mapHostLoopback4, Optional<Inet6Address> mapHostLoopback6,
    Optional<Inet4Address> mapGuestAddr4, Optional<Inet6Address> mapGuestAddr6,
    Optional<Inet4Address> dnsForward4, Optional<Inet6Address> dnsForward6,
    List<InetAddress> dns, boolean noDns, List<String> search, boolean noSearch,
    boolean noTcp, boolean noUdp, boolean noIcmp,
    boolean configNet, boolean noCopyRoutes, boolean noCopyAddrs, boolean hostLoToNsLo,
    List<PortSpec> tcpIn, List<PortSpec> udpIn, List<PortSpec> tcpOut, List<PortSpec> udpOut,
    List<String> notHonoured, Map<String, List<String>> other) {

    /** What pasta connects to. */
    public sealed interface Target {
        /** A PID operand: its /proc/PID/ns/net, and /proc/PID/ns/user unless --userns or --netns-only. */
        record Pid(int pid) implements Target {}

        /** --netns: a path (a bare name was made /run/netns/NAME, as pasta does). */
        record NetnsPath(String path) implements Target {}

        /** A command to start in a new namespace; empty for pasta's default, the user's shell. */
        record Command(List<String> argv) implements Target {
            public Command {
                argv = List.copyOf(argv);
            }
        }
    }

    public PastaSettings {
        dns = List.copyOf(dns);
        search = List.copyOf(search);
        tcpIn = List.copyOf(tcpIn);
        udpIn = List.copyOf(udpIn);
        tcpOut = List.copyOf(tcpOut);
        udpOut = List.copyOf(udpOut);
        notHonoured = List.copyOf(notHonoured);
        other = Map.copyOf(other);
        if (ipv4Only && ipv6Only) {
            throw new IllegalArgumentException("-4 and -6 exclude each other (pasta keeps the last)");
        }
    }
}
