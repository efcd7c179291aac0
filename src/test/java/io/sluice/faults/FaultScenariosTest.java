package io.sluice.faults;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Function;

import io.sluice.devstack.DevStack;
import io.sluice.harness.Search;
import io.sluice.harness.SluiceProcess;
import io.sluice.harness.SluiceStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The delivery promise under faults (issue 9): a mixed workload — ratings, customer changes, sales, loan requests
 * and approvals — runs through Sluice in its own process while one thing goes wrong, then every sink is checked
 * against the truth computed from the inputs: nothing lost, nothing doubled, bad input dead-lettered with a reason.
 *
 * <p>The default build runs a short version of each scenario; {@code mvn -B verify -Pfaults} runs the full one
 * (100 000 events, 10 kills, outages of 30-60 s, 1 000 malformed records). Sizes are system properties
 * {@code faults.*}. Results go to target/faults/results.md.
 */
@ExtendWith(SluiceStack.class)
class FaultScenariosTest {

    private static final int EVENTS = Integer.getInteger("faults.events", 5_000);
    private static final int RATE = Integer.getInteger("faults.rate", 200);
    private static final int KILLS = Integer.getInteger("faults.kills", 2);
    private static final int MALFORMED = Integer.getInteger("faults.malformed", 2 * MalformedInputs.kinds());
    private static final Duration KAFKA_OUTAGE = Duration.ofSeconds(Integer.getInteger("faults.kafka-outage-s", 10));
    private static final Duration OUTAGE = Duration.ofSeconds(Integer.getInteger("faults.outage-s", 10));
    private static final Duration CATCH_UP = Duration.ofSeconds(Integer.getInteger("faults.catch-up-s", 180));

    private static MixedWorkload.Sizes sizes(int malformed) {
        return new MixedWorkload.Sizes(EVENTS, malformed);
    }

    @Test
    void killedWithSigkillAgainAndAgain(DevStack stack) throws Exception {
        try (FaultRun run = new FaultRun(stack, "fault-kill", sizes(0), 901)) {
            SluiceProcess sluice = run.startSluice();
            run.drive(RATE);
            Random moments = new Random(902);
            StringBuilder recoveries = new StringBuilder();
            for (int k = 1; k <= KILLS; k++) {
                // somewhere in the k-th of KILLS equal stretches of the run (at once if the last restart took
                // longer than the stretch)
                run.awaitSent((k - 1 + 0.2 + 0.6 * moments.nextDouble()) / KILLS);
                long sentAtKill = run.driver.sent();
                assertThat(sentAtKill).as("kill %d falls inside the run", k).isLessThan(run.driver.total());
                sluice.kill();
                sluice.start();
                double back = FaultRun.secondsUntilProgress(run::salesRows, Duration.ofMinutes(3));
                recoveries.append(String.format(" kill %d at event %d: rows again after %.1f s;", k, sentAtKill, back));
            }
            run.notes.add("Recovery (restart → first new sales row):" + recoveries);
            double caughtUp = run.awaitCompletion(CATCH_UP);
            assertExact(run.verdict("SIGKILL × " + KILLS, String.format(
                    "Sluice killed with SIGKILL %d times during the run and restarted at once; every sink complete %.1f s after the last event.",
                    KILLS, caughtUp)), run);
        }
    }

    @Test
    void kafkaBrokerStoppedAndRestarted(DevStack stack) throws Exception {
        serviceOutage(stack, "fault-kafka", 911, "Kafka broker", "Broker", KAFKA_OUTAGE, stack::stopKafka, stack::startKafka,
                run -> run::salesRows, "sales rows");
    }

    @Test
    void databaseStoppedAndRestarted(DevStack stack) throws Exception {
        serviceOutage(stack, "fault-db", 921, stack.config().postgres() ? "PostgreSQL" : "MariaDB", "Database", OUTAGE,
                stack::stopDatabase, stack::startDatabase,
                run -> run::salesRows, "sales rows");
    }

    @Test
    void elasticsearchStoppedAndRestarted(DevStack stack) throws Exception {
        Search search = new Search(stack);
        serviceOutage(stack, "fault-es", 931, "Elasticsearch", "Node", OUTAGE, stack::stopElasticsearch, stack::startElasticsearch,
                run -> () -> search.count(run.config.property("sluice.search.ratings-index")), "documents");
    }

    /**
     * One service stopped at 25 % of the events for {@code length} and started again (whatever happens meanwhile);
     * {@code progress} names what shows the flow moving again afterwards.
     */
    private static void serviceOutage(DevStack stack, String name, long seed, String service, String subject, Duration length,
                                      Step stop, Step start, Function<FaultRun, Callable<Long>> progress, String progressName)
            throws Exception {
        try (FaultRun run = new FaultRun(stack, name, sizes(0), seed)) {
            run.startSluice();
            run.drive(RATE);
            run.awaitSent(0.25);
            stop.run();
            try {
                outage(length);
            } finally {
                start.run();
            }
            double back = FaultRun.secondsUntilProgress(progress.apply(run), Duration.ofMinutes(3));
            double caughtUp = run.awaitCompletion(CATCH_UP);
            assertExact(run.verdict(service + " down " + length.toSeconds() + " s", String.format(
                    "%s stopped at 25%% of the events, started again after %d s; %s again %.1f s after; complete %.1f s after the last event.",
                    subject, length.toSeconds(), progressName, back, caughtUp)), run);
        }
    }

    /** Stopping or starting a service of the stack. */
    private interface Step {
        void run() throws Exception;
    }

    @Test
    void slackAnswering429Then500(DevStack stack) throws Exception {
        try (FaultRun run = new FaultRun(stack, "fault-slack", sizes(0), 941)) {
            run.startSluice();
            run.drive(RATE);
            run.awaitSent(0.25);
            // rate-limited for the first half (Retry-After 1 s), failing for the second
            stack.slack().injectFault(429, 1, Integer.MAX_VALUE);
            outage(OUTAGE.dividedBy(2));
            stack.slack().injectFault(500, 0, Integer.MAX_VALUE);
            outage(OUTAGE.dividedBy(2));
            stack.slack().injectFault(200, 0, 0);
            double back = FaultRun.secondsUntilProgress(() -> (long) run.check.slackPosts.size(), Duration.ofMinutes(3));
            double caughtUp = run.awaitCompletion(CATCH_UP);
            assertExact(run.verdict("Slack 429 then 500 for " + OUTAGE.toSeconds() + " s", String.format(
                    "Slack answered 429 (Retry-After 1 s) for %d s, then 500 for %d s; posts again %.1f s after; complete %.1f s after the last event.",
                    OUTAGE.toSeconds() / 2, OUTAGE.toSeconds() / 2, back, caughtUp)), run);
        }
    }

    @Test
    void malformedInputsOfEveryKindAreDeadLetteredAndTheFlowsGoOn(DevStack stack) throws Exception {
        try (FaultRun run = new FaultRun(stack, "fault-bad", sizes(MALFORMED), 951)) {
            run.startSluice();
            run.drive(RATE);
            double caughtUp = run.awaitCompletion(CATCH_UP);
            run.notes.add("Kinds: " + run.truth.malformedKinds.size() + " — " + String.join("; ", run.truth.malformedKinds.keySet()));
            List<SinkCheck.Result> results = run.verdict(MALFORMED + " malformed inputs", String.format(
                    "%d malformed records of %d kinds among the events, on the ratings, sales, loan request and approval topics; complete %.1f s after the last event.",
                    MALFORMED, run.truth.malformedKinds.size(), caughtUp));
            assertThat(run.truth.malformedKinds).hasSizeGreaterThanOrEqualTo(20);
            assertExact(results, run);
        }
    }

    @Test
    void threeInstancesShareTheWorkAndOneIsKilled(DevStack stack) throws Exception {
        try (FaultRun run = new FaultRun(stack, "fault-scale", sizes(0), 961)) {
            // one configuration for all three; CDC state in Kafka so whichever instance leads resumes it
            run.with("sluice.cdc.offset-storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore")
                    .with("sluice.cdc.offset-topic", run.config.prefix() + "-cdc-offsets")
                    .with("sluice.cdc.schema-history", "io.debezium.storage.kafka.history.KafkaSchemaHistory")
                    .with("sluice.cdc.schema-history-topic", run.config.prefix() + "-cdc-history");
            List<SluiceProcess> instances = List.of(run.startInstance("a"), run.startInstance("b"), run.startInstance("c"));
            // the instance that streams CDC is the one killed: its partitions and the CDC stream must both move on
            SluiceProcess victim = await().atMost(Duration.ofSeconds(120)).until(
                    () -> instances.stream().filter(p -> Boolean.TRUE.equals(p.leadsCdc())).findFirst(),
                    java.util.Optional::isPresent).orElseThrow();
            run.drive(RATE);
            run.awaitSent(0.4);
            assertThat(victim.leadsCdc()).as("still the CDC leader when killed").isTrue();
            long sentAtKill = run.driver.sent();
            victim.kill();
            double back = FaultRun.secondsUntilProgress(run::salesRows, Duration.ofMinutes(3));
            double caughtUp = run.awaitCompletion(CATCH_UP);
            assertExact(run.verdict("Scale-out: 3 instances, one killed", String.format(
                    "Three instances of one configuration (one consumer group per flow, CDC leader by database lock); "
                            + "the CDC leader (instance %s) killed with SIGKILL at event %d and not restarted; sales rows again %.1f s after; "
                            + "complete %.1f s after the last event.", victim.name(), sentAtKill, back, caughtUp)), run);
        }
    }

    private static void assertExact(List<SinkCheck.Result> results, FaultRun run) {
        assertThat(run.driver.failures()).as("records the workload could not send").isEmpty();
        assertThat(results).as("sinks with lost, doubled or unexpected results; notes: %s", run.notes)
                .filteredOn(r -> !r.exact()).isEmpty();
    }

    /** The fault's length: what is being tested is what happens during and after it, not a condition to wait for. */
    private static void outage(Duration length) throws InterruptedException {
        Thread.sleep(length.toMillis());
    }
}
