package io.slirp4j.api;

/**
 * The error texts of slirp4netns's API, word for word: clients (podman, rootlesskit, scripts) match on them. Each is
 * answered as {@code {"error":{"desc":"bad request: TEXT"}}}.
 *
 * <p>IPv6 guest addresses, which slirp4netns refuses with {@link #BAD_GUEST_ADDR}, are ours: their refusals start with
 * that same text, so a client matching it still matches, and say in parentheses what was wrong.
 */
public final class ApiErrors {
    public static final String CANNOT_PARSE = "cannot parse JSON";
    /** Valid JSON that is not an object. */
    public static final String NOT_AN_OBJECT = "json_object() failed";
    public static final String NO_EXECUTE = "no execute found";
    public static final String UNKNOWN_EXECUTE = "unknown execute";
    /** A request of {@link ApiRequests#MAX_REQUEST_BYTES} or more. */
    public static final String TOO_LARGE = "too large message";
    public static final String BAD_PROTO = "add_hostfwd: bad arguments.proto";
    public static final String BAD_HOST_ADDR = "add_hostfwd: bad arguments.host_addr";
    public static final String BAD_HOST_PORT = "add_hostfwd: bad arguments.host_port";
    public static final String BAD_GUEST_ADDR = "add_hostfwd: bad arguments.guest_addr";
    /** An IPv6 guest_addr while the helper runs without {@code --enable-ipv6}. */
    public static final String BAD_GUEST_ADDR_NO_IPV6 = BAD_GUEST_ADDR + " (an IPv6 guest_addr needs --enable-ipv6)";
    public static final String BAD_GUEST_PORT = "add_hostfwd: bad arguments.guest_port";
    /** The stack could not create the forward, e.g. the host port is in use. */
    public static final String ADD_FAILED = "add_hostfwd: slirp_add_hostfwd failed";
    /** Not a positive integer, or no forward has that id. */
    public static final String BAD_ID = "remove_hostfwd: bad arguments.id";

    private ApiErrors() {
    }

    /** An IPv6 guest_addr that is not a guest address in the prefix ({@code fd00::/64}, say). */
    public static String badGuestAddr6(String prefix) {
        return BAD_GUEST_ADDR + " (an IPv6 guest_addr must be a guest address in " + prefix
            + ", not ::, ::2 or ::3 of it)";
    }
}
