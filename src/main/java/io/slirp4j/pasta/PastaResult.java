package io.slirp4j.pasta;

import java.util.List;

/**
 * What a pasta command line asks for. Texts carry no trailing newline; print them with println.
 */
public sealed interface PastaResult {

    /** Start with these settings; print each warning on stderr first (pasta's, as "--stderr will be dropped soon"). */
    record Run(PastaSettings settings, List<String> warnings) implements PastaResult {
        public Run {
            warnings = List.copyOf(warnings);
        }
    }

    /** --help, --version, --print-capabilities: print the text on stdout and exit 0. */
    record Print(String text) implements PastaResult {
        public int exitCode() {
            return 0;
        }
    }

    /**
     * The command line is unusable: print the message on stderr and exit 1, as pasta does both for getopt's
     * complaints (glibc's line, then the usage) and for its own die() messages. Warnings pasta printed before
     * failing come first in the message.
     */
    record Fail(String message) implements PastaResult {
        public int exitCode() {
            return 1;
        }
    }
}
