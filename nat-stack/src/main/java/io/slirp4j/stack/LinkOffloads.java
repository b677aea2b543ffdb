package io.slirp4j.stack;

/**
 * What the link to the guest does for the stack on the way out, so the stack need not (smoltcp's device
 * capabilities; virtio-net's offloads as a tap with a vnet header offers them).
 *
 * @param partialChecksums the link completes transport checksums the stack leaves partial (the field holding the
 *                         pseudo-header sum): the stack then does not sum the TCP payloads it sends
 * @param tcpSegmentation  the link cuts a TCP super-segment into segments of a given size (TSO), so the stack can
 *                         hand over up to {@link #MAX_SEGMENTATION_BYTES} of payload in one frame; implies
 *                         partial checksums
 * @param udpSegmentation  the link cuts UDP datagrams of one flow sent in one frame (USO) into datagrams of a given
 *                         size, at most {@link #MAX_UDP_SEGMENTS} of them; implies partial checksums
 */
public record LinkOffloads(boolean partialChecksums, boolean tcpSegmentation, boolean udpSegmentation) {
    /** Complete frames only, each within the MTU. */
    public static final LinkOffloads NONE = new LinkOffloads(false, false, false);
    /** Partial checksums and TCP segmentation (a kernel before 6.2 cannot take UDP segmentation). */
    public static final LinkOffloads TCP = new LinkOffloads(true, true, false);
    /** Partial checksums, TCP and UDP segmentation. */
    public static final LinkOffloads ALL = new LinkOffloads(true, true, true);
    /** The most datagrams in one UDP super-frame: UDP_MAX_SEGMENTS of the kernels that brought USO (6.2). */
    public static final int MAX_UDP_SEGMENTS = 64;
    /**
     * The most TCP payload in one super-segment: an IPv4 datagram's 65,535 bytes less the largest IP and TCP
     * headers (IPv6's 40 fixed bytes, 60 of TCP), so that either family's length fields hold it.
     */
    public static final int MAX_SEGMENTATION_BYTES = 65_535 - 40 - 60;

    public LinkOffloads {
        if ((tcpSegmentation || udpSegmentation) && !partialChecksums) {
            throw new IllegalArgumentException("segmentation needs partial checksums");
        }
    }
}
