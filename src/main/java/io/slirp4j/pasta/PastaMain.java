package io.slirp4j.pasta;

import io.slirp4j.NetworkHelper;
import io.slirp4j.tap.ErrnoException;
import java.io.IOException;

/**
 * {@code pasta [OPTION]... PID|--netns PATH}: slirp4j with pasta's command line. Exit status as pasta's: 0 for help
 * and version, and for a daemon once the namespace is configured (the launcher exits then; the daemon's own status
 * is nobody's); 1 for a command line pasta refuses or a failure before that.
 */
public final class PastaMain {
    /** The system property the launcher names pasta mode with: the program name as invoked. */
    public static final String PROGRAM_PROPERTY = "slirp4j.pasta";
    /** The launcher's handshake fd for a daemon (see {@link io.slirp4j.PastaLifetime}). */
    public static final String DETACH_FD_PROPERTY = "slirp4j.pasta.detach-fd";

    private PastaMain() {}

    public static int run(String programName, String[] args) {
        PastaResult parsed = PastaCli.parse(programName, args);
        if (parsed instanceof PastaResult.Print print) {
            System.out.println(print.text());
            return print.exitCode();
        }
        if (parsed instanceof PastaResult.Fail fail) {
            System.err.println(fail.message());
            return fail.exitCode();
        }
        PastaResult.Run run = (PastaResult.Run) parsed;
        run.warnings().forEach(System.err::println);
        String prefix = programName + ": ";
        try {
            int detachFd = Integer.getInteger(DETACH_FD_PROPERTY, -1);
            PastaLaunch.Plan plan = PastaLaunch.plan(run.settings(), PastaLaunch.THIS_HOST, detachFd);
            plan.warnings().forEach(w -> System.err.println(prefix + w));
            return new NetworkHelper(plan.launch()).run();
        } catch (ErrnoException e) {
            System.err.println(prefix + e.getMessage());
        } catch (IOException | RuntimeException e) {
            System.err.println(prefix + (e.getMessage() != null ? e.getMessage() : e.toString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 1;
    }
}
