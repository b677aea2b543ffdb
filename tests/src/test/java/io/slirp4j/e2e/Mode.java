package io.slirp4j.e2e;

/** Who runs the helper, and who owns the guest's namespaces. */
public enum Mode {
    /** Helper and guest namespace both root's (the init user namespace). */
    ROOT,
    /**
     * Guest from {@code unshare --user --map-root-user --net} run as uid 65534; the helper runs as uid 65534 in
     * the host user namespace and must join the guest's user namespace itself (rootlesskit, slirp4netns's tests).
     */
    ROOTLESS,
    /**
     * The same guest, but the helper is started already inside the guest's user namespace as its uid 0, with the
     * private host network namespace as its own (what podman does).
     */
    PODMAN;

    public boolean unprivileged() {
        return this != ROOT;
    }
}
