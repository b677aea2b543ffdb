package io.slirp4j.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An answer of the API as the command-line client reads it: an error's text, or what {@code return} holds. Reads
 * both shapes of a list (entries under {@code return}, or at the top level as slirp4netns itself answers), so the
 * client works against slirp4netns too.
 *
 * @param error    the error's {@code desc}, or null if the request succeeded
 * @param id       {@code return.id} of an add, or 0
 * @param hostPort {@code return.host_port} of an add for port 0, or 0
 * @param entries  the forwards of a list, empty otherwise
 */
record ApiAnswer(String error, long id, long hostPort, List<Entry> entries) {

    /** One forward in a list, as the server wrote it. */
    record Entry(long id, String proto, String hostAddr, long hostPort, String guestAddr, long guestPort) {
    }

    /** @throws IOException if {@code json} is not an object of the API's shapes */
    static ApiAnswer parse(String json) throws IOException {
        try (JsonParser parser = Json.FACTORY.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            String error = null;
            long id = 0;
            long hostPort = 0;
            List<Entry> entries = new ArrayList<>();
            boolean answered = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("error") && value == JsonToken.START_OBJECT) {
                    error = "";
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String field = parser.currentName();
                        if (parser.nextToken() == JsonToken.VALUE_STRING && field.equals("desc")) {
                            error = parser.getText();
                        } else {
                            parser.skipChildren();
                        }
                    }
                } else if (name.equals("return") && value == JsonToken.START_OBJECT) {
                    answered = true;
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String field = parser.currentName();
                        JsonToken token = parser.nextToken();
                        if (field.equals("id") && token == JsonToken.VALUE_NUMBER_INT) {
                            id = parser.getLongValue();
                        } else if (field.equals("host_port") && token == JsonToken.VALUE_NUMBER_INT) {
                            hostPort = parser.getLongValue();
                        } else if (field.equals("entries") && token == JsonToken.START_ARRAY) {
                            entries = readEntries(parser);
                        } else {
                            parser.skipChildren();
                        }
                    }
                } else if (name.equals("entries") && value == JsonToken.START_ARRAY) {
                    answered = true;
                    List<Entry> topLevel = readEntries(parser);
                    if (entries.isEmpty()) {
                        entries = topLevel;
                    }
                } else {
                    parser.skipChildren();
                }
            }
            if (error == null && !answered) {
                throw new IOException("neither \"return\" nor \"error\" in the answer");
            }
            return new ApiAnswer(error, id, hostPort, entries);
        }
    }

    private static List<Entry> readEntries(JsonParser parser) throws IOException {
        List<Entry> entries = new ArrayList<>();
        while (parser.nextToken() == JsonToken.START_OBJECT) {
            long id = 0;
            String proto = "";
            String hostAddr = "";
            long hostPort = 0;
            String guestAddr = "";
            long guestPort = 0;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken token = parser.nextToken();
                if (token.isStructStart()) {
                    parser.skipChildren();
                    continue;
                }
                boolean number = token == JsonToken.VALUE_NUMBER_INT;
                boolean string = token == JsonToken.VALUE_STRING;
                switch (field) {
                    case "id" -> id = number ? parser.getLongValue() : id;
                    case "proto" -> proto = string ? parser.getText() : proto;
                    case "host_addr" -> hostAddr = string ? parser.getText() : hostAddr;
                    case "host_port" -> hostPort = number ? parser.getLongValue() : hostPort;
                    case "guest_addr" -> guestAddr = string ? parser.getText() : guestAddr;
                    case "guest_port" -> guestPort = number ? parser.getLongValue() : guestPort;
                    default -> {
                        // a field of a later version
                    }
                }
            }
            entries.add(new Entry(id, proto, hostAddr, hostPort, guestAddr, guestPort));
        }
        return entries;
    }
}
