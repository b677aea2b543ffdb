package io.slirp4j.api;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code slirp4j api --socket PATH COMMAND}: the API for humans. Builds the request slirp4netns's clients would
 * send, sends it with {@link ApiClient}, and prints the answer as text (or raw with {@code --json}). Works against
 * slirp4netns too.
 *
 * <p>Exit status: 0 done, 1 refused by the server or no server, 2 bad command line (one line on stderr).
 */
public final class ApiCommand {
    /** A little more than the server gives a connection, so that its own timeout is what the user sees. */
    static final Duration TIMEOUT = ApiServer.DEFAULT_REQUEST_TIMEOUT.plusSeconds(5);

    static final String USAGE = String.join("\n",
        "Usage: slirp4j api --socket PATH [--json] COMMAND",
        "Manages the port forwards of a running slirp4j (or slirp4netns) through its --api-socket.",
        "",
        "Commands:",
        "  add [--udp | --proto tcp|udp] [HOST_ADDR:]HOST_PORT:GUEST_PORT [--guest-addr ADDR]",
        "                 forward HOST_ADDR:HOST_PORT (default address 0.0.0.0; IPv6 in brackets, as in",
        "                 [::1]:8080:80; port 0 picks a free port) to the guest's GUEST_PORT (at ADDR, by",
        "                 default the guest's recommended address)",
        "  list           show the forwards",
        "  remove ID      remove a forward (connections already forwarded carry on)",
        "",
        "Options:",
        "  --socket PATH  the API socket",
        "  --json         print the server's JSON answer instead of text",
        "  -h, --help     show this help");

    private ApiCommand() {
    }

    /** Runs {@code slirp4j api} with the arguments after {@code api}; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Invocation invocation;
        try {
            invocation = Invocation.parse(args);
        } catch (UsageException e) {
            err.println("slirp4j api: " + e.getMessage() + " (see slirp4j api --help)");
            return 2;
        }
        if (invocation == null) {
            out.println(USAGE);
            return 0;
        }
        String raw;
        try {
            raw = ApiClient.request(invocation.socket, invocation.request, TIMEOUT);
        } catch (ConnectException e) {
            err.println("slirp4j: cannot connect to API socket " + invocation.socket + ": " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("slirp4j: API socket " + invocation.socket + ": " + e.getMessage());
            return 1;
        }
        ApiAnswer answer;
        try {
            answer = ApiAnswer.parse(raw);
        } catch (IOException e) {
            err.println("slirp4j: unexpected answer from API socket " + invocation.socket + ": " + e.getMessage());
            return 1;
        }
        if (invocation.rawJson) {
            out.println(raw);
        }
        if (answer.error() != null) {
            err.println("slirp4j: " + answer.error());
            return 1;
        }
        if (!invocation.rawJson) {
            printText(invocation, answer, out);
        }
        return 0;
    }

    private static void printText(Invocation invocation, ApiAnswer answer, PrintStream out) {
        switch (invocation.command) {
            case "add" -> {
                long port = invocation.hostPort == 0 ? answer.hostPort() : invocation.hostPort;
                out.println("added forward " + answer.id() + ", host port " + port);
            }
            case "list" -> ForwardListing.print(answer.entries(), out);
            default -> out.println("removed forward " + invocation.removeId);
        }
    }

    /** A command line, understood: the request to send and what is needed to show the answer. */
    private static final class Invocation {
        Path socket;
        boolean rawJson;
        String command;
        String request;
        int hostPort;
        int removeId;

        /** Null when help was asked for. */
        static Invocation parse(String[] args) throws UsageException {
            Invocation invocation = new Invocation();
            List<String> positional = new ArrayList<>();
            String proto = null;
            boolean udp = false;
            String guestAddr = null;
            boolean help = false;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                int equals = arg.startsWith("--") ? arg.indexOf('=') : -1;
                String name = equals < 0 ? arg : arg.substring(0, equals);
                String inline = equals < 0 ? null : arg.substring(equals + 1);
                boolean takesValue = name.equals("--socket") || name.equals("--proto") || name.equals("--guest-addr");
                if (inline != null && !takesValue) {
                    throw new UsageException(name + " takes no value");
                }
                String value = null;
                if (takesValue) {
                    if (inline == null && i + 1 >= args.length) {
                        throw new UsageException(name + " needs a value");
                    }
                    value = inline != null ? inline : args[++i];
                }
                switch (name) {
                    case "-h", "--help" -> help = true;
                    case "--json" -> invocation.rawJson = true;
                    case "--udp" -> udp = true;
                    case "--socket" -> invocation.socket = Path.of(value);
                    case "--proto" -> proto = value;
                    case "--guest-addr" -> guestAddr = value;
                    default -> {
                        if (arg.startsWith("-") && arg.length() > 1) {
                            throw new UsageException("unknown option " + arg);
                        }
                        positional.add(arg);
                    }
                }
            }
            if (help) {
                return null;
            }
            if (positional.isEmpty()) {
                throw new UsageException("no command given (add, list or remove)");
            }
            invocation.command = positional.get(0);
            if (!invocation.command.equals("add") && (proto != null || udp || guestAddr != null)) {
                throw new UsageException("--udp, --proto and --guest-addr are options of add");
            }
            switch (invocation.command) {
                case "add" -> invocation.request = addRequest(invocation, arguments(positional, 1, "add"),
                    protocol(proto, udp), guestAddr);
                case "list" -> {
                    arguments(positional, 0, "list");
                    invocation.request = request("list_hostfwd", null);
                }
                case "remove" -> {
                    invocation.removeId = (int) number(arguments(positional, 1, "remove")[0], 1, Integer.MAX_VALUE,
                        "forward id");
                    invocation.request = request("remove_hostfwd", json -> json.writeNumberField("id",
                        invocation.removeId));
                }
                default -> throw new UsageException("unknown command " + invocation.command);
            }
            if (invocation.socket == null) {
                throw new UsageException("--socket PATH is required");
            }
            return invocation;
        }

        private static String addRequest(Invocation invocation, String[] spec, String proto, String guestAddr)
            throws UsageException {
            String[] endpoints = hostAndPorts(spec[0]);
            invocation.hostPort = (int) number(endpoints[1], 0, 65535, "host port");
            int guestPort = (int) number(endpoints[2], 1, 65535, "guest port");
            return request("add_hostfwd", json -> {
                json.writeStringField("proto", proto);
                json.writeStringField("host_addr", endpoints[0]);
                json.writeNumberField("host_port", invocation.hostPort);
                json.writeStringField("guest_addr", guestAddr == null ? "" : guestAddr);
                json.writeNumberField("guest_port", guestPort);
            });
        }

        /** {@code [HOST_ADDR:]HOST_PORT:GUEST_PORT} split into address ("" if absent) and the two ports. */
        static String[] hostAndPorts(String spec) throws UsageException {
            String address = "";
            String ports = spec;
            if (spec.startsWith("[")) {
                int close = spec.indexOf(']');
                if (close < 0 || close + 1 >= spec.length() || spec.charAt(close + 1) != ':') {
                    throw new UsageException("expected [IPV6]:HOST_PORT:GUEST_PORT, got " + spec);
                }
                address = spec.substring(1, close);
                ports = spec.substring(close + 2);
            } else {
                int colons = (int) spec.chars().filter(c -> c == ':').count();
                if (colons == 2) {
                    address = spec.substring(0, spec.indexOf(':'));
                    ports = spec.substring(spec.indexOf(':') + 1);
                } else if (colons != 1) {
                    throw new UsageException("expected [HOST_ADDR:]HOST_PORT:GUEST_PORT (IPv6 addresses in brackets), "
                        + "got " + spec);
                }
            }
            int colon = ports.indexOf(':');
            if (colon < 0 || ports.indexOf(':', colon + 1) >= 0) {
                throw new UsageException("expected HOST_PORT:GUEST_PORT after the address, got " + spec);
            }
            return new String[] {address, ports.substring(0, colon), ports.substring(colon + 1)};
        }

        private static String protocol(String proto, boolean udp) throws UsageException {
            if (proto == null) {
                return udp ? "udp" : "tcp";
            }
            if (!proto.equals("tcp") && !proto.equals("udp")) {
                throw new UsageException("--proto is tcp or udp, not " + proto);
            }
            if (udp && proto.equals("tcp")) {
                throw new UsageException("--udp contradicts --proto tcp");
            }
            return proto;
        }

        private static String[] arguments(List<String> positional, int count, String command)
            throws UsageException {
            if (positional.size() != count + 1) {
                throw new UsageException(command + " takes " + (count == 0 ? "no arguments" : count + " argument")
                    + ", got " + (positional.size() - 1));
            }
            return positional.subList(1, positional.size()).toArray(new String[0]);
        }

        private static long number(String text, long min, long max, String what) throws UsageException {
            if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new UsageException(what + " must be a number, not \"" + text + "\"");
            }
            long value = Long.parseLong(text);
            if (value < min || value > max) {
                throw new UsageException(what + " must be " + min + ".." + max + ", not " + value);
            }
            return value;
        }
    }

    private interface ArgumentWriter {
        void write(JsonGenerator json) throws IOException;
    }

    /** {@code {"execute":EXECUTE}}, with {@code "arguments":{…}} when {@code arguments} is given. */
    private static String request(String execute, ArgumentWriter arguments) {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = Json.FACTORY.createGenerator(text)) {
            json.writeStartObject();
            json.writeStringField("execute", execute);
            if (arguments != null) {
                json.writeObjectFieldStart("arguments");
                arguments.write(json);
                json.writeEndObject();
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory", e);
        }
        return text.toString();
    }

    private static final class UsageException extends Exception {
        UsageException(String message) {
            super(message, null, false, false);
        }
    }
}
