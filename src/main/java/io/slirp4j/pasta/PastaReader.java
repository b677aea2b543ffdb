package io.slirp4j.pasta;

import io.slirp4j.pasta.PastaGetopt.Given;
import io.slirp4j.pasta.PastaSettings.Target;
import io.slirp4j.stack.wire.IpLiterals;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Does with each option what pasta's conf() does, in the order given: first every option but the port
 * forwards (values checked as they come, so the first bad one is the one reported), then the checks of
 * combinations, then -t/-u/-T/-U in order, then the PID or command. Texts are pasta's die() messages.
 */
final class PastaReader {
    /** Linux's PATH_MAX, the size of pasta's path buffers. */
    private static final int PATH_MAX = 4096;
    /** sizeof(struct sockaddr_un.sun_path). */
    private static final int UNIX_PATH_MAX = 108;
    /** PASST_MAXDNAME: a DNS name of at most 253 characters. */
    private static final int MAXDNAME = 254;
    /** pasta's minimum --log-size, LOGFILE_SIZE_MIN (5 * BUFSIZ). */
    private static final long LOGFILE_SIZE_MIN = 5L * 8192;
    /** pasta's largest MTU: its largest frame (ETH_MAX_MTU, 65535) less the Ethernet header. */
    private static final long MAX_MTU = 65535 - 14;
    /** How many -D addresses of one family pasta keeps (MAXNS + 1). */
    private static final int DNS_MAX = 4;
    /** How many -S domains pasta takes (MAXDNSRCH). */
    private static final int SEARCH_MAX = 6;

    /** The options these settings carry; any other one given is reported as not honoured. */
    private static final List<String> CARRIED = List.of("debug", "quiet", "foreground", "stderr", "log-file",
        "help", "ns-ifname", "pid", "mtu", "address", "netmask", "gateway", "interface", "outbound", "dns",
        "search", "no-tcp", "no-udp", "no-icmp", "no-dhcp", "no-dhcpv6", "no-ndp", "no-ra", "no-map-gw",
        "ipv4-only", "ipv6-only", "tcp-ports", "udp-ports", "tcp-ns", "udp-ns", "userns", "netns", "ns-mac-addr",
        "dns-forward", "trace", "version", "outbound-if4", "outbound-if6", "config-net", "no-copy-routes",
        "no-copy-addrs", "netns-only", "map-host-loopback", "map-guest-addr", "host-lo-to-ns-lo");

    private final String programName;
    private final List<String> warnings = new ArrayList<>();
    private final List<String> notHonoured = new ArrayList<>();
    private final Map<String, List<String>> other = new LinkedHashMap<>();

    private String userns;
    private String netns;
    private boolean netnsOnly;
    private boolean foreground;
    private boolean quiet;
    private boolean debug;
    private boolean trace;
    private boolean stderr;
    private String logFile;
    private String pidFile;
    private boolean v4Only;
    private boolean v6Only;
    private Integer mtu;
    private Inet4Address address4;
    private Inet6Address address6;
    private Integer prefix4;
    private Integer prefix6;
    private boolean addressHadPrefix;
    private boolean netmaskGiven;
    private Inet4Address gateway4;
    private Inet6Address gateway6;
    private String iface;
    private Inet4Address outbound4;
    private Inet6Address outbound6;
    private String outboundIf4;
    private String outboundIf6;
    private String nsIfname;
    private String nsMac;
    private final Map<String, Boolean> flags = new LinkedHashMap<>();
    private boolean noMapGw;
    private Inet4Address mapHost4;
    private Inet6Address mapHost6;
    private Inet4Address mapGuest4;
    private Inet6Address mapGuest6;
    private Inet4Address dnsForward4;
    private Inet6Address dnsForward6;
    private final List<Inet4Address> dns4 = new ArrayList<>();
    private final List<Inet6Address> dns6 = new ArrayList<>();
    private boolean noDns;
    private final List<String> search = new ArrayList<>();
    private int searchSlots;
    private boolean noSearch;

    private PastaReader(String programName) {
        this.programName = programName;
    }

    static PastaResult read(String programName, List<Given> options, List<String> operands) {
        PastaReader reader = new PastaReader(programName);
        try {
            PastaResult early = reader.firstPass(options);
            if (early != null) {
                return early;
            }
            return reader.finish(options, operands);
        } catch (PastaException e) {
            return reader.fail(e.getMessage());
        }
    }

    /** What pasta does with the options getopt_long returned before a complaint; null if it reaches it. */
    static PastaResult readBeforeComplaint(String programName, List<Given> options) {
        PastaReader reader = new PastaReader(programName);
        try {
            return reader.firstPass(options);
        } catch (PastaException e) {
            return reader.fail(e.getMessage());
        }
    }

    private PastaResult fail(String message) {
        List<String> lines = new ArrayList<>(warnings);
        lines.add(message);
        return new PastaResult.Fail(String.join("\n", lines));
    }

    /** conf()'s first getopt loop; a Print for --help, --version or --print-capabilities, else null. */
    private PastaResult firstPass(List<Given> options) throws PastaException {
        for (Given given : options) {
            String name = given.opt().name();
            String arg = given.value();
            if (!CARRIED.contains(name)) {
                if (!notHonoured.contains("--" + name)) {
                    notHonoured.add("--" + name);
                }
                List<String> values = other.computeIfAbsent(name, n -> new ArrayList<>());
                if (arg != null) {
                    values.add(arg);
                }
            }
            switch (name) {
                case "userns" -> {
                    userns = path(arg, PATH_MAX, "Invalid userns: ");
                    netnsOnly = false;
                }
                case "netns" -> {
                    netns = arg.indexOf('/') < 0 ? "/run/netns/" + arg : arg;
                    if (bytes(netns) > PATH_MAX) {
                        throw new PastaException("Network namespace name/path " + arg + " too long");
                    }
                }
                case "ns-mac-addr" -> nsMac = mac(arg);
                case "mac-addr" -> mac(arg);
                case "no-dhcp-dns", "no-dhcp-search" ->
                    throw new PastaException("--" + name + " is for passt mode only");
                case "dns-forward" -> {
                    InetAddress a = IpLiterals.parse(arg);
                    if (a instanceof Inet6Address a6 && !a6.isAnyLocalAddress() && !a6.isLoopbackAddress()) {
                        dnsForward6 = a6;
                    } else if (a instanceof Inet4Address a4 && plain4(a4)) {
                        dnsForward4 = a4;
                    } else {
                        throw new PastaException("Invalid DNS forwarding address: " + arg);
                    }
                }
                case "trace" -> {
                    trace = debug = true;
                    quiet = false;
                }
                case "log-size" -> {
                    Long size = CNumbers.unsignedWhole(arg, 0);
                    if (size == null || size < LOGFILE_SIZE_MIN) {
                        throw new PastaException("Invalid --log-size: " + arg);
                    }
                }
                case "version" -> {
                    return new PastaResult.Print(PastaText.version());
                }
                case "outbound-if4" -> outboundIf4 = ifname(arg);
                case "outbound-if6" -> outboundIf6 = ifname(arg);
                case "no-copy-routes", "no-copy-addrs" -> {
                    warnings.add("--" + name + " will be dropped soon");
                    flags.put(name, true);
                }
                case "netns-only" -> {
                    netnsOnly = true;
                    userns = null;
                }
                case "map-host-loopback" -> {
                    if (arg.equals("none")) {
                        mapHost4 = null;
                        mapHost6 = null;
                        noMapGw = true;
                    } else {
                        InetAddress a = nat(arg);
                        if (a instanceof Inet6Address a6) {
                            mapHost6 = a6;
                        } else {
                            mapHost4 = (Inet4Address) a;
                        }
                    }
                }
                case "map-guest-addr" -> {
                    if (arg.equals("none")) {
                        mapGuest4 = null;
                        mapGuest6 = null;
                    } else {
                        InetAddress a = nat(arg);
                        if (a instanceof Inet6Address a6) {
                            mapGuest6 = a6;
                        } else {
                            mapGuest4 = (Inet4Address) a;
                        }
                    }
                }
                case "dns-host" -> {
                    InetAddress a = IpLiterals.parse(arg);
                    if (a == null || a.isAnyLocalAddress()
                        || (a instanceof Inet4Address a4 && broadcast(a4))) {
                        throw new PastaException("Invalid host nameserver address: " + arg);
                    }
                }
                case "vhost-user" -> throw new PastaException(
                    "--vhost-user makes pasta passt in vhost-user mode, which slirp4j does not provide");
                case "print-capabilities" -> {
                    return new PastaResult.Print("{\n  \"type\": \"net\"\n}");
                }
                case "fqdn" -> {
                    if (bytes(arg) >= MAXDNAME) {
                        throw new PastaException("Invalid FQDN: " + arg);
                    }
                }
                case "repair-path" -> {
                    if (!arg.equals("none")) {
                        throw new PastaException("--repair-path is for vhost-user mode only");
                    }
                }
                case "migrate-exit", "migrate-no-linger" ->
                    throw new PastaException("--" + name + " is for vhost-user mode only");
                case "stats" -> {
                    if (!foreground) {
                        throw new PastaException("Can't display statistics if not running in foreground");
                    }
                }
                case "conf-path" -> path(arg, UNIX_PATH_MAX, "Invalid configuration path: ");
                case "debug" -> {
                    debug = true;
                    quiet = false;
                }
                case "stderr" -> {
                    stderr = true;
                    warnings.add("--stderr will be dropped soon");
                }
                case "log-file" -> logFile = arg;
                case "quiet" -> {
                    quiet = true;
                    debug = trace = false;
                }
                case "foreground" -> foreground = true;
                case "socket", "socket-path" -> throw new PastaException("-s is for passt / vhost-user mode only");
                case "fd" -> {
                    Long fd = CNumbers.unsignedWhole(arg, 0);
                    if (fd == null || fd > Integer.MAX_VALUE || (fd != 0 && fd <= 2)) {
                        throw new PastaException("Invalid --fd: " + arg);
                    }
                }
                case "ns-ifname" -> nsIfname = ifname(arg);
                case "pcap" -> path(arg, PATH_MAX, "Invalid pcap path: ");
                case "pid" -> pidFile = path(arg, PATH_MAX, "Invalid PID file: ");
                case "mtu" -> {
                    Long value = CNumbers.unsignedWhole(arg, 0);
                    if (value == null) {
                        throw new PastaException("Invalid MTU: " + arg);
                    }
                    if (value > MAX_MTU) {
                        throw new PastaException("MTU " + value + " too large (max " + MAX_MTU + ")");
                    }
                    mtu = value.intValue();
                }
                case "address" -> address(arg);
                case "netmask" -> {
                    if (addressHadPrefix) {
                        throw new PastaException("Redundant prefix length specification");
                    }
                    prefix4 = prefixLength(arg);
                    netmaskGiven = true;
                }
                case "gateway" -> {
                    InetAddress a = IpLiterals.parse(arg);
                    if (a instanceof Inet6Address a6 && !a6.isAnyLocalAddress() && !a6.isLoopbackAddress()) {
                        gateway6 = a6;
                    } else if (a instanceof Inet4Address a4 && plain4(a4)) {
                        gateway4 = a4;
                    } else {
                        throw new PastaException("Invalid gateway address: " + arg);
                    }
                }
                case "interface" -> iface = arg;
                case "outbound" -> {
                    InetAddress a = IpLiterals.parse(arg);
                    if (a instanceof Inet6Address a6 && !a6.isAnyLocalAddress() && !a6.isLoopbackAddress()
                        && !a6.isMulticastAddress() && !v4compat(a6)) {
                        outbound6 = a6;
                    } else if (a instanceof Inet4Address a4 && !a4.isAnyLocalAddress() && !broadcast(a4)
                        && !a4.isMulticastAddress()) {
                        outbound4 = a4;
                    } else {
                        throw new PastaException("Invalid or redundant outbound address: " + arg);
                    }
                }
                case "search" -> {
                    if (arg.equals("none")) {
                        noSearch = true;
                        search.clear();
                    } else {
                        noSearch = false;
                        // pasta's cursor into its array is not reset by "none", so every domain counts
                        if (searchSlots++ >= SEARCH_MAX || bytes(arg) >= MAXDNAME || arg.isEmpty()) {
                            throw new PastaException("Cannot use DNS search domain " + arg);
                        }
                        search.add(arg);
                    }
                }
                case "hostname" -> {
                    if (bytes(arg) >= MAXDNAME) {
                        throw new PastaException("Invalid hostname: " + arg);
                    }
                }
                case "ipv4-only" -> {
                    v4Only = true;
                    v6Only = false;
                }
                case "ipv6-only" -> {
                    v6Only = true;
                    v4Only = false;
                }
                case "one-off" -> throw new PastaException("--one-off is for passt mode only");
                case "dns" -> dns(arg);
                case "help" -> {
                    return new PastaResult.Print(PastaText.usage(programName));
                }
                case "tcp-ports", "udp-ports", "tcp-ns", "udp-ns" -> { } // later, as pasta does
                default -> flags.put(name, true); // the flags: --no-tcp, --config-net, ...
            }
        }
        return null;
    }

    private PastaResult finish(List<Given> options, List<String> operands) throws PastaException {
        boolean configNet = flag("config-net");
        if (!configNet && flag("no-copy-routes")) {
            throw new PastaException("--no-copy-routes needs --config-net");
        }
        if (!configNet && flag("no-copy-addrs")) {
            throw new PastaException("--no-copy-addrs needs --config-net");
        }
        if (flag("splice-only") && flag("no-splice")) {
            throw new PastaException("--splice-only is incompatible with --no-splice");
        }
        Map<Character, List<PortSpec>> specs = new LinkedHashMap<>();
        for (char c : new char[] {'t', 'u', 'T', 'U'}) {
            specs.put(c, new ArrayList<>());
        }
        for (Given given : options) {
            String key = given.opt().key();
            if (key.length() == 1 && "tuTU".contains(key)) {
                char option = key.charAt(0);
                specs.get(option).add(portSpec(option, given.value(), specs.get(option)));
            }
        }
        Target target = target(operands);
        if (netns != null && userns == null) {
            netnsOnly = true;
        }
        PastaSettings settings = new PastaSettings(target, Optional.ofNullable(userns), netnsOnly,
            foreground, quiet, debug, trace, stderr, Optional.ofNullable(logFile), Optional.ofNullable(pidFile),
            v4Only, v6Only, optionalInt(mtu), Optional.ofNullable(address4), Optional.ofNullable(address6),
            optionalInt(prefix4), optionalInt(prefix6), Optional.ofNullable(gateway4),
            Optional.ofNullable(gateway6), Optional.ofNullable(iface), Optional.ofNullable(outbound4),
            Optional.ofNullable(outbound6), Optional.ofNullable(outboundIf4), Optional.ofNullable(outboundIf6),
            Optional.ofNullable(nsIfname), Optional.ofNullable(nsMac),
            flag("no-dhcp"), flag("no-ndp"), flag("no-dhcpv6"), flag("no-ra"), noMapGw || flag("no-map-gw"),
            Optional.ofNullable(mapHost4), Optional.ofNullable(mapHost6), Optional.ofNullable(mapGuest4),
            Optional.ofNullable(mapGuest6), Optional.ofNullable(dnsForward4), Optional.ofNullable(dnsForward6),
            dnsList(), noDns, search, noSearch, flag("no-tcp"), flag("no-udp"), flag("no-icmp"), configNet,
            flag("no-copy-routes"), flag("no-copy-addrs"), flag("host-lo-to-ns-lo"),
            specs.get('t'), specs.get('u'), specs.get('T'), specs.get('U'), notHonoured, other);
        return new PastaResult.Run(settings, warnings);
    }

    /** conf_ports(): "none" only before any other spec of the option, then the spec's own checks. */
    private PortSpec portSpec(char option, String arg, List<PortSpec> earlier) throws PastaException {
        if (arg.equals("none")) {
            for (PortSpec spec : earlier) {
                if (!spec.none()) {
                    throw new PastaException("-" + option + " none conflicts with previous options");
                }
            }
            return PortSpec.none(option);
        }
        if ((option == 't' || option == 'T') && flag("no-tcp")) {
            throw new PastaException("TCP port forwarding requested but TCP is disabled");
        }
        if ((option == 'u' || option == 'U') && flag("no-udp")) {
            throw new PastaException("UDP port forwarding requested but UDP is disabled");
        }
        PortSpec spec = PortSpec.parse(option, arg);
        if (spec.address() != null && spec.ipv4Address() && v6Only) {
            throw new PastaException("IPv4 is disabled, can't use -" + option + " " + arg);
        }
        if (spec.address() != null && !spec.ipv4Address() && v4Only) {
            throw new PastaException("IPv6 is disabled, can't use -" + option + " " + arg);
        }
        for (PortSpec.Range range : spec.ranges()) {
            for (PortSpec before : earlier) {
                for (PortSpec.Range old : before.ranges()) {
                    if (overlap(spec, range, before, old)) {
                        throw new PastaException("Forwarding configuration conflict: " + rule(spec, range)
                            + " versus " + rule(before, old));
                    }
                }
            }
        }
        return spec;
    }

    /** fwd_rule_conflicts(): overlapping ports on addresses that can be the same (any matches everything). */
    private static boolean overlap(PortSpec a, PortSpec.Range ra, PortSpec b, PortSpec.Range rb) {
        boolean sameAddress = a.address() == null || b.address() == null || a.address().equals(b.address())
            || (a.address().isAnyLocalAddress() && a.address().getClass() == b.address().getClass())
            || (b.address().isAnyLocalAddress() && a.address().getClass() == b.address().getClass());
        return sameAddress && ra.first() <= rb.last() && rb.first() <= ra.last();
    }

    /** A rule as pasta's fwd_rule_fmt() shows it, near enough: "TCP [ADDR]%IF:FIRST-LAST  =>  TO-TO". */
    private static String rule(PortSpec spec, PortSpec.Range range) {
        String address = spec.address() == null ? "*" : "[" + IpLiterals.format(spec.address()) + "]";
        String iface = spec.iface() == null ? "" : "%" + spec.iface();
        return (spec.tcp() ? "TCP " : "UDP ") + address + iface + ":" + range.first() + "-" + range.last()
            + "  =>  " + range.targetFirst() + "-" + range.targetLast();
    }

    /** conf_pasta_ns(): --netns excludes operands; a lone number is a PID; anything else is a command. */
    private Target target(List<String> operands) throws PastaException {
        if (netns != null && !operands.isEmpty()) {
            throw new PastaException("Both --netns and PID or command given");
        }
        if (netns != null) {
            return new Target.NetnsPath(netns);
        }
        if (operands.size() == 1) {
            Long pid = CNumbers.unsignedWhole(operands.get(0), 10);
            if (pid != null) {
                if (pid > Integer.MAX_VALUE) {
                    throw new PastaException("Invalid PID " + operands.get(0));
                }
                return new Target.Pid(pid.intValue());
            }
            if (looksLikeOverflowingPid(operands.get(0))) {
                throw new PastaException("Invalid PID " + operands.get(0));
            }
        }
        return new Target.Command(operands);
    }

    private static boolean looksLikeOverflowingPid(String text) {
        return !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** conf_addr(): ADDR[/PREFIXLEN], a unicast address that is not loopback. */
    private void address(String arg) throws PastaException {
        int slash = arg.indexOf('/');
        String literal = slash < 0 ? arg : arg.substring(0, slash);
        InetAddress a = IpLiterals.parse(literal);
        if (a == null) {
            throw new PastaException("Invalid guest address: " + arg);
        }
        Integer prefix = null;
        if (slash >= 0) {
            String digits = arg.substring(slash + 1);
            CNumbers.Parsed parsed = CNumbers.strtoul(digits, 0, 10);
            if (digits.isEmpty() || !Character.isDigit(digits.charAt(0)) || parsed.end() == 0) {
                throw new PastaException("Invalid guest address: " + arg);
            }
            if (netmaskGiven) {
                throw new PastaException("Redundant prefix length specification");
            }
            if (parsed.overflow() || parsed.value() > (a instanceof Inet4Address ? 32 : 128)) {
                throw new PastaException("Invalid prefix length: " + arg);
            }
            if (parsed.end() != digits.length()) {
                throw new PastaException("Invalid guest address: " + arg);
            }
            prefix = (int) parsed.value();
        }
        if (a.isAnyLocalAddress() || a.isMulticastAddress() || a.isLoopbackAddress()
            || (a instanceof Inet4Address a4 && broadcast(a4))) {
            throw new PastaException("Invalid guest address: " + arg);
        }
        addressHadPrefix = prefix != null;
        if (a instanceof Inet4Address a4) {
            address4 = a4;
            if (prefix != null) {
                prefix4 = prefix;
            }
        } else {
            address6 = (Inet6Address) a;
            if (prefix != null) {
                prefix6 = prefix;
            }
        }
    }

    /** conf_ip4_prefix(): a contiguous dotted netmask, or a length up to 32 (C prefixes allowed). */
    private static int prefixLength(String arg) throws PastaException {
        Inet4Address mask = IpLiterals.ipv4(arg);
        if (mask != null) {
            byte[] b = mask.getAddress();
            int bits = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            int len = Integer.bitCount(bits);
            if (len == 32 || (bits << len) == 0) {
                return len;
            }
        } else {
            Long len = CNumbers.unsignedWhole(arg, 0);
            if (len != null && len <= 32) {
                return len.intValue();
            }
        }
        throw new PastaException("Invalid prefix length: " + arg);
    }

    /** -D: "none" forgets the list; else IPv4 or IPv6, at most four of each kept. */
    private void dns(String arg) throws PastaException {
        if (arg.equals("none")) {
            noDns = true;
            dns4.clear();
            dns6.clear();
            dnsForward4 = null;
            dnsForward6 = null;
            return;
        }
        noDns = false;
        InetAddress a = IpLiterals.parse(arg);
        if (a instanceof Inet4Address a4) {
            if (dns4.size() < DNS_MAX) {
                dns4.add(a4);
            }
        } else if (a instanceof Inet6Address a6) {
            if (dns6.size() < DNS_MAX) {
                dns6.add(a6);
            }
        } else {
            throw new PastaException("Cannot use DNS address " + arg);
        }
    }

    private List<InetAddress> dnsList() {
        List<InetAddress> all = new ArrayList<>(dns4);
        all.addAll(dns6);
        return all;
    }

    /** conf_nat(): an address that is not unspecified, loopback or multicast. */
    private static InetAddress nat(String arg) throws PastaException {
        InetAddress a = IpLiterals.parse(arg);
        if (a == null || a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isMulticastAddress()) {
            throw new PastaException("Invalid address to remap to host: " + arg);
        }
        return a;
    }

    /** parse_mac(): six pairs of hex digits separated by ':' (strtoul's leniency per octet included). */
    private static String mac(String arg) throws PastaException {
        if (arg.length() == 17) {
            boolean ok = true;
            for (int i = 0; i < 6 && ok; i++) {
                int at = 3 * i;
                CNumbers.Parsed octet = CNumbers.strtoul(arg, at, 16);
                ok = !octet.overflow() && octet.value() <= 255 && octet.end() == at + 2
                    && (i == 5 ? octet.end() == 17 : arg.charAt(octet.end()) == ':');
            }
            if (ok) {
                return arg;
            }
        }
        throw new PastaException("Invalid MAC address: " + arg);
    }

    /** An interface name: 1 to 15 bytes. */
    private static String ifname(String arg) throws PastaException {
        if (arg.isEmpty() || bytes(arg) >= PortSpec.IFNAMSIZ) {
            throw new PastaException("Invalid interface name: " + arg);
        }
        return arg;
    }

    /** A path into a buffer of size bytes: not empty, and shorter than the buffer. */
    private static String path(String arg, int size, String message) throws PastaException {
        if (arg.isEmpty() || bytes(arg) >= size) {
            throw new PastaException(message + arg);
        }
        return arg;
    }

    private static boolean plain4(Inet4Address a) {
        return !a.isAnyLocalAddress() && !broadcast(a) && !a.isLoopbackAddress();
    }

    private static boolean broadcast(Inet4Address a) {
        for (byte b : a.getAddress()) {
            if (b != (byte) 0xff) {
                return false;
            }
        }
        return true;
    }

    /** IN6_IS_ADDR_V4COMPAT: ::a.b.c.d other than :: and ::1 (IPv4-mapped ones arrive as IPv4 here). */
    private static boolean v4compat(Inet6Address a) {
        byte[] b = a.getAddress();
        for (int i = 0; i < 12; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[12] | b[13] | b[14]) != 0 || (b[15] & 0xff) > 1;
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private boolean flag(String name) {
        return flags.getOrDefault(name, false);
    }

    private static OptionalInt optionalInt(Integer value) {
        return value == null ? OptionalInt.empty() : OptionalInt.of(value);
    }
}
