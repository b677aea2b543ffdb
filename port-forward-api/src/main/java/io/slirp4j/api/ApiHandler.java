package io.slirp4j.api;

import io.slirp4j.stack.forward.ForwardException;
import io.slirp4j.stack.forward.PortForwards;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Answers one request: parses it, asks the stack's {@link PortForwards}, renders the answer. Never blocks: the
 * answer is a future that completes when the stack's does (on the stack's loop, possibly at once). It completes
 * exceptionally only when the stack fails in a way the API has no text for (a bug, or a loop shut down).
 */
final class ApiHandler {
    private final PortForwards forwards;

    ApiHandler(PortForwards forwards) {
        this.forwards = forwards;
    }

    CompletableFuture<byte[]> answer(byte[] request, int length) {
        ApiRequest parsed = ApiRequests.parse(request, length, forwards.network());
        if (parsed instanceof ApiRequest.AddForward add) {
            return forwards.add(add.request()).handle((forward, error) -> {
                if (error == null) {
                    return ApiResponses.added(forward, add.ephemeralRequested());
                }
                if (unwrap(error) instanceof ForwardException) {
                    return ApiResponses.error(ApiErrors.ADD_FAILED);
                }
                throw new CompletionException(unwrap(error));
            });
        }
        if (parsed instanceof ApiRequest.ListForwards) {
            return forwards.list().thenApply(ApiResponses::list);
        }
        if (parsed instanceof ApiRequest.RemoveForward remove) {
            return forwards.remove(remove.id()).thenApply(
                removed -> removed ? ApiResponses.removed() : ApiResponses.error(ApiErrors.BAD_ID));
        }
        return CompletableFuture.completedFuture(ApiResponses.error(((ApiRequest.Invalid) parsed).desc()));
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
