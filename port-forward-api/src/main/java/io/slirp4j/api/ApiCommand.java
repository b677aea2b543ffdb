package io.slirp4j.api;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.util.NetUtil;
import io.slirp4j.stack.forward.ForwardProtocol;
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
 * {@code slirp4j api --socket PATH COMMAND}: the API for humans. Builds the requests slirp4netns's clients would
 * send, sends them with {@link ApiClient}, and prints the answers as text (or raw with {@code --json}). Works
 * against slirp4netns too.
 *
 * <p>{@code add} of a port range sends one request per port, in order, and stops at the first that fails, leaving
 * the forwards added before it in place: the API has no request that adds several at once, and their ids are
 * printed for {@code remove}.
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
        "  add [--udp | --proto tcp|udp] " + ForwardSpec.SYNTAX + " [--guest-addr ADDR]",
        "                 forward HOST_ADDR:HOST_PORT (default address 0.0.0.0; IPv6 in brackets, as in",
        "                 [::1]:8080:80; port 0 picks a free port) to the guest's GUEST_PORT (at ADDR, by",
        "                 default the guest's recommended address; with --enable-ipv6 ADDR may be the",
        "                 guest's IPv6 address in the prefix); UDP with /udp, --udp or --proto udp.",
        "                 Port ranges like 8000-8009:80-89 add one forward per port, in order; on the first",
        "                 refusal add stops, and the forwards added before it stay",
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
        for (int i = 0; i < invocation.requests.size(); i++) {
            ApiAnswer answer = exchange(invocation, invocation.requests.get(i), out, err);
            if (answer == null) {
                return 1;
            }
            if (!invocation.rawJson) {
                printText(invocation, i, answer, out);
            }
        }
        return 0;
    }

    /**
     * Sends one request on a connection of its own, as slirp4netns serves one request per connection. Prints the
     * raw answer with --json, and any failure; returns null after a failure, else the answer.
     */
    private static ApiAnswer exchange(Invocation invocation, String request, PrintStream out, PrintStream err) {
        String raw;
        try {
            raw = ApiClient.request(invocation.socket, request, TIMEOUT);
        } catch (ConnectException e) {
            err.println("slirp4j: cannot connect to API socket " + invocation.socket + ": " + e.getMessage());
            return null;
        } catch (IOException e) {
            err.println("slirp4j: API socket " + invocation.socket + ": " + e.getMessage());
            return null;
        }
        ApiAnswer answer;
        try {
            answer = ApiAnswer.parse(raw);
        } catch (IOException e) {
            err.println("slirp4j: unexpected answer from API socket " + invocation.socket + ": " + e.getMessage());
            return null;
        }
        if (invocation.rawJson) {
            out.println(raw);
        }
        if (answer.error() != null) {
            err.println("slirp4j: " + answer.error());
            return null;
        }
        return answer;
    }

    /** The text for the answer to request {@code index} of the invocation. */
    private static void printText(Invocation invocation, int index, ApiAnswer answer, PrintStream out) {
        switch (invocation.command) {
            case "add" -> {
                int requested = invocation.forwards.get(index).hostPort();
                long port = requested == 0 ? answer.hostPort() : requested;
                out.println("added forward " + answer.id() + ", host port " + port);
            }
            case "list" -> ForwardListing.print(answer.entries(), out);
            default -> out.println("removed forward " + invocation.removeId);
        }
    }

    /** A command line, understood: the requests to send, in order, and what is needed to show the answers. */
    private static final class Invocation {
        Path socket;
        boolean rawJson;
        String command;
        final List<String> requests = new ArrayList<>();
        /** For add: the forward each request asks for. */
        final List<ForwardSpec> forwards = new ArrayList<>();
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
                case "add" -> add(invocation, arguments(positional, 1, "add")[0], proto, udp, guestAddr);
                case "list" -> {
                    arguments(positional, 0, "list");
                    invocation.requests.add(request("list_hostfwd", null));
                }
                case "remove" -> {
                    invocation.removeId = (int) number(arguments(positional, 1, "remove")[0], 1, Integer.MAX_VALUE,
                        "forward id");
                    invocation.requests.add(request("remove_hostfwd", json -> json.writeNumberField("id",
                        invocation.removeId)));
                }
                default -> throw new UsageException("unknown command " + invocation.command);
            }
            if (invocation.socket == null) {
                throw new UsageException("--socket PATH is required");
            }
            return invocation;
        }

        /** One add_hostfwd per forward of the spec; {@code proto} and {@code udp} as given, if at all. */
        private static void add(Invocation invocation, String spec, String proto, boolean udp, String guestAddr)
            throws UsageException {
            ForwardProtocol given = protocol(proto, udp);
            List<ForwardSpec> forwards;
            try {
                forwards = ForwardSpec.parse(spec, given == null ? ForwardProtocol.TCP : given);
            } catch (ForwardSpec.Invalid e) {
                throw new UsageException("add " + e.getMessage());
            }
            // only a /tcp or /udp suffix can make the spec's protocol differ from the one the options gave
            ForwardProtocol suffixed = forwards.get(0).protocol();
            if (given != null && suffixed != given) {
                throw new UsageException("the /" + suffixed.wireName() + " of " + spec + " contradicts "
                    + (proto != null ? "--proto " + proto : "--udp"));
            }
            for (ForwardSpec forward : forwards) {
                invocation.forwards.add(forward);
                invocation.requests.add(request("add_hostfwd", json -> {
                    json.writeStringField("proto", forward.protocol().wireName());
                    // the bare literal: the server reads IPv6 without brackets, and 0.0.0.0 as it reads no address
                    json.writeStringField("host_addr", NetUtil.toAddressString(forward.hostAddress()));
                    json.writeNumberField("host_port", forward.hostPort());
                    json.writeStringField("guest_addr", guestAddr == null ? "" : guestAddr);
                    json.writeNumberField("guest_port", forward.guestPort());
                }));
            }
        }

        /** The protocol --udp or --proto asks for; null when neither is given. */
        private static ForwardProtocol protocol(String proto, boolean udp) throws UsageException {
            if (proto == null) {
                return udp ? ForwardProtocol.UDP : null;
            }
            if (!proto.equals("tcp") && !proto.equals("udp")) {
                throw new UsageException("--proto is tcp or udp, not " + proto);
            }
            if (udp && proto.equals("tcp")) {
                throw new UsageException("--udp contradicts --proto tcp");
            }
            return proto.equals("udp") ? ForwardProtocol.UDP : ForwardProtocol.TCP;
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
