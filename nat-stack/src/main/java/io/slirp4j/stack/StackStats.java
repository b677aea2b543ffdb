package io.slirp4j.stack;

import io.slirp4j.stack.stats.ArpCounters;
import io.slirp4j.stack.stats.DhcpCounters;
import io.slirp4j.stack.stats.Dhcpv6Counters;
import io.slirp4j.stack.stats.DnsCounters;
import io.slirp4j.stack.stats.ErrorCounters;
import io.slirp4j.stack.stats.FrameCounters;
import io.slirp4j.stack.stats.IcmpCounters;
import io.slirp4j.stack.stats.Icmpv6Counters;
import io.slirp4j.stack.stats.Ipv4Counters;
import io.slirp4j.stack.stats.Ipv6Counters;
import io.slirp4j.stack.stats.TcpCounters;
import io.slirp4j.stack.stats.UdpCounters;

/**
 * An immutable snapshot of the stack's counters, one group per protocol (see each group's class in
 * {@link io.slirp4j.stack.stats} for what its counters count), with gauges of what is open right now in the
 * groups they belong to.
 */
public record StackStats(
    FrameCounters.Snapshot frames,
    ErrorCounters.Snapshot errors,
    ArpCounters.Snapshot arp,
    Ipv4Counters.Snapshot ipv4,
    IcmpCounters.Snapshot icmp,
    UdpCounters.Snapshot udp,
    DnsCounters.Snapshot dns,
    DhcpCounters.Snapshot dhcp,
    TcpCounters.Snapshot tcp,
    Ipv6Counters.Snapshot ipv6,
    Icmpv6Counters.Snapshot icmpv6,
    Dhcpv6Counters.Snapshot dhcpv6) {
}
