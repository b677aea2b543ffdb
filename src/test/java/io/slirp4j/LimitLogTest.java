package io.slirp4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class LimitLogTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final LimitLog log = new LimitLog(new PrintStream(bytes, true, StandardCharsets.UTF_8), 4096, 15552,
        128 << 20, 64 << 10, 128);

    private List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** Checks with no evictions: refusals only. */
    private void check(long udpDrops, long tcpRefused, long budget, long now) {
        log.check(new LimitLog.Counts(0, udpDrops, 0, tcpRefused, budget), now);
    }

    @Test
    void silentWhileNoLimitIsHit() {
        check(0, 0, 0, 0);
        check(0, 0, 0, 60_000);
        assertEquals(List.of(), lines());
    }

    @Test
    void eachLimitIsReportedAtOnceThenAtMostEveryQuietPeriod() {
        check(3, 0, 0, 1_000);
        check(9, 2, 1, 2_000);
        check(20, 5, 1, 5_000);
        check(25, 7, 1, 11_000);
        check(25, 7, 1, 30_000); // only TCP has news since its last line (at 2 s)
        assertEquals(List.of(
            "slirp4j: UDP flow limit (4096) reached: 0 least recently active flows closed for new ones, "
                + "3 datagrams dropped so far",
            "slirp4j: TCP connection limit (15552) reached: 0 connections in a handshake or closing reset for new "
                + "ones, 2 connections refused so far",
            "slirp4j: TCP buffer budget (128 MiB) running short: only connections that move grow, the others keep "
                + "what they hold (floors of 64 KiB each way, less when many share the budget; 1 times so far)",
            "slirp4j: UDP flow limit (4096) reached: 0 least recently active flows closed for new ones, "
                + "25 datagrams dropped so far",
            "slirp4j: TCP connection limit (15552) reached: 0 connections in a handshake or closing reset for new "
                + "ones, 7 connections refused so far"), lines());
    }

    @Test
    void evictionsAreReportedAsTheLimitWorking() {
        log.check(new LimitLog.Counts(40, 0, 0, 0, 0), 1_000);
        log.check(new LimitLog.Counts(40, 0, 12, 3, 0), 2_000);
        log.check(new LimitLog.Counts(40, 0, 12, 3, 0), 20_000); // nothing new
        assertEquals(List.of(
            "slirp4j: UDP flow limit (4096) reached: 40 least recently active flows closed for new ones, "
                + "0 datagrams dropped so far",
            "slirp4j: TCP connection limit (15552) reached: 12 connections in a handshake or closing reset for new "
                + "ones, 3 connections refused so far"), lines());
    }

    @Test
    void apiConnectionsClosedAtTheLimitAreReportedLikeTheStacksLimits() {
        log.checkApi(0, 0, 0);
        log.checkApi(1, 0, 1_000);
        log.checkApi(150, 0, 2_000);
        log.checkApi(400, 2, 11_000);
        log.checkApi(400, 2, 60_000); // nothing new
        assertEquals(List.of(
            "slirp4j: API connection limit (128) reached: 1 connections waiting for a request closed for new ones, "
                + "0 new ones refused so far",
            "slirp4j: API connection limit (128) reached: 400 connections waiting for a request closed for new ones, "
                + "2 new ones refused so far"), lines());
    }
}
