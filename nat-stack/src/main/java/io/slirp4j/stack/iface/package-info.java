/**
 * The interface layer: what sits between the tap and the transport engines. {@link io.slirp4j.stack.iface.GuestLink}
 * is the only way out to the guest (framing, neighbour resolution for both families in one
 * {@link io.slirp4j.stack.iface.Neighbors} cache, fragmentation, flush bookkeeping); the ways in are per family, in
 * {@code ipv4/} (ARP, the IPv4 input and reassembly) and {@code ipv6/} (the IPv6 input and reassembly, neighbour
 * and router discovery). Both inputs hand the engines the same version-neutral
 * {@link io.slirp4j.stack.iface.IpDatagram}; {@link io.slirp4j.stack.iface.FragmentAssembly} is the reassembly both
 * families share.
 */
package io.slirp4j.stack.iface;
