package io.sluice.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.sluice.devstack.DevStack;
import org.apache.kafka.clients.admin.NewTopic;
import org.awaitility.core.ConditionTimeoutException;

import static org.awaitility.Awaitility.await;

/**
 * Part "windows" (issue 17): the same sales (seed 004's shape, {@code -Dbench.sales}, default 1 000 000) through the
 * Kafka Streams peer and Sluice's {@code window} template — 5-unit tumbling windows, sum and count per item and
 * overall — on 1 and 3 input partitions. Every run gets a fresh input topic, preloaded before the contender starts,
 * and an output topic of its own stamped by the broker ({@code LogAppendTime}).
 *
 * <p>Rate = sales gone through between the first result and the last result of a window the input itself closes,
 * over the broker time between those two results. The input closes a window when its end plus the contender's lag
 * (the peer's grace, Sluice's allowed lateness) is below the last sale of every input partition and of every item:
 * later windows close only when the run's end is signalled (Sluice: its idle timeout; the peer: an end marker
 * sent once it has committed the whole input), which is waited for and checked but not timed. Sales gone through =
 * the difference of the two windows' ends (one sale per time unit), so neither start-up, nor the grace a first
 * result waits for, nor the end signal is counted. Every run's results are checked against the truth computed from
 * the sales: each (item, window) and ("*", window) total and count, none missing, none extra, repeats reported.
 */
final class WindowsBench {

    static final long SIZE = 5;
    static final long LATENESS = 0;
    /** An output that has not grown for this long while results are missing is taken as all there will be. */
    private static final Duration GIVE_UP = Duration.ofSeconds(15);

    record Result(String contender, int partitions, int round, double rate, WindowResults.Check check) {
    }

    private final DevStack stack;
    private final Report report;
    private final int sales = Integer.getInteger("bench.sales", 1_000_000);
    private final int rounds = Integer.getInteger("bench.rounds", 2);
    /** input partition counts: 1 and 3, or e.g. -Dbench.windows.partitions=3 for a trial */
    private final int[] partitionCounts = Arrays.stream(System.getProperty("bench.windows.partitions", "1,3").split(","))
            .mapToInt(s -> Integer.parseInt(s.trim())).toArray();

    WindowsBench(DevStack stack, Report report) {
        this.stack = stack;
        this.report = report;
    }

    void run() throws Exception {
        long t0 = System.nanoTime();
        SalesWorkload workload = new SalesWorkload(sales, 4L, SIZE);
        report.line("Workload: %,d sales (item a 70 %%, b 15 %%, c 10 %%, d 5 %%), %,d results expected (windows of %d, per item and *); generated in %.1f s",
                sales, workload.truth().size(), SIZE, (System.nanoTime() - t0) / 1e9);
        WindowsPeer peer = new WindowsPeer();
        List<WindowsContender> contenders = List.of(peer, new WindowsSluice(stack));
        report.line("Peer grace %d at 1 partition, %d at 3; Sluice lateness %d, idle timeout %d ms",
                peer.grace(1), peer.grace(3), LATENESS, WindowsSluice.IDLE_TIMEOUT_MS);
        // -Dbench.only=peer (a name's first word) runs one contender alone, e.g. to try another grace
        String only = System.getProperty("bench.only", "");
        List<Result> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (int partitions : partitionCounts) {
                List<WindowsContender> order = new ArrayList<>(contenders);
                if (round % 2 == 0) {
                    Collections.reverse(order); // JIT warmth and broker state favour nobody
                }
                for (WindowsContender c : order) {
                    if (!only.isEmpty() && !c.name().toLowerCase().startsWith(only.toLowerCase())) {
                        continue;
                    }
                    results.add(runOne(c, workload, partitions, round));
                }
            }
        }
        print(results, contenders);
    }

    private Result runOne(WindowsContender contender, SalesWorkload workload, int partitions, int round) throws Exception {
        String brokers = stack.config().kafkaBootstrap();
        String id = "bench-win-" + contender.name().split(" ")[0].toLowerCase() + "-p" + partitions + "-r" + round;
        String input = id + "-sales";
        String output = id + "-summary";
        BenchTopics.create(brokers, List.of(new NewTopic(input, partitions, (short) 1),
                // the broker stamps each result as it is appended: the same clock for both contenders
                new NewTopic(output, partitions, (short) 1).configs(Map.of("message.timestamp.type", "LogAppendTime")),
                new NewTopic(output + "-late", 1, (short) 1),
                new NewTopic(output + "-dlq", 1, (short) 1)));
        long t0 = System.nanoTime();
        SalesWorkload.Layout layout = workload.load(brokers, input, partitions);
        double loadSeconds = (System.nanoTime() - t0) / 1e9;

        WindowsContender.Run run = new WindowsContender.Run(brokers, input, partitions, output, id, SIZE, LATENESS, workload);
        long inputEnds = Math.min(layout.lastOfEveryPartition(), workload.lastOfEveryItem());
        Map<String, SalesWorkload.Total> truth = workload.truth();
        long started = System.nanoTime();
        long late;
        WindowResults.Check check;
        WindowResults.Span span;
        try (WindowsContender.Running running = contender.start(run);
             WindowResults out = new WindowResults(brokers, output, partitions, inputEnds - contender.closeLag(run))) {
            running.closeLastWindows();
            awaitComplete(out, truth);
            late = running.late();
            check = out.check(truth, workload.endOfData());
            span = out.span();
        }
        double rate = span.timed() ? span.sales() * 1000.0 / span.millis() : 0;
        String timing = span.timed()
                ? String.format("%,9.0f sales/s (%,d sales in %,d ms first→last timed result", rate, span.sales(), span.millis())
                : String.format("not timed (no window closes before the end signal: lag %d ≥ the input", contender.closeLag(run));
        report.line("  round %d, %d partition(s): %-22s %s, %.1f s with start-up and end; input loaded in %.1f s, %s) late %d, %,d records: %s",
                round, partitions, contender.name(), timing, (System.nanoTime() - started) / 1e9,
                loadSeconds, layout, late, check.records(), check);
        return new Result(contender.name(), partitions, round, rate, check);
    }

    /**
     * Waits (reading only end offsets) until the output holds at least as many records as there are results, or has
     * stopped growing for {@link #GIVE_UP} (results missing: a contender that dropped sales as late); then until it
     * stops growing for a second, then reads it; again while results are missing and more keep coming.
     */
    private static void awaitComplete(WindowResults out, Map<String, SalesWorkload.Total> truth) {
        long[] seen = {-1, System.nanoTime()}; // end offsets last seen, and since when
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(250)).until(() -> {
            long end = out.end();
            if (end != seen[0]) {
                seen[0] = end;
                seen[1] = System.nanoTime();
            }
            return end >= truth.size() || (end > 0 && System.nanoTime() - seen[1] > GIVE_UP.toNanos());
        });
        while (true) {
            settle(out);
            out.drain();
            long drained = out.end();
            if (out.complete(truth)) {
                return;
            }
            try {
                await().atMost(GIVE_UP).pollInterval(Duration.ofMillis(250)).until(() -> out.end() > drained);
            } catch (ConditionTimeoutException e) {
                return; // nothing more is coming: reported as missing results
            }
        }
    }

    /** Until the output has not grown for a second (a repeat would still be arriving). */
    private static void settle(WindowResults out) {
        for (int i = 0; i < 60; i++) {
            long end = out.end();
            try {
                await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(200))
                        .until(() -> out.end() == end);
                return;
            } catch (ConditionTimeoutException e) {
                // still growing
            }
        }
    }

    private void print(List<Result> results, List<WindowsContender> contenders) {
        report.line("");
        report.line("| partitions | %s | Sluice / peer | totals |",
                String.join(" | ", contenders.stream().map(c -> c.name() + " sales/s").toList()));
        report.line("|---|%s---|---|", "---|".repeat(contenders.size()));
        for (int partitions : partitionCounts) {
            Map<String, Double> best = new LinkedHashMap<>();
            for (WindowsContender c : contenders) {
                best.put(c.name(), 0.0);
            }
            List<String> differ = new ArrayList<>();
            for (Result r : results) {
                if (r.partitions() == partitions) {
                    best.merge(r.contender(), r.rate(), Math::max);
                    if (!r.check().exact()) {
                        differ.add(r.contender() + " round " + r.round() + ": " + r.check());
                    }
                }
            }
            double peer = best.get(contenders.get(0).name());
            double sluice = best.get(contenders.get(1).name());
            report.line("| %d | %s | %s | %s |", partitions,
                    String.join(" | ", best.values().stream().map(v -> v > 0 ? String.format("%,.0f", v) : "—").toList()),
                    peer > 0 && sluice > 0 ? String.format("%.2f×", sluice / peer) : "—", differ.isEmpty() ? "all exact (both)" : "MISMATCH — " + String.join("; ", differ));
        }
        report.line("(best of %d rounds each; %,d sales; — = not run or not timed)", rounds, sales);
    }
}
