package io.slirp4j.pasta;

import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What -T and -U ask for: ports to listen on inside the namespace (on its loopback, as pasta) and relay to the host's
 * loopback.
 *
 * @param tcp  -T
 * @param udp  -U
 * @param ipv6 whether to listen on ::1 too (the namespace gets IPv6), besides 127.0.0.1
 */
public record NamespaceForwardPlan(Side tcp, Side udp, boolean ipv6) {

    /**
     * One protocol's forwards.
     *
     * @param fixed   explicit ports: namespace port -> host port, in the order given
     * @param auto    with {@code auto}: the ports that may be forwarded while the host has them bound (each to the
     *                same port), else null
     * @param exclude ports never forwarded automatically: this helper's own listeners on the host (-t/-u), which
     *                forwarding back would loop
     */
    public record Side(Map<Integer, Integer> fixed, BitSet auto, BitSet exclude) {
        public Side {
            fixed = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fixed));
        }

        public static final Side NONE = new Side(Map.of(), null, new BitSet());

        public boolean empty() {
            return fixed.isEmpty() && auto == null;
        }
    }

    public static final NamespaceForwardPlan NONE = new NamespaceForwardPlan(Side.NONE, Side.NONE, false);

    public boolean empty() {
        return tcp.empty() && udp.empty();
    }

    public boolean hasFixed() {
        return !tcp.fixed().isEmpty() || !udp.fixed().isEmpty();
    }

    public boolean hasAuto() {
        return tcp.auto() != null || udp.auto() != null;
    }

    /**
     * One direction's specs as a {@link Side}: none; the default (no spec at all) and {@code auto} alone or with
     * exclusions, every port but those excluded, while bound on the host; {@code auto} with ports, those ports while
     * bound; ports without {@code auto}, those ports always (mapped as given).
     *
     * @throws IllegalArgumentException for {@code all} or exclusions without {@code auto} (every non-ephemeral port at
     *                                  once), which this mode does not do
     */
    public static Side side(List<PortSpec> specs, BitSet exclude) {
        if (specs.isEmpty()) {
            BitSet all = new BitSet(HostPortScanner.PORTS);
            all.set(1, HostPortScanner.PORTS);
            return new Side(Map.of(), all, exclude);
        }
        Map<Integer, Integer> fixed = new LinkedHashMap<>();
        BitSet auto = null;
        for (PortSpec spec : specs) {
            if (spec.none()) {
                continue;
            }
            if (spec.auto()) {
                if (auto == null) {
                    auto = new BitSet(HostPortScanner.PORTS);
                }
                if (spec.allExcept()) {
                    auto.set(1, HostPortScanner.PORTS);
                    for (PortSpec.Range r : spec.exclusions()) {
                        auto.clear(r.first(), r.last() + 1);
                    }
                } else {
                    for (PortSpec.Range r : spec.ranges()) {
                        auto.set(r.first(), r.last() + 1);
                    }
                }
                continue;
            }
            if (spec.allExcept()) {
                throw new IllegalArgumentException("-" + spec.option() + " " + spec.text() + ": forwarding all ports"
                    + " is not in slirp4j's pasta mode yet");
            }
            for (PortSpec.Forward f : spec.forwards()) {
                fixed.put(f.hostPort(), f.guestPort());
            }
        }
        if (auto != null) {
            // an explicit port is always forwarded; auto does not need to open it again
            for (int port : fixed.keySet()) {
                auto.clear(port);
            }
        }
        return new Side(fixed, auto, exclude);
    }
}
