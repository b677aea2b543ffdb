package io.slirp4j.cli;

import io.slirp4j.cli.Options.Option;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads argv the way glibc's getopt_long does, against the table of {@link Options}.
 *
 * <p>Engines and scripts were written against slirp4netns's getopt_long, so its rules are the interface, and
 * option libraries differ from them in ways a script notices (picocli, for one, also accepts non-prefixes such
 * as {@code --d-h-l} for {@code --disable-host-loopback}, refuses values that look like options, expands
 * {@code @file} arguments and fails on a lone {@code -}):
 * <ul>
 *   <li>options and operands may be mixed; a bare {@code --} makes every later argument an operand;</li>
 *   <li>{@code --name=value} or {@code --name value}; the value is taken whatever it looks like;</li>
 *   <li>a long name may be shortened to any unambiguous prefix; an exact name always wins;</li>
 *   <li>short options cluster ({@code -c6}), and a value may be attached ({@code -cr3}, {@code -m9000});</li>
 *   <li>a repeated option is allowed; every value is kept, in order, for {@link SettingsReader} to take the
 *       last (slirp4netns's rule) or all of them (an option meant to be repeated, such as {@code -p});</li>
 *   <li>{@code -} alone is an operand; {@code -h} or {@code -v} ends the scan at once, so an error after it
 *       does not hide the help.</li>
 * </ul>
 * Error texts follow glibc's, so they read the same as slirp4netns's.
 */
final class GnuArgs {

    /**
     * @param options  each option given, by long name ({@code --mtu}), to all its values in the order given
     *                 (none for an option that takes no argument)
     * @param operands the positional arguments, in order
     * @param stop     {@code --help} or {@code --version} if one was met (the scan ended there), else null
     */
    record Scanned(Map<String, List<String>> options, List<String> operands, String stop) {}

    private final String[] args;
    private final Map<String, List<String>> options = new HashMap<>();
    private final List<String> operands = new ArrayList<>();
    /** Index of the next argument to read. */
    private int next;

    private GnuArgs(String[] args) {
        this.args = args;
    }

    static Scanned scan(String... args) throws UsageException {
        return new GnuArgs(args).scan();
    }

    private Scanned scan() throws UsageException {
        while (next < args.length) {
            String arg = args[next++];
            String stop;
            if (arg.equals("--")) {
                operands.addAll(Arrays.asList(args).subList(next, args.length));
                break;
            } else if (arg.startsWith("--")) {
                stop = longOption(arg);
            } else if (arg.length() > 1 && arg.charAt(0) == '-') {
                stop = shortOptions(arg);
            } else {
                operands.add(arg);
                continue;
            }
            if (stop != null) {
                return new Scanned(options, operands, stop);
            }
        }
        return new Scanned(options, operands, null);
    }

    /** Handles {@code --name[=value]}; returns the option's name if it ends the scan. */
    private String longOption(String arg) throws UsageException {
        int eq = arg.indexOf('=');
        Option option = resolve(eq < 0 ? arg : arg.substring(0, eq), arg);
        String name = option.name();
        if (option.takesArgument()) {
            if (eq >= 0) {
                addValue(name, arg.substring(eq + 1));
            } else if (next < args.length) {
                addValue(name, args[next++]);
            } else {
                throw UsageException.syntax("option '" + name + "' requires an argument");
            }
            return null;
        }
        if (eq >= 0) {
            throw UsageException.syntax("option '" + name + "' doesn't allow an argument");
        }
        return addFlag(name);
    }

    /** Handles a cluster such as {@code -c6} or {@code -cr3}; returns an option's name if it ends the scan. */
    private String shortOptions(String arg) throws UsageException {
        for (int i = 1; i < arg.length(); ) {
            int c = arg.codePointAt(i);
            i += Character.charCount(c);
            Option option = Options.withShortName(c);
            if (option == null) {
                throw UsageException.syntax("invalid option -- '" + new String(Character.toChars(c)) + "'");
            }
            String name = option.name();
            if (option.takesArgument()) {
                if (i < arg.length()) {
                    addValue(name, arg.substring(i));
                } else if (next < args.length) {
                    addValue(name, args[next++]);
                } else {
                    throw UsageException.syntax("option requires an argument -- '" + (char) c + "'");
                }
                return null;
            }
            String stop = addFlag(name);
            if (stop != null) {
                return stop;
            }
        }
        return null;
    }

    /** An exact long name, else the one option that some long name starts with. */
    private static Option resolve(String name, String arg) throws UsageException {
        Option exact = Options.named(name);
        if (exact != null) {
            return exact;
        }
        List<Option> candidates = new ArrayList<>();
        for (Option option : Options.ALL) {
            if (option.name().startsWith(name)) {
                candidates.add(option);
            }
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        if (candidates.isEmpty()) {
            throw UsageException.syntax("unrecognized option '" + arg + "'");
        }
        StringBuilder message = new StringBuilder("option '").append(name).append("' is ambiguous; possibilities:");
        for (Option option : candidates) {
            message.append(" '").append(option.name()).append('\'');
        }
        throw UsageException.syntax(message.toString());
    }

    private String addFlag(String name) {
        if (name.equals(Options.HELP) || name.equals(Options.VERSION)) {
            return name;
        }
        options.computeIfAbsent(name, given -> new ArrayList<>());
        return null;
    }

    private void addValue(String name, String value) {
        options.computeIfAbsent(name, given -> new ArrayList<>()).add(value);
    }
}
