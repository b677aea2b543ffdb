package io.slirp4j.api;

import io.slirp4j.stack.forward.ForwardRequest;

/**
 * One API request, validated: what {@link ApiRequests#parse} makes of the bytes a client sent. Every way a request
 * can be wrong is an {@link Invalid} carrying the text slirp4netns answers with, so the server never has to guess.
 */
public sealed interface ApiRequest {

    /** {@code add_hostfwd}; {@code ephemeralRequested} when host port 0 was asked for (the answer then names it). */
    record AddForward(ForwardRequest request, boolean ephemeralRequested) implements ApiRequest {
    }

    /** {@code list_hostfwd}. */
    record ListForwards() implements ApiRequest {
    }

    /** {@code remove_hostfwd}. */
    record RemoveForward(int id) implements ApiRequest {
    }

    /** Anything else: {@code desc} is the error text after {@code bad request: }. */
    record Invalid(String desc) implements ApiRequest {
    }
}
