package io.slirp4j.cli;

/**
 * A command line slirp4j cannot run with. The message has no "slirp4j: " prefix; {@link Cli} adds it.
 *
 * <p>Carries no stack trace: it is an expected outcome of parsing, not a bug, and start-up time matters.
 */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean hint;

    private UsageException(String message, boolean hint) {
        super(message, null, false, false);
        this.hint = hint;
    }

    /** A value that breaks a rule; the message says which, so no pointer to --help. */
    static UsageException invalid(String message) {
        return new UsageException(message, false);
    }

    /** The shape of the command line is wrong (unknown option, missing argument): point to --help. */
    static UsageException syntax(String message) {
        return new UsageException(message, true);
    }

    boolean wantsHelpHint() {
        return hint;
    }
}
