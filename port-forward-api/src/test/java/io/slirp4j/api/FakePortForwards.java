package io.slirp4j.api;

import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.forward.Forward;
import io.slirp4j.stack.forward.ForwardException;
import io.slirp4j.stack.forward.ForwardRequest;
import io.slirp4j.stack.forward.PortForwards;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * PortForwards in memory: ids from 1, never reused; port 0 binds 40000, 40001, …; ports in {@link #failingPorts}
 * fail as if in use; {@link #broken} makes every call fail with a non-API error. Futures complete at once, or on
 * {@link #completeOn} when set (as a stack on another thread would).
 */
final class FakePortForwards implements PortForwards {
    final Set<Integer> failingPorts = new HashSet<>();
    final List<ForwardRequest> requests = new ArrayList<>();
    volatile boolean broken;
    volatile Executor completeOn;
    private final TreeMap<Integer, Forward> forwards = new TreeMap<>();
    private int nextId = 1;
    private int nextEphemeralPort = 40000;

    @Override
    public NetworkConfig network() {
        return NetworkConfig.defaults();
    }

    @Override
    public synchronized CompletableFuture<Forward> add(ForwardRequest request) {
        requests.add(request);
        if (broken) {
            return fail(new IllegalStateException("broken stack"));
        }
        if (failingPorts.contains(request.hostPort())) {
            return fail(new ForwardException("bind: address in use", new IOException("EADDRINUSE")));
        }
        int port = request.hostPort() == 0 ? nextEphemeralPort++ : request.hostPort();
        Forward forward = new Forward(nextId++, request.protocol(), request.hostAddress(), port,
            request.guestAddress(), request.guestPort());
        forwards.put(forward.id(), forward);
        return complete(forward);
    }

    @Override
    public synchronized CompletableFuture<Boolean> remove(int id) {
        if (broken) {
            return fail(new IllegalStateException("broken stack"));
        }
        return complete(forwards.remove(id) != null);
    }

    @Override
    public synchronized CompletableFuture<List<Forward>> list() {
        if (broken) {
            return fail(new IllegalStateException("broken stack"));
        }
        return complete(new ArrayList<>(forwards.values()));
    }

    synchronized List<Forward> forwards() {
        return new ArrayList<>(forwards.values());
    }

    private <T> CompletableFuture<T> complete(T value) {
        Executor executor = completeOn;
        if (executor == null) {
            return CompletableFuture.completedFuture(value);
        }
        return CompletableFuture.supplyAsync(() -> value, executor);
    }

    private <T> CompletableFuture<T> fail(Throwable cause) {
        Executor executor = completeOn;
        if (executor == null) {
            return CompletableFuture.failedFuture(cause);
        }
        CompletableFuture<T> future = new CompletableFuture<>();
        executor.execute(() -> future.completeExceptionally(cause));
        return future;
    }
}
