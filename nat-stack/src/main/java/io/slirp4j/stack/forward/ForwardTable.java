package io.slirp4j.stack.forward;

import io.slirp4j.stack.host.HostListener;
import io.slirp4j.stack.host.HostStreams;
import io.slirp4j.stack.iface.AddressPolicy;
import io.slirp4j.stack.nat.FlowKey;
import io.slirp4j.stack.nat.IpAddress;
import io.slirp4j.stack.nat.NatPolicy;
import io.slirp4j.stack.wire.InAny;
import io.slirp4j.stack.tcp.TcpNat;
import io.slirp4j.stack.udp.UdpForward;
import io.slirp4j.stack.udp.UdpNat;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The port forwards of one stack: each is a host listener (TCP) or socket (UDP) whose clients become guest
 * connections or flows through the {@link TcpNat} or {@link UdpNat}. The guest sees each client's own address as
 * the source when it can ({@link NatPolicy#forwardClientSource}), which is why engines choose this port handler.
 *
 * <p>The guest address is an IPv4 guest address of the network, or (with IPv6) a guest address in the IPv6 prefix,
 * which slirp4netns cannot forward to; the host side may be of either family whatever the guest's. The guest sees
 * clients as addresses of the guest address's family (an IPv4 client of an IPv6 forward as the gateway P::2).
 *
 * <p>Ids start at 1 and are never reused. A forward that cannot be bound leaves nothing behind. Removing one
 * closes its listener: TCP connections already accepted carry on to their end, while a UDP forward's peers end
 * with it (their datagrams came through the forward's own socket, which is what closes).
 *
 * <p>Confined to the stack's event loop, like the stack; {@link LoopPortForwards} is the thread-safe face.
 */
public final class ForwardTable {
    private final AddressPolicy addresses;
    private final NatPolicy nat;
    private final HostStreams hostTcp;
    private final TcpNat tcp;
    private final UdpNat udp;
    private final Map<Integer, Entry> entries = new TreeMap<>();
    private int nextId = 1;

    private record Entry(Forward forward, AutoCloseable socket) {
    }

    /** @param hostTcp and {@code tcp} may be null (a stack without TCP): TCP forwards then fail */
    public ForwardTable(NatPolicy nat, HostStreams hostTcp, TcpNat tcp, UdpNat udp) {
        this.nat = nat;
        this.addresses = nat.addresses();
        this.hostTcp = hostTcp;
        this.tcp = tcp;
        this.udp = udp;
    }

    /** Binds and starts forwarding; throws, leaving nothing behind, when the host side cannot be bound. */
    public Forward add(ForwardRequest request) throws ForwardException {
        IpAddress guest = request.guestAddress();
        boolean ipv6 = !guest.isIpv4();
        if (ipv6 ? !addresses.isGuestInPrefix6(guest.hi(), guest.lo()) : !addresses.isGuest(InAny.v4(guest.lo()))) {
            throw new ForwardException(ipv6 && !addresses.ipv6Enabled() ? "IPv6 is not enabled"
                : "not a guest address of the network: " + guest, null);
        }
        InetSocketAddress local = new InetSocketAddress(request.hostAddress(), request.hostPort());
        AutoCloseable socket;
        int boundPort;
        try {
            if (request.protocol() == ForwardProtocol.TCP) {
                if (tcp == null || hostTcp == null) {
                    throw new ForwardException("this stack has no TCP", null);
                }
                int guestPort = request.guestPort();
                FlowKey key = new FlowKey();
                HostListener listener = hostTcp.listen(local, request.hostInterface(), (stream, client) -> {
                    if (client == null) {
                        return null;
                    }
                    IpAddress source = nat.forwardClientSource(client.getAddress(), ipv6);
                    return tcp.acceptInbound(stream, key.set(guest.hi(), guest.lo(), guestPort, source.hi(),
                        source.lo(), client.getPort()));
                });
                socket = listener::close;
                boundPort = listener.localAddress().getPort();
            } else {
                UdpForward forward = udp.openForward(local, request.hostInterface(), guest.hi(), guest.lo(),
                    request.guestPort());
                socket = forward::close;
                boundPort = forward.localAddress().getPort();
            }
        } catch (IOException | RuntimeException e) {
            throw new ForwardException("cannot bind " + local + ": " + e.getMessage(), e);
        }
        Forward forward = new Forward(nextId++, request.protocol(), request.hostAddress(), boundPort,
            request.guestAddress(), request.guestPort());
        entries.put(forward.id(), new Entry(forward, socket));
        return forward;
    }

    /** Closes the forward's host socket; false if there is no forward with this id. */
    public boolean remove(int id) {
        Entry entry = entries.remove(id);
        if (entry == null) {
            return false;
        }
        closeQuietly(entry.socket);
        return true;
    }

    public List<Forward> list() {
        List<Forward> all = new ArrayList<>(entries.size());
        for (Entry e : entries.values()) {
            all.add(e.forward);
        }
        return all;
    }

    /** Closes every forward's host socket. */
    public void close() {
        for (Entry e : entries.values()) {
            closeQuietly(e.socket);
        }
        entries.clear();
    }

    private static void closeQuietly(AutoCloseable socket) {
        try {
            socket.close();
        } catch (Exception ignored) {
            // closing a listener does not fail in a way anyone could act on
        }
    }
}
