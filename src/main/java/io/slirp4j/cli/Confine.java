package io.slirp4j.cli;

/**
 * Whether the helper confines itself with the sandbox, or with the seccomp filter. Both are tried by default, as
 * buildah (which passes neither flag) and every engine want a helper that parses untrusted frames to be confined;
 * {@code --enable-*} makes failing to an error, as in slirp4netns, and {@code --disable-*} leaves it out.
 */
public enum Confine {
    /** {@code --enable-sandbox} / {@code --enable-seccomp}: confined, or exit status 1. */
    REQUIRED,
    /** Neither flag: confined where this host allows it, else a warning on stderr and the helper runs without. */
    BY_DEFAULT,
    /** {@code --disable-sandbox} / {@code --disable-seccomp}. */
    OFF;

    static Confine of(boolean enable, boolean disable) {
        return enable ? REQUIRED : disable ? OFF : BY_DEFAULT;
    }
}
