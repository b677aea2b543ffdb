package io.slirp4j.stack.wire;

import io.netty.buffer.ByteBuf;

/** Region checks shared by the views; written to be immune to int overflow from hostile length fields. */
final class Bounds {
    private Bounds() {
    }

    /** True when {@code [offset, offset + length)} lies within the buffer's written bytes. */
    static boolean fits(ByteBuf buf, int offset, int length) {
        return buf != null && offset >= 0 && length >= 0 && (long) offset + length <= buf.writerIndex();
    }
}
