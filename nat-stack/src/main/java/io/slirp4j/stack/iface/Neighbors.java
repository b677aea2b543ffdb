package io.slirp4j.stack.iface;

import io.slirp4j.stack.wire.InAny;
import io.slirp4j.stack.wire.MacAddress;

/**
 * The neighbour cache for the guest side, ARP's and NDP's in one: guest address (IPv4 or IPv6, as {@link InAny}
 * halves) to MAC, learned from ARP and neighbour discovery packets and from the source of every IP frame. Usually there is one guest address; a small fixed table scanned linearly beats any map and
 * allocates nothing. When full, the entry learned or confirmed longest ago is replaced. Entries never expire:
 * the guest's MAC rarely changes and every frame it sends refreshes it.
 *
 * <p>Also remembers when an ARP request or neighbour solicitation for an address last went out, so that a burst of traffic towards an
 * unresolved guest costs one request per second, not one per datagram.
 */
public final class Neighbors {
    static final int CAPACITY = 32;
    static final int REQUEST_SLOTS = 8;
    public static final long REQUEST_INTERVAL_MS = 1000;

    private final long[] addressHi = new long[CAPACITY];
    private final long[] addressLo = new long[CAPACITY];
    private final long[] macs = new long[CAPACITY];
    private final long[] learnedAt = new long[CAPACITY];
    private int size;

    private final long[] requestedHi = new long[REQUEST_SLOTS];
    private final long[] requestedLo = new long[REQUEST_SLOTS];
    private final long[] requestedAt = new long[REQUEST_SLOTS];
    private int requestedSize;

    /** Records that {@code address} is at {@code mac}; callers filter out addresses and MACs that are not a guest's. */
    public void learn(int address, long mac, long now) {
        learn(InAny.hiOf4(), InAny.loOf4(address), mac, now);
    }

    /** {@link #learn(int, long, long)} for an address of either family. */
    public void learn(long hi, long lo, long mac, long now) {
        int oldest = 0;
        for (int i = 0; i < size; i++) {
            if (addressLo[i] == lo && addressHi[i] == hi) {
                macs[i] = mac;
                learnedAt[i] = now;
                return;
            }
            if (learnedAt[i] < learnedAt[oldest]) {
                oldest = i;
            }
        }
        int slot = size < CAPACITY ? size++ : oldest;
        addressHi[slot] = hi;
        addressLo[slot] = lo;
        macs[slot] = mac;
        learnedAt[slot] = now;
        forgetRequest(hi, lo);
    }

    /** The MAC for {@code address}, or {@link MacAddress#NONE}. */
    public long lookup(int address) {
        return lookup(InAny.hiOf4(), InAny.loOf4(address));
    }

    /** {@link #lookup(int)} for an address of either family. */
    public long lookup(long hi, long lo) {
        for (int i = 0; i < size; i++) {
            if (addressLo[i] == lo && addressHi[i] == hi) {
                return macs[i];
            }
        }
        return MacAddress.NONE;
    }

    public int size() {
        return size;
    }

    /** True (and remembered) if no request for {@code address} went out within the last second. */
    boolean shouldRequest(int address, long now) {
        return shouldRequest(InAny.hiOf4(), InAny.loOf4(address), now);
    }

    boolean shouldRequest(long hi, long lo, long now) {
        int oldest = 0;
        for (int i = 0; i < requestedSize; i++) {
            if (requestedLo[i] == lo && requestedHi[i] == hi) {
                if (now - requestedAt[i] < REQUEST_INTERVAL_MS) {
                    return false;
                }
                requestedAt[i] = now;
                return true;
            }
            if (requestedAt[i] < requestedAt[oldest]) {
                oldest = i;
            }
        }
        int slot = requestedSize < REQUEST_SLOTS ? requestedSize++ : oldest;
        requestedHi[slot] = hi;
        requestedLo[slot] = lo;
        requestedAt[slot] = now;
        return true;
    }

    private void forgetRequest(long hi, long lo) {
        for (int i = 0; i < requestedSize; i++) {
            if (requestedLo[i] == lo && requestedHi[i] == hi) {
                requestedSize--;
                requestedHi[i] = requestedHi[requestedSize];
                requestedLo[i] = requestedLo[requestedSize];
                requestedAt[i] = requestedAt[requestedSize];
                return;
            }
        }
    }
}
