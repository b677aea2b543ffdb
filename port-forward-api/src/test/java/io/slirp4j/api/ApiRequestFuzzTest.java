package io.slirp4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.util.NetUtil;
import io.slirp4j.stack.Ipv6Network;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.forward.ForwardRequest;
import io.slirp4j.stack.nat.IpAddress;
import io.slirp4j.stack.wire.InAny;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Coverage-guided fuzzing (Jazzer) of {@link ApiRequests#parse}, which reads whatever bytes a client of the API
 * socket sends. For any bytes, on a network with and without IPv6: it returns (never throws) a request; a refusal
 * carries one of slirp4netns's texts; an accepted forward is one the stack may take (ports in range, the guest
 * address a guest's in the network); the bytes after {@code length} are never read; a trailing newline (podman's,
 * rootlesskit's) changes nothing; and the request written back as JSON, the way {@link ApiCommand} writes it, parses
 * to the same request.
 *
 * <p>The committed inputs are under {@code ApiRequestFuzzTestInputs/request/}; in the build execution
 * {@code fuzz-api} fuzzes for a bounded time (README.md, "Fuzzing").
 */
class ApiRequestFuzzTest {
    private static final List<NetworkConfig> NETWORKS = List.of(NetworkConfig.defaults(),
        NetworkConfig.defaults().withIpv6(Ipv6Network.defaults()));
    private static final Set<String> REFUSALS = Set.of(ApiErrors.CANNOT_PARSE, ApiErrors.NOT_AN_OBJECT,
        ApiErrors.NO_EXECUTE, ApiErrors.UNKNOWN_EXECUTE, ApiErrors.BAD_PROTO, ApiErrors.BAD_HOST_ADDR,
        ApiErrors.BAD_HOST_PORT, ApiErrors.BAD_GUEST_ADDR, ApiErrors.BAD_GUEST_ADDR_NO_IPV6, ApiErrors.BAD_GUEST_PORT,
        ApiErrors.BAD_ID, ApiErrors.badGuestAddr6("fd00::/64"));
    /** Bytes past the request's end in the server's buffer: they must not count. */
    private static final byte[] AFTER_THE_END = "}]\"\\ 0,{\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @FuzzTest(maxDuration = "90s")
    void request(byte[] json) {
        // what does not depend on the network, on the first one only: each parse costs
        ApiRequest request = check(json, NETWORKS.get(0));
        byte[] longer = Arrays.copyOf(json, json.length + AFTER_THE_END.length);
        System.arraycopy(AFTER_THE_END, 0, longer, json.length, AFTER_THE_END.length);
        assertEquals(request, ApiRequests.parse(longer, json.length, NETWORKS.get(0)), "bytes after the length read");
        longer[json.length] = '\n';
        assertEquals(request, ApiRequests.parse(longer, json.length + 1, NETWORKS.get(0)), "a trailing newline counted");
        check(json, NETWORKS.get(1));
    }

    private static ApiRequest check(byte[] json, NetworkConfig network) {
        ApiRequest request = ApiRequests.parse(json, json.length, network);
        assertNotNull(request);
        if (request instanceof ApiRequest.Invalid invalid) {
            assertTrue(REFUSALS.contains(invalid.desc()), "not one of the API's refusals: " + invalid.desc());
            return request;
        }
        if (request instanceof ApiRequest.AddForward add) {
            ForwardRequest f = add.request();
            assertNotNull(f.protocol());
            assertNotNull(f.hostAddress());
            assertTrue(f.hostPort() >= 0 && f.hostPort() <= 65535 && f.guestPort() >= 1 && f.guestPort() <= 65535,
                "ports " + f);
            assertEquals(f.hostPort() == 0, add.ephemeralRequested(), "ephemeral port flag");
            assertGuestAddress(f.guestAddress(), network);
        }
        if (request instanceof ApiRequest.RemoveForward remove) {
            assertTrue(remove.id() >= 1, "forward id " + remove.id());
        }
        byte[] again = write(request);
        assertEquals(request, ApiRequests.parse(again, again.length, network), "written back: " + new String(again,
            java.nio.charset.StandardCharsets.UTF_8));
        return request;
    }

    /** A guest's address: inside the IPv4 network and none of the stack's own, or (with IPv6) inside the prefix. */
    private static void assertGuestAddress(IpAddress guest, NetworkConfig network) {
        if (guest.isIpv4()) {
            int a = InAny.v4(guest.lo());
            assertTrue(network.inNetwork(a) && a != network.network() && a != network.broadcast()
                && a != network.gateway() && a != network.dns(), "guest address " + guest);
        } else {
            Ipv6Network ipv6 = network.ipv6();
            assertTrue(ipv6 != null && ipv6.inPrefix(guest.hi()) && guest.lo() != 0
                && guest.lo() != Ipv6Network.GATEWAY_ID && guest.lo() != Ipv6Network.DNS_ID, "guest address " + guest);
        }
    }

    /** The request as a client writes it: every field, addresses as bare literals (ApiCommand's form). */
    private static byte[] write(ApiRequest request) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = Json.FACTORY.createGenerator(out)) {
            json.writeStartObject();
            if (request instanceof ApiRequest.AddForward add) {
                ForwardRequest f = add.request();
                json.writeStringField("execute", "add_hostfwd");
                json.writeObjectFieldStart("arguments");
                json.writeStringField("proto", f.protocol().wireName());
                json.writeStringField("host_addr", NetUtil.toAddressString(f.hostAddress()));
                json.writeNumberField("host_port", f.hostPort());
                json.writeStringField("guest_addr", ApiResponses.guestAddress(f.guestAddress()));
                json.writeNumberField("guest_port", f.guestPort());
                json.writeEndObject();
            } else if (request instanceof ApiRequest.RemoveForward remove) {
                json.writeStringField("execute", "remove_hostfwd");
                json.writeObjectFieldStart("arguments");
                json.writeNumberField("id", remove.id());
                json.writeEndObject();
            } else {
                json.writeStringField("execute", "list_hostfwd");
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
