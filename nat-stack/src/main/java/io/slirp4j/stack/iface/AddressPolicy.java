package io.slirp4j.stack.iface;

import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.wire.Ipv4Address;

/**
 * Which IPv4 addresses play which role in the virtual network: the stack's own (gateway N+2, DNS N+3), the
 * guest's (any other host address of the network), and the outside world the NAT may reach. One place for these
 * rules so that the input filter, ARP and the NAT agree.
 *
 * <p>N+3 stays one of ours for ARP and ping whether or not DNS is enabled; for TCP and UDP it is the DNS
 * forwarder only while DNS is enabled. With {@code --disable-dns} the NAT treats it as an ordinary outside
 * address (the host's own N+3), as slirp4netns does: libslirp then no longer translates N+3 and its sockets
 * connect to, and hear from, N+3 itself.
 */
public final class AddressPolicy {
    private final int network;
    private final int netmask;
    private final int broadcast;
    private final int gateway;
    private final int dns;
    private final boolean dnsEnabled;

    public AddressPolicy(NetworkConfig config) {
        this.network = config.network();
        this.netmask = config.netmask();
        this.broadcast = config.broadcast();
        this.gateway = config.gateway();
        this.dns = config.dns();
        this.dnsEnabled = config.dnsEnabled();
    }

    public int gateway() {
        return gateway;
    }

    public int dns() {
        return dns;
    }

    public boolean inNetwork(int address) {
        return (address & netmask) == network;
    }

    /** N+3 while DNS is enabled: TCP and UDP to it go to the DNS forwarder (port 53) or are refused. */
    public boolean isDnsForwarder(int address) {
        return dnsEnabled && address == dns;
    }

    /** N+2 or N+3 (answered for ARP and ping, whether or not DNS is enabled). */
    public boolean isOwn(int address) {
        return address == gateway || address == dns;
    }

    /** 255.255.255.255 or the network's directed broadcast. */
    public boolean isBroadcast(int address) {
        return address == Ipv4Address.LIMITED_BROADCAST || address == broadcast;
    }

    /** An address the guest may use as its own: a host address of the network that is not the stack's. */
    public boolean isGuest(int address) {
        return inNetwork(address) && address != network && address != broadcast && !isOwn(address);
    }

    /** A unicast address outside the virtual network that the NAT may send to (or accept replies from). */
    public boolean isOutside(int address) {
        return !inNetwork(address) && Ipv4Address.isGlobalUnicastCandidate(address);
    }

    /**
     * An address whose TCP and UDP traffic the NAT passes to the same address on the host, and whose host-side
     * replies the guest sees as coming from that address: any {@link #isOutside outside} address, and N+3 when DNS
     * is disabled.
     */
    public boolean isPassThrough(int address) {
        return isOutside(address) || (!dnsEnabled && address == dns);
    }
}
