package io.slirp4j;

import io.slirp4j.pasta.NamespaceForwardPlan;
import java.nio.file.Path;

/**
 * pasta's lifecycle, where slirp4netns's has the ready and exit fds: once the namespace is configured and the
 * forwards listen, the daemon writes its pid file and tells the launcher, which then exits 0 (the engine waits for
 * that), and the daemon lets go of the engine's output; it ends when its target does (the netns file deleted, the
 * PID exited) or on SIGTERM.
 *
 * @param pidFile   {@code --pid}: where the daemon's pid goes, or null
 * @param detachFd  the launcher's end of the handshake: "1\n" once ready, then stdin, stdout and stderr go to
 *                  /dev/null; -1 in the foreground ({@code -f}, {@code --debug})
 * @param quiet     {@code --quiet}: nothing on stderr but errors
 * @param targetPid the PID operand, whose exit ends the daemon, or -1 with {@code --netns PATH}, whose deletion
 *                  ends it
 * @param outbound  -T and -U: the forwards from the namespace to the host ({@link NamespaceForwardPlan#NONE} for none)
 * @param inboundAuto -t and -u {@code auto}: the namespace's bound ports to forward from the host while bound (only
 *                  the plan's {@code auto} sides count; {@link NamespaceForwardPlan#NONE} for none)
 */
public record PastaLifetime(Path pidFile, int detachFd, boolean quiet, long targetPid, NamespaceForwardPlan outbound,
    NamespaceForwardPlan inboundAuto) {
    public PastaLifetime(Path pidFile, int detachFd, boolean quiet, long targetPid) {
        this(pidFile, detachFd, quiet, targetPid, NamespaceForwardPlan.NONE, NamespaceForwardPlan.NONE);
    }
}
