package io.slirp4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.slirp4j.stack.Ipv6Network;
import io.slirp4j.stack.NetworkConfig;
import io.slirp4j.stack.forward.Forward;
import io.slirp4j.stack.forward.ForwardProtocol;
import io.slirp4j.stack.forward.ForwardRequest;
import io.slirp4j.stack.nat.IpAddress;
import io.slirp4j.stack.wire.Ipv4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiRequestsTest {
    private static final NetworkConfig NETWORK = NetworkConfig.defaults();
    private static final int GUEST = Ipv4Address.of(10, 0, 2, 100);

    private static ApiRequest parse(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return ApiRequests.parse(bytes, bytes.length, NETWORK);
    }

    private static ForwardRequest added(String json) {
        return assertInstanceOf(ApiRequest.AddForward.class, parse(json)).request();
    }

    private static void assertInvalid(String desc, String json) {
        assertEquals(new ApiRequest.Invalid(desc), parse(json), json);
    }

    /** An add_hostfwd whose arguments are {@code arguments} (the inside of the object). */
    private static String add(String arguments) {
        return "{\"execute\":\"add_hostfwd\",\"arguments\":{" + arguments + "}}";
    }

    private static String addWith(String hostAddr, String hostPort, String guestAddr, String guestPort) {
        return add("\"proto\":\"tcp\",\"host_addr\":" + hostAddr + ",\"host_port\":" + hostPort + ",\"guest_addr\":"
            + guestAddr + ",\"guest_port\":" + guestPort);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void podmanAddWithDefaults() {
        ApiRequest request = parse("{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":\"\","
            + "\"host_port\":8080,\"guest_addr\":\"\",\"guest_port\":80}}\n");
        assertEquals(new ApiRequest.AddForward(new ForwardRequest(ForwardProtocol.TCP,
            Ipv4Address.toInetAddress(0), 8080, GUEST, 80), false), request);
    }

    @Test
    void addWithEverythingGiven() {
        ForwardRequest request = added(addWith("\"127.0.0.1\"", "53", "\"10.0.2.15\"", "5353")
            .replace("\"tcp\"", "\"udp\""));
        assertEquals(new ForwardRequest(ForwardProtocol.UDP, Ipv4Address.toInetAddress(Ipv4Address.LOOPBACK), 53,
            Ipv4Address.of(10, 0, 2, 15), 5353), request);
    }

    @Test
    void protocolsWithTrailingFourAreAccepted() {
        assertEquals(ForwardProtocol.TCP, added(add("\"proto\":\"tcp4\",\"host_port\":1,\"guest_port\":2")).protocol());
        assertEquals(ForwardProtocol.UDP, added(add("\"proto\":\"udp4\",\"host_port\":1,\"guest_port\":2")).protocol());
    }

    @Test
    void absentOrNullAddressesTakeTheDefaults() {
        ForwardRequest absent = added(add("\"proto\":\"tcp\",\"host_port\":8080,\"guest_port\":80"));
        assertEquals(Ipv4Address.toInetAddress(0), absent.hostAddress());
        assertEquals(IpAddress.of4(GUEST), absent.guestAddress());
        ForwardRequest nulls = added(addWith("null", "8080", "null", "80"));
        assertEquals(Ipv4Address.toInetAddress(0), nulls.hostAddress());
        assertEquals(IpAddress.of4(GUEST), nulls.guestAddress());
    }

    @Test
    void portZeroIsEphemeral() {
        ApiRequest.AddForward add = assertInstanceOf(ApiRequest.AddForward.class,
            parse(addWith("\"\"", "0", "\"\"", "80")));
        assertEquals(0, add.request().hostPort());
        assertEquals(true, add.ephemeralRequested());
        assertEquals(65535, added(addWith("\"\"", "65535", "\"\"", "65535")).hostPort());
    }

    @ParameterizedTest
    @ValueSource(strings = {"::", "::1", "fe80::1", "2001:db8::42", "2001:0db8:0000:0000:0000:0000:0000:0001"})
    void ipv6HostAddresses(String literal) throws Exception {
        assertEquals(InetAddress.getByName(literal), added(addWith("\"" + literal + "\"", "8080", "\"\"", "80"))
            .hostAddress());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"localhost\"", "\"example.com\"", "\"ip6-localhost\"", "\"[::1]\"", "\"1.2.3\"",
        "\"01.2.3.4\"", "\"1.2.3.256\"", "\"1.2.3.4 \"", "\"::1::\"", "\"fe80::1%eth0\"", "\"0x7f.0.0.1\"",
        "\"::ffff:127.0.0.1\"", "5",
        "{}", "[]", "true"})
    void hostAddressMustBeALiteral(String hostAddr) {
        assertInvalid(ApiErrors.BAD_HOST_ADDR, addWith(hostAddr, "8080", "\"\"", "80"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "65536", "\"80\"", "80.0", "8e1", "null", "true", "{}", "[80]",
        "99999999999999999999999"})
    void hostPortMustBeAnIntegerInRange(String hostPort) {
        assertInvalid(ApiErrors.BAD_HOST_PORT, addWith("\"\"", hostPort, "\"\"", "80"));
    }

    @Test
    void hostPortIsRequired() {
        assertInvalid(ApiErrors.BAD_HOST_PORT, add("\"proto\":\"tcp\",\"guest_port\":80"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"10.0.3.1\"", "\"192.168.1.1\"", "\"10.0.2.0\"", "\"10.0.2.255\"", "\"10.0.2.2\"",
        "\"10.0.2.3\"", "\"guest\"", "\"10.0.2\"", "5", "[]"})
    void guestAddressMustBeAGuestInTheNetwork(String guestAddr) {
        assertInvalid(ApiErrors.BAD_GUEST_ADDR, addWith("\"\"", "8080", guestAddr, "80"));
    }

    @Test
    void guestAddressesInsideTheNetworkAreAccepted() {
        assertEquals(IpAddress.of4(Ipv4Address.of(10, 0, 2, 1)),
            added(addWith("\"\"", "1", "\"10.0.2.1\"", "1")).guestAddress());
        assertEquals(IpAddress.of4(Ipv4Address.of(10, 0, 2, 254)),
            added(addWith("\"\"", "1", "\"10.0.2.254\"", "1")).guestAddress());
    }

    private static ApiRequest parse6(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return ApiRequests.parse(bytes, bytes.length, NETWORK.withIpv6(Ipv6Network.defaults()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fd00::5054:ff:fe12:3456", "fd00::1", "fd00::ffff:ffff:ffff:ffff",
        "FD00:0:0:0:0:0:0:64"})
    void ipv6GuestAddressesInThePrefixAreAcceptedWithIpv6(String literal) throws Exception {
        ForwardRequest request = assertInstanceOf(ApiRequest.AddForward.class,
            parse6(addWith("\"::1\"", "8080", "\"" + literal + "\"", "80"))).request();
        assertEquals(IpAddress.of(InetAddress.getByName(literal)), request.guestAddress());
        assertEquals(InetAddress.getByName("::1"), request.hostAddress());
        // the IPv4 forms still work beside it, and the default stays the recommended IPv4 address
        assertEquals(IpAddress.of4(GUEST), assertInstanceOf(ApiRequest.AddForward.class,
            parse6(addWith("\"\"", "8080", "\"\"", "80"))).request().guestAddress());
    }

    @Test
    void anIpv6GuestAddressWithoutIpv6SaysWhy() {
        assertInvalid(ApiErrors.BAD_GUEST_ADDR_NO_IPV6, addWith("\"\"", "8080", "\"fd00::100\"", "80"));
        assertInvalid(ApiErrors.BAD_GUEST_ADDR_NO_IPV6, addWith("\"\"", "8080", "\"::1\"", "80"));
        assertEquals("add_hostfwd: bad arguments.guest_addr (an IPv6 guest_addr needs --enable-ipv6)",
            ApiErrors.BAD_GUEST_ADDR_NO_IPV6);
        // not an address at all: slirp4netns's text
        assertInvalid(ApiErrors.BAD_GUEST_ADDR, addWith("\"\"", "8080", "\"fd00::1::2\"", "80"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fd00::", "fd00::2", "fd00::3", "fd01::100", "fe80::1", "::1", "2001:db8::1",
        "::ffff:10.0.2.100"})
    void ipv6GuestAddressesOutsideThePrefixOrTheStacksOwnAreRefused(String literal) {
        assertEquals(new ApiRequest.Invalid(
            "add_hostfwd: bad arguments.guest_addr (an IPv6 guest_addr must be a guest address in fd00::/64, "
                + "not ::, ::2 or ::3 of it)"), parse6(addWith("\"\"", "8080", "\"" + literal + "\"", "80")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[fd00::100]", "fd00::100%tap0", "fd00::100/64", "fd00:::1"})
    void ipv6GuestAddressesAreBareLiterals(String text) {
        assertEquals(new ApiRequest.Invalid(ApiErrors.BAD_GUEST_ADDR),
            parse6(addWith("\"\"", "8080", "\"" + text + "\"", "80")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "65536", "-80", "\"80\"", "80.5", "null"})
    void guestPortMustBeAnIntegerInRange(String guestPort) {
        assertInvalid(ApiErrors.BAD_GUEST_PORT, addWith("\"\"", "8080", "\"\"", guestPort));
    }

    @Test
    void guestPortIsRequired() {
        assertInvalid(ApiErrors.BAD_GUEST_PORT, add("\"proto\":\"tcp\",\"host_port\":80"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"sctp\"", "\"TCP\"", "\"tcp6\"", "\"\"", "6", "null", "[\"tcp\"]"})
    void protoMustBeTcpOrUdp(String proto) {
        assertInvalid(ApiErrors.BAD_PROTO, add("\"proto\":" + proto + ",\"host_port\":80,\"guest_port\":80"));
    }

    @Test
    void missingProtoOrArgumentsIsAnErrorNotACrash() {
        assertInvalid(ApiErrors.BAD_PROTO, add("\"host_port\":80,\"guest_port\":80"));
        assertInvalid(ApiErrors.BAD_PROTO, "{\"execute\":\"add_hostfwd\"}");
        assertInvalid(ApiErrors.BAD_PROTO, "{\"execute\":\"add_hostfwd\",\"arguments\":[1,2]}");
        assertInvalid(ApiErrors.BAD_PROTO, "{\"execute\":\"add_hostfwd\",\"arguments\":\"tcp\"}");
    }

    @Test
    void errorsComeInSlirp4netnsOrder() {
        assertInvalid(ApiErrors.BAD_PROTO, add("\"proto\":\"x\",\"host_addr\":\"h\",\"host_port\":-1,"
            + "\"guest_addr\":\"g\",\"guest_port\":0"));
        assertInvalid(ApiErrors.BAD_HOST_ADDR, addWith("\"h\"", "-1", "\"g\"", "0"));
        assertInvalid(ApiErrors.BAD_HOST_PORT, addWith("\"\"", "-1", "\"g\"", "0"));
        assertInvalid(ApiErrors.BAD_GUEST_ADDR, addWith("\"\"", "1", "\"g\"", "0"));
    }

    @Test
    void unknownFieldsAreIgnored() {
        ForwardRequest request = added("{\"x\":{\"execute\":\"nope\"},\"execute\":\"add_hostfwd\",\"id\":[1,{}],"
            + "\"arguments\":{\"comment\":{\"a\":[1,2]},\"proto\":\"tcp\",\"host_port\":8080,\"guest_port\":80,"
            + "\"extra\":null}}");
        assertEquals(8080, request.hostPort());
        assertEquals(new ApiRequest.ListForwards(),
            parse("{\"execute\":\"list_hostfwd\",\"arguments\":{\"id\":1},\"future\":true}"));
    }

    @Test
    void list() {
        assertEquals(new ApiRequest.ListForwards(), parse("{\"execute\":\"list_hostfwd\"}"));
        assertEquals(new ApiRequest.ListForwards(), parse(" \t{ \"execute\" : \"list_hostfwd\" }\r\n"));
    }

    @Test
    void remove() {
        assertEquals(new ApiRequest.RemoveForward(1), parse("{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":1}}"));
        assertEquals(new ApiRequest.RemoveForward(Integer.MAX_VALUE),
            parse("{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":2147483647}}\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "\"1\"", "1.0", "1e0", "2147483648", "null", "{}"})
    void removeIdMustBeAPositiveInteger(String id) {
        assertInvalid(ApiErrors.BAD_ID, "{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":" + id + "}}");
    }

    @Test
    void removeWithoutIdOrArguments() {
        assertInvalid(ApiErrors.BAD_ID, "{\"execute\":\"remove_hostfwd\",\"arguments\":{}}");
        assertInvalid(ApiErrors.BAD_ID, "{\"execute\":\"remove_hostfwd\"}");
    }

    @Test
    void executeMustBeAKnownString() {
        assertInvalid(ApiErrors.NO_EXECUTE, "{}");
        assertInvalid(ApiErrors.NO_EXECUTE, "{\"arguments\":{}}");
        assertInvalid(ApiErrors.NO_EXECUTE, "{\"execute\":5}");
        assertInvalid(ApiErrors.NO_EXECUTE, "{\"execute\":null}");
        assertInvalid(ApiErrors.NO_EXECUTE, "{\"execute\":[\"list_hostfwd\"]}");
        assertInvalid(ApiErrors.UNKNOWN_EXECUTE, "{\"execute\":\"delete_hostfwd\"}");
        assertInvalid(ApiErrors.UNKNOWN_EXECUTE, "{\"execute\":\"\"}");
        assertInvalid(ApiErrors.UNKNOWN_EXECUTE, "{\"execute\":\"LIST_HOSTFWD\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"execute\":\"list_hostfwd\"}]", "\"list_hostfwd\"", "42", "null", "true",
        " [1]\n"})
    void validJsonThatIsNotAnObject(String json) {
        assertInvalid(ApiErrors.NOT_AN_OBJECT, json);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\n", "{", "}", "[1", "{\"execute\":\"list_hostfwd\"", "{\"execute\":}",
        "{\"execute\":\"list_hostfwd\",}", "{'execute':'list_hostfwd'}", "{execute:\"list_hostfwd\"}",
        "{\"execute\":\"list_hostfwd\"} x", "{\"execute\":\"list_hostfwd\"}{}", "{\"execute\":\"list_hostfwd\"}\n{}",
        "{\"execute\":\"list_hostfwd\"}]", "{\"execute\":\"list_hostfwd\"} 1", "[1] x",
        "{\"execute\":\"list_hostfwd\"}\u0000", "/* c */{\"execute\":\"list_hostfwd\"}",
        "{\"execute\":\"list_hostfwd\",\"execute\":\"add_hostfwd\"}",
        "{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":1,\"id\":2}}",
        "{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":01}}", "{\"execute\":\"list_hostfwd\",\"n\":NaN}"})
    void notJson(String json) {
        assertInvalid(ApiErrors.CANNOT_PARSE, json);
    }

    @Test
    void invalidUtf8IsNotJson() {
        byte[] bytes = {'{', '"', 'e', '"', ':', '"', (byte) 0xC3, '"', '}'};
        assertEquals(new ApiRequest.Invalid(ApiErrors.CANNOT_PARSE), ApiRequests.parse(bytes, bytes.length, NETWORK));
    }

    @Test
    void onlyTheGivenLengthIsRead() {
        byte[] bytes = "{\"execute\":\"list_hostfwd\"}GARBAGE".getBytes(StandardCharsets.UTF_8);
        assertEquals(new ApiRequest.ListForwards(), ApiRequests.parse(bytes, bytes.length - 7, NETWORK));
    }

    @Test
    void addedAnswers() {
        Forward forward = new Forward(7, ForwardProtocol.TCP, Ipv4Address.toInetAddress(0), 40001, GUEST, 80);
        assertEquals("{\"return\":{\"id\":7}}", text(ApiResponses.added(forward, false)));
        assertEquals("{\"return\":{\"id\":7,\"host_port\":40001}}", text(ApiResponses.added(forward, true)));
    }

    @Test
    void listAnswerHasBothShapes() throws Exception {
        List<Forward> forwards = List.of(
            new Forward(1, ForwardProtocol.TCP, Ipv4Address.toInetAddress(0), 8080, GUEST, 80),
            new Forward(3, ForwardProtocol.UDP, InetAddress.getByName("0:0:0:0:0:0:0:1"), 5353,
                Ipv4Address.of(10, 0, 2, 15), 53),
            new Forward(4, ForwardProtocol.TCP, InetAddress.getByName("127.0.0.1"), 2222,
                IpAddress.of(InetAddress.getByName("fd00:0:0:0:5054:ff:fe12:3456")), 22));
        String entries = "[{\"id\":1,\"proto\":\"tcp\",\"host_addr\":\"0.0.0.0\",\"host_port\":8080,"
            + "\"guest_addr\":\"10.0.2.100\",\"guest_port\":80},"
            + "{\"id\":3,\"proto\":\"udp\",\"host_addr\":\"::1\",\"host_port\":5353,"
            + "\"guest_addr\":\"10.0.2.15\",\"guest_port\":53},"
            + "{\"id\":4,\"proto\":\"tcp\",\"host_addr\":\"127.0.0.1\",\"host_port\":2222,"
            + "\"guest_addr\":\"fd00::5054:ff:fe12:3456\",\"guest_port\":22}]";
        assertEquals("{\"return\":{\"entries\":" + entries + "},\"entries\":" + entries + "}",
            text(ApiResponses.list(forwards)));
        assertEquals("{\"return\":{\"entries\":[]},\"entries\":[]}", text(ApiResponses.list(List.of())));
    }

    /**
     * Found by ApiRequestFuzzTest: Jackson guessed UTF-16 from the NULs in 00 34 00 0A (the number 4: "json_object()
     * failed") while 00 34 00 could not be parsed, and it took a whole request in UTF-16 or UTF-32. The text is
     * UTF-8, where a NUL byte is never JSON: slirp4netns, reading a C string, sees "{" of the UTF-16 request.
     */
    @Test
    void requestsInUtf16OrUtf32AreNotJson() {
        for (java.nio.charset.Charset charset : List.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE,
            java.nio.charset.Charset.forName("UTF-32BE"), java.nio.charset.Charset.forName("UTF-32LE"))) {
            byte[] request = "{\"execute\":\"list_hostfwd\"}\n".getBytes(charset);
            assertEquals(new ApiRequest.Invalid(ApiErrors.CANNOT_PARSE), ApiRequests.parse(request, request.length,
                NETWORK), charset.name());
        }
        for (byte[] found : new byte[][] {{0, '4', 0}, {0, '4', 0, '\n'}, {'4', 0}}) {
            assertEquals(new ApiRequest.Invalid(ApiErrors.CANNOT_PARSE), ApiRequests.parse(found, found.length, NETWORK));
        }
    }

    @Test
    void removedAndErrorAnswers() {
        assertEquals("{\"return\":{}}", text(ApiResponses.removed()));
        assertEquals("{\"error\":{\"desc\":\"bad request: too large message\"}}",
            text(ApiResponses.error(ApiErrors.TOO_LARGE)));
        assertEquals("{\"error\":{\"desc\":\"bad request: add_hostfwd: slirp_add_hostfwd failed\"}}",
            text(ApiResponses.error(ApiErrors.ADD_FAILED)));
    }

    @Test
    void errorTextsAreSlirp4netnss() {
        assertEquals(List.of("cannot parse JSON", "json_object() failed", "no execute found", "unknown execute",
                "too large message", "add_hostfwd: bad arguments.proto", "add_hostfwd: bad arguments.host_addr",
                "add_hostfwd: bad arguments.host_port", "add_hostfwd: bad arguments.guest_addr",
                "add_hostfwd: bad arguments.guest_port", "add_hostfwd: slirp_add_hostfwd failed",
                "remove_hostfwd: bad arguments.id"),
            List.of(ApiErrors.CANNOT_PARSE, ApiErrors.NOT_AN_OBJECT, ApiErrors.NO_EXECUTE, ApiErrors.UNKNOWN_EXECUTE,
                ApiErrors.TOO_LARGE, ApiErrors.BAD_PROTO, ApiErrors.BAD_HOST_ADDR, ApiErrors.BAD_HOST_PORT,
                ApiErrors.BAD_GUEST_ADDR, ApiErrors.BAD_GUEST_PORT, ApiErrors.ADD_FAILED, ApiErrors.BAD_ID));
    }
}
