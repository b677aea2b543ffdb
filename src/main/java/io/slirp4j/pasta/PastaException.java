package io.slirp4j.pasta;

/**
 * pasta would die() with this message (printed as it is, no program name, exit 1). Carries no stack trace: an
 * expected outcome of parsing.
 */
final class PastaException extends Exception {
    private static final long serialVersionUID = 1L;

    PastaException(String message) {
        super(message, null, false, false);
    }
}
