package io.slirp4j.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code pasta} programs that {@link PastaTest} plays the engines against: Debian's (passt 0.0~git20230309, the
 * reference the tests were validated on) and slirp4j's own {@code bin/pasta}.
 *
 * <p>Where Debian's old version cannot do what the engines ask, the tests do not lower the bar for everyone: the
 * known failure is recognised here, by its exact output, and only for that implementation ({@link #rootWorkaround},
 * {@link #knownLimitation}); every use is printed in the test's output.
 */
enum PastaImpl {
    DEBIAN {
        @Override
        Path path(Mode mode) {
            return Path.of("/usr/bin/pasta");
        }

        @Override
        void require() {
            Requirements.require(Files.isExecutable(path(Mode.ROOT)), "tool missing: /usr/bin/pasta (apt-get install passt)");
        }

        /**
         * As root, this pasta drops to user nobody by itself ("Don't run as root. Changing to nobody...") before it
         * joins the target network namespace, and then setns() fails: "Couldn't switch to pasta namespaces", exit 1.
         * {@code --runas 0} keeps it root (it still drops all capabilities but NET_BIND_SERVICE, NET_ADMIN and
         * SYS_ADMIN). Newer pasta versions join first and drop afterwards, so the engines pass no such option.
         */
        @Override
        List<String> rootWorkaround(PastaEngine.Run failed) {
            return failed.exit() == 1 && failed.output().contains("Couldn't switch to pasta namespaces")
                ? List.of("--runas", "0") : List.of();
        }

        /**
         * As root with a PID operand (rootlesskit's form), after dropping capabilities this pasta may no longer
         * open the root-owned /proc/PID/ns/user: "Couldn't open user namespace /proc/PID/ns/user: Permission
         * denied", exit 1, with or without {@code --runas 0}. RootlessKit itself runs as an unprivileged user.
         */
        @Override
        String knownLimitation(PastaEngine.Run failed, Mode mode) {
            if (mode == Mode.ROOT && failed.exit() == 1 && failed.output().contains("Couldn't open user namespace")) {
                return "Debian's pasta cannot join a root-owned guest by PID as root (it keeps only a few capabilities, "
                    + "none to open another root process's namespaces): " + PastaEngine.lastLine(failed.output());
            }
            return null;
        }
    },

    SLIRP4J {
        @Override
        Path path(Mode mode) {
            Path built = Dist.location().resolve("bin/pasta");
            if (mode.unprivileged() && Files.isExecutable(built)) {
                // the build tree may be unreadable for uid 65534: the public copy of the distribution
                return Path.of(Dist.publicLauncher()).resolveSibling("pasta");
            }
            return built;
        }

        @Override
        void require() {
            Path built = Dist.location().resolve("bin/pasta");
            Requirements.require(Files.isExecutable(built), "slirp4j's pasta launcher " + built + " (build the project)");
        }
    };

    /** The program to run, as seen by the user the engine runs it as. */
    abstract Path path(Mode mode);

    /** Skips or fails (see {@link Requirements}) unless the program is there. */
    abstract void require();

    /** Extra options that make a root run work after {@code failed}, if this implementation needs them. */
    List<String> rootWorkaround(PastaEngine.Run failed) {
        return List.of();
    }

    /** Why {@code failed} is this implementation's known limitation (the case is then skipped), or null. */
    String knownLimitation(PastaEngine.Run failed, Mode mode) {
        return null;
    }

    /**
     * Whether a guest's TCP connection outwards still carries the server's reply and FIN after the guest shut down
     * its sending side (half-close). Debian's pasta stalls there: the reply arrives only partly (about half of 3 MiB,
     * all of 1000 bytes) and the FIN never does.
     */
    boolean guestHalfCloseWorks() {
        return this != DEBIAN;
    }

    /**
     * Whether a forward (-t) also carries IPv6 clients byte-exact, as pasta's listen on both families: with Debian's
     * pasta (2023) the transfer to [2001:db8:1::2]:8080 does not complete here (PastaTest prints what got through).
     */
    boolean ipv6ForwardsWork() {
        return this != DEBIAN;
    }

    String label() {
        return name().toLowerCase();
    }
}
