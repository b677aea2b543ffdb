package io.slirp4j.pasta;

import java.util.List;

/**
 * pasta's option table: the {@code options[]} array and optstring of passt's {@code conf()} (conf.c, 2025-2026
 * versions), in its order, which is also the order glibc lists an ambiguous prefix's possibilities in.
 *
 * <p>Every option any recent pasta accepts is here, passt-only ones included: getopt_long accepts them in pasta
 * too, and it is pasta's own code that then refuses them with its own message, which {@link PastaReader} repeats.
 */
final class PastaOptions {

    /** How an option takes its argument, as {@code struct option}'s has_arg. */
    enum HasArg { NO, REQUIRED, OPTIONAL }

    /**
     * One entry of the table.
     *
     * @param name  the long name without dashes
     * @param hasArg whether it takes an argument
     * @param key   what getopt_long returns for it: the short letter, or the long name for one without;
     *              two entries with one key and one hasArg are the same option to glibc (never ambiguous)
     */
    record Opt(String name, HasArg hasArg, String key) {
        /** The spelling pasta's messages use for the option: {@code -t} or {@code --netns}. */
        String display() {
            return key.length() == 1 ? "-" + key : "--" + name;
        }
    }

    /** pasta's optstring without its leading '+': letters, ':' after those that take an argument. */
    static final String OPTSTRING = "dqfel:hs:c:F:I:p:P:m:a:n:M:g:i:o:D:S:H:461t:u:T:U:";

    static final List<Opt> ALL = List.of(
        flag("debug", "d"), flag("quiet", "q"), flag("foreground", "f"), flag("stderr", "e"),
        arg("log-file", "l"), flag("help", "h"), arg("socket", "s"), arg("fd", "F"), arg("ns-ifname", "I"),
        arg("pcap", "p"), arg("pid", "P"), arg("mtu", "m"), arg("address", "a"), arg("netmask", "n"),
        arg("mac-addr", "M"), arg("gateway", "g"), arg("interface", "i"), arg("outbound", "o"), arg("dns", "D"),
        arg("search", "S"), arg("hostname", "H"),
        flag("no-tcp"), flag("no-udp"), flag("no-icmp"), flag("no-dhcp"), flag("no-dhcpv6"), flag("no-ndp"),
        flag("no-ra"), flag("no-splice"), flag("splice-only"), flag("freebind"), flag("no-map-gw"),
        flag("ipv4-only", "4"), flag("ipv6-only", "6"), flag("one-off", "1"),
        arg("tcp-ports", "t"), arg("udp-ports", "u"), arg("tcp-ns", "T"), arg("udp-ns", "U"),
        arg("userns"), arg("netns"), arg("ns-mac-addr"), flag("dhcp-dns"), flag("no-dhcp-dns"),
        flag("dhcp-search"), flag("no-dhcp-search"), arg("dns-forward"), flag("no-netns-quit"), flag("trace"),
        arg("runas"), arg("log-size"), flag("version"), arg("outbound-if4"), arg("outbound-if6"),
        flag("config-net"), flag("no-copy-routes"), flag("no-copy-addrs"), flag("netns-only"),
        arg("map-host-loopback"), arg("map-guest-addr"), flag("host-lo-to-ns-lo"), arg("dns-host"),
        flag("vhost-user"), flag("print-capabilities"), arg("socket-path", "s"), arg("fqdn"), arg("repair-path"),
        flag("migrate-exit"), flag("migrate-no-linger"), arg("stats"), arg("conf-path", "c"),
        flag("chroot-fallback"));

    private PastaOptions() {}

    /** The entry a short letter stands for (the first with that key), or null if the optstring lacks it. */
    static Opt shortOption(int c) {
        int at = c == ':' || c == '+' ? -1 : OPTSTRING.indexOf(c);
        if (at < 0) {
            return null;
        }
        String key = String.valueOf((char) c);
        for (Opt opt : ALL) {
            if (opt.key().equals(key)) {
                return opt;
            }
        }
        return null;
    }

    private static Opt flag(String name) {
        return new Opt(name, HasArg.NO, name);
    }

    private static Opt flag(String name, String letter) {
        return new Opt(name, HasArg.NO, letter);
    }

    private static Opt arg(String name) {
        return new Opt(name, HasArg.REQUIRED, name);
    }

    private static Opt arg(String name, String letter) {
        return new Opt(name, HasArg.REQUIRED, letter);
    }
}
