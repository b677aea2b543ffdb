package io.slirp4j.stack.dhcp;

import io.netty.buffer.ByteBuf;
import io.slirp4j.stack.HostMirror;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.iface.GuestLink;
import io.slirp4j.stack.iface.IpDatagram;
import io.slirp4j.stack.stats.DhcpCounters;
import io.slirp4j.stack.stats.FrameCounters;
import io.slirp4j.stack.wire.DhcpMessage;
import io.slirp4j.stack.wire.Ipv4Address;
import io.slirp4j.stack.wire.Ipv4Packet;
import io.slirp4j.stack.wire.MacAddress;
import io.slirp4j.stack.wire.ParseResult;
import io.slirp4j.stack.wire.UdpDatagram;
import java.util.function.LongSupplier;

/**
 * A minimal DHCP server (RFC 2131) for guests that do not configure themselves (slirp4netns's users mostly do,
 * with {@code -c}, but libslirp has always offered DHCP).
 *
 * <p>Theory of operation: the pool is N+15..N+30, one address per client MAC (chaddr). DISCOVER gets an OFFER
 * of the client's existing address, else the address it asks for if free, else the first free one; the offer
 * holds the address for {@value #OFFER_HOLD_MS} ms. REQUEST (selecting, init-reboot, renewing, rebinding) gets
 * an ACK if the requested address (option 50, else ciaddr) is in the pool and free or already the client's,
 * else a NAK; a REQUEST naming another server (option 54) withdraws our offer silently. RELEASE frees the lease,
 * DECLINE quarantines the address for a lease time, INFORM gets an ACK with options only. OFFER and ACK carry
 * subnet mask, router N+2, DNS N+3 (DNS disabled or not, as slirp4netns), lease time {@value #LEASE_SECONDS} s and server
 * identifier N+2. Replies come from N+2:67 and the gateway MAC and go to the client's port 68: broadcast if the
 * client set the broadcast flag (or for a NAK), to ciaddr if it has one, else unicast to the offered address at
 * chaddr (we know the MAC, so no ARP is needed).
 */
public final class DhcpServer {
    /** As libslirp's (LEASE_TIME, 24 h): slirp4netns's leases, as udhcpc reports them, are 86400 s. */
    public static final int LEASE_SECONDS = 86_400;
    static final long OFFER_HOLD_MS = 60_000;
    /** A MAC no real client has: marks a declined (conflicting) address. */
    private static final long DECLINED = -2L;

    private final NetworkConfig config;
    private final GuestLink link;
    private final FrameCounters frames;
    private final DhcpCounters counters;
    private final LongSupplier clock;
    private final DhcpMessage message = new DhcpMessage();
    private final int first;
    /** Per pool address: the client MAC holding it ({@link MacAddress#NONE} when free) and until when. */
    private final long[] holder;
    private final long[] expiresAt;

    public DhcpServer(NetworkConfig config, GuestLink link, FrameCounters frames, DhcpCounters counters,
        LongSupplier clock) {
        this.config = config;
        this.link = link;
        this.frames = frames;
        this.counters = counters;
        this.clock = clock;
        this.first = config.dhcpFirst();
        int size = config.dhcpLast() - config.dhcpFirst() + 1;
        this.holder = new long[size];
        this.expiresAt = new long[size];
        java.util.Arrays.fill(holder, MacAddress.NONE);
    }

    /** A validated UDP datagram to port 67 (views borrowed). */
    public void onMessage(IpDatagram ip, UdpDatagram udp) {
        ParseResult result = message.wrap(ip.buffer(), udp.payloadOffset(), udp.payloadLength());
        if (result != ParseResult.OK || message.op() != DhcpMessage.OP_REQUEST) {
            if (result == ParseResult.UNSUPPORTED || result == ParseResult.OK) {
                frames.droppedUnsupported++;
            } else {
                frames.droppedMalformed++;
            }
            return;
        }
        long mac = message.clientMac();
        if (MacAddress.isGroup(mac) || mac == MacAddress.ZERO) {
            frames.droppedFiltered++;
            return;
        }
        long now = clock.getAsLong();
        switch (message.messageType()) {
            case DhcpMessage.DISCOVER -> discover(mac, now);
            case DhcpMessage.REQUEST -> request(mac, now);
            case DhcpMessage.RELEASE -> release(mac, message.clientAddress());
            case DhcpMessage.DECLINE -> decline(mac, message.requestedAddress(), now);
            case DhcpMessage.INFORM -> {
                counters.acks++;
                reply(DhcpMessage.ACK, 0, false);
            }
            default -> frames.droppedUnsupported++;
        }
    }

    /** The address leased or offered to {@code mac}, or 0. */
    public int addressOf(long mac) {
        long now = clock.getAsLong();
        for (int i = 0; i < holder.length; i++) {
            if (holder[i] == mac && expiresAt[i] > now) {
                return first + i;
            }
        }
        return 0;
    }

    private void discover(long mac, long now) {
        int index = indexHeldBy(mac, now);
        if (index < 0) {
            int wanted = slot(message.requestedAddress());
            index = wanted >= 0 && isFree(wanted, now) ? wanted : firstFree(now);
        }
        if (index < 0) {
            frames.droppedUnsupported++; // pool exhausted: stay silent, the client will retry
            return;
        }
        holder[index] = mac;
        expiresAt[index] = Math.max(expiresAt[index], now + OFFER_HOLD_MS);
        counters.offers++;
        reply(DhcpMessage.OFFER, first + index, true);
    }

    private void request(long mac, long now) {
        int serverId = message.serverId();
        if (serverId != 0 && serverId != config.gateway()) {
            int index = indexHeldBy(mac, now);
            if (index >= 0) {
                holder[index] = MacAddress.NONE;
            }
            return;
        }
        int wanted = message.requestedAddress() != 0 ? message.requestedAddress() : message.clientAddress();
        int index = slot(wanted);
        if (index < 0 || !(isFree(index, now) || holder[index] == mac)) {
            counters.naks++;
            reply(DhcpMessage.NAK, 0, false);
            return;
        }
        int previous = indexHeldBy(mac, now);
        if (previous >= 0 && previous != index) {
            holder[previous] = MacAddress.NONE;
        }
        holder[index] = mac;
        expiresAt[index] = now + LEASE_SECONDS * 1000L;
        link.learn(wanted, mac, now);
        counters.acks++;
        reply(DhcpMessage.ACK, wanted, true);
    }

    private void release(long mac, int address) {
        int index = slot(address);
        if (index >= 0 && holder[index] == mac) {
            holder[index] = MacAddress.NONE;
        }
    }

    private void decline(long mac, int address, long now) {
        int index = slot(address);
        if (index >= 0 && holder[index] == mac) {
            holder[index] = DECLINED;
            expiresAt[index] = now + LEASE_SECONDS * 1000L;
        }
    }

    private int slot(int address) {
        long index = (address & 0xFFFF_FFFFL) - (first & 0xFFFF_FFFFL);
        return index >= 0 && index < holder.length ? (int) index : -1;
    }

    /** Whether the address may go to a new client: with a mirror always (its one address is the guest's, as pasta). */
    private boolean isFree(int index, long now) {
        return config.mirrored() || holder[index] == MacAddress.NONE || expiresAt[index] <= now;
    }

    private int firstFree(long now) {
        for (int i = 0; i < holder.length; i++) {
            if (isFree(i, now)) {
                return i;
            }
        }
        return -1;
    }

    private int indexHeldBy(long mac, long now) {
        for (int i = 0; i < holder.length; i++) {
            if (holder[i] == mac && expiresAt[i] > now) {
                return i;
            }
        }
        return -1;
    }

    /** Builds and sends a reply to the request in {@link #message}; {@code lease} adds lease time and configuration. */
    private void reply(int type, int yourAddress, boolean lease) {
        int clientAddress = message.clientAddress();
        boolean nak = type == DhcpMessage.NAK;
        boolean configuration = type != DhcpMessage.NAK;
        int optionsLength = 3 + 6 + (lease ? 6 : 0) + (configuration ? 18 : 0) + 1;
        int bootpLength = Math.max(DhcpMessage.MIN_REPLY_LENGTH, DhcpMessage.OPTIONS_OFFSET + optionsLength);

        int destination;
        long destinationMac;
        if (nak || message.broadcastFlag() || (clientAddress == 0 && yourAddress == 0)) {
            destination = Ipv4Address.LIMITED_BROADCAST;
            destinationMac = MacAddress.BROADCAST;
        } else if (clientAddress != 0) {
            destination = clientAddress;
            destinationMac = message.clientMac();
        } else {
            destination = yourAddress;
            destinationMac = message.clientMac();
        }

        int gateway = config.gateway();
        ByteBuf frame = link.newIpv4Frame(Ipv4Packet.PROTOCOL_UDP, gateway, destination,
            UdpDatagram.HEADER_LENGTH + bootpLength);
        int udpOffset = frame.writerIndex();
        int bootpOffset = udpOffset + UdpDatagram.HEADER_LENGTH;
        message.emitReplyHeader(frame, bootpOffset, nak ? 0 : clientAddress, nak ? 0 : yourAddress);
        frame.writerIndex(bootpOffset + DhcpMessage.OPTIONS_OFFSET);
        DhcpMessage.writeOption8(frame, DhcpMessage.OPTION_MESSAGE_TYPE, type);
        DhcpMessage.writeOption32(frame, DhcpMessage.OPTION_SERVER_ID, gateway);
        if (lease) {
            DhcpMessage.writeOption32(frame, DhcpMessage.OPTION_LEASE_TIME, LEASE_SECONDS);
        }
        if (configuration) {
            DhcpMessage.writeOption32(frame, DhcpMessage.OPTION_SUBNET_MASK, config.netmask());
            DhcpMessage.writeOption32(frame, DhcpMessage.OPTION_ROUTER, gateway);
            // also with DNS disabled, as libslirp: N+3 then leads to the host's own N+3 (see AddressPolicy); a mirror
            // without --dns-forward has no DNS address of ours to name
            if (config.dns() != HostMirror.NONE) {
                DhcpMessage.writeOption32(frame, DhcpMessage.OPTION_DNS, config.dns());
            }
        }
        frame.writeByte(DhcpMessage.OPTION_END);
        frame.writeZero(bootpOffset + bootpLength - frame.writerIndex());
        UdpDatagram.emitHeader(frame, udpOffset, DhcpMessage.SERVER_PORT, DhcpMessage.CLIENT_PORT, bootpLength,
            gateway, destination);
        link.sendIpv4To(frame, destinationMac);
    }
}
