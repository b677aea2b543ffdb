package io.slirp4j.cli;

import io.slirp4j.api.ForwardSpec;
import java.util.List;

/**
 * The option table: names, whether each takes an argument, and its help line. The one place an option is
 * declared; {@link GnuArgs} scans against it, {@link SettingsReader} reads values by its names and
 * {@link HelpText} renders it.
 *
 * <p>Our own rather than an option library's: picocli cost 85-200 ms of start-up on the way to the ready byte,
 * and its classes (Java 5 class files) cannot go into the class-data archive. Every value is kept as a String
 * and checked by {@link SettingsReader}. The order is the help's order (slirp4netns's), which is also the
 * order in which an ambiguous prefix lists its possibilities.
 */
final class Options {
    static final String CONFIGURE = "--configure";
    static final String EXIT_FD = "--exit-fd";
    static final String READY_FD = "--ready-fd";
    static final String MTU = "--mtu";
    static final String ENABLE_IPV6 = "--enable-ipv6";
    static final String API_SOCKET = "--api-socket";
    static final String CIDR = "--cidr";
    static final String CIDR6 = "--cidr6";
    static final String DISABLE_HOST_LOOPBACK = "--disable-host-loopback";
    static final String NETNS_TYPE = "--netns-type";
    static final String USERNS_PATH = "--userns-path";
    static final String ENABLE_SANDBOX = "--enable-sandbox";
    static final String ENABLE_SECCOMP = "--enable-seccomp";
    static final String DISABLE_SANDBOX = "--disable-sandbox";
    static final String DISABLE_SECCOMP = "--disable-seccomp";
    static final String DISABLE_OFFLOADS = "--disable-offloads";
    static final String OUTBOUND_ADDR = "--outbound-addr";
    static final String OUTBOUND_ADDR6 = "--outbound-addr6";
    static final String DISABLE_DNS = "--disable-dns";
    static final String MACADDRESS = "--macaddress";
    static final String TARGET_TYPE = "--target-type";
    static final String PUBLISH = "--publish";
    static final String HELP = "--help";
    static final String VERSION = "--version";
    /** Deprecated spellings slirp4netns still accepts; hidden from the help. */
    static final String NO_HOST_LOOPBACK = "--no-host-loopback";
    static final String CREATE_SANDBOX = "--create-sandbox";

    /** The short name of an option that has none. */
    static final char NONE = 0;

    /**
     * One option.
     *
     * @param shortName       the letter of {@code -c}, or {@link #NONE}
     * @param name            the long name with its dashes, {@code --configure}
     * @param argLabel        what the help calls the argument ({@code FD}); null for an option without one
     * @param help            the help's description
     * @param deprecatedAlias a spelling kept for old scripts: accepted with a warning, left out of the help
     */
    record Option(char shortName, String name, String argLabel, String help, boolean deprecatedAlias) {
        boolean takesArgument() {
            return argLabel != null;
        }
    }

    static final List<Option> ALL = List.of(
        flag('c', CONFIGURE, "bring up the interface (address network+100, default route via network+2)"),
        withArg('e', EXIT_FD, "FD", "exit when FD is closed or hangs up (default=none)"),
        withArg('r', READY_FD, "FD", "write \"1\" to FD and close it when the network is up (default=none)"),
        withArg('m', MTU, "MTU", "specify MTU (default=1500, min=68, max=65521)"),
        flag('6', ENABLE_IPV6, "enable IPv6"),
        withArg('a', API_SOCKET, "PATH", "specify API socket path, < 108 bytes (default=none)"),
        withArg(NONE, CIDR, "CIDR", "specify network address CIDR, prefix 1-25 (default=10.0.2.0/24)"),
        withArg(NONE, CIDR6, "CIDR6", "specify IPv6 network prefix, /64 only (default=fd00::/64, needs -6)"),
        flag(NONE, DISABLE_HOST_LOOPBACK, "prohibit connecting to 127.0.0.1:* on the host namespace"),
        withArg(NONE, NETNS_TYPE, "TYPE", "specify network namespace type ([pid|path|tapfd], default=pid)"),
        withArg(NONE, USERNS_PATH, "PATH", "specify user namespace path (default=/proc/PID/ns/user with pid)"),
        flag(NONE, ENABLE_SANDBOX, "create a new mount namespace and drop capabilities (tried by default)"),
        flag(NONE, ENABLE_SECCOMP, "enable seccomp to limit syscalls (tried by default)"),
        flag(NONE, DISABLE_SANDBOX, "run without the sandbox that --enable-sandbox requires"),
        flag(NONE, DISABLE_SECCOMP, "run without the seccomp filter that --enable-seccomp requires"),
        withArg(NONE, OUTBOUND_ADDR, "IPv4", "source IPv4 address or interface of outbound TCP/UDP (default=none)"),
        withArg(NONE, OUTBOUND_ADDR6, "IPv6", "source IPv6 address or interface of outbound TCP/UDP (default=none)"),
        flag(NONE, DISABLE_OFFLOADS, "plain frames on the tap (no checksum or segmentation offload)"),
        flag(NONE, DISABLE_DNS, "disable the DNS forwarder at network+3 (10.0.2.3 by default)"),
        withArg(NONE, MACADDRESS, "MAC", "specify the MAC address of the TAP, xx:xx:xx:xx:xx:xx (only valid with -c)"),
        withArg(NONE, TARGET_TYPE, "TYPE", "specify the target ([netns|bess], default=netns)"),
        withArg('p', PUBLISH, ForwardSpec.SYNTAX, "forward a host port (or range) to the guest, repeatable"),
        flag('h', HELP, "show this help and exit"),
        flag('v', VERSION, "show version and exit"),
        deprecatedAlias(NO_HOST_LOOPBACK, DISABLE_HOST_LOOPBACK),
        deprecatedAlias(CREATE_SANDBOX, ENABLE_SANDBOX));

    private Options() {}

    /** The option whose long name is exactly {@code name} ({@code --mtu}), or null. */
    static Option named(String name) {
        for (Option option : ALL) {
            if (option.name().equals(name)) {
                return option;
            }
        }
        return null;
    }

    /** The option whose short name is the code point {@code c}, or null. */
    static Option withShortName(int c) {
        for (Option option : ALL) {
            if (option.shortName() != NONE && option.shortName() == c) {
                return option;
            }
        }
        return null;
    }

    private static Option flag(char shortName, String name, String help) {
        return new Option(shortName, name, null, help, false);
    }

    private static Option withArg(char shortName, String name, String argLabel, String help) {
        return new Option(shortName, name, argLabel, help, false);
    }

    private static Option deprecatedAlias(String name, String replacement) {
        return new Option(NONE, name, null, "deprecated, use " + replacement, true);
    }
}
