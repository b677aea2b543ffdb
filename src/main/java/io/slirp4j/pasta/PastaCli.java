package io.slirp4j.pasta;

/**
 * The command line of {@code pasta}, passt's user-mode networking helper, as Podman, Buildah and RootlessKit
 * give it: {@code PastaCli.parse("pasta", args)} is all a main method needs.
 *
 * <p>Two steps: {@link PastaGetopt} applies getopt_long's rules with pasta's table ({@link PastaOptions});
 * {@link PastaReader} does what pasta's conf() does with each option, in the order given, so that the first
 * problem pasta would report is the one reported here, in pasta's words. Like pasta: a getopt complaint is
 * glibc's line with the program name, then the usage, exit 1; a value pasta refuses is its die() text alone,
 * exit 1; --help prints the usage on stdout, exit 0; --version prints at once, whatever follows it.
 */
public final class PastaCli {
    private PastaCli() {}

    /**
     * @param programName argv[0] as the caller was invoked (glibc's and pasta's messages name it as given)
     * @param args        argv without argv[0]
     */
    public static PastaResult parse(String programName, String... args) {
        try {
            PastaGetopt.Scanned scanned = PastaGetopt.scan(args);
            return PastaReader.read(programName, scanned.options(), scanned.operands());
        } catch (PastaGetopt.Complaint complaint) {
            // pasta acts on every option getopt_long returned before it complained: --version or a bad value
            // there wins over the complaint
            PastaResult before = PastaReader.readBeforeComplaint(programName, complaint.before);
            if (before != null) {
                return before;
            }
            return new PastaResult.Fail(programName + ": " + complaint.getMessage() + "\n"
                + PastaText.usage(programName));
        }
    }
}
