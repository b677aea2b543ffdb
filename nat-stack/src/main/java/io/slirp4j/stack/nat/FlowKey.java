package io.slirp4j.stack.nat;

import io.slirp4j.stack.wire.InAny;

/**
 * A flow's four-tuple as the guest sees it: the guest's address and port, and the peer's (the address the guest
 * talks to, or that talks to it). Addresses are {@link InAny} (IPv4-mapped IPv6 in two longs), so one table holds
 * IPv4 and IPv6 flows alike.
 *
 * <p>Mutable on purpose, so that a lookup per packet allocates nothing: an engine keeps one scratch key, {@link #set}s
 * it from the packet and looks it up; a key stored in a table is a {@link #copy} and is never changed again.
 * {@link #equals}/{@link #hashCode} compare all six fields, for hash maps; {@link #hash()} is a 64-bit hash for
 * primitive-keyed tables that chain on collisions.
 */
public final class FlowKey {
    private long guestHi;
    private long guestLo;
    private int guestPort;
    private long peerHi;
    private long peerLo;
    private int peerPort;

    public FlowKey() {
    }

    public FlowKey(long guestHi, long guestLo, int guestPort, long peerHi, long peerLo, int peerPort) {
        set(guestHi, guestLo, guestPort, peerHi, peerLo, peerPort);
    }

    /** An IPv4 four-tuple. */
    public static FlowKey ofIpv4(int guest, int guestPort, int peer, int peerPort) {
        return new FlowKey(InAny.hiOf4(), InAny.loOf4(guest), guestPort, InAny.hiOf4(), InAny.loOf4(peer), peerPort);
    }

    public FlowKey set(long guestHi, long guestLo, int guestPort, long peerHi, long peerLo, int peerPort) {
        this.guestHi = guestHi;
        this.guestLo = guestLo;
        this.guestPort = guestPort;
        this.peerHi = peerHi;
        this.peerLo = peerLo;
        this.peerPort = peerPort;
        return this;
    }

    public FlowKey copy() {
        return new FlowKey(guestHi, guestLo, guestPort, peerHi, peerLo, peerPort);
    }

    public long guestHi() {
        return guestHi;
    }

    public long guestLo() {
        return guestLo;
    }

    public int guestPort() {
        return guestPort;
    }

    public long peerHi() {
        return peerHi;
    }

    public long peerLo() {
        return peerLo;
    }

    public int peerPort() {
        return peerPort;
    }

    /** True for an IPv4 flow (both addresses IPv4-mapped). */
    public boolean isIpv4() {
        return InAny.is4(guestHi, guestLo) && InAny.is4(peerHi, peerLo);
    }

    /**
     * A 64-bit hash of all six fields, every bit depending on every field: hash tables take their bucket from the low
     * bits, and the guest's connections to one server differ only in the port, which a weaker finish left in bits the
     * tables folded away (2,000 such connections shared one bucket of the TCP table, so every segment walked them
     * all). The finish is MurmurHash3's fmix64.
     */
    public long hash() {
        long h = InAny.mix(peerHi, peerLo) * 31 + InAny.mix(guestHi, guestLo);
        h = h * 0x9E37_79B9_7F4A_7C15L + ((long) guestPort << 16 | peerPort);
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        return h ^ (h >>> 33);
    }

    public boolean sameAs(FlowKey o) {
        return guestLo == o.guestLo && peerLo == o.peerLo && guestPort == o.guestPort && peerPort == o.peerPort
            && guestHi == o.guestHi && peerHi == o.peerHi;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlowKey k && sameAs(k);
    }

    @Override
    public int hashCode() {
        long h = hash();
        return (int) (h ^ (h >>> 32));
    }

    @Override
    public String toString() {
        return InAny.format(guestHi, guestLo) + ":" + guestPort + " <-> " + InAny.format(peerHi, peerLo) + ":"
            + peerPort;
    }
}
