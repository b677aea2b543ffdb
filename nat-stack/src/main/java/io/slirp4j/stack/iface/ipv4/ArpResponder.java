package io.slirp4j.stack.iface.ipv4;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.iface.AddressPolicy;
import io.slirp4j.stack.iface.GuestLink;
import io.slirp4j.stack.stats.ArpCounters;
import io.slirp4j.stack.stats.FrameCounters;
import io.slirp4j.stack.wire.ArpPacket;
import io.slirp4j.stack.wire.EthernetFrame;
import io.slirp4j.stack.wire.MacAddress;
import io.slirp4j.stack.wire.ParseResult;
import java.util.function.LongSupplier;

/**
 * ARP input (RFC 826) for the stack's two addresses.
 *
 * <p>Theory of operation: every valid ARP packet (request or reply) whose sender is a guest address teaches
 * {@link io.slirp4j.stack.iface.Neighbors} where that guest is. A request for the gateway N+2 or the DNS address
 * N+3 is answered with MAC 52:55:a:b:c:d (the address bytes) for that address, as slirp4netns does; requests for any other
 * address, including the guest probing for its own (RFC 5227), go unanswered, so the guest sees no conflict.
 * Replies go to the requester's sender hardware address, which also covers RFC 5227 probes (sender IP 0.0.0.0)
 * asking whether N+2 is taken: the answer "yes" is the truth.
 */
public final class ArpResponder {
    private final AddressPolicy addresses;
    private final GuestLink link;
    private final FrameCounters frames;
    private final ArpCounters counters;
    private final LongSupplier clock;
    private final ArpPacket arp = new ArpPacket();

    public ArpResponder(AddressPolicy addresses, GuestLink link, FrameCounters frames, ArpCounters counters,
        LongSupplier clock) {
        this.addresses = addresses;
        this.link = link;
        this.frames = frames;
        this.counters = counters;
        this.clock = clock;
    }

    /** One Ethernet frame of type ARP, borrowed. */
    public void onFrame(EthernetFrame frame) {
        ParseResult result = arp.wrap(frame.buffer(), frame.payloadOffset(), frame.payloadLength());
        if (result != ParseResult.OK) {
            if (result == ParseResult.UNSUPPORTED) {
                frames.droppedUnsupported++;
            } else {
                frames.droppedMalformed++;
            }
            return;
        }
        long senderMac = arp.senderMac();
        int senderIp = arp.senderIp();
        if (MacAddress.isGroup(senderMac) || senderMac == MacAddress.ZERO) {
            frames.droppedFiltered++;
            return;
        }
        if (addresses.isGuest(senderIp)) {
            link.learn(senderIp, senderMac, clock.getAsLong());
        }
        int target = arp.targetIp();
        if (arp.operation() != ArpPacket.OP_REQUEST) {
            return;
        }
        if (!addresses.answersArp(target)) {
            frames.droppedFiltered++;
            return;
        }
        long ownMac = link.macFor(target);
        ByteBuf reply = link.alloc().buffer(EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH);
        EthernetFrame.emitHeader(reply, 0, senderMac, ownMac, EthernetFrame.TYPE_ARP);
        ArpPacket.emit(reply, EthernetFrame.HEADER_LENGTH, ArpPacket.OP_REPLY, ownMac, target, senderMac, senderIp);
        reply.writerIndex(EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH);
        counters.repliesSent++;
        link.sendFrame(reply);
    }
}
