package io.slirp4j.cli;

import io.slirp4j.api.ForwardSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Everything the command line says, validated. Produced by {@link Cli#parse}; the constructor re-checks the
 * invariants that later stages rely on, so a Settings built elsewhere (tests) cannot be inconsistent either.
 *
 * @param configure           {@code -c}: bring up lo and the tap, set MTU, MAC, address and default route
 * @param exitFd              {@code -e}: exit when this fd hangs up or is closed
 * @param readyFd             {@code -r}: write "1" to this fd and close it once ready
 * @param mtu                 {@code -m}: 68..65521, default 1500
 * @param enableIpv6          {@code -6}
 * @param apiSocket           {@code -a}: unix socket path, shorter than 108 bytes
 * @param cidr                {@code --cidr}, default 10.0.2.0/24
 * @param cidr6               {@code --cidr6}, default fd00::/64 (used with --enable-ipv6)
 * @param disableHostLoopback {@code --disable-host-loopback} (or the deprecated {@code --no-host-loopback})
 * @param netnsType           {@code --netns-type}, default PID
 * @param usernsPath          {@code --userns-path} as given (see {@link #effectiveUsernsPath()} for the default)
 * @param sandbox             {@code --enable-sandbox} (or the deprecated {@code --create-sandbox}) requires it,
 *                            {@code --disable-sandbox} leaves it out, by default it is tried
 * @param seccomp             {@code --enable-seccomp}, {@code --disable-seccomp}, likewise
 * @param outboundAddr        {@code --outbound-addr}: IPv4 literal or interface name
 * @param outboundAddr6       {@code --outbound-addr6}: IPv6 literal or interface name
 * @param disableDns          {@code --disable-dns}
 * @param macAddress          {@code --macaddress}, only with {@code -c}
 * @param targetType          {@code --target-type}, default NETNS
 * @param publish             {@code -p}: one forward per port, ranges expanded, in the order given; no two bind
 *                            the same protocol, host address and non-zero host port
 * @param target              the positional PID, PATH or FD, typed by netnsType and targetType
 * @param disableOffloads     {@code --disable-offloads}: open the tap without a vnet header
 * @param tapName             TAPNAME; present exactly when the target is a PID or a netns path
 */
public record Settings(
        boolean configure,
        OptionalInt exitFd,
        OptionalInt readyFd,
        int mtu,
        boolean enableIpv6,
        Optional<String> apiSocket,
        Ipv4Cidr cidr,
        Ipv6Cidr cidr6,
        boolean disableHostLoopback,
        NetnsType netnsType,
        Optional<String> usernsPath,
        Confine sandbox,
        Confine seccomp,
        Optional<OutboundAddress> outboundAddr,
        Optional<OutboundAddress> outboundAddr6,
        boolean disableDns,
        boolean disableOffloads,
        Optional<MacAddress> macAddress,
        TargetType targetType,
        List<ForwardSpec> publish,
        Target target,
        Optional<String> tapName) {

    public static final int DEFAULT_MTU = 1500;
    public static final int MIN_MTU = 68;
    public static final int MAX_MTU = 65521;
    /** sizeof(sockaddr_un.sun_path), including the terminating NUL. */
    public static final int UNIX_PATH_MAX = 108;

    public enum NetnsType {
        PID, PATH, TAPFD;

        /** The spelling on the command line. */
        public String argument() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum TargetType {
        NETNS, BESS;

        public String argument() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Settings {
        Objects.requireNonNull(exitFd);
        Objects.requireNonNull(readyFd);
        Objects.requireNonNull(apiSocket);
        Objects.requireNonNull(cidr);
        Objects.requireNonNull(cidr6);
        Objects.requireNonNull(netnsType);
        Objects.requireNonNull(usernsPath);
        Objects.requireNonNull(outboundAddr);
        Objects.requireNonNull(outboundAddr6);
        Objects.requireNonNull(macAddress);
        Objects.requireNonNull(targetType);
        publish = List.copyOf(publish);
        Objects.requireNonNull(target);
        Objects.requireNonNull(tapName);
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new IllegalArgumentException("MTU out of range: " + mtu);
        }
        if (exitFd.orElse(0) < 0 || readyFd.orElse(0) < 0) {
            throw new IllegalArgumentException("negative fd");
        }
        if (macAddress.isPresent() && !configure) {
            throw new IllegalArgumentException("--macaddress needs --configure");
        }
        if (!fits(targetType, netnsType, target)) {
            throw new IllegalArgumentException(target + " does not fit " + targetType + "/" + netnsType);
        }
        boolean namespaced = target instanceof Target.Pid || target instanceof Target.NetnsPath;
        if (namespaced != tapName.isPresent()) {
            throw new IllegalArgumentException("TAPNAME goes with a PID or PATH target only");
        }
        Set<ForwardSpec.Listener> listeners = new HashSet<>();
        for (ForwardSpec spec : publish) {
            if (spec.hostPort() != 0 && !listeners.add(spec.listener())) {
                throw new IllegalArgumentException("two forwards bind " + spec.listener());
            }
        }
    }

    private static boolean fits(TargetType targetType, NetnsType netnsType, Target t) {
        if (targetType == TargetType.BESS) {
            return t instanceof Target.BessSocket;
        }
        return switch (netnsType) {
            case PID -> t instanceof Target.Pid;
            case PATH -> t instanceof Target.NetnsPath;
            case TAPFD -> t instanceof Target.TapFd;
        };
    }

    /** The user namespace to join: --userns-path, else /proc/PID/ns/user for a PID target, else none. */
    public Optional<String> effectiveUsernsPath() {
        if (usernsPath.isPresent()) {
            return usernsPath;
        }
        return target instanceof Target.Pid p ? Optional.of("/proc/" + p.pid() + "/ns/user") : Optional.empty();
    }
}
