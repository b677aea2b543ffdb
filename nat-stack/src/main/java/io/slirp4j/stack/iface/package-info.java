/**
 * The interface layer: what sits between the tap and the transport engines. {@link io.slirp4j.stack.iface.GuestLink}
 * is the only way out to the guest (framing, neighbour resolution, fragmentation, flush bookkeeping);
 * {@link io.slirp4j.stack.iface.ArpResponder} and {@link io.slirp4j.stack.iface.Ipv4Input} are the ways in.
 * An IPv6 input (NDP, its own neighbour cache) would sit next to {@code Ipv4Input} and share {@code GuestLink}'s
 * frame output.
 */
package io.slirp4j.stack.iface;
