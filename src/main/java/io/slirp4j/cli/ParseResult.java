package io.slirp4j.cli;

import java.util.List;

/**
 * What the command line asks for: run with settings, or print something and exit. Texts carry no trailing
 * newline; print them with println.
 */
public sealed interface ParseResult {

    /** Start the helper. Print each warning on stderr first (deprecated spellings, ignored arguments). */
    record Run(Settings settings, List<String> warnings) implements ParseResult {
        public Run {
            warnings = List.copyOf(warnings);
        }
    }

    /** {@code --help} or {@code --version}: print the text on stdout and exit 0. */
    record Print(String text) implements ParseResult {
        public int exitCode() {
            return 0;
        }
    }

    /** The command line is unusable: print the message (one or more lines) on stderr and exit 1. */
    record Fail(String message) implements ParseResult {
        public int exitCode() {
            return 1;
        }
    }
}
