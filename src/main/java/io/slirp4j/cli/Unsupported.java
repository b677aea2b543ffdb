package io.slirp4j.cli;

import java.util.Optional;

/**
 * Options that parse and validate but whose feature this version does not have yet. Using one is an error:
 * silently ignoring, say, --enable-seccomp would leave a user believing they are protected.
 *
 * <p>This is the one list to shorten: when a feature lands, delete its entry; the help text loses its
 * "(not yet supported)" mark at the same time.
 */
public final class Unsupported {

    /**
     * Each entry: the option as the help lists it, the one value of it that is unsupported (null: any use),
     * and how to see it in Settings.
     */
    private enum Feature {
        ENABLE_SANDBOX(Options.ENABLE_SANDBOX, null) {
            @Override boolean usedBy(Settings s) {
                return s.enableSandbox();
            }
        },
        ENABLE_SECCOMP(Options.ENABLE_SECCOMP, null) {
            @Override boolean usedBy(Settings s) {
                return s.enableSeccomp();
            }
        };

        final String option;
        final String value;

        Feature(String option, String value) {
            this.option = option;
            this.value = value;
        }

        /** How the user asked for it: "--enable-ipv6", "--target-type=bess". */
        String usage() {
            return value == null ? option : option + "=" + value;
        }

        abstract boolean usedBy(Settings s);
    }

    private Unsupported() {}

    /**
     * The error for settings that use features this version lacks: one line per feature, each starting with
     * "slirp4j: "; empty if everything asked for is supported.
     */
    public static Optional<String> check(Settings settings) {
        StringBuilder message = new StringBuilder();
        for (Feature feature : Feature.values()) {
            if (feature.usedBy(settings)) {
                if (message.length() > 0) {
                    message.append('\n');
                }
                message.append(Cli.PREFIX).append(feature.usage()).append(" is not supported yet by this version");
            }
        }
        return message.length() == 0 ? Optional.empty() : Optional.of(message.toString());
    }

    /** The mark the help puts after an option's description, or null if the option is fully supported. */
    static String helpNote(String option) {
        for (Feature feature : Feature.values()) {
            if (feature.option.equals(option)) {
                return feature.value == null ? "(not yet supported)" : "(" + feature.value + " not yet supported)";
            }
        }
        return null;
    }
}
