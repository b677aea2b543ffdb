package io.slirp4j.pasta;

import io.slirp4j.Launch;
import io.slirp4j.PastaLifetime;
import io.slirp4j.cli.Confine;
import io.slirp4j.cli.OutboundAddress;
import io.slirp4j.stack.HostMirror;
import io.slirp4j.stack.HostMirror6;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.forward.ForwardProtocol;
import io.slirp4j.stack.forward.ForwardRequest;
import io.slirp4j.stack.nat.IpAddress;
import io.slirp4j.stack.wire.Ipv4Address;
import io.slirp4j.tap.HostRoutes;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * What a pasta command line asks of the helper, as a {@link Launch}: the target, the copy of the host's addressing
 * ({@link HostMirror}, {@link HostMirror6}), the interface to configure, its routes and the forwards, with pasta's
 * defaults where the command line is silent (the host's address, prefix and gateway of the default route's interface
 * of each family, MTU 65520, the interface named like the host's, the gateway mapped to the host's loopback, -t/-u/-T/-U
 * auto). IPv6 is copied as IPv4 is, unless {@code -4} or the host has none to copy; {@code -6} leaves IPv4 out.
 *
 * <p>Explicit -t/-u ports become the stack's forwards (bound to an address or, {@code %IFACE}, an interface);
 * {@code auto} ones, and -T/-U, are plans ({@link NamespaceForwardPlan}) the running helper follows. What this mode
 * does not do is refused with a message naming it, rather than silently left out, where it changes what the guest
 * gets (a command instead of a PID or --netns, {@code all}); options it parses and does not act on are named on
 * stderr unless {@code --quiet}.
 */
public final class PastaLaunch {
    /** pasta's default MTU for the namespace's interface. */
    public static final int DEFAULT_MTU = 65520;

    /** The host as pasta reads it: the default route and the addresses of its interface. */
    public interface HostView {
        HostRoutes.DefaultRoute defaultRoute4(String onlyIface) throws IOException;

        HostRoutes.DefaultRoute defaultRoute6(String onlyIface) throws IOException;

        /** The routes of {@code iface} through a gateway, but the default one (none, unless overridden). */
        default List<HostRoutes.Route> gatewayRoutes(String iface, boolean ipv4) throws IOException {
            return List.of();
        }

        List<HostRoutes.Address> addresses(String iface, boolean ipv4) throws IOException;
    }

    /** The host this process runs on. */
    public static final HostView THIS_HOST = new HostView() {
        @Override
        public HostRoutes.DefaultRoute defaultRoute4(String onlyIface) throws IOException {
            return HostRoutes.defaultRoute4(HostRoutes.table(Path.of("/proc/net/route")), onlyIface);
        }

        @Override
        public HostRoutes.DefaultRoute defaultRoute6(String onlyIface) throws IOException {
            return HostRoutes.defaultRoute6(HostRoutes.table(Path.of("/proc/net/ipv6_route")), onlyIface);
        }

        @Override
        public List<HostRoutes.Address> addresses(String iface, boolean ipv4) throws IOException {
            return HostRoutes.addresses(iface, ipv4);
        }

        @Override
        public List<HostRoutes.Route> gatewayRoutes(String iface, boolean ipv4) throws IOException {
            return ipv4 ? HostRoutes.gatewayRoutes4(HostRoutes.table(Path.of("/proc/net/route")), iface)
                : HostRoutes.gatewayRoutes6(HostRoutes.table(Path.of("/proc/net/ipv6_route")), iface);
        }
    };

    /** A command line this pasta mode cannot carry out, with the reason for stderr. */
    public static final class Unsupported extends IOException {
        Unsupported(String message) {
            super(message);
        }
    }

    /**
     * @param launch   what to run
     * @param warnings lines for stderr (empty with --quiet)
     */
    public record Plan(Launch launch, List<String> warnings) {}

    private PastaLaunch() {}

    /**
     * @param detachFd the launcher's handshake fd for a daemon (see {@link PastaLifetime}), or -1; ignored in the
     *                 foreground
     */
    public static Plan plan(PastaSettings s, HostView host, int detachFd) throws IOException {
        List<String> warnings = new ArrayList<>();
        Path netns;
        Path userns = s.userns().map(Path::of).orElse(null);
        long targetPid = -1;
        if (s.target() instanceof PastaSettings.Target.Pid pid) {
            netns = Path.of("/proc/" + pid.pid() + "/ns/net");
            targetPid = pid.pid();
            if (userns == null && !s.netnsOnly()) {
                userns = Path.of("/proc/" + pid.pid() + "/ns/user");
            }
        } else if (s.target() instanceof PastaSettings.Target.NetnsPath path) {
            netns = Path.of(path.path());
        } else {
            throw new Unsupported("slirp4j's pasta mode does not start a command in a new namespace: give a PID or"
                + " --netns PATH");
        }
        HostMirror mirror;
        if (s.ipv6Only()) {
            HostMirror6 six = mirror6(s, host);
            if (six == null) {
                throw new IOException("no IPv6 address to give the namespace (-6): the host has no IPv6 default route"
                    + " with an address (-a and -g name them)");
            }
            mirror = new HostMirror(HostMirror.NONE, 0, HostMirror.NONE, HostMirror.NONE, HostMirror.NONE,
                HostMirror.NONE, HostMirror.NONE, six, new HostMirror.Services(false, !s.noDhcpv6(), !s.noNdp(),
                !s.noRa()));
        } else {
            mirror = mirror(s, host, s.ipv4Only() ? null : mirror6(s, host));
        }
        int mtu = s.mtu().isPresent() && s.mtu().getAsInt() != 0 ? s.mtu().getAsInt() : DEFAULT_MTU;
        NetworkConfig network = NetworkConfig.mirroring(mirror, mtu);
        String hostIface = s.iface().orElseGet(() -> routeIface(host, !s.ipv6Only()));
        String tapName = s.nsIfname().orElse(hostIface != null ? hostIface : "tap0");
        List<ForwardRequest> forwards = new ArrayList<>();
        IpAddress guest4 = mirror.ipv4() ? IpAddress.of4(mirror.guest()) : null;
        IpAddress guest6 = mirror.ipv6() != null ? mirror.ipv6().guest() : null;
        inbound(s.tcpIn(), ForwardProtocol.TCP, guest4, guest6, forwards);
        inbound(s.udpIn(), ForwardProtocol.UDP, guest4, guest6, forwards);
        NamespaceForwardPlan outbound = outbound(s, forwards, mirror.ipv6() != null);
        List<String> ignored = new ArrayList<>(s.notHonoured());
        ignored.addAll(ignoredSettings(s));
        for (String option : ignored) {
            warnings.add("--" + option + " is accepted and not honoured by slirp4j's pasta mode");
        }
        boolean foreground = s.foreground() || s.debug() || s.trace();
        PastaLifetime lifetime = new PastaLifetime(s.pidFile().map(Path::of).orElse(null),
            foreground ? -1 : detachFd, s.quiet(), targetPid, outbound, inboundAuto(s, forwards));
        Launch launch = new Launch(netns, userns, -1, tapName, s.configNet(), macBytes(s.nsMacAddr().orElse(null)),
            network, -1, -1, null, forwards,
            s.outbound4().map(a -> (OutboundAddress) new OutboundAddress.Literal(a))
                .or(() -> s.outboundIf4().map(OutboundAddress.Interface::new)).orElse(null),
            s.outbound6().map(a -> (OutboundAddress) new OutboundAddress.Literal(a))
                .or(() -> s.outboundIf6().map(OutboundAddress.Interface::new)).orElse(null),
            null, Confine.BY_DEFAULT, Confine.BY_DEFAULT, true, lifetime, copiedRoutes(s, host, mirror));
        return new Plan(launch, s.quiet() ? List.of() : warnings);
    }

    /** Options the settings carry that this mode does not act on yet (their long names). */
    static List<String> ignoredSettings(PastaSettings s) {
        List<String> ignored = new ArrayList<>();
        if (!s.dns().isEmpty() || s.noDns()) {
            ignored.add("dns");
        }
        if (!s.search().isEmpty() || s.noSearch()) {
            ignored.add("search");
        }
        if (s.logFile().isPresent()) {
            ignored.add("log-file");
        }
        String[] names = {"no-tcp", "no-udp", "no-icmp"};
        boolean[] given = {s.noTcp(), s.noUdp(), s.noIcmp()};
        for (int i = 0; i < names.length; i++) {
            if (given[i]) {
                ignored.add(names[i]);
            }
        }
        return ignored;
    }

    /** The guest's IPv4 addressing: the command line's, else the host's default route's interface's. */
    static HostMirror mirror(PastaSettings s, HostView host, HostMirror6 ipv6) throws IOException {
        HostRoutes.DefaultRoute route = host.defaultRoute4(s.iface().orElse(null));
        String iface = s.iface().orElse(route != null ? route.iface() : null);
        List<HostRoutes.Address> addresses = iface != null ? host.addresses(iface, true) : List.of();
        HostRoutes.Address hostAddress = addresses.isEmpty() ? null : addresses.get(0);
        Inet4Address guest = s.address4().orElse(hostAddress != null ? (Inet4Address) hostAddress.address() : null);
        if (guest == null) {
            throw new IOException("no IPv4 address to give the namespace: the host has no default route with an"
                + " address" + (iface != null ? " on " + iface : "") + " (-a and -g name them)");
        }
        int prefix = s.prefixLength4().orElse(hostAddress != null && s.address4().isEmpty()
            ? hostAddress.prefixLength() : classfulPrefix(guest));
        InetAddress gatewayAddress = s.gateway4().map(g -> (InetAddress) g)
            .orElse(route != null ? route.gateway() : null);
        if (gatewayAddress == null) {
            throw new IOException("no IPv4 gateway for the namespace: the host's default route has none (-g names one)");
        }
        int gateway = Ipv4Address.fromInetAddress((Inet4Address) gatewayAddress);
        int guestAddress = Ipv4Address.fromInetAddress(guest);
        int hostOwn = hostAddress != null ? Ipv4Address.fromInetAddress((Inet4Address) hostAddress.address())
            : guestAddress;
        int hostLoopback = s.mapHostLoopback4().map(Ipv4Address::fromInetAddress)
            .orElse(s.noMapGw() ? HostMirror.NONE : gateway);
        int alias = s.mapGuestAddr4().map(Ipv4Address::fromInetAddress).orElse(HostMirror.NONE);
        int dnsForward = s.dnsForward4().map(Ipv4Address::fromInetAddress).orElse(HostMirror.NONE);
        return new HostMirror(guestAddress, prefix, gateway, hostOwn, hostLoopback, alias, dnsForward, ipv6,
            new HostMirror.Services(!s.noDhcp(), !s.noDhcpv6(), !s.noNdp(), !s.noRa()));
    }

    /**
     * The guest's IPv6 addressing, as pasta finds it: the command line's, else the global address and prefix of
     * the IPv6 default route's interface and that route's gateway; null (IPv4 only, as pasta goes on without IPv6)
     * when the host has neither an address nor a gateway to copy.
     */
    static HostMirror6 mirror6(PastaSettings s, HostView host) throws IOException {
        HostRoutes.DefaultRoute route = host.defaultRoute6(s.iface().orElse(null));
        String iface = s.iface().orElse(route != null ? route.iface() : null);
        List<HostRoutes.Address> addresses = iface != null ? host.addresses(iface, false) : List.of();
        HostRoutes.Address hostAddress = addresses.isEmpty() ? null : addresses.get(0);
        InetAddress guest = s.address6().map(a -> (InetAddress) a)
            .orElse(hostAddress != null ? hostAddress.address() : null);
        InetAddress gateway = s.gateway6().map(g -> (InetAddress) g).orElse(route != null ? route.gateway() : null);
        if (guest == null || gateway == null) {
            return null;
        }
        int prefix = s.prefixLength6().orElse(hostAddress != null && s.address6().isEmpty()
            ? hostAddress.prefixLength() : 64);
        IpAddress gateway6 = IpAddress.of(gateway);
        IpAddress hostLoopback = s.mapHostLoopback6().map(IpAddress::of).orElse(s.noMapGw() ? null : gateway6);
        return new HostMirror6(IpAddress.of(guest), prefix, gateway6,
            IpAddress.of(hostAddress != null ? hostAddress.address() : guest), hostLoopback,
            s.mapGuestAddr6().map(IpAddress::of).orElse(null), s.dnsForward6().map(IpAddress::of).orElse(null));
    }

    /**
     * The host's routes through a gateway on the interfaces the addresses came from, but the default ones (which the
     * configuration adds), as pasta's --config-net copies them; none with --no-copy-routes.
     */
    static List<HostRoutes.Route> copiedRoutes(PastaSettings s, HostView host, HostMirror mirror) throws IOException {
        if (s.noCopyRoutes() || !s.configNet()) {
            return List.of();
        }
        List<HostRoutes.Route> routes = new ArrayList<>();
        String iface4 = s.iface().orElseGet(() -> routeIface(host, true));
        if (mirror.ipv4() && iface4 != null) {
            routes.addAll(host.gatewayRoutes(iface4, true));
        }
        String iface6 = s.iface().orElseGet(() -> routeIface(host, false));
        if (mirror.ipv6() != null && iface6 != null) {
            routes.addAll(host.gatewayRoutes(iface6, false));
        }
        return routes;
    }

    private static String routeIface(HostView host, boolean ipv4) {
        try {
            HostRoutes.DefaultRoute route = ipv4 ? host.defaultRoute4(null) : host.defaultRoute6(null);
            return route != null ? route.iface() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The prefix pasta gives an address named by -a without a length: its class's (A /8, B /16, else /24). */
    static int classfulPrefix(Inet4Address a) {
        int first = a.getAddress()[0] & 0xFF;
        return first < 128 ? 8 : first < 192 ? 16 : 24;
    }

    /**
     * -t and -u: each explicit port becomes a forward from the host to the guest's address of the listener's family,
     * and without an address, as pasta, one on each family's wildcard (IPv6's only with an IPv6 guest; the launch
     * makes IPv6 listeners IPv6-only, so the two do not collide).
     */
    private static void inbound(List<PortSpec> specs, ForwardProtocol protocol, IpAddress guest4, IpAddress guest6,
        List<ForwardRequest> forwards) throws Unsupported {
        for (PortSpec spec : specs) {
            if (spec.none() || spec.auto()) {
                continue; // auto, with its ports, is inboundAuto's
            }
            if (spec.allExcept()) {
                throw new Unsupported("forwarding all ports (" + spec.text() + ") is not in slirp4j's pasta mode yet");
            }
            for (PortSpec.Forward f : spec.forwards()) {
                String device = f.bindInterface();
                if (f.bindAddress() != null) {
                    IpAddress guest = f.bindAddress() instanceof Inet4Address || guest6 == null ? guest4 : guest6;
                    if (guest == null) {
                        throw new Unsupported("-" + spec.option() + " " + spec.text() + ": an IPv4 address, and the"
                            + " namespace has IPv6 only");
                    }
                    forwards.add(new ForwardRequest(protocol, f.bindAddress(), f.hostPort(), guest, f.guestPort(),
                        device));
                    continue;
                }
                if (guest4 != null) {
                    forwards.add(new ForwardRequest(protocol, ANY4, f.hostPort(), guest4, f.guestPort(), device));
                }
                if (guest6 != null) {
                    forwards.add(new ForwardRequest(protocol, ANY6, f.hostPort(), guest6, f.guestPort(), device));
                }
            }
        }
    }

    /**
     * -T and -U: explicit ports, and {@code auto} (the default without the option) over every port the host binds,
     * except those this helper itself listens on for -t (for -T) and for -t or -u (for -U), as pasta excludes the
     * other direction's forwards.
     */
    /**
     * -t and -u {@code auto} (and no -t/-u at all, pasta's default): the namespace's bound ports, while bound, to the
     * same ports of the host, but those the explicit forwards hold there already.
     */
    static NamespaceForwardPlan inboundAuto(PastaSettings s, List<ForwardRequest> explicit) throws Unsupported {
        BitSet tcpHeld = new BitSet();
        BitSet udpHeld = new BitSet();
        for (ForwardRequest r : explicit) {
            (r.protocol() == ForwardProtocol.TCP ? tcpHeld : udpHeld).set(r.hostPort());
        }
        try {
            return new NamespaceForwardPlan(autoSide(s.tcpIn(), tcpHeld), autoSide(s.udpIn(), udpHeld), false);
        } catch (IllegalArgumentException e) {
            throw new Unsupported(e.getMessage());
        }
    }

    private static NamespaceForwardPlan.Side autoSide(List<PortSpec> specs, BitSet held) {
        List<PortSpec> auto = specs.stream().filter(PortSpec::auto).toList();
        if (!specs.isEmpty() && auto.isEmpty()) {
            return NamespaceForwardPlan.Side.NONE;
        }
        NamespaceForwardPlan.Side side = NamespaceForwardPlan.side(auto, held);
        return new NamespaceForwardPlan.Side(java.util.Map.of(), side.auto(), side.exclude());
    }

    static NamespaceForwardPlan outbound(PastaSettings s, List<ForwardRequest> inbound, boolean ipv6)
        throws Unsupported {
        BitSet tcpIn = new BitSet();
        BitSet udpIn = new BitSet();
        for (ForwardRequest r : inbound) {
            (r.protocol() == ForwardProtocol.TCP ? tcpIn : udpIn).set(r.hostPort());
        }
        BitSet udpExclude = (BitSet) udpIn.clone();
        udpExclude.or(tcpIn);
        try {
            return new NamespaceForwardPlan(NamespaceForwardPlan.side(s.tcpOut(), tcpIn),
                NamespaceForwardPlan.side(s.udpOut(), udpExclude), ipv6);
        } catch (IllegalArgumentException e) {
            throw new Unsupported(e.getMessage());
        }
    }

    /** Every address of the host, of each family. */
    private static final InetAddress ANY4 = Ipv4Address.toInetAddress(0);
    private static final InetAddress ANY6 = new IpAddress(0, 0).toInetAddress();

    private static byte[] macBytes(String mac) {
        if (mac == null) {
            return null;
        }
        byte[] bytes = new byte[6];
        String[] parts = mac.split(":");
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return bytes;
    }
}
