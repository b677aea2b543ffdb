package io.slirp4j.tap;

import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One raw ICMP (or ICMPv6) socket shared by many {@link EchoSocket}s, each with an echo identifier of its own: it
 * writes that identifier (and, for IPv4, the checksum) into what a member sends, and sorts what arrives (every ICMP
 * message to the host that the socket's filter lets through: echo replies and errors) by the identifier of the reply,
 * or of the echo request an error quotes. So members behave like ping sockets. IPv4 raw sockets receive the IP
 * header too, IPv6 ones do not.
 */
final class RawEchoMux extends EchoFd {
    private final EchoSockets owner;
    private final int family;
    private final IntObjectHashMap<Member> members = new IntObjectHashMap<>();
    private final byte[] from = new byte[16];
    private final int[] fromLength = new int[1];
    private int nextId = ThreadLocalRandom.current().nextInt(0x10000);
    private int ttl;

    RawEchoMux(EchoSockets owner, int fd, int family) {
        super(fd);
        this.owner = owner;
        this.family = family;
    }

    EchoSocket open(EchoListener listener) throws IOException {
        if (members.size() >= 0x10000) {
            throw new IOException("every echo identifier is in use");
        }
        while (members.containsKey(nextId)) {
            nextId = (nextId + 1) & 0xFFFF;
        }
        Member m = new Member(nextId, listener);
        members.put(nextId, m);
        nextId = (nextId + 1) & 0xFFFF;
        return m;
    }

    int members() {
        return members.size();
    }

    @Override
    void onReadable() {
        boolean v6 = family == EchoSockets.IPV6;
        for (int i = 0; i < READ_BUDGET && !closed; i++) {
            int n = Native.recvFrom(fd, owner.receive, 0, EchoSockets.BUFFER, from, fromLength);
            if (n < 0 || n > EchoSockets.BUFFER) {
                return;
            }
            InetAddress sender = EchoSockets.address(from, fromLength[0]);
            ByteBuf packet = owner.received(0, n);
            int icmp = 0;
            if (!v6) {
                if (n < 20) {
                    continue;
                }
                icmp = (packet.getUnsignedByte(0) & 0xF) * 4;
            }
            if (sender != null && n >= icmp + 8) {
                dispatch(sender, packet, icmp, n, v6);
            }
        }
    }

    private void dispatch(InetAddress sender, ByteBuf packet, int icmp, int n, boolean v6) {
        int type = packet.getUnsignedByte(icmp);
        int code = packet.getUnsignedByte(icmp + 1);
        if (type == (v6 ? 129 : 0)) {
            Member m = members.get(packet.getUnsignedShort(icmp + 4));
            if (m != null) {
                m.listener.onEchoReply(sender, packet.slice(icmp, n - icmp));
            }
            return;
        }
        // an error: the quoted IP header, then the quoted echo request
        int quoted = icmp + 8;
        int request;
        if (v6) {
            if (n < quoted + 40 + 8 || packet.getUnsignedByte(quoted + 6) != 58) {
                return;
            }
            request = quoted + 40;
        } else {
            if (n < quoted + 20 || packet.getUnsignedByte(quoted + 9) != 1) {
                return;
            }
            request = quoted + (packet.getUnsignedByte(quoted) & 0xF) * 4;
            if (n < request + 8) {
                return;
            }
        }
        if (packet.getUnsignedByte(request) != (v6 ? 128 : 8)) {
            return;
        }
        Member m = members.get(packet.getUnsignedShort(request + 4));
        if (m == null) {
            return;
        }
        int info = 0;
        if (v6 && (type == 2 || type == 4)) {
            info = packet.getInt(icmp + 4); // MTU, pointer
        } else if (!v6 && type == 3 && code == 4) {
            info = packet.getUnsignedShort(icmp + 6); // next-hop MTU
        } else if (!v6 && type == 12) {
            info = packet.getUnsignedByte(icmp + 4); // pointer
        }
        m.listener.onEchoError(sender, type, code, info, packet.getUnsignedShort(request + 6));
    }

    @Override
    void onErrors() {
        // no IP_RECVERR on raw sockets: only a pending socket error, which a read clears
        Native.recvFrom(fd, owner.receive, 0, EchoSockets.BUFFER, from, fromLength);
    }

    private final class Member implements EchoSocket {
        final int id;
        final EchoListener listener;
        boolean closed;

        Member(int id, EchoListener listener) {
            this.id = id;
            this.listener = listener;
        }

        @Override
        public EchoSockets.Kind kind() {
            return EchoSockets.Kind.RAW;
        }

        @Override
        public int send(InetAddress to, int ttl, ByteBuf message) {
            try {
                if (closed || RawEchoMux.this.closed || message.readableBytes() < 8) {
                    return LibC.EINVAL;
                }
                if (ttl > 0 && ttl != RawEchoMux.this.ttl && Native.setTtl(fd, family, ttl) == 0) {
                    RawEchoMux.this.ttl = ttl;
                }
                int length = owner.stage(message);
                owner.send.putShort(4, (short) id);
                if (family == EchoSockets.IPV4) {
                    // the kernel computes ICMPv6 checksums of raw sockets, not ICMP ones
                    owner.send.putShort(2, (short) 0);
                    owner.send.putShort(2, (short) checksum(owner.send, length));
                }
                int n = Native.sendTo(fd, owner.send, 0, length, to.getAddress(), 0);
                return n < 0 ? -n : 0;
            } finally {
                message.release();
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                members.remove(id);
            }
        }
    }

    /** The Internet checksum of the first {@code length} bytes of {@code b}. */
    static int checksum(java.nio.ByteBuffer b, int length) {
        long sum = 0;
        int i = 0;
        for (; i + 1 < length; i += 2) {
            sum += b.getShort(i) & 0xFFFF;
        }
        if (i < length) {
            sum += (b.get(i) & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }
}
