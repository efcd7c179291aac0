package io.sluice.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.sluice.devstack.DevStack;
import io.sluice.harness.Db;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.Search;
import io.sluice.harness.SluiceProcess;
import io.sluice.harness.Topics;

import static org.awaitility.Awaitility.await;

/**
 * One fault scenario's run: a configuration of its own, the workload and its truth, Sluice as separate
 * process(es), the driver, and at the end every sink checked and the verdict written to
 * {@code target/faults/results.md} (and stdout).
 */
final class FaultRun implements AutoCloseable {

    static final Path RESULTS = Path.of("target", "faults", "results.md");

    final DevStack stack;
    final RunningSluice config;
    final MixedWorkload truth;
    final SinkCheck check;
    final Db db;
    final Topics topics;
    final List<SluiceProcess> instances = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    WorkloadDriver driver;
    private final long startedAt = System.nanoTime();

    /** The windows' idle timeout: 20 s, or 10 s more than a database outage, whichever is longer (see below). */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(Math.max(20, Integer.getInteger("faults.outage-s", 10) + 10));

    FaultRun(DevStack stack, String name, MixedWorkload.Sizes sizes, long seed) throws Exception {
        this.stack = stack;
        this.config = RunningSluice.on(stack, name)
                // the Slack text names the rating, so posts can be counted per rating
                .with("sluice.slack.template", "fault {rating_id}")
                // the last windows close 20 s after the stream goes quiet instead of 30 s. Not less: the idle
                // timeout must outlast a restart of Sluice (JVM start + rejoining the consumer groups, up to ~12 s
                // here), or the windows fed by Sluice's own enrichment look quiet while it restarts and close early
                // (3 s did that in the full SIGKILL run: all later ratings went to -late). Nor less than a database
                // outage: the driver's customer updates wait for the database, so the whole input pauses with it
                // (the full suite's 60 s outage closed every window at 20 s, and 23 027 later ratings went to -late)
                .with("sluice.sales.window-idle-timeout-ms", Long.toString(IDLE_TIMEOUT.toMillis()))
                .with("sluice.ratings.window-idle-timeout-ms", Long.toString(IDLE_TIMEOUT.toMillis()))
                // the example hopping window and sessions, sized for rating times 1 ms apart
                .with("sluice.windows.examples.enabled", "true")
                .with("camel.routeTemplate[ratings-by-club-status-hopping].size", Long.toString(MixedWorkload.HOP_SIZE))
                .with("camel.routeTemplate[ratings-by-club-status-hopping].advance", Long.toString(MixedWorkload.HOP_ADVANCE))
                .with("sluice.ratings.session-gap-ms", Long.toString(MixedWorkload.SESSION_GAP))
                // a killed consumer's partitions are handed on after 6 s instead of Kafka's default 45 s
                .with("camel.component.kafka.session-timeout-ms", "6000")
                .with("camel.component.kafka.heartbeat-interval-ms", "1000");
        this.db = new Db(stack);
        this.topics = new Topics(stack);
        // sales_summary has no topic column: this run's windows are the only ones in it
        db.update("DELETE FROM sales_summary");
        this.truth = MixedWorkload.of(config, seed, 200);
        List<Integer> ids = new ArrayList<>();
        for (MixedWorkload.NewCustomer c : truth.customers) {
            ids.add(db.insertCustomer(c.first(), c.last(), c.email(), c.clubStatus()));
        }
        truth.events(ids, sizes);
        this.check = new SinkCheck(config, truth, db, topics, new Search(stack));
        stack.slack().listen(check::slackPosted);
    }

    RunningSluice with(String key, String value) {
        return config.with(key, value);
    }

    SluiceProcess startSluice() throws IOException {
        SluiceProcess p = new SluiceProcess(config).start();
        instances.add(p);
        return p;
    }

    SluiceProcess startInstance(String name) throws IOException {
        SluiceProcess p = SluiceProcess.instance(config, name).start();
        instances.add(p);
        return p;
    }

    void drive(int perSecond) {
        driver = new WorkloadDriver(stack, truth, perSecond).start();
    }

    /** Waits until the driver has sent this share of the events. */
    void awaitSent(double share) {
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> driver.sent() >= share * driver.total());
    }

    /**
     * Seconds from now until {@code progress} gives a value above the one it gives now: how long the flow took
     * to move again after a fault ended.
     */
    static double secondsUntilProgress(Callable<Long> progress, Duration atMost) throws Exception {
        long t0 = System.nanoTime();
        long before = progress.call();
        await().atMost(atMost).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> progress.call() > before);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Rows in table sales from this run: progress of a flow that needs Kafka and MariaDB. */
    long salesRows() throws Exception {
        return check.salesRows()[0];
    }

    /**
     * Waits for the driver, then until every sink is complete; returns seconds from the last event to that. A run
     * that does not complete in time is noted and still checked, so the verdict shows what is missing where.
     */
    double awaitCompletion(Duration atMost) throws Exception {
        driver.join();
        try {
            await().atMost(atMost).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> check.incomplete().isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            notes.add("NOT COMPLETE after " + atMost.toSeconds() + " s: " + check.incomplete());
            for (SluiceProcess p : instances) {
                notes.add(p.name() + (p.alive() ? "" : " (not running)") + ": " + lastWarnings(p.log(), 8));
                p.threadDump().ifPresent(dump -> notes.add(p.name() + " window threads: " + windowThreads(dump)));
            }
        }
        return (System.nanoTime() - driver.finishedAt()) / 1e9;
    }

    /**
     * The last WARN and ERROR lines of an instance's log, shortened: what a run that did not complete leaves in the
     * assertion message, so that a failure on a CI machine (whose files are gone) still says where it stuck.
     */
    static List<String> lastWarnings(Path log, int lines) {
        try (java.util.stream.Stream<String> all = Files.lines(log)) {
            List<String> hits = all.filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).toList();
            return hits.subList(Math.max(0, hits.size() - lines), hits.size()).stream()
                    .map(l -> l.length() > 300 ? l.substring(0, 300) + "…" : l).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of("log not readable: " + e);
        }
    }

    /**
     * From a thread dump, each Kafka Streams thread of a window with its state and top frames: whether a window that
     * stopped closing is blocked, waiting, or idle with nothing to do.
     */
    static List<String> windowThreads(Path dump) {
        List<String> out = new ArrayList<>();
        try {
            String[] blocks = Files.readString(dump).split("\n\n");
            for (String block : blocks) {
                String[] lines = block.strip().split("\n");
                if (lines.length == 0 || !lines[0].startsWith("\"") || !lines[0].contains("StreamThread")) {
                    continue;
                }
                StringBuilder b = new StringBuilder(lines[0].substring(1, lines[0].indexOf('"', 1)));
                for (int i = 1; i < Math.min(lines.length, 6); i++) {
                    b.append(" | ").append(lines[i].strip());
                }
                out.add(b.toString());
            }
        } catch (IOException e) {
            out.add("dump not readable: " + e);
        }
        return out;
    }

    /** Checks every sink, writes the verdict, and returns it. */
    List<SinkCheck.Result> verdict(String scenario, String fault) throws Exception {
        List<SinkCheck.Result> results = check.all();
        StringBuilder md = new StringBuilder();
        md.append("\n### ").append(scenario).append("\n\n")
                .append(fault).append("  \n")
                .append("Events in: ").append(driver.total()).append(" (").append(truth.kafkaRecords())
                .append(" Kafka records incl. ").append(truth.malformedKeys.values().stream().mapToInt(java.util.Set::size).sum())
                .append(" malformed, ").append(truth.customerUpdates).append(" customer updates); ")
                .append("Sluice starts: ").append(instances.stream().mapToInt(SluiceProcess::starts).sum())
                .append("; run took ").append(Math.round((System.nanoTime() - startedAt) / 1e9)).append(" s.  \n");
        for (String note : notes) {
            md.append(note).append("  \n");
        }
        md.append("\n| sink | expected | delivered | lost | duplicated | extra | at-least-once repeats | note |\n")
                .append("|---|---|---|---|---|---|---|---|\n");
        for (SinkCheck.Result r : results) {
            md.append("| ").append(r.sink()).append(" | ").append(r.expected()).append(" | ").append(r.delivered())
                    .append(" | ").append(r.lost()).append(" | ").append(r.duplicated()).append(" | ").append(r.extra())
                    .append(" | ").append(r.repeats()).append(" | ").append(r.note()).append(" |\n");
        }
        if (!driver.failures().isEmpty()) {
            md.append("\nProducer failures: ").append(driver.failures()).append('\n');
        }
        System.out.println(md);
        Files.createDirectories(RESULTS.getParent());
        Files.writeString(RESULTS, md, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return results;
    }

    @Override
    public void close() throws Exception {
        stack.slack().listen(null);
        stack.slack().injectFault(200, 0, 0);
        for (SluiceProcess p : instances) {
            p.close();
        }
        if (driver != null) {
            driver.close();
        }
        topics.close();
    }
}
