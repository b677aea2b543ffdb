package io.slirp4j.stack.stats;

/** The DHCPv6 server's work. Confined to the stack's event loop, hence plain fields. */
public final class Dhcpv6Counters {
    /** Replies sent, one per Information-Request answered. */
    public long replies;
    /**
     * Information-Requests discarded as RFC 8415 16.12 says: they carry an IA option, or a Server Identifier that is
     * not ours.
     */
    public long discarded;
    /**
     * Well-formed messages of the stateful kinds (Solicit, Request, Renew, Rebind, Confirm, Release, Decline) left
     * unanswered: the server is stateless, as libslirp's, and the guest's address comes from SLAAC.
     */
    public long ignored;

    /** An immutable copy; see {@link Dhcpv6Counters} for what each one counts. */
    public record Snapshot(long replies, long discarded, long ignored) {}

    public Snapshot snapshot() {
        return new Snapshot(replies, discarded, ignored);
    }
}
