package io.slirp4j;

/**
 * With {@code SLIRP4J_TRACE_STARTUP=1} in the environment, prints on stderr how long after process start each
 * start-up phase ended (from the launcher's time stamp), so the launch-to-ready time can be taken apart.
 * Costs nothing when off.
 */
final class StartupTrace {
    private static final boolean ON = System.getenv("SLIRP4J_TRACE_STARTUP") != null;
    /** Stamped by the launcher: the kernel's process start time is only as precise as its 1 s boot time. */
    private static final long START_MILLIS = ON ? launchedAt() : 0;

    private StartupTrace() {}

    private static long launchedAt() {
        try {
            return Long.parseLong(System.getenv().getOrDefault("SLIRP4J_LAUNCHED_AT", ""));
        } catch (NumberFormatException e) {
            return ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
        }
    }

    static void mark(String phase) {
        if (ON) {
            System.err.println("slirp4j: startup " + (System.currentTimeMillis() - START_MILLIS) + " ms: " + phase);
        }
    }
}
