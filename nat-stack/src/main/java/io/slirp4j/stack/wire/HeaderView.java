package io.slirp4j.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * State shared by the flyweight views: the buffer, the absolute offset of the header, and the number of bytes
 * the view covers. Each view keeps its own public accessors (not every view exposes all three), so this class
 * adds nothing to their API.
 */
abstract class HeaderView {
    ByteBuf buf;
    int offset;
    /** Bytes the view covers; 0 until the view sets it (views that expose no length leave it 0). */
    int length;

    HeaderView() {
    }

    /**
     * The common start of {@code wrap}: points the view at {@code offset} in {@code buf} with {@code length} 0,
     * and tells whether {@code available} bytes are there and at least {@code minLength}; when not, the view
     * returns {@link ParseResult#TRUNCATED}.
     */
    final boolean bind(ByteBuf buf, int offset, int available, int minLength) {
        this.buf = buf;
        this.offset = offset;
        this.length = 0;
        return Bounds.fits(buf, offset, available) && available >= minLength;
    }
}
