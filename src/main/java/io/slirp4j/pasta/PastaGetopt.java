package io.slirp4j.pasta;

import io.slirp4j.pasta.PastaOptions.HasArg;
import io.slirp4j.pasta.PastaOptions.Opt;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads argv as glibc's getopt_long does with pasta's optstring, which starts with '+': the scan stops at the
 * first argument that is not an option (or after {@code --}), and everything from there on is the command or PID,
 * untouched (so {@code pasta -f sh -c 'x'} hands {@code -c} to sh).
 *
 * <p>A sibling of {@code io.slirp4j.cli.GnuArgs} rather than a generalisation of it: that one permutes (slirp4netns
 * allows operands anywhere) and folds the options into a map by name, while pasta's meaning depends on the order
 * of different options ({@code -n} before or after {@code -a/PREFIX}, {@code -q} then {@code -d}, {@code -t none}
 * after {@code -t 80}), so this one returns the options as the ordered list of what getopt_long returned.
 *
 * <p>Errors carry glibc's text without the "PROGRAM: " prefix, which {@link PastaCli} adds.
 */
final class PastaGetopt {

    /** One option as getopt_long returned it; value is optarg, null for an option without one. */
    record Given(Opt opt, String value) {}

    /** The options in the order given, and the operands: everything after the last option (or {@code --}). */
    record Scanned(List<Given> options, List<String> operands) {}

    /** getopt_long printed a complaint and returned '?': the complaint, glibc's words. */
    static final class Complaint extends Exception {
        private static final long serialVersionUID = 1L;

        /** The options getopt_long returned before the complaint, which pasta acted on first. */
        final List<Given> before;

        Complaint(String message, List<Given> before) {
            super(message, null, false, false);
            this.before = List.copyOf(before);
        }
    }

    private final String[] args;
    private final List<Given> options = new ArrayList<>();
    private int next;

    private PastaGetopt(String[] args) {
        this.args = args;
    }

    /** Scans argv without argv[0]. */
    static Scanned scan(String... args) throws Complaint {
        return new PastaGetopt(args).scan();
    }

    private Scanned scan() throws Complaint {
        while (next < args.length) {
            String arg = args[next];
            if (arg.equals("--")) {
                next++;
                break;
            }
            if (arg.length() < 2 || arg.charAt(0) != '-') {
                break; // '+': the first non-option ends the options
            }
            next++;
            if (arg.startsWith("--")) {
                longOption(arg);
            } else {
                shortOptions(arg);
            }
        }
        return new Scanned(List.copyOf(options), List.copyOf(Arrays.asList(args).subList(next, args.length)));
    }

    private void longOption(String arg) throws Complaint {
        String text = arg.substring(2);
        int eq = text.indexOf('=');
        String name = eq < 0 ? text : text.substring(0, eq);
        Opt opt = resolve(name, text);
        if (eq >= 0) {
            if (opt.hasArg() == HasArg.NO) {
                throw complaint("option '--" + opt.name() + "' doesn't allow an argument");
            }
            options.add(new Given(opt, text.substring(eq + 1)));
        } else if (opt.hasArg() == HasArg.REQUIRED) {
            if (next >= args.length) {
                throw complaint("option '--" + opt.name() + "' requires an argument");
            }
            options.add(new Given(opt, args[next++]));
        } else {
            options.add(new Given(opt, null));
        }
    }

    private void shortOptions(String arg) throws Complaint {
        for (int i = 1; i < arg.length(); ) {
            int c = arg.codePointAt(i);
            i += Character.charCount(c);
            Opt opt = PastaOptions.shortOption(c);
            String letter = new String(Character.toChars(c));
            if (opt == null) {
                throw complaint("invalid option -- '" + letter + "'");
            }
            if (opt.hasArg() == HasArg.NO) {
                options.add(new Given(opt, null));
                continue;
            }
            if (i < arg.length()) {
                options.add(new Given(opt, arg.substring(i)));
            } else if (opt.hasArg() == HasArg.OPTIONAL) {
                options.add(new Given(opt, null));
            } else if (next < args.length) {
                options.add(new Given(opt, args[next++]));
            } else {
                throw complaint("option requires an argument -- '" + letter + "'");
            }
            return;
        }
    }

    /**
     * glibc's matching: an exact name wins; else the options the name is a prefix of, which are ambiguous only if
     * they are not all the same option (same key and has_arg, as {@code --sock} for --socket and --socket-path).
     */
    private Opt resolve(String name, String text) throws Complaint {
        for (Opt opt : PastaOptions.ALL) {
            if (opt.name().equals(name)) {
                return opt;
            }
        }
        // glibc lists the first match and every later one that is a different option from it
        List<Opt> candidates = new ArrayList<>();
        for (Opt opt : PastaOptions.ALL) {
            if (opt.name().startsWith(name) && (candidates.isEmpty() || differ(candidates.get(0), opt))) {
                candidates.add(opt);
            }
        }
        boolean ambiguous = candidates.size() > 1;
        if (candidates.isEmpty()) {
            throw complaint("unrecognized option '--" + text + "'");
        }
        if (ambiguous) {
            StringBuilder message = new StringBuilder("option '--").append(text)
                .append("' is ambiguous; possibilities:");
            for (Opt opt : candidates) {
                message.append(" '--").append(opt.name()).append('\'');
            }
            throw complaint(message.toString());
        }
        return candidates.get(0);
    }

    private static boolean differ(Opt a, Opt b) {
        return !a.key().equals(b.key()) || a.hasArg() != b.hasArg();
    }

    private Complaint complaint(String message) {
        return new Complaint(message, options);
    }
}
