package io.slirp4j.stack.wire;

/** The verdict of a view's {@code wrap}: {@link #OK}, or why the bytes cannot be used (all mean "drop it"). */
public enum ParseResult {
    OK,
    /** Fewer bytes than the header or a length field claims, or a region outside the buffer. */
    TRUNCATED,
    /** IP version field is not the expected one. */
    BAD_VERSION,
    /** A header length field is below the minimum. */
    BAD_HEADER_LENGTH,
    /** A length field is inconsistent (e.g. total length shorter than the header). */
    BAD_LENGTH,
    BAD_CHECKSUM,
    /** Well-formed but a variant this stack does not speak (e.g. ARP for another hardware type). */
    UNSUPPORTED;

    public boolean ok() {
        return this == OK;
    }
}
