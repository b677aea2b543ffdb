package io.slirp4j.stack.forward;

import io.slirp4j.stack.NetworkConfig;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The stack's port forwards, as the API server (and {@code --publish}) manage them. Callable from any thread;
 * the work runs on the stack's event loop and the futures complete there, so a caller on that loop must not
 * block on them.
 */
public interface PortForwards {
    /** The virtual network, for defaults (guest N+100) and validation (guest addresses inside it). */
    NetworkConfig network();

    /**
     * Binds the host side and starts forwarding. Completes with the new forward, or exceptionally with a
     * {@link ForwardException} (e.g. the port is in use), in which case nothing was created.
     */
    CompletableFuture<Forward> add(ForwardRequest request);

    /**
     * Closes the forward's host socket (no new connections or peers); connections and UDP peers already
     * forwarded carry on until they end. Completes with false if no forward has this id.
     */
    CompletableFuture<Boolean> remove(int id);

    /** The forwards now, by id. */
    CompletableFuture<List<Forward>> list();
}
