package io.slirp4j.cli;

/**
 * The command line of slirp4j: {@code slirp4j [OPTION]... PID|PATH|FD [TAPNAME]}, read with slirp4netns's
 * (getopt_long's) rules. {@link #parse} is all a main method needs.
 *
 * <p>Two steps, each its own class: {@link GnuArgs} applies getopt_long's rules to the option table of
 * {@link Options}; {@link SettingsReader} checks every value.
 */
public final class Cli {
    public static final String NAME = "slirp4j";
    /** Every message slirp4j prints starts with this. */
    public static final String PREFIX = NAME + ": ";
    static final String HELP_HINT = "Try '" + NAME + " --help' for more information.";

    private Cli() {}

    /** Parses and validates: what Main acts on. */
    public static ParseResult parse(String... args) {
        try {
            GnuArgs.Scanned scanned = GnuArgs.scan(args);
            if (Options.HELP.equals(scanned.stop())) {
                return new ParseResult.Print(HelpText.usage());
            }
            if (Options.VERSION.equals(scanned.stop())) {
                return new ParseResult.Print(HelpText.version());
            }
            SettingsReader.Read read = SettingsReader.read(scanned.options(), scanned.operands());
            return new ParseResult.Run(read.settings(), read.warnings());
        } catch (UsageException e) {
            return new ParseResult.Fail(PREFIX + e.getMessage() + (e.wantsHelpHint() ? "\n" + HELP_HINT : ""));
        }
    }
}
