package io.slirp4j.pasta;

import io.netty.channel.IoEventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.slirp4j.stack.forward.Forward;
import io.slirp4j.stack.forward.ForwardException;
import io.slirp4j.stack.forward.ForwardProtocol;
import io.slirp4j.stack.forward.ForwardRequest;
import io.slirp4j.stack.forward.ForwardTable;
import io.slirp4j.stack.nat.IpAddress;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code -t auto} and {@code -u auto}: the ports bound inside the namespace, read every
 * {@link NamespaceForwards#SCAN_MILLIS} from its /proc/net tables, are forwarded from the host (both families'
 * wildcards, each port to the same port of the guest's address of that family) for as long as they stay bound, as
 * pasta's automatic forwarding does. A port also gets UDP forwarding while it listens for TCP (pasta's rule, for the
 * likes of iperf3). The namespace listeners of -T/-U are left out (forwarding them back would loop), and so are the
 * ports the spec excludes. A port the host cannot bind (in use there) stays unforwarded until it is released in the
 * namespace and bound again, so the host is not asked every second. Loop-confined.
 */
public final class InboundAutoForwards {
    private final IoEventLoop loop;
    private final ForwardTable forwards;
    private final HostPortScanner namespacePorts;
    private final NamespaceForwardPlan plan;
    private final IpAddress guest4;
    private final IpAddress guest6;
    /** The namespace ports of -T/-U listeners now, by protocol (true: TCP), or none. */
    private final java.util.function.Function<Boolean, BitSet> reverse;
    /** The ports forwarded now (or tried and failed), and their forwards' ids. */
    private final BitSet tcp = new BitSet();
    private final BitSet udp = new BitSet();
    private final Map<Integer, List<Integer>> tcpIds = new HashMap<>();
    private final Map<Integer, List<Integer>> udpIds = new HashMap<>();
    private ScheduledFuture<?> scan;

    /**
     * @param namespacePorts the namespace's tables (opened inside it)
     * @param plan           -t as its TCP side, -u as its UDP side: the {@code auto} ports and exclusions
     * @param guest4         the guest's IPv4 address, or null for IPv6 only
     * @param guest6         the guest's IPv6 address, or null for IPv4 only
     * @param reverse        the -T/-U listeners' namespace ports now, by protocol
     */
    public InboundAutoForwards(IoEventLoop loop, ForwardTable forwards, HostPortScanner namespacePorts,
        NamespaceForwardPlan plan, IpAddress guest4, IpAddress guest6,
        java.util.function.Function<Boolean, BitSet> reverse) {
        this.loop = loop;
        this.forwards = forwards;
        this.namespacePorts = namespacePorts;
        this.plan = plan;
        this.guest4 = guest4;
        this.guest6 = guest6;
        this.reverse = reverse;
    }

    /** On the loop: forwards the ports bound now and starts the scans. */
    public void start() {
        rescan();
        scan = loop.scheduleWithFixedDelay(this::rescan, NamespaceForwards.SCAN_MILLIS, NamespaceForwards.SCAN_MILLIS,
            TimeUnit.MILLISECONDS);
    }

    /** The host ports forwarded now, by protocol (true: TCP), for -T/-U auto to leave out. */
    public BitSet forwarding(boolean isTcp) {
        return (BitSet) (isTcp ? tcp : udp).clone();
    }

    void rescan() {
        BitSet tcpBound = namespacePorts.tcpListening();
        tcpBound.andNot(reverse.apply(true));
        if (plan.tcp().auto() != null) {
            apply(HostPortScanner.diff(tcp, HostPortScanner.wanted(tcpBound, plan.tcp().auto(), plan.tcp().exclude())),
                ForwardProtocol.TCP, tcp, tcpIds);
        }
        if (plan.udp().auto() != null) {
            BitSet udpBound = namespacePorts.udpBound();
            udpBound.andNot(reverse.apply(false));
            udpBound.or(tcpBound);
            apply(HostPortScanner.diff(udp, HostPortScanner.wanted(udpBound, plan.udp().auto(), plan.udp().exclude())),
                ForwardProtocol.UDP, udp, udpIds);
        }
    }

    private void apply(HostPortScanner.Diff diff, ForwardProtocol protocol, BitSet current,
        Map<Integer, List<Integer>> ids) {
        for (int port = diff.removed().nextSetBit(0); port >= 0; port = diff.removed().nextSetBit(port + 1)) {
            current.clear(port);
            List<Integer> gone = ids.remove(port);
            if (gone != null) {
                gone.forEach(forwards::remove);
            }
        }
        for (int port = diff.added().nextSetBit(0); port >= 0; port = diff.added().nextSetBit(port + 1)) {
            current.set(port);
            List<Integer> opened = new ArrayList<>();
            if (guest4 != null) {
                open(protocol, ANY4, port, guest4, opened);
            }
            if (guest6 != null) {
                open(protocol, ANY6, port, guest6, opened);
            }
            ids.put(port, opened);
        }
    }

    private void open(ForwardProtocol protocol, InetAddress host, int port, IpAddress guest, List<Integer> into) {
        try {
            Forward f = forwards.add(new ForwardRequest(protocol, host, port, guest, port));
            into.add(f.id());
        } catch (ForwardException e) {
            // in use on the host: left alone, as pasta leaves a port it cannot bind
        }
    }

    /** Removes every forward this made and stops scanning (loop). */
    public void close() {
        if (scan != null) {
            scan.cancel(false);
        }
        tcpIds.values().forEach(l -> l.forEach(forwards::remove));
        udpIds.values().forEach(l -> l.forEach(forwards::remove));
        tcpIds.clear();
        udpIds.clear();
        namespacePorts.close();
    }

    private static final InetAddress ANY4 = io.slirp4j.stack.wire.Ipv4Address.toInetAddress(0);
    private static final InetAddress ANY6 = new IpAddress(0, 0).toInetAddress();
}
