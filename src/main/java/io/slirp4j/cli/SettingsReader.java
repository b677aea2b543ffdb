package io.slirp4j.cli;

import io.slirp4j.api.ForwardSpec;
import io.slirp4j.cli.Settings.NetnsType;
import io.slirp4j.cli.Settings.TargetType;
import io.slirp4j.stack.forward.ForwardProtocol;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Turns the options {@link GnuArgs} found, plus the operands, into {@link Settings}: every value and every
 * combination is checked here, with messages that name the option and echo what was given.
 *
 * <p>Checks run option by option first, then combinations, then operands, as slirp4netns orders them.
 */
final class SettingsReader {
    /** Each option given, by long name, to all its values in order (none for one without an argument). */
    private final Map<String, List<String>> given;
    private final List<String> operands;
    private final List<String> warnings = new ArrayList<>();

    private SettingsReader(Map<String, List<String>> given, List<String> operands) {
        this.given = given;
        this.operands = operands;
    }

    /** The settings, and the warnings to print before starting (deprecated spellings, ignored operands). */
    record Read(Settings settings, List<String> warnings) {}

    static Read read(Map<String, List<String>> given, List<String> operands) throws UsageException {
        SettingsReader reader = new SettingsReader(given, operands);
        return new Read(reader.read(), reader.warnings);
    }

    private Settings read() throws UsageException {
        boolean configure = has(Options.CONFIGURE);
        OptionalInt exitFd = fd(Options.EXIT_FD);
        OptionalInt readyFd = fd(Options.READY_FD);
        if (exitFd.isPresent() && exitFd.equals(readyFd)) {
            // the ready byte would close the exit fd, and slirp4j would stop as soon as it started
            throw UsageException.invalid("--exit-fd and --ready-fd must be different fds (both are "
                + exitFd.getAsInt() + ")");
        }
        int mtu = mtu();
        Optional<String> apiSocket = socketPath(Options.API_SOCKET, value(Options.API_SOCKET));
        Ipv4Cidr cidr = cidr();
        Ipv6Cidr cidr6 = cidr6();
        boolean disableHostLoopback = deprecated(Options.NO_HOST_LOOPBACK, Options.DISABLE_HOST_LOOPBACK)
            | has(Options.DISABLE_HOST_LOOPBACK);
        NetnsType netnsType = netnsType();
        Optional<String> usernsPath = nonEmpty(Options.USERNS_PATH);
        Confine sandbox = confine(Options.ENABLE_SANDBOX,
            deprecated(Options.CREATE_SANDBOX, Options.ENABLE_SANDBOX) | has(Options.ENABLE_SANDBOX),
            Options.DISABLE_SANDBOX);
        Confine seccomp = confine(Options.ENABLE_SECCOMP, has(Options.ENABLE_SECCOMP), Options.DISABLE_SECCOMP);
        Optional<OutboundAddress> outboundAddr = outbound(Options.OUTBOUND_ADDR);
        Optional<OutboundAddress> outboundAddr6 = outbound(Options.OUTBOUND_ADDR6);
        Optional<MacAddress> mac = mac(configure);
        TargetType targetType = targetType();
        List<ForwardSpec> publish = publish();

        checkCombinations(targetType, netnsType, configure, usernsPath);
        Target target = target(targetType, netnsType);
        Optional<String> tapName = tapName(target, targetType);

        return new Settings(configure, exitFd, readyFd, mtu, has(Options.ENABLE_IPV6), apiSocket, cidr, cidr6,
            disableHostLoopback, netnsType, usernsPath, sandbox, seccomp, outboundAddr,
            outboundAddr6, has(Options.DISABLE_DNS), has(Options.DISABLE_OFFLOADS), mac, targetType, publish, target,
            tapName);
    }

    private void checkCombinations(TargetType targetType, NetnsType netnsType, boolean configure,
                                   Optional<String> usernsPath) throws UsageException {
        if (targetType == TargetType.BESS) {
            // slirp4netns's own texts: in BESS mode there is no namespace and no tap
            if (configure) {
                throw UsageException.invalid("--configure conflicts with --target-type=bess");
            }
            if (has(Options.NETNS_TYPE)) {
                throw UsageException.invalid("--netns-type conflicts with --target-type=bess");
            }
            if (usernsPath.isPresent()) {
                throw UsageException.invalid("--userns-path conflicts with --target-type=bess");
            }
        } else if (netnsType == NetnsType.TAPFD) {
            // an inherited tap fd comes without its namespace: nothing to configure, no user namespace to join
            if (configure) {
                throw UsageException.invalid("--configure conflicts with --netns-type=tapfd");
            }
            if (usernsPath.isPresent()) {
                throw UsageException.invalid("--userns-path is only meaningful with --netns-type=pid or path");
            }
        }
    }

    private Target target(TargetType targetType, NetnsType netnsType) throws UsageException {
        String what = targetType == TargetType.BESS ? "PATH" : switch (netnsType) {
            case PID -> "PID";
            case PATH -> "PATH";
            case TAPFD -> "FD";
        };
        if (operands.isEmpty()) {
            throw UsageException.syntax("missing " + what + " argument");
        }
        String text = operands.get(0);
        if (targetType == TargetType.BESS) {
            return new Target.BessSocket(socketPath("BESS socket PATH", Optional.of(text)).get());
        }
        switch (netnsType) {
            case PID: {
                int pid = parseInt(text);
                if (pid <= 0) {
                    throw UsageException.invalid("PID must be a positive integer (got '" + text + "')");
                }
                return new Target.Pid(pid);
            }
            case PATH:
                if (text.isEmpty()) {
                    throw UsageException.invalid("PATH of the network namespace must not be empty");
                }
                return new Target.NetnsPath(text);
            default: {
                int fd = parseInt(text);
                if (fd < 0) {
                    throw UsageException.invalid("FD must be a non-negative integer (got '" + text + "')");
                }
                return new Target.TapFd(fd);
            }
        }
    }

    private Optional<String> tapName(Target target, TargetType targetType) throws UsageException {
        boolean wantsTap = target instanceof Target.Pid || target instanceof Target.NetnsPath;
        if (!wantsTap) {
            if (operands.size() > 1) {
                String mode = targetType == TargetType.BESS ? "--target-type=bess" : "--netns-type=tapfd";
                throw UsageException.syntax("too many arguments: " + mode + " takes only one (got '"
                    + operands.get(1) + "' after '" + operands.get(0) + "')");
            }
            return Optional.empty();
        }
        if (operands.size() < 2) {
            throw UsageException.syntax("missing TAPNAME argument");
        }
        String tapName = operands.get(1);
        if (!InterfaceName.isValid(tapName)) {
            throw UsageException.invalid("TAPNAME must be an interface name of 1 to 15 bytes without '/', ':' or"
                + " spaces (got '" + tapName + "')");
        }
        if (operands.size() > 2) {
            // slirp4netns only warns here, "for preventing potential compatibility issue"
            warnings.add(Cli.PREFIX + "WARNING: ignoring extra arguments after TAPNAME: "
                + String.join(" ", operands.subList(2, operands.size())));
        }
        return Optional.of(tapName);
    }

    private OptionalInt fd(String option) throws UsageException {
        Optional<String> text = value(option);
        if (text.isEmpty()) {
            return OptionalInt.empty();
        }
        int fd = parseInt(text.get());
        if (fd < 0) {
            throw UsageException.invalid(option + " must be a non-negative integer (got '" + text.get() + "')");
        }
        return OptionalInt.of(fd);
    }

    private int mtu() throws UsageException {
        Optional<String> text = value(Options.MTU);
        if (text.isEmpty()) {
            return Settings.DEFAULT_MTU;
        }
        int mtu = parseInt(text.get());
        if (mtu < Settings.MIN_MTU || mtu > Settings.MAX_MTU) {
            throw UsageException.invalid("--mtu must be an integer from " + Settings.MIN_MTU + " to " + Settings.MAX_MTU
                + " (got '" + text.get() + "')");
        }
        return mtu;
    }

    private Ipv4Cidr cidr() throws UsageException {
        Optional<String> text = value(Options.CIDR);
        return text.isPresent() ? Ipv4Cidr.parse(text.get()) : Ipv4Cidr.DEFAULT;
    }

    private Ipv6Cidr cidr6() throws UsageException {
        Optional<String> text = value(Options.CIDR6);
        if (text.isEmpty()) {
            return Ipv6Cidr.DEFAULT;
        }
        Ipv6Cidr cidr6 = Ipv6Cidr.parse(text.get());
        if (!has(Options.ENABLE_IPV6)) {
            throw UsageException.invalid("--cidr6 needs --enable-ipv6");
        }
        return cidr6;
    }

    private Optional<OutboundAddress> outbound(String option) throws UsageException {
        Optional<String> text = value(option);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(option.equals(Options.OUTBOUND_ADDR6) ? OutboundAddress.parseIpv6(text.get())
            : OutboundAddress.parseIpv4(text.get()));
    }

    private Optional<MacAddress> mac(boolean configure) throws UsageException {
        Optional<String> text = value(Options.MACADDRESS);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        if (!configure) {
            throw UsageException.invalid("--macaddress is only valid with --configure (-c)");
        }
        return Optional.of(MacAddress.parse(text.get()));
    }

    private NetnsType netnsType() throws UsageException {
        String text = value(Options.NETNS_TYPE).orElse("pid");
        for (NetnsType type : NetnsType.values()) {
            if (type.argument().equals(text)) {
                return type;
            }
        }
        throw UsageException.invalid("--netns-type must be pid, path or tapfd (got '" + text + "')");
    }

    private TargetType targetType() throws UsageException {
        String text = value(Options.TARGET_TYPE).orElse("netns");
        for (TargetType type : TargetType.values()) {
            if (type.argument().equals(text)) {
                return type;
            }
        }
        throw UsageException.invalid("--target-type must be either \"netns\" or \"bess\" (got '" + text + "')");
    }

    /** Every -p, expanded; the same listener twice is refused here, where the specs' texts can be shown. */
    private List<ForwardSpec> publish() throws UsageException {
        List<ForwardSpec> publish = new ArrayList<>();
        Map<ForwardSpec.Listener, String> textOf = new HashMap<>();
        for (String text : given.getOrDefault(Options.PUBLISH, List.of())) {
            for (ForwardSpec spec : parsePublish(text)) {
                // port 0 is a different free port each time, so it never clashes
                String earlier = spec.hostPort() == 0 ? null : textOf.putIfAbsent(spec.listener(), text);
                if (earlier != null) {
                    throw UsageException.invalid("--publish forwards " + spec.protocol().wireName() + " host port "
                        + spec.hostPort() + " twice on the same address (in '" + earlier + "' and '" + text + "')");
                }
                publish.add(spec);
            }
        }
        return publish;
    }

    private static List<ForwardSpec> parsePublish(String text) throws UsageException {
        try {
            return ForwardSpec.parse(text, ForwardProtocol.TCP);
        } catch (ForwardSpec.Invalid e) {
            throw UsageException.invalid(Options.PUBLISH + " " + e.getMessage());
        }
    }

    /** A unix socket path: not empty and short enough for sockaddr_un. */
    private static Optional<String> socketPath(String what, Optional<String> path) throws UsageException {
        if (path.isEmpty()) {
            return path;
        }
        int bytes = path.get().getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0) {
            throw UsageException.invalid(what + " must not be empty");
        }
        if (bytes >= Settings.UNIX_PATH_MAX) {
            throw UsageException.invalid(what + " is too long: " + bytes + " bytes, the limit is "
                + (Settings.UNIX_PATH_MAX - 1) + " (" + path.get() + ")");
        }
        return path;
    }

    private Optional<String> nonEmpty(String option) throws UsageException {
        Optional<String> text = value(option);
        if (text.isPresent() && text.get().isEmpty()) {
            throw UsageException.invalid(option + " must not be empty");
        }
        return text;
    }

    /** --enable-X (given as {@code enabled}) against --disable-X: both at once is a contradiction. */
    private Confine confine(String enable, boolean enabled, String disable) throws UsageException {
        if (enabled && has(disable)) {
            throw UsageException.invalid(enable + " conflicts with " + disable);
        }
        return Confine.of(enabled, has(disable));
    }

    /** Whether the deprecated alias was used; if so, adds the warning slirp4netns also prints. */
    private boolean deprecated(String alias, String replacement) {
        if (!has(alias)) {
            return false;
        }
        warnings.add(Cli.PREFIX + "WARNING: " + alias + " is deprecated, use " + replacement + " instead");
        return true;
    }

    /** A decimal integer of digits only (no sign, no spaces); -1 if the text is not one or is too big. */
    static int parseInt(String text) {
        if (!Ipv4Cidr.isDigits(text)) {
            return -1;
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException tooBig) {
            return -1;
        }
    }

    private boolean has(String option) {
        return given.containsKey(option);
    }

    /** The last value given for the option (slirp4netns's rule: a repeated option overrides). */
    private Optional<String> value(String option) {
        List<String> values = given.getOrDefault(option, List.of());
        return values.isEmpty() ? Optional.empty() : Optional.of(values.get(values.size() - 1));
    }
}
