package io.slirp4j.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * Loss, reordering and duplication of what the guest kernel sends on {@code tap0} (the guest -> helper
 * direction, like {@code tc qdisc add dev tap0 root netem ...}), all inside the guest's network namespace.
 *
 * <p>With {@code sch_netem} this is {@code netem delay 1ms loss 2% reorder 5% duplicate 1%}. Kernels built
 * without netem (e.g. {@code # CONFIG_NET_SCH_NETEM is not set}) get an emulation from what is usually built in
 * ({@code clsact}, {@code cls_bpf} with classic BPF's random load, {@code act_mirred}), still only inside the guest
 * namespace:
 * <ul>
 *   <li>loss: a random 2% of frames are redirected to {@code sfbh0}, a veth whose peer is down (dropped);</li>
 *   <li>reorder: a random 5% are redirected to {@code sfrq0}, a veth whose peer {@code sfrq1} sends every frame it
 *       receives back out of {@code tap0}: they arrive late, after frames sent behind them;</li>
 *   <li>duplicate: a random 1% are mirrored the same way (the original goes on, the copy arrives later).</li>
 * </ul>
 */
final class LinkFaults {
    static final String NETEM = "netem delay 1ms loss 2% reorder 5% duplicate 1%";

    /** Which mechanism was installed, and how to read its counters. */
    record Installed(String kind, List<String> statsCommand) {}

    private LinkFaults() {}

    /** Installs the faults on the guest's tap0 (which must exist: start the helper first). */
    static Installed install(TestNetwork net) {
        Cmd.Result netem = net.guest("tc", "qdisc", "add", "dev", "tap0", "root", "netem", "delay", "1ms", "loss",
            "2%", "reorder", "5%", "duplicate", "1%");
        if (netem.ok()) {
            return new Installed("netem (" + NETEM + ")", List.of("tc", "-s", "qdisc", "show", "dev", "tap0"));
        }
        String whyNoNetem = netem.describe().strip();
        String problem = emulate(net);
        Requirements.require(problem.isEmpty(), "cannot inject faults on tap0: sch_netem fails (" + whyNoNetem
            + ") and the clsact/cls_bpf/act_mirred emulation fails too (" + problem + ")");
        return new Installed("clsact+cls_bpf+act_mirred emulation (sch_netem unavailable: "
            + firstLine(netem.err()) + "): loss 2%, reorder 5%, duplicate 1%",
            List.of("tc", "-s", "filter", "show", "dev", "tap0", "egress"));
    }

    private static String emulate(TestNetwork net) {
        List<List<String>> cmds = new ArrayList<>();
        // the black hole: frames sent to sfbh0 are dropped because its peer is down
        cmds.add(List.of("ip", "link", "add", "sfbh0", "type", "veth", "peer", "name", "sfbh1"));
        cmds.add(List.of("ip", "link", "set", "sfbh0", "addrgenmode", "none"));
        cmds.add(List.of("ip", "link", "set", "sfbh0", "up"));
        // the detour: sfrq0 -> sfrq1 -> back out of tap0, later
        cmds.add(List.of("ip", "link", "add", "sfrq0", "type", "veth", "peer", "name", "sfrq1"));
        cmds.add(List.of("ip", "link", "set", "sfrq0", "addrgenmode", "none"));
        cmds.add(List.of("ip", "link", "set", "sfrq1", "addrgenmode", "none"));
        cmds.add(List.of("ip", "link", "set", "sfrq0", "up"));
        cmds.add(List.of("ip", "link", "set", "sfrq1", "up"));
        cmds.add(List.of("tc", "qdisc", "add", "dev", "sfrq1", "clsact"));
        cmds.add(List.of("tc", "filter", "add", "dev", "sfrq1", "ingress", "pref", "1", "bpf", "bytecode",
            "1,6 0 0 4294967295", "action", "mirred", "egress", "redirect", "dev", "tap0"));
        cmds.add(List.of("tc", "qdisc", "add", "dev", "tap0", "clsact"));
        cmds.add(List.of("tc", "filter", "add", "dev", "tap0", "egress", "pref", "1", "bpf", "bytecode",
            randomBelow(0.02), "action", "mirred", "egress", "redirect", "dev", "sfbh0"));
        cmds.add(List.of("tc", "filter", "add", "dev", "tap0", "egress", "pref", "2", "bpf", "bytecode",
            randomBelow(0.05), "action", "mirred", "egress", "redirect", "dev", "sfrq0"));
        cmds.add(List.of("tc", "filter", "add", "dev", "tap0", "egress", "pref", "3", "bpf", "bytecode",
            randomBelow(0.01), "action", "mirred", "egress", "mirror", "dev", "sfrq0"));
        for (List<String> c : cmds) {
            Cmd.Result r = net.guest(c.toArray(String[]::new));
            if (!r.ok()) {
                return r.describe().strip();
            }
        }
        return "";
    }

    /**
     * A classic BPF program that matches (returns -1) with probability {@code p}: {@code ld rand} (the ancillary
     * load SKF_AD_OFF + SKF_AD_RANDOM), {@code jge k} over the miss, {@code ret -1}, {@code ret 0}.
     */
    static String randomBelow(double p) {
        long k = (long) (p * 4294967296.0);
        return "4,32 0 0 4294963256,53 1 0 " + k + ",6 0 0 4294967295,6 0 0 0";
    }

    /** The counters of the installed faults, as tc prints them. */
    static String stats(TestNetwork net, Installed faults) {
        Cmd.Result r = net.guest(faults.statsCommand().toArray(String[]::new));
        return (r.out() + r.err()).strip();
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
