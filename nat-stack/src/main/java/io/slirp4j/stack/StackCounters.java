package io.slirp4j.stack;

import io.slirp4j.stack.stats.ArpCounters;
import io.slirp4j.stack.stats.DhcpCounters;
import io.slirp4j.stack.stats.DnsCounters;
import io.slirp4j.stack.stats.ErrorCounters;
import io.slirp4j.stack.stats.FrameCounters;
import io.slirp4j.stack.stats.IcmpCounters;
import io.slirp4j.stack.stats.Ipv4Counters;
import io.slirp4j.stack.stats.TcpCounters;
import io.slirp4j.stack.stats.UdpCounters;

/**
 * The stack's counter groups (see {@link io.slirp4j.stack.stats}), shared by its engines. Confined to the stack's
 * event loop like everything else; {@link Stack#stats()} composes the groups' snapshots into a {@link StackStats}.
 */
public final class StackCounters {
    public final FrameCounters frames = new FrameCounters();
    public final ErrorCounters errors = new ErrorCounters();
    public final ArpCounters arp = new ArpCounters();
    public final Ipv4Counters ipv4 = new Ipv4Counters();
    public final IcmpCounters icmp = new IcmpCounters();
    public final UdpCounters udp = new UdpCounters();
    public final DnsCounters dns = new DnsCounters();
    public final DhcpCounters dhcp = new DhcpCounters();
    public final TcpCounters tcp = new TcpCounters();
}
