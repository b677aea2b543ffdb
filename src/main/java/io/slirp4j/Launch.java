package io.slirp4j;

import io.slirp4j.cli.Confine;
import io.slirp4j.cli.OutboundAddress;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.forward.ForwardRequest;
import io.slirp4j.tap.HostRoutes;
import java.nio.file.Path;
import java.util.List;

/**
 * What the helper is to do, resolved from the command line: where the tap comes from, how to configure it,
 * the virtual network, and the lifecycle fds.
 *
 * @param netns     the target network namespace file, or null with an inherited tap fd or a BESS socket
 * @param userns    the user namespace to join first when unprivileged, or null
 * @param tapFd     an already-open tap fd ({@code --netns-type=tapfd}), or -1
 * @param tapName   the tap device to create or attach to (null with tapFd)
 * @param configure {@code -c}
 * @param mac       {@code --macaddress}, or null
 * @param readyFd   {@code -r}, or -1
 * @param exitFd    {@code -e}, or -1
 * @param apiSocket {@code -a}, or null
 * @param publish   {@code -p}: forwards to open before reporting ready
 * @param outbound4 {@code --outbound-addr} as given (resolved at start-up into {@code network}), or null
 * @param outbound6 {@code --outbound-addr6} as given, or null
 * @param bessSocket {@code --target-type=bess}: the unix SOCK_SEQPACKET path to serve one peer on, or null
 * @param sandbox   whether to enter the sandbox: required, tried, or not
 * @param seccomp   whether to install the seccomp filter: required, tried, or not
 * @param offloads  open the tap with a vnet header and offloads (not {@code --disable-offloads})
 * @param pasta     pasta's lifecycle (pid file, daemon, exit with the target) when run as {@code pasta}, else null
 * @param routes    more routes for the configuration to add (pasta's copies of the host's), else empty
 */
public record Launch(Path netns, Path userns, int tapFd, String tapName, boolean configure, byte[] mac,
                     NetworkConfig network, int readyFd, int exitFd, Path apiSocket, List<ForwardRequest> publish,
                     OutboundAddress outbound4, OutboundAddress outbound6, Path bessSocket, Confine sandbox,
                     Confine seccomp, boolean offloads, PastaLifetime pasta, List<HostRoutes.Route> routes) {
    public Launch {
        publish = List.copyOf(publish);
        routes = List.copyOf(routes);
    }

    /** This launch with {@code network} instead (the outbound addresses resolved). */
    public Launch withNetwork(NetworkConfig network) {
        return new Launch(netns, userns, tapFd, tapName, configure, mac, network, readyFd, exitFd, apiSocket, publish,
            outbound4, outbound6, bessSocket, sandbox, seccomp, offloads, pasta, routes);
    }
}
