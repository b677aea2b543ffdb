package io.slirp4j.cli;

import io.slirp4j.cli.Options.Option;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The texts of --help (rendered from the table of {@link Options}) and --version, laid out like slirp4netns's
 * (container engines grep the help for option names to decide which flags to pass, and read "NAME version X"
 * and "SLIRP_CONFIG_VERSION_MAX: N").
 */
final class HelpText {
    /** Column where descriptions start, as in slirp4netns's help. */
    private static final int DESCRIPTION_COLUMN = 25;
    /** slirp4netns 1.2's libslirp config version; 4 or more gates --disable-dns and --outbound-addr in tests and tools. */
    static final int SLIRP_CONFIG_VERSION_MAX = 4;
    static final String VERSION_RESOURCE = "/slirp4j-version.properties";

    private HelpText() {}

    static String usage() {
        StringBuilder help = new StringBuilder()
            .append("Usage: ").append(Cli.NAME).append(" [OPTION]... PID|PATH|FD [TAPNAME]\n")
            .append("       ").append(Cli.NAME).append(" api --socket PATH add|list|remove ...  (see ")
            .append(Cli.NAME).append(" api --help)\n")
            .append("User-mode networking for unprivileged network namespaces (a slirp4netns replacement).\n\n");
        for (Option option : Options.ALL) {
            if (option.deprecatedAlias()) {
                continue;
            }
            StringBuilder line = new StringBuilder();
            if (option.shortName() != Options.NONE) {
                line.append('-').append(option.shortName()).append(", ");
            }
            line.append(option.name());
            if (option.takesArgument()) {
                line.append('=').append(option.argLabel());
            }
            if (line.length() < DESCRIPTION_COLUMN) {
                line.append(" ".repeat(DESCRIPTION_COLUMN - line.length()));
            } else {
                // a label that reaches the column (-p's) puts its description on a line of its own, as GNU tools do
                line.append('\n').append(" ".repeat(DESCRIPTION_COLUMN));
            }
            line.append(option.help());
            help.append(line).append('\n');
        }
        return help.append("""

            Arguments:
              PID      a process in the target network namespace (--netns-type=pid)
              PATH     a network namespace file such as /run/netns/NAME (--netns-type=path),
                       or the unix socket to serve with --target-type=bess
              FD       an open tap device fd (--netns-type=tapfd, no TAPNAME)
              TAPNAME  the tap device to create or attach to in the namespace, such as tap0

            Examples:
              slirp4j -c $PID tap0
              slirp4j --configure --mtu=65520 --disable-host-loopback $PID tap0
              slirp4j -c -r 3 -e 4 --netns-type=path /run/netns/NAME tap0""").toString();
    }

    /** Reads the version the build filtered into the resource; "unknown" for what the build did not fill in. */
    static String version() {
        Properties build = new Properties();
        try (InputStream in = HelpText.class.getResourceAsStream(VERSION_RESOURCE)) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException e) {
            // a jar we cannot read has bigger problems; the version is still worth printing as unknown
        }
        return Cli.NAME + " version " + known(build.getProperty("version")) + "\n"
            + "commit: " + known(build.getProperty("commit")) + "\n"
            + "SLIRP_CONFIG_VERSION_MAX: " + SLIRP_CONFIG_VERSION_MAX;
    }

    /** Unfiltered placeholders (${...}) and blanks mean the build did not know. */
    private static String known(String value) {
        return value == null || value.isBlank() || value.contains("${") ? "unknown" : value.trim();
    }
}
