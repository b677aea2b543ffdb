package io.slirp4j.api;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.util.NetUtil;
import io.slirp4j.stack.forward.Forward;
import io.slirp4j.stack.nat.IpAddress;
import io.slirp4j.stack.wire.InAny;
import io.slirp4j.stack.wire.Ipv4Address;
import io.slirp4j.stack.wire.Ipv6Address;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Renders the API's answers as compact JSON (UTF-8, no spaces, no trailing newline), in the exact shapes of
 * slirp4netns, so that byte-comparing clients and tests keep working.
 */
public final class ApiResponses {
    private ApiResponses() {
    }

    /** {@code {"return":{"id":N}}}, with {@code "host_port":P} added when the client asked for port 0. */
    public static byte[] added(Forward forward, boolean ephemeralRequested) {
        return render(json -> {
            json.writeStartObject();
            json.writeObjectFieldStart("return");
            json.writeNumberField("id", forward.id());
            if (ephemeralRequested) {
                json.writeNumberField("host_port", forward.hostPort());
            }
            json.writeEndObject();
            json.writeEndObject();
        });
    }

    /**
     * The entries twice: under {@code return} as slirp4netns's manual documents, and at the top level as
     * slirp4netns really answers, so readers of either shape find them.
     */
    public static byte[] list(List<Forward> forwards) {
        return render(json -> {
            json.writeStartObject();
            json.writeObjectFieldStart("return");
            writeEntries(json, forwards);
            json.writeEndObject();
            writeEntries(json, forwards);
            json.writeEndObject();
        });
    }

    /** {@code {"return":{}}}. */
    public static byte[] removed() {
        return render(json -> {
            json.writeStartObject();
            json.writeObjectFieldStart("return");
            json.writeEndObject();
            json.writeEndObject();
        });
    }

    /** {@code {"error":{"desc":"bad request: DESC"}}}; {@code desc} is one of {@link ApiErrors}' texts. */
    public static byte[] error(String desc) {
        return render(json -> {
            json.writeStartObject();
            json.writeObjectFieldStart("error");
            json.writeStringField("desc", "bad request: " + desc);
            json.writeEndObject();
            json.writeEndObject();
        });
    }

    private static void writeEntries(JsonGenerator json, List<Forward> forwards) throws IOException {
        json.writeArrayFieldStart("entries");
        for (Forward forward : forwards) {
            json.writeStartObject();
            json.writeNumberField("id", forward.id());
            json.writeStringField("proto", forward.protocol().wireName());
            // RFC 5952 form for IPv6 ("::1"), where InetAddress would write "0:0:0:0:0:0:0:1"
            json.writeStringField("host_addr", NetUtil.toAddressString(forward.hostAddress()));
            json.writeNumberField("host_port", forward.hostPort());
            json.writeStringField("guest_addr", guestAddress(forward.guestAddress()));
            json.writeNumberField("guest_port", forward.guestPort());
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    /** The dotted quad, or the RFC 5952 form of an IPv6 guest address ("fd00::5054:ff:fe12:3456"). */
    static String guestAddress(IpAddress address) {
        return address.isIpv4() ? Ipv4Address.format(InAny.v4(address.lo()))
            : Ipv6Address.format(address.hi(), address.lo());
    }

    private interface Writer {
        void write(JsonGenerator json) throws IOException;
    }

    private static byte[] render(Writer writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator json = Json.FACTORY.createGenerator(out)) {
            writer.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory", e);
        }
        return out.toByteArray();
    }
}
