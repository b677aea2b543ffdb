package io.slirp4j;

import java.util.function.Consumer;

/**
 * Reports bugs the stack caught (it drops the frame and carries on): the first few with their stack trace, then
 * one line per power of two, so a frame that trips a bug at line rate cannot flood the engine's log file.
 */
final class InternalErrorLog implements Consumer<RuntimeException> {
    static final int DETAILED = 5;
    private long count;

    @Override
    public void accept(RuntimeException e) {
        count++;
        if (count <= DETAILED) {
            System.err.println("slirp4j: internal error (frame dropped, please report): " + e);
            for (StackTraceElement frame : e.getStackTrace()) {
                System.err.println("\tat " + frame);
            }
        } else if (Long.bitCount(count) == 1) {
            System.err.println("slirp4j: " + count + " internal errors so far, last: " + e);
        }
    }
}
