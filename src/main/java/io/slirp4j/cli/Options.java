package io.slirp4j.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The option table: names, whether each takes an argument, and its help line. The one place an option is
 * declared; the GNU scanner, picocli and the help text all read it.
 *
 * <p>Built programmatically: in a fresh JVM this costs about 40 ms less than picocli's annotation scanning.
 * Every value is kept as a String and checked by {@link SettingsReader}, so the messages are ours rather than
 * picocli's converters'. The order is the help's order (slirp4netns's), which is also the order in which an
 * ambiguous prefix lists its possibilities.
 */
final class Options {
    static final String CONFIGURE = "--configure";
    static final String EXIT_FD = "--exit-fd";
    static final String READY_FD = "--ready-fd";
    static final String MTU = "--mtu";
    static final String ENABLE_IPV6 = "--enable-ipv6";
    static final String API_SOCKET = "--api-socket";
    static final String CIDR = "--cidr";
    static final String DISABLE_HOST_LOOPBACK = "--disable-host-loopback";
    static final String NETNS_TYPE = "--netns-type";
    static final String USERNS_PATH = "--userns-path";
    static final String ENABLE_SANDBOX = "--enable-sandbox";
    static final String ENABLE_SECCOMP = "--enable-seccomp";
    static final String OUTBOUND_ADDR = "--outbound-addr";
    static final String OUTBOUND_ADDR6 = "--outbound-addr6";
    static final String DISABLE_DNS = "--disable-dns";
    static final String MACADDRESS = "--macaddress";
    static final String TARGET_TYPE = "--target-type";
    static final String HELP = "--help";
    static final String VERSION = "--version";
    /** Deprecated spellings slirp4netns still accepts; hidden from the help. */
    static final String NO_HOST_LOOPBACK = "--no-host-loopback";
    static final String CREATE_SANDBOX = "--create-sandbox";

    private Options() {}

    static CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name(Cli.NAME);
        spec.addOption(flag("-c", CONFIGURE, "bring up the interface (address network+100, default route via network+2)"));
        spec.addOption(withArg("-e", EXIT_FD, "FD", "exit when FD is closed or hangs up (default=none)"));
        spec.addOption(withArg("-r", READY_FD, "FD", "write \"1\" to FD and close it when the network is up (default=none)"));
        spec.addOption(withArg("-m", MTU, "MTU", "specify MTU (default=1500, min=68, max=65521)"));
        spec.addOption(flag("-6", ENABLE_IPV6, "enable IPv6"));
        spec.addOption(withArg("-a", API_SOCKET, "PATH", "specify API socket path, < 108 bytes (default=none)"));
        spec.addOption(withArg(null, CIDR, "CIDR", "specify network address CIDR, prefix 1-25 (default=10.0.2.0/24)"));
        spec.addOption(flag(null, DISABLE_HOST_LOOPBACK, "prohibit connecting to 127.0.0.1:* on the host namespace"));
        spec.addOption(withArg(null, NETNS_TYPE, "TYPE", "specify network namespace type ([pid|path|tapfd], default=pid)"));
        spec.addOption(withArg(null, USERNS_PATH, "PATH", "specify user namespace path (default=/proc/PID/ns/user with pid)"));
        spec.addOption(flag(null, ENABLE_SANDBOX, "create a new mount namespace and drop capabilities"));
        spec.addOption(flag(null, ENABLE_SECCOMP, "enable seccomp to limit syscalls"));
        spec.addOption(withArg(null, OUTBOUND_ADDR, "IPv4", "outbound IPv4 address or interface (default=none)"));
        spec.addOption(withArg(null, OUTBOUND_ADDR6, "IPv6", "outbound IPv6 address or interface (default=none)"));
        spec.addOption(flag(null, DISABLE_DNS, "disable the DNS forwarder at network+3 (10.0.2.3 by default)"));
        spec.addOption(withArg(null, MACADDRESS, "MAC", "specify the MAC address of the TAP, xx:xx:xx:xx:xx:xx (only valid with -c)"));
        spec.addOption(withArg(null, TARGET_TYPE, "TYPE", "specify the target ([netns|bess], default=netns)"));
        spec.addOption(flag("-h", HELP, "show this help and exit"));
        spec.addOption(flag("-v", VERSION, "show version and exit"));
        spec.addOption(deprecated(NO_HOST_LOOPBACK, DISABLE_HOST_LOOPBACK));
        spec.addOption(deprecated(CREATE_SANDBOX, ENABLE_SANDBOX));
        return spec;
    }

    static boolean takesArgument(OptionSpec option) {
        return option.arity().max() > 0;
    }

    private static OptionSpec flag(String shortName, String longName, String description) {
        return builder(shortName, longName).arity("0").type(boolean.class).description(description).build();
    }

    private static OptionSpec withArg(String shortName, String longName, String label, String description) {
        return builder(shortName, longName).arity("1").type(String.class).paramLabel(label).description(description)
            .build();
    }

    private static OptionSpec.Builder builder(String shortName, String longName) {
        return shortName == null ? OptionSpec.builder(longName) : OptionSpec.builder(shortName, longName);
    }

    private static OptionSpec deprecated(String longName, String replacement) {
        return OptionSpec.builder(longName).arity("0").type(boolean.class).hidden(true)
            .description("deprecated, use " + replacement).build();
    }
}
