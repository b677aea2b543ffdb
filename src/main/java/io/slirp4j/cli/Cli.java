package io.slirp4j.cli;

import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The command line of slirp4j: {@code slirp4j [OPTION]... PID|PATH|FD [TAPNAME]}, read with slirp4netns's
 * (getopt_long's) rules. {@link #parse} is all a main method needs.
 *
 * <p>Three steps, each its own class: {@link GnuArgs} applies getopt_long's rules and rewrites the options as
 * {@code --name=value}; picocli binds those to the option table of {@link Options}; {@link SettingsReader}
 * checks every value. Then {@link Unsupported} refuses features that are not there yet.
 */
public final class Cli {
    public static final String NAME = "slirp4j";
    /** Every message slirp4j prints starts with this. */
    public static final String PREFIX = NAME + ": ";
    static final String HELP_HINT = "Try '" + NAME + " --help' for more information.";

    private Cli() {}

    /** Parses, validates, and refuses features this version lacks: what Main acts on. */
    public static ParseResult parse(String... args) {
        ParseResult result = parseOnly(args);
        if (result instanceof ParseResult.Run run) {
            Optional<String> unsupported = Unsupported.check(run.settings());
            if (unsupported.isPresent()) {
                return new ParseResult.Fail(unsupported.get());
            }
        }
        return result;
    }

    /** Parses and validates, accepting options whose feature is not implemented yet. */
    static ParseResult parseOnly(String... args) {
        CommandSpec spec = Options.spec();
        try {
            GnuArgs.Scanned scanned = GnuArgs.scan(spec, args);
            if (Options.HELP.equals(scanned.stop())) {
                return new ParseResult.Print(HelpText.usage(spec));
            }
            if (Options.VERSION.equals(scanned.stop())) {
                return new ParseResult.Print(HelpText.version());
            }
            SettingsReader.Read read = SettingsReader.read(bind(spec, scanned), scanned.operands());
            return new ParseResult.Run(read.settings(), read.warnings());
        } catch (UsageException e) {
            return new ParseResult.Fail(PREFIX + e.getMessage() + (e.wantsHelpHint() ? "\n" + HELP_HINT : ""));
        }
    }

    /**
     * Lets picocli match the rewritten options (all {@code --name} or {@code --name=value}) to the table.
     * Operands stay out of it, so nothing picocli treats specially can reach it as one.
     */
    private static CommandLine.ParseResult bind(CommandSpec spec, GnuArgs.Scanned scanned) throws UsageException {
        CommandLine commandLine = new CommandLine(spec);
        commandLine.setOverwrittenOptionsAllowed(true); // getopt: the last occurrence wins
        commandLine.setAllowOptionsAsOptionParameters(true); // --api-socket=-c is a path named "-c"
        commandLine.setExpandAtFiles(false); // "@file" is a plain value
        // picocli ends options at "--" even inside "--opt=--"; argv strings cannot contain NUL, so this never matches
        commandLine.setEndOfOptionsDelimiter("\0");
        try {
            return commandLine.parseArgs(scanned.options().toArray(new String[0]));
        } catch (CommandLine.ParameterException e) {
            // GnuArgs only passes names from the table in a form picocli accepts: reaching this is a bug
            throw UsageException.syntax("internal error reading options: " + e.getMessage());
        }
    }
}
