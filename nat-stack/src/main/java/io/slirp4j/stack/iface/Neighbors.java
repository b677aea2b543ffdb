package io.slirp4j.stack.iface;

import io.slirp4j.stack.wire.MacAddress;

/**
 * The ARP cache for the guest side: guest IPv4 address to MAC, learned from ARP packets and from the source of
 * every IPv4 frame. Usually there is one guest address; a small fixed table scanned linearly beats any map and
 * allocates nothing. When full, the entry learned or confirmed longest ago is replaced. Entries never expire:
 * the guest's MAC rarely changes and every frame it sends refreshes it.
 *
 * <p>Also remembers when an ARP request for an address last went out, so that a burst of traffic towards an
 * unresolved guest costs one request per second, not one per datagram.
 */
public final class Neighbors {
    static final int CAPACITY = 32;
    static final int REQUEST_SLOTS = 8;
    public static final long REQUEST_INTERVAL_MS = 1000;

    private final int[] addresses = new int[CAPACITY];
    private final long[] macs = new long[CAPACITY];
    private final long[] learnedAt = new long[CAPACITY];
    private int size;

    private final int[] requestedAddresses = new int[REQUEST_SLOTS];
    private final long[] requestedAt = new long[REQUEST_SLOTS];
    private int requestedSize;

    /** Records that {@code address} is at {@code mac}; callers filter out addresses and MACs that are not a guest's. */
    public void learn(int address, long mac, long now) {
        int oldest = 0;
        for (int i = 0; i < size; i++) {
            if (addresses[i] == address) {
                macs[i] = mac;
                learnedAt[i] = now;
                return;
            }
            if (learnedAt[i] < learnedAt[oldest]) {
                oldest = i;
            }
        }
        int slot = size < CAPACITY ? size++ : oldest;
        addresses[slot] = address;
        macs[slot] = mac;
        learnedAt[slot] = now;
        forgetRequest(address);
    }

    /** The MAC for {@code address}, or {@link MacAddress#NONE}. */
    public long lookup(int address) {
        for (int i = 0; i < size; i++) {
            if (addresses[i] == address) {
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
        int oldest = 0;
        for (int i = 0; i < requestedSize; i++) {
            if (requestedAddresses[i] == address) {
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
        requestedAddresses[slot] = address;
        requestedAt[slot] = now;
        return true;
    }

    private void forgetRequest(int address) {
        for (int i = 0; i < requestedSize; i++) {
            if (requestedAddresses[i] == address) {
                requestedSize--;
                requestedAddresses[i] = requestedAddresses[requestedSize];
                requestedAt[i] = requestedAt[requestedSize];
                return;
            }
        }
    }
}
