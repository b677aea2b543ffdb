package io.slirp4j.stack.forward;

import io.slirp4j.stack.NetworkConfig;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/** {@link PortForwards} for any thread: each call runs on the stack's event loop, where the table lives. */
public final class LoopPortForwards implements PortForwards {
    private final Executor loop;
    private final ForwardTable table;
    private final NetworkConfig network;

    public LoopPortForwards(Executor loop, ForwardTable table, NetworkConfig network) {
        this.loop = loop;
        this.table = table;
        this.network = network;
    }

    @Override
    public NetworkConfig network() {
        return network;
    }

    @Override
    public CompletableFuture<Forward> add(ForwardRequest request) {
        return onLoop(() -> {
            try {
                return table.add(request);
            } catch (ForwardException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    @Override
    public CompletableFuture<Boolean> remove(int id) {
        return onLoop(() -> table.remove(id));
    }

    @Override
    public CompletableFuture<List<Forward>> list() {
        return onLoop(table::list);
    }

    private <T> CompletableFuture<T> onLoop(Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    result.complete(work.get());
                } catch (java.util.concurrent.CompletionException e) {
                    result.completeExceptionally(e.getCause());
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
        return result;
    }
}
