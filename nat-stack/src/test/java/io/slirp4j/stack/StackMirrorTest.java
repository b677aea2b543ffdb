package io.slirp4j.stack;

import static io.slirp4j.stack.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.slirp4j.stack.nat.IpAddress;
import java.net.InetAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * pasta's addressing at the frame level: the guest is 198.51.100.2/24 and 2001:db8:1::2/64 (the host's), and the
 * stack answers ARP and neighbour solicitation for every other address, never for the guest's own.
 */
class StackMirrorTest {
    static final int HOST = ip(198, 51, 100, 2);
    static final int GATEWAY = ip(198, 51, 100, 1);
    static final byte[] HOST6 = Packets6.addr("2001:db8:1::2");
    static final byte[] NEIGHBOUR6 = Packets6.addr("2001:db8:1::7");
    static final byte[] GATEWAY6 = Packets6.addr("fe80::1");
    static final byte[] GUEST_LL = Packets6.GUEST_LL;

    private final StackHarness h = new StackHarness(NetworkConfig.mirroring(mirror(), 65520));

    static HostMirror mirror() {
        return mirror(HostMirror.Services.ALL);
    }

    static HostMirror mirror(HostMirror.Services services) {
        try {
            IpAddress host6 = IpAddress.of(InetAddress.getByAddress(HOST6));
            IpAddress gateway6 = IpAddress.of(InetAddress.getByAddress(GATEWAY6));
            HostMirror6 six = new HostMirror6(host6, 64, gateway6, host6, gateway6, null, null);
            return new HostMirror(HOST, 24, GATEWAY, HOST, HostMirror.NONE, ip(169, 254, 1, 2), ip(169, 254, 1, 1),
                six, services);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @AfterEach
    void finish() {
        h.finish();
    }

    private static byte[] arpRequest(int target) {
        return Packets.ethernet(-1L & 0xFFFF_FFFF_FFFFL, Packets.GUEST_MAC, 0x0806,
            Packets.arp(1, Packets.GUEST_MAC, HOST, 0, target));
    }

    @Test
    void arpIsAnsweredForTheGatewayNeighboursAndMappedAddressesButNotTheGuest() {
        for (int target : new int[] {GATEWAY, ip(198, 51, 100, 7), ip(169, 254, 1, 1), ip(203, 0, 113, 9)}) {
            h.send(arpRequest(target));
            Decoded reply = h.receive();
            assertEquals(0x0806, reply.ethType, "ARP reply for " + target);
        }
        h.send(arpRequest(HOST));
        h.send(arpRequest(ip(198, 51, 100, 255)));
        h.assertNoFrame();
    }

    /** --no-ndp --no-ra --no-dhcp: solicitations and DHCP go unanswered; traffic still flows (ARP answered). */
    @Test
    void servicesTurnedOffStaySilent() {
        StackHarness quiet = new StackHarness(NetworkConfig.mirroring(
            mirror(new HostMirror.Services(false, true, false, false)), 65520));
        try {
            quiet.send(Packets6.neighborSolicitation(GUEST_LL, GATEWAY6, true));
            quiet.send(Packets6.routerSolicitation(GUEST_LL));
            quiet.send(Packets.ethernet(-1L & 0xFFFF_FFFF_FFFFL, Packets.GUEST_MAC, 0x0800, Packets.ipv4(0, -1, 17,
                Packets.udp(0, -1, 68, 67, StackDhcpTest.bootp(Packets.GUEST_MAC, 1, 0x8000, 0, new byte[0])))));
            quiet.assertNoFrame();
            quiet.send(arpRequest(GATEWAY));
            assertEquals(0x0806, quiet.receive().ethType);
        } finally {
            quiet.finish();
        }
        // the same discover with DHCP on is answered (so the silence above is --no-dhcp's)
        h.send(Packets.ethernet(-1L & 0xFFFF_FFFF_FFFFL, Packets.GUEST_MAC, 0x0800, Packets.ipv4(0, -1, 17,
            Packets.udp(0, -1, 68, 67, StackDhcpTest.bootp(Packets.GUEST_MAC, 1, 0x8000, 0, new byte[0])))));
        assertEquals(67, h.receive().sport);
        StackHarness noRa = new StackHarness(NetworkConfig.mirroring(
            mirror(new HostMirror.Services(true, true, true, false)), 65520));
        try {
            noRa.send(Packets6.routerSolicitation(GUEST_LL));
            noRa.assertNoFrame();
            noRa.send(Packets6.neighborSolicitation(GUEST_LL, GATEWAY6, true));
            assertEquals(0x86DD, noRa.receive().ethType, "neighbours still answered with --no-ra");
        } finally {
            noRa.finish();
        }
    }

    /** pasta's -6: no ARP, no IPv4 at all (a frame from the guest's old address goes nowhere), NDP as usual. */
    @Test
    void anIpv6OnlyMirrorIgnoresIpv4() {
        HostMirror6 six = mirror().ipv6();
        StackHarness v6 = new StackHarness(NetworkConfig.mirroring(new HostMirror(HostMirror.NONE, 0, HostMirror.NONE,
            HostMirror.NONE, HostMirror.NONE, HostMirror.NONE, HostMirror.NONE, six,
            new HostMirror.Services(false, true, true, true)), 65520));
        try {
            v6.send(arpRequest(GATEWAY));
            v6.send(Packets.ethernet(Packets.GATEWAY_MAC, Packets.GUEST_MAC, 0x0800,
                Packets.ipv4(HOST, ip(203, 0, 113, 9), 17, Packets.udp(HOST, ip(203, 0, 113, 9), 5000, 53,
                    new byte[8]))));
            v6.assertNoFrame();
            assertEquals(0, v6.host.sockets().size(), "no host socket for IPv4");
            v6.send(Packets6.neighborSolicitation(GUEST_LL, GATEWAY6, true));
            assertEquals(0x86DD, v6.receive().ethType);
        } finally {
            v6.finish();
        }
    }

    @Test
    void neighbourSolicitationsAreAnsweredForAllButTheGuestAndNeverForDuplicateDetection() {
        h.send(Packets6.neighborSolicitation(GUEST_LL, GATEWAY6, true));
        assertEquals(0x86DD, h.receive().ethType);
        h.send(Packets6.neighborSolicitation(HOST6, NEIGHBOUR6, true));
        assertEquals(0x86DD, h.receive().ethType);
        h.send(Packets6.neighborSolicitation(GUEST_LL, HOST6, true)); // the guest's own
        h.send(Packets6.neighborSolicitation(Packets6.UNSPECIFIED, GUEST_LL, false)); // its DAD
        h.send(Packets6.neighborSolicitation(Packets6.UNSPECIFIED, GATEWAY6, false)); // DAD of anything
        h.assertNoFrame();
    }
}
