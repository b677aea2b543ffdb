package io.slirp4j.stack.forward;

/** A forward could not be created (the host address or port cannot be bound); nothing of it was left behind. */
public final class ForwardException extends Exception {
    public ForwardException(String message, Throwable cause) {
        super(message, cause);
    }
}
