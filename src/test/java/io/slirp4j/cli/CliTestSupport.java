package io.slirp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Shortcuts for the outcome a test expects from a command line. */
final class CliTestSupport {
    static final String HINT = "\nTry 'slirp4j --help' for more information.";

    private CliTestSupport() {}

    /** Parses without the "not yet supported" gate and expects settings. */
    static Settings settings(String... args) {
        return run(args).settings();
    }

    static ParseResult.Run run(String... args) {
        ParseResult result = Cli.parse(args);
        return assertInstanceOf(ParseResult.Run.class, result, () -> "for " + String.join(" ", args) + ": " + result);
    }

    /** Parses (with the gate) and expects a failure with exit code 1; returns its message. */
    static String failure(String... args) {
        ParseResult result = Cli.parse(args);
        ParseResult.Fail fail = assertInstanceOf(ParseResult.Fail.class, result,
            () -> "for " + String.join(" ", args) + ": " + result);
        assertEquals(1, fail.exitCode());
        return fail.message();
    }

    /** Expects output for stdout with exit code 0. */
    static String printed(String... args) {
        ParseResult result = Cli.parse(args);
        ParseResult.Print print = assertInstanceOf(ParseResult.Print.class, result,
            () -> "for " + String.join(" ", args) + ": " + result);
        assertEquals(0, print.exitCode());
        return print.text();
    }
}
