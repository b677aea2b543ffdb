package io.slirp4j.stack.icmp;

/**
 * Why a guest's datagram cannot be delivered, in words both ICMP versions have: the NATs say which, and the ICMP
 * engine of the datagram's family picks the code (RFC 792 type 3, RFC 4443 type 1).
 */
public enum Unreachable {
    /** No route: ICMP net unreachable (0), ICMPv6 no route to destination (0). */
    NET(0, 0),
    /** Nobody answers at the address: ICMP host unreachable (1), ICMPv6 address unreachable (3). */
    HOST(1, 3),
    /** Nothing listens on the port: ICMP port unreachable (3), ICMPv6 port unreachable (4). */
    PORT(3, 4);

    /** The code of ICMP's destination unreachable. */
    public final int v4Code;
    /** The code of ICMPv6's destination unreachable. */
    public final int v6Code;

    Unreachable(int v4Code, int v6Code) {
        this.v4Code = v4Code;
        this.v6Code = v6Code;
    }
}
