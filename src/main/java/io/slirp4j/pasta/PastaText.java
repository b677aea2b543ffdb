package io.slirp4j.pasta;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * pasta's --help (usage() in conf.c, pasta's variant, names as given in argv[0]) and --version.
 *
 * <p>The version's first line is "pasta " and one word, as pasta's ("pasta 2025_09_19.623dbf6"): Podman shows the
 * text as it is in {@code podman info}, RootlessKit only looks at the exit status of {@code pasta --version} and
 * {@code pasta --host-lo-to-ns-lo --version}; the word says it is slirp4j, and which.
 */
final class PastaText {
    private static final String VERSION_RESOURCE = "/slirp4j-version.properties";

    private PastaText() {}

    static String version() {
        Properties build = new Properties();
        try (InputStream in = PastaText.class.getResourceAsStream(VERSION_RESOURCE)) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException e) {
            // the version is still worth printing, as unknown
        }
        String version = build.getProperty("version");
        if (version == null || version.isBlank() || version.contains("${")) {
            version = "unknown";
        }
        return "pasta slirp4j-" + version.trim() + "\n"
            + "pasta-compatible command line of slirp4j, a user-mode network helper in Java\n"
            + "This is free software: you are free to change and redistribute it.\n"
            + "There is NO WARRANTY, to the extent permitted by law.";
    }

    static String usage(String name) {
        return "Usage: " + name + " [OPTION]... [COMMAND] [ARGS]...\n"
            + "       " + name + " [OPTION]... PID\n"
            + "       " + name + " [OPTION]... --netns [PATH|NAME]\n"
            + "\n"
            + "Without PID or --netns, run the given command or a\n"
            + "default shell in a new network and user namespace, and\n"
            + "connect it via pasta.\n"
            + "\n"
            + "  -d, --debug\t\tBe verbose\n"
            + "      --trace\t\tBe extra verbose, implies --debug\n"
            + "  -q, --quiet\t\tDon't print informational messages\n"
            + "  -f, --foreground\tDon't run in background\n"
            + "    default: run in background\n"
            + "  -l, --log-file PATH\tLog (only) to given file\n"
            + "  -h, --help\t\tDisplay this help message and exit\n"
            + "  --version\t\tShow version and exit\n"
            + "  -I, --ns-ifname NAME\tnamespace interface name\n"
            + "    default: same interface name as external one\n"
            + "  -P, --pid FILE\tWrite own PID to the given file\n"
            + "  -m, --mtu MTU\tAssign MTU via DHCP/NDP\n"
            + "    a zero value disables assignment\n"
            + "    default: 65520: maximum 802.3 MTU minus 802.3 header\n"
            + "                    length, rounded to 32 bits (IPv4 words)\n"
            + "  -a, --address ADDR\tAssign IPv4 or IPv6 address ADDR[/PREFIXLEN]\n"
            + "    can be specified zero to two times (for IPv4 and IPv6)\n"
            + "  -n, --netmask MASK\tAssign IPv4 MASK, dot-decimal or bits\n"
            + "  -g, --gateway ADDR\tPass IPv4 or IPv6 address as gateway\n"
            + "  -i, --interface NAME\tInterface for addresses and routes\n"
            + "  -o, --outbound ADDR\tBind to address as outbound source\n"
            + "    can be specified zero to two times (for IPv4 and IPv6)\n"
            + "  --outbound-if4 NAME\tBind to outbound interface for IPv4\n"
            + "  --outbound-if6 NAME\tBind to outbound interface for IPv6\n"
            + "  -D, --dns ADDR\tUse IPv4 or IPv6 address as DNS\n"
            + "    can be specified multiple times\n"
            + "    a single, empty option disables DNS information\n"
            + "  -S, --search LIST\tSpace-separated list, search domains\n"
            + "  --map-host-loopback ADDR\tTranslate ADDR to refer to host\n"
            + "    can be specified zero to two times (for IPv4 and IPv6)\n"
            + "    default: gateway address\n"
            + "  --map-guest-addr ADDR\tTranslate ADDR to guest's address\n"
            + "    can be specified zero to two times (for IPv4 and IPv6)\n"
            + "    default: none\n"
            + "  --dns-forward ADDR\tForward DNS queries sent to ADDR\n"
            + "    can be specified zero to two times (for IPv4 and IPv6)\n"
            + "  --no-tcp\t\tDisable TCP protocol handler\n"
            + "  --no-udp\t\tDisable UDP protocol handler\n"
            + "  --no-icmp\t\tDisable ICMP/ICMPv6 protocol handler\n"
            + "  --no-dhcp\t\tDisable DHCP server\n"
            + "  --no-ndp\t\tDisable NDP responses\n"
            + "  --no-dhcpv6\t\tDisable DHCPv6 server\n"
            + "  --no-ra\t\tDisable router advertisements\n"
            + "  --no-map-gw\t\tDon't map gateway address to host\n"
            + "  -4, --ipv4-only\tEnable IPv4 operation only\n"
            + "  -6, --ipv6-only\tEnable IPv6 operation only\n"
            + "  -t, --tcp-ports SPEC\tTCP port forwarding to namespace\n"
            + "    can be specified multiple times\n"
            + "    SPEC can be:\n"
            + "      'none': don't forward any ports\n"
            + "      [ADDR[%IFACE]/]PORTS: forward specific ports\n"
            + "        PORTS is a comma-separated list of ports or port\n"
            + "         ranges.  'all' indicates all unbound non-ephemeral\n"
            + "         ports.  Ranges can be reduced by excluding ports or\n"
            + "         ranges prefixed by '~'.\n"
            + "        The 'auto' keyword may be given to only forward\n"
            + "        ports which are bound in the target namespace\n"
            + "        Examples:\n"
            + "        -t 22\t\tForward local port 22 to 22 on namespace\n"
            + "        -t 22:23\tForward local port 22 to 23 on namespace\n"
            + "        -t 22-80:32-90\tForward ports 22 to 80 to\n"
            + "\t\t\tcorresponding port numbers plus 10\n"
            + "        -t 192.0.2.1/5\tBind port 5 of 192.0.2.1 to namespace\n"
            + "        -t 5-25,~10-20\tForward ports 5 to 9, and 21 to 25\n"
            + "        -t ~25\t\tForward all ports except for 25\n"
            + "    default: auto\n"
            + "  -u, --udp-ports SPEC\tUDP port forwarding to namespace\n"
            + "    SPEC is as described for TCP above\n"
            + "    default: auto\n"
            + "  -T, --tcp-ns SPEC\tTCP port forwarding to init namespace\n"
            + "    SPEC is as described above\n"
            + "    default: auto\n"
            + "  -U, --udp-ns SPEC\tUDP port forwarding to init namespace\n"
            + "    SPEC is as described above\n"
            + "    default: auto\n"
            + "  --host-lo-to-ns-lo\tTranslate host-loopback forwards to\n"
            + "\t\t\tnamespace loopback\n"
            + "  --userns NSPATH \tTarget user namespace to join\n"
            + "  --netns PATH|NAME\tTarget network namespace to join\n"
            + "  --netns-only\t\tDon't join existing user namespace\n"
            + "    implied if PATH or NAME are given without --userns\n"
            + "  --config-net\t\tConfigure tap interface in namespace\n"
            + "  --ns-mac-addr ADDR\tSet MAC address on tap interface\n"
            + "\n"
            + "Other options of pasta are accepted and checked, but slirp4j does not act on them.";
    }
}
