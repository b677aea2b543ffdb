package io.slirp4j.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Reads argv the way glibc's getopt_long does, and rewrites it into a form picocli cannot misread.
 *
 * <p>Why not let picocli do it: its abbreviation matcher also accepts non-prefixes ({@code --d-h-l} for
 * {@code --disable-host-loopback}), it refuses option values that look like options ({@code --api-socket -c}),
 * it expands {@code @file} arguments, and it fails on a lone {@code -}. Engines and scripts were written against
 * getopt_long, so its rules are the interface:
 * <ul>
 *   <li>options and operands may be mixed; a bare {@code --} makes every later argument an operand;</li>
 *   <li>{@code --name=value} or {@code --name value}; the value is taken whatever it looks like;</li>
 *   <li>a long name may be shortened to any unambiguous prefix; an exact name always wins;</li>
 *   <li>short options cluster ({@code -c6}), and a value may be attached ({@code -cr3}, {@code -m9000});</li>
 *   <li>{@code -} alone is an operand; {@code -h} or {@code -v} ends the scan at once, so an error after it
 *       does not hide the help.</li>
 * </ul>
 * Error texts follow glibc's, so they read the same as slirp4netns's.
 */
final class GnuArgs {

    /**
     * @param options  each option as {@code --long-name} or {@code --long-name=value}, in command-line order
     * @param operands the positional arguments, in order
     * @param stop     {@code --help} or {@code --version} if one was met (the scan ended there), else null
     */
    record Scanned(List<String> options, List<String> operands, String stop) {}

    private final CommandSpec spec;
    private final String[] args;
    private final List<String> options = new ArrayList<>();
    private final List<String> operands = new ArrayList<>();
    /** Index of the next argument to read. */
    private int next;

    private GnuArgs(CommandSpec spec, String[] args) {
        this.spec = spec;
        this.args = args;
    }

    static Scanned scan(CommandSpec spec, String[] args) throws UsageException {
        return new GnuArgs(spec, args).scan();
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
        OptionSpec option = resolve(eq < 0 ? arg : arg.substring(0, eq), arg);
        String name = option.longestName();
        if (Options.takesArgument(option)) {
            if (eq >= 0) {
                add(name, arg.substring(eq + 1));
            } else if (next < args.length) {
                add(name, args[next++]);
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
            OptionSpec option = c < Character.MIN_SUPPLEMENTARY_CODE_POINT ? spec.posixOptionsMap().get((char) c) : null;
            if (option == null) {
                throw UsageException.syntax("invalid option -- '" + new String(Character.toChars(c)) + "'");
            }
            String name = option.longestName();
            if (Options.takesArgument(option)) {
                if (i < arg.length()) {
                    add(name, arg.substring(i));
                } else if (next < args.length) {
                    add(name, args[next++]);
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
    private OptionSpec resolve(String name, String arg) throws UsageException {
        OptionSpec exact = spec.optionsMap().get(name);
        if (exact != null) {
            return exact;
        }
        List<OptionSpec> candidates = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            for (String candidate : option.names()) {
                if (candidate.startsWith("--") && candidate.startsWith(name) && !candidates.contains(option)) {
                    candidates.add(option);
                }
            }
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        if (candidates.isEmpty()) {
            throw UsageException.syntax("unrecognized option '" + arg + "'");
        }
        StringBuilder message = new StringBuilder("option '").append(name).append("' is ambiguous; possibilities:");
        for (OptionSpec option : candidates) {
            message.append(" '").append(option.longestName()).append('\'');
        }
        throw UsageException.syntax(message.toString());
    }

    private void add(String name, String value) {
        options.add(name + "=" + value);
    }

    private String addFlag(String name) {
        if (name.equals(Options.HELP) || name.equals(Options.VERSION)) {
            return name;
        }
        options.add(name);
        return null;
    }
}
