package io.slirp4j.e2e;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Just enough DNS for the tests: build a query, answer one with an A record (or with TXT records of a chosen
 * total size), and a responder that runs in the private host namespace. Answers are a pure function of the
 * query, so a client can compute the exact bytes it must receive.
 */
public final class Dns {
    public static final int TYPE_A = 1;
    public static final int TYPE_TXT = 16;

    private Dns() {}

    /** A standard query with RD set and no EDNS. */
    public static byte[] query(int id, String name, int qtype) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        u16(out, id);
        u16(out, 0x0100); // RD
        u16(out, 1);
        u16(out, 0);
        u16(out, 0);
        u16(out, 0);
        writeName(out, name);
        u16(out, qtype);
        u16(out, 1); // IN
        return out.toByteArray();
    }

    public static int id(byte[] msg) {
        return (msg[0] & 0xff) << 8 | (msg[1] & 0xff);
    }

    public static int rcode(byte[] msg) {
        return msg[3] & 0x0f;
    }

    public static int answerCount(byte[] msg) {
        return (msg[6] & 0xff) << 8 | (msg[7] & 0xff);
    }

    /** The question name (lower case, no trailing dot), or null when it does not parse. */
    public static String questionName(byte[] msg) {
        if (msg.length < 12) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        int i = 12;
        while (i < msg.length) {
            int len = msg[i] & 0xff;
            if (len == 0) {
                return sb.toString().toLowerCase();
            }
            if (len > 63 || i + 1 + len > msg.length) {
                return null;
            }
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(new String(msg, i + 1, len, StandardCharsets.US_ASCII));
            i += 1 + len;
        }
        return null;
    }

    /** Offset just past the question section (name + type + class), or -1. */
    static int questionEnd(byte[] msg) {
        int i = 12;
        while (i < msg.length) {
            int len = msg[i] & 0xff;
            if (len == 0) {
                return i + 5 <= msg.length ? i + 5 : -1;
            }
            if (len > 63) {
                return -1;
            }
            i += 1 + len;
        }
        return -1;
    }

    /** A response to {@code query} with one A record {@code ipv4} (TTL 60); ignores EDNS records of the query. */
    public static byte[] answerA(byte[] query, byte[] ipv4) {
        int qend = questionEnd(query);
        if (qend < 0) {
            return null;
        }
        ByteArrayOutputStream out = header(query, 1);
        out.write(query, 12, qend - 12);
        u16(out, 0xc00c);
        u16(out, TYPE_A);
        u16(out, 1);
        u32(out, 60);
        u16(out, 4);
        out.write(ipv4, 0, 4);
        return out.toByteArray();
    }

    /** A response with TXT records, about {@code size} bytes in all (for answers bigger than the MTU). */
    public static byte[] answerTxt(byte[] query, int size) {
        int qend = questionEnd(query);
        if (qend < 0) {
            return null;
        }
        int records = Math.max(1, (size - qend) / (12 + 201));
        ByteArrayOutputStream out = header(query, records);
        out.write(query, 12, qend - 12);
        for (int r = 0; r < records; r++) {
            u16(out, 0xc00c);
            u16(out, TYPE_TXT);
            u16(out, 1);
            u32(out, 60);
            u16(out, 201);
            out.write(200);
            for (int k = 0; k < 200; k++) {
                out.write('a' + (r + k) % 26);
            }
        }
        return out.toByteArray();
    }

    private static ByteArrayOutputStream header(byte[] query, int answers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(query[0]);
        out.write(query[1]);
        out.write(0x80 | (query[2] & 0x79)); // QR, opcode and RD copied, AA=0, TC=0
        out.write(0x80); // RA, rcode 0
        u16(out, 1);
        u16(out, answers);
        u16(out, 0);
        u16(out, 0);
        return out;
    }

    private static void writeName(ByteArrayOutputStream out, String name) {
        for (String label : name.split("\\.")) {
            if (label.isEmpty()) {
                continue;
            }
            byte[] b = label.getBytes(StandardCharsets.US_ASCII);
            out.write(b.length);
            out.write(b, 0, b.length);
        }
        out.write(0);
    }

    private static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private static void u32(ByteArrayOutputStream out, int v) {
        u16(out, v >>> 16);
        u16(out, v);
    }

    /** The responder's answers: names starting with "big" get ~3000 bytes of TXT, everything else an A record. */
    public static byte[] standardAnswer(byte[] query, byte[] ipv4) {
        String name = questionName(query);
        if (name == null) {
            return null;
        }
        return name.startsWith("big") ? answerTxt(query, 3000) : answerA(query, ipv4);
    }

    /** A DNS server on {@code bind} in {@code netns}: answers per {@link #standardAnswer}, or stays silent. */
    public static Udp.Server responder(Path netns, InetSocketAddress bind, byte[] ipv4, boolean silent) {
        UnaryOperator<byte[]> reply = silent ? q -> null : q -> standardAnswer(q, ipv4);
        return Udp.Server.start(netns, bind, reply);
    }
}
