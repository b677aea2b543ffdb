package io.slirp4j.stack.iface;

import io.slirp4j.stack.wire.Ipv4Packet;

/** A transport engine fed by {@link Ipv4Input}: ICMP and UDP now, TCP later (register it for protocol 6). */
@FunctionalInterface
public interface Ipv4ProtocolHandler {
    /**
     * One complete (reassembled if it was fragmented), validated datagram from the guest that passed the address
     * filter. The view and its buffer are borrowed for the duration of the call: retain a slice to keep bytes.
     */
    void onDatagram(Ipv4Packet datagram);
}
