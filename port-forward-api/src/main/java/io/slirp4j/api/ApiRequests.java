package io.slirp4j.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.slirp4j.stack.Ipv6Network;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.forward.ForwardProtocol;
import io.slirp4j.stack.forward.ForwardRequest;
import io.slirp4j.stack.wire.IpLiterals;
import io.slirp4j.stack.nat.IpAddress;
import io.slirp4j.stack.wire.Ipv4Address;
import io.slirp4j.stack.wire.Ipv6Address;
import java.io.IOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns the bytes of one API request into an {@link ApiRequest}, without I/O.
 *
 * <p>Two passes, like slirp4netns (which parses with parson, then looks fields up): first the whole text is read
 * as JSON, keeping only the two fields that matter ({@code execute}, and the scalar members of {@code arguments});
 * only a document that is entirely valid JSON gets to the second pass, which checks meaning in slirp4netns's
 * order (execute, then proto, host_addr, host_port, guest_addr, guest_port) so that the first error reported is the
 * one slirp4netns would report. Addresses must be literals: a host name here would mean a DNS lookup on the
 * stack's event loop.
 */
public final class ApiRequests {
    /** slirp4netns reads requests into 4096 bytes: one that fills them is refused. */
    public static final int MAX_REQUEST_BYTES = 4096;

    private static final InetAddress ANY = Ipv4Address.toInetAddress(Ipv4Address.ANY);

    private ApiRequests() {
    }

    /** Parses {@code json[0..length)} (UTF-8) against the virtual network {@code network}. */
    public static ApiRequest parse(byte[] json, int length, NetworkConfig network) {
        try {
            Document document = Document.read(json, length);
            String execute = document.execute == null ? null : document.execute.string();
            if (execute == null) {
                throw new Refusal(ApiErrors.NO_EXECUTE);
            }
            switch (execute) {
                case "add_hostfwd":
                    return add(document.arguments, network);
                case "list_hostfwd":
                    return new ApiRequest.ListForwards();
                case "remove_hostfwd":
                    return new ApiRequest.RemoveForward(
                        (int) integer(document.arguments.get("id"), 1, Integer.MAX_VALUE, ApiErrors.BAD_ID));
                default:
                    throw new Refusal(ApiErrors.UNKNOWN_EXECUTE);
            }
        } catch (Refusal refusal) {
            return new ApiRequest.Invalid(refusal.desc);
        }
    }

    private static ApiRequest add(Map<String, Scalar> arguments, NetworkConfig network) throws Refusal {
        ForwardProtocol protocol = protocol(arguments.get("proto"));
        InetAddress hostAddress = hostAddress(arguments.get("host_addr"));
        int hostPort = (int) integer(arguments.get("host_port"), 0, 65535, ApiErrors.BAD_HOST_PORT);
        IpAddress guestAddress = guestAddress(arguments.get("guest_addr"), network);
        int guestPort = (int) integer(arguments.get("guest_port"), 1, 65535, ApiErrors.BAD_GUEST_PORT);
        return new ApiRequest.AddForward(
            new ForwardRequest(protocol, hostAddress, hostPort, guestAddress, guestPort), hostPort == 0);
    }

    private static ForwardProtocol protocol(Scalar proto) throws Refusal {
        String name = proto == null ? null : proto.string();
        if (name != null) {
            switch (name) {
                // rootlesskit strips the 4 itself; taking it too costs nothing
                case "tcp", "tcp4":
                    return ForwardProtocol.TCP;
                case "udp", "udp4":
                    return ForwardProtocol.UDP;
                default:
                    break;
            }
        }
        throw new Refusal(ApiErrors.BAD_PROTO);
    }

    /**
     * Absent, null or empty: 0.0.0.0, as slirp4netns. Otherwise an IPv4 or IPv6 literal as inet_pton reads it:
     * alone, without brackets or a zone.
     */
    private static InetAddress hostAddress(Scalar value) throws Refusal {
        if (value == null || value.isNull()) {
            return ANY;
        }
        String text = value.string();
        if (text == null) {
            throw new Refusal(ApiErrors.BAD_HOST_ADDR);
        }
        if (text.isEmpty()) {
            return ANY;
        }
        InetAddress address = IpLiterals.parse(text);
        if (address == null) {
            throw new Refusal(ApiErrors.BAD_HOST_ADDR);
        }
        return address;
    }

    /**
     * Absent, null or empty: the recommended guest address. Otherwise an IPv4 literal of a host inside the network
     * that the stack does not itself answer for, or (ours: slirp4netns forwards only to IPv4) with IPv6 enabled an
     * IPv6 literal (inet_pton's form: no brackets, no zone) inside the prefix other than its ::, ::2 and ::3.
     */
    private static IpAddress guestAddress(Scalar value, NetworkConfig network) throws Refusal {
        if (value == null || value.isNull()) {
            return IpAddress.of4(network.recommendedGuest());
        }
        String text = value.string();
        if (text == null) {
            throw new Refusal(ApiErrors.BAD_GUEST_ADDR);
        }
        if (text.isEmpty()) {
            return IpAddress.of4(network.recommendedGuest());
        }
        if (text.indexOf(':') >= 0) {
            return guestAddress6(text, network);
        }
        int address;
        try {
            address = Ipv4Address.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Refusal(ApiErrors.BAD_GUEST_ADDR);
        }
        if (!network.inNetwork(address) || address == network.network() || address == network.broadcast()
            || address == network.gateway() || address == network.dns()) {
            throw new Refusal(ApiErrors.BAD_GUEST_ADDR);
        }
        return IpAddress.of4(address);
    }

    private static IpAddress guestAddress6(String text, NetworkConfig network) throws Refusal {
        long[] address;
        try {
            address = Ipv6Address.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Refusal(ApiErrors.BAD_GUEST_ADDR);
        }
        Ipv6Network ipv6 = network.ipv6();
        if (ipv6 == null) {
            throw new Refusal(ApiErrors.BAD_GUEST_ADDR_NO_IPV6);
        }
        long hi = address[0];
        long lo = address[1];
        if (!ipv6.inPrefix(hi) || lo == 0 || lo == Ipv6Network.GATEWAY_ID || lo == Ipv6Network.DNS_ID) {
            throw new Refusal(ApiErrors.badGuestAddr6(Ipv6Address.format(ipv6.prefix(), 0) + "/64"));
        }
        return new IpAddress(hi, lo);
    }

    /** A JSON integer (not a float, not a string) in {@code min..max}. */
    private static long integer(Scalar value, long min, long max, String desc) throws Refusal {
        if (value == null || value.token != JsonToken.VALUE_NUMBER_INT) {
            throw new Refusal(desc);
        }
        long number;
        try {
            number = Long.parseLong(value.text);
        } catch (NumberFormatException e) {
            throw new Refusal(desc);
        }
        if (number < min || number > max) {
            throw new Refusal(desc);
        }
        return number;
    }

    /** The parts of a request document that mean something; everything else is skipped while reading. */
    private static final class Document {
        Scalar execute;
        /** The scalar members of {@code arguments}, empty when it is absent or not an object. */
        final Map<String, Scalar> arguments = new HashMap<>();

        static Document read(byte[] json, int length) throws Refusal {
            // No JSON text in UTF-8 holds a NUL byte, and Jackson, given bytes, guesses UTF-16 or UTF-32 from NULs
            // among the first four: "\0" "4" "\0" "\n" would be the number 4, a request in UTF-16 accepted.
            for (int i = 0; i < length; i++) {
                if (json[i] == 0) {
                    throw new Refusal(ApiErrors.CANNOT_PARSE);
                }
            }
            Document document = new Document();
            try (JsonParser parser = Json.FACTORY.createParser(json, 0, length)) {
                JsonToken first = parser.nextToken();
                if (first == null) {
                    throw new Refusal(ApiErrors.CANNOT_PARSE);
                }
                if (first != JsonToken.START_OBJECT) {
                    parser.skipChildren();
                    requireEnd(parser);
                    throw new Refusal(ApiErrors.NOT_AN_OBJECT);
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (name.equals("execute")) {
                        document.execute = Scalar.read(parser, value);
                    } else if (name.equals("arguments") && value == JsonToken.START_OBJECT) {
                        readArguments(parser, document.arguments);
                    } else {
                        parser.skipChildren();
                    }
                }
                requireEnd(parser);
            } catch (IOException e) {
                // JsonParseException, and the parser's size limits: all mean the text is not acceptable JSON
                throw new Refusal(ApiErrors.CANNOT_PARSE);
            }
            return document;
        }

        private static void readArguments(JsonParser parser, Map<String, Scalar> into) throws IOException {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                into.put(name, Scalar.read(parser, parser.nextToken()));
            }
        }

        /** Whitespace may follow the object (podman and rootlesskit send a newline); nothing else may. */
        private static void requireEnd(JsonParser parser) throws IOException, Refusal {
            if (parser.nextToken() != null) {
                throw new Refusal(ApiErrors.CANNOT_PARSE);
            }
        }
    }

    /** One JSON value as read: its token, and its text for scalars (the literal itself for numbers). */
    private record Scalar(JsonToken token, String text) {
        static Scalar read(JsonParser parser, JsonToken token) throws IOException {
            if (token.isStructStart()) {
                parser.skipChildren();
                return new Scalar(token, null);
            }
            return new Scalar(token, parser.getText());
        }

        /** The string, or null if the value is not a JSON string. */
        String string() {
            return token == JsonToken.VALUE_STRING ? text : null;
        }

        boolean isNull() {
            return token == JsonToken.VALUE_NULL;
        }
    }

    /** A request refused with one of {@link ApiErrors}' texts; an exception only to leave nested checks early. */
    private static final class Refusal extends Exception {
        final String desc;

        Refusal(String desc) {
            super(desc, null, false, false);
            this.desc = desc;
        }
    }
}
