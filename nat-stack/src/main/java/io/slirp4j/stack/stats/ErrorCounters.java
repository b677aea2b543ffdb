package io.slirp4j.stack.stats;

import java.util.function.Consumer;

/**
 * Failures on slirp4j's side rather than the guest's: bugs caught at the stack's boundary, host sockets that
 * could not be opened. Confined to the stack's event loop, hence plain fields.
 */
public final class ErrorCounters {
    /** Internal errors caught at the stack's boundary: each is a bug, never the input's fault. */
    public long internalErrors;
    /** Host sockets (UDP or TCP) that could not be opened (the datagram or connection that needed one is dropped). */
    public long hostSocketFailures;

    private Consumer<? super RuntimeException> internalErrorListener;

    /** An immutable copy; see {@link ErrorCounters} for what each one counts. */
    public record Snapshot(long internalErrors, long hostSocketFailures) {}

    public Snapshot snapshot() {
        return new Snapshot(internalErrors, hostSocketFailures);
    }

    /** Counts a bug caught at the stack's boundary and tells the listener, if any (a listener's own failure is ignored). */
    public void internalError(RuntimeException e) {
        internalErrors++;
        Consumer<? super RuntimeException> listener = internalErrorListener;
        if (listener != null) {
            try {
                listener.accept(e);
            } catch (RuntimeException ignored) {
                // the listener is for logging; it must not turn one bug into two
            }
        }
    }

    /** Who hears of each internal error (the stack sets it for the program); null for no one. */
    public void internalErrorListener(Consumer<? super RuntimeException> listener) {
        this.internalErrorListener = listener;
    }
}
