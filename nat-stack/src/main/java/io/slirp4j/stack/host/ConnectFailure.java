package io.slirp4j.stack.host;

/** Why a host connect failed, as far as the NAT must tell the guest. */
public enum ConnectFailure {
    /** ECONNREFUSED: the guest gets RST. */
    REFUSED,
    /** ENETUNREACH: ICMP network unreachable. */
    NETWORK_UNREACHABLE,
    /** EHOSTUNREACH: ICMP host unreachable. */
    HOST_UNREACHABLE,
    /** No answer within the connect timeout: ICMP host unreachable. */
    TIMEOUT,
    /** Anything else (e.g. EACCES, EADDRNOTAVAIL): ICMP host unreachable. */
    OTHER
}
