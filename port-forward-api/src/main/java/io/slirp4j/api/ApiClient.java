package io.slirp4j.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import jnr.unixsocket.UnixSocketOptions;

/**
 * A blocking client of the API socket, the way podman and rootlesskit talk to it: connect, write the request,
 * half-close, read the answer until the server closes.
 *
 * <p>jnr-unixsocket rather than Netty: a short-lived command needs no event loop. Its blocking calls are bounded by
 * SO_SNDTIMEO/SO_RCVTIMEO, reset before each call to the time left, so the whole exchange fits in the timeout
 * (on a timeout the socket calls report "nothing done", which is how it is recognised).
 */
public final class ApiClient {
    /** Far more than any answer: a list of every forward the stack could hold fits many times over. */
    static final int MAX_ANSWER_BYTES = 16 << 20;

    private ApiClient() {
    }

    /**
     * Sends {@code json} to the API socket at {@code socket} and returns the answer.
     *
     * @throws ConnectException       if nothing accepts connections there
     * @throws SocketTimeoutException if the exchange did not finish within {@code timeout}
     * @throws IOException            if the exchange failed otherwise
     */
    public static String request(Path socket, String json, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (UnixSocketChannel channel = UnixSocketChannel.open()) {
            try {
                // a unix connect waits while the listener's backlog is full, bounded by SO_SNDTIMEO
                setTimeouts(channel, deadline);
                if (!channel.connect(new UnixSocketAddress(socket.toString()))) {
                    throw new SocketTimeoutException("connect timed out");
                }
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                ConnectException failed = new ConnectException(e.getMessage());
                failed.initCause(e);
                throw failed;
            }
            ByteBuffer request = ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
            while (request.hasRemaining()) {
                setTimeouts(channel, deadline);
                if (channel.write(request) == 0) {
                    throw new SocketTimeoutException("sending the request timed out");
                }
            }
            channel.shutdownOutput();
            return readToEnd(channel, deadline);
        }
    }

    private static String readToEnd(UnixSocketChannel channel, long deadline) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream(256);
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        while (true) {
            setTimeouts(channel, deadline);
            int n = channel.read(buffer);
            if (n < 0) {
                return answer.toString(StandardCharsets.UTF_8);
            }
            if (n == 0) {
                throw new SocketTimeoutException("no answer in time");
            }
            answer.write(buffer.array(), 0, n);
            buffer.clear();
            if (answer.size() > MAX_ANSWER_BYTES) {
                throw new IOException("answer larger than " + MAX_ANSWER_BYTES + " bytes");
            }
        }
    }

    private static void setTimeouts(UnixSocketChannel channel, long deadline) throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("timed out");
        }
        // 0 would mean "no timeout"
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, left));
        channel.setOption(UnixSocketOptions.SO_SNDTIMEO, millis);
        channel.setOption(UnixSocketOptions.SO_RCVTIMEO, millis);
    }
}
