package io.slirp4j.cli;

/** What the positional argument names; which kind depends on --netns-type and --target-type. */
public sealed interface Target {

    /** {@code --netns-type=pid}: join /proc/PID/ns/net (and, unprivileged, /proc/PID/ns/user). */
    record Pid(int pid) implements Target {
        public Pid {
            if (pid <= 0) {
                throw new IllegalArgumentException("PID must be a positive integer");
            }
        }
    }

    /** {@code --netns-type=path}: a network namespace file such as /run/netns/NAME. */
    record NetnsPath(String path) implements Target {
        public NetnsPath {
            if (path.isEmpty()) {
                throw new IllegalArgumentException("empty netns path");
            }
        }
    }

    /** {@code --netns-type=tapfd}: a tap fd inherited from the caller; there is no namespace to join. */
    record TapFd(int fd) implements Target {
        public TapFd {
            if (fd < 0) {
                throw new IllegalArgumentException("FD must be a non-negative integer");
            }
        }
    }

    /** {@code --target-type=bess}: a unix SOCK_SEQPACKET socket path to serve one peer on. */
    record BessSocket(String path) implements Target {
        public BessSocket {
            if (path.isEmpty()) {
                throw new IllegalArgumentException("empty BESS socket path");
            }
        }
    }
}
