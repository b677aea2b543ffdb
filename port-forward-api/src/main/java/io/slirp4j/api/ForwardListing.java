package io.slirp4j.api;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The human form of a list answer: one line per forward under a header, columns left-aligned and two spaces apart,
 * addresses written the way they are typed ({@code [::1]:8080} for IPv6).
 */
final class ForwardListing {
    private static final String[] HEADER = {"ID", "PROTO", "HOST", "GUEST"};

    private ForwardListing() {
    }

    static void print(List<ApiAnswer.Entry> entries, PrintStream out) {
        List<String[]> rows = new ArrayList<>(entries.size() + 1);
        rows.add(HEADER);
        for (ApiAnswer.Entry entry : entries) {
            rows.add(new String[] {Long.toString(entry.id()), entry.proto(),
                endpoint(entry.hostAddr(), entry.hostPort()), endpoint(entry.guestAddr(), entry.guestPort())});
        }
        int[] widths = new int[HEADER.length];
        for (String[] row : rows) {
            for (int column = 0; column < row.length; column++) {
                widths[column] = Math.max(widths[column], row[column].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int column = 0; column < row.length; column++) {
                line.append(row[column]);
                if (column < row.length - 1) {
                    line.append(" ".repeat(widths[column] - row[column].length() + 2));
                }
            }
            out.println(line);
        }
    }

    private static String endpoint(String address, long port) {
        return address.indexOf(':') >= 0 ? "[" + address + "]:" + port : address + ":" + port;
    }
}
