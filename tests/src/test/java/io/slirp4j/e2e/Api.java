package io.slirp4j.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of the helper's API socket as the engines use it: connect, write one JSON request, half-close, read
 * the answer to EOF. Written on the JDK's own unix sockets so it shares no code with the helper's client.
 */
final class Api {
    private Api() {}

    /** One request, the way podman and rootlesskit send it (a trailing newline, then EOF). */
    static String request(Path socket, String json) throws IOException {
        return exchange(socket, (json + "\n").getBytes(StandardCharsets.UTF_8), true);
    }

    /** Writes {@code bytes}, half-closes only if {@code shutdown}, and reads the answer to EOF. */
    static String exchange(Path socket, byte[] bytes, boolean shutdown) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap(bytes);
            while (out.hasRemaining()) {
                c.write(out);
            }
            if (shutdown) {
                c.shutdownOutput();
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(8192);
            while (c.read(in) >= 0) {
                answer.write(in.array(), 0, in.position());
                in.clear();
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    static String addTcp(Path socket, String hostAddr, int hostPort, int guestPort) throws IOException {
        return add(socket, "tcp", hostAddr, hostPort, guestPort);
    }

    static String add(Path socket, String proto, String hostAddr, int hostPort, int guestPort) throws IOException {
        return request(socket, "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"" + proto
            + "\",\"host_addr\":\"" + hostAddr + "\",\"host_port\":" + hostPort + ",\"guest_addr\":\"\",\"guest_port\":"
            + guestPort + "}}");
    }

    /** add_hostfwd with a guest_addr ({@code ""} for the default). */
    static String add(Path socket, String proto, String hostAddr, int hostPort, String guestAddr, int guestPort)
        throws IOException {
        return request(socket, "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"" + proto
            + "\",\"host_addr\":\"" + hostAddr + "\",\"host_port\":" + hostPort + ",\"guest_addr\":\"" + guestAddr
            + "\",\"guest_port\":" + guestPort + "}}");
    }

    static String remove(Path socket, int id) throws IOException {
        return request(socket, "{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":" + id + "}}");
    }

    static String list(Path socket) throws IOException {
        return request(socket, "{\"execute\":\"list_hostfwd\"}");
    }

    /** The {@code "id"} of an add answer, failing with the answer if there is none. */
    static int id(String answer) {
        return intField(answer, "id");
    }

    static int intField(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no \"" + name + "\" in " + json);
        }
        return Integer.parseInt(m.group(1));
    }

    static String error(String desc) {
        return "{\"error\":{\"desc\":\"bad request: " + desc + "\"}}";
    }
}
