package io.slirp4j.tap;

import java.io.IOException;

/** A failed system call: {@code getMessage()} reads like perror(3), e.g. "setns(CLONE_NEWNET): Operation not permitted". */
public final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public ErrnoException(String call, int errno, String description) {
        super(call + ": " + description);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
