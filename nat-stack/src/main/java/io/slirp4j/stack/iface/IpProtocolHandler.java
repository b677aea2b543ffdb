package io.slirp4j.stack.iface;

/** A transport engine fed by the IP inputs: ICMP, UDP and TCP, registered by protocol number. */
@FunctionalInterface
public interface IpProtocolHandler {
    /**
     * One complete (reassembled if it was fragmented), validated datagram from the guest that passed the address
     * filter. The view and its buffer are borrowed for the duration of the call: retain a slice to keep bytes.
     */
    void onDatagram(IpDatagram datagram);
}
