package io.sluice.customers;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.devstack.DevStack;
import io.sluice.harness.Db;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.SluiceProcess;
import io.sluice.harness.SluiceStack;
import io.sluice.harness.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three instances of one configuration (Debezium's state in Kafka), each its own process: exactly one streams CDC —
 * the one holding the database lock, as each says on /observe/metrics ({@code sluice_cdc_leader}) and as its log
 * shows (only there is route customer-cdc started). Customers are inserted, updated and deleted the whole time; the
 * leader is killed with SIGKILL; another instance takes over and the changes made after the kill arrive. In the end
 * the latest record per key on the customers topic equals the table's row (or is a tombstone for a deleted one):
 * no change lost. Repeats of a change (the new leader resumes from the last stored position) are allowed.
 */
@ExtendWith(SluiceStack.class)
class CdcLeaderElectionTest {

    /** The columns a CDC record carries as the table has them (the timestamps are compared by CustomerCdcTest). */
    private static final List<String> COLUMNS = List.of("first_name", "last_name", "email", "gender", "club_status", "comments");
    /** What Camel logs when the route starts (the start-up summary indents its lines, so it never matches). */
    private static final String CDC_STARTED = "- Started customer-cdc (debezium-mysql://";

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void oneInstanceStreamsAndAnotherTakesOverWhenItIsKilled(DevStack stack) throws Exception {
        Db db = new Db(stack);
        RunningSluice config = RunningSluice.on(stack, "cdc-leader");
        config.with("sluice.cdc.offset-storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore")
                .with("sluice.cdc.offset-topic", config.prefix() + "-cdc-offsets")
                .with("sluice.cdc.schema-history", "io.debezium.storage.kafka.history.KafkaSchemaHistory")
                .with("sluice.cdc.schema-history-topic", config.prefix() + "-cdc-history");
        String topic = config.prefix() + ".demo.CUSTOMERS";
        List<SluiceProcess> instances = List.of(
                SluiceProcess.instance(config, "a"), SluiceProcess.instance(config, "b"), SluiceProcess.instance(config, "c"));
        Writer writer = new Writer(db);
        Watch watch = new Watch(instances);
        try (Topics topics = new Topics(stack)) {
            long t0 = System.nanoTime();
            for (SluiceProcess p : instances) {
                p.start();
            }
            watch.start();
            SluiceProcess first = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(watch::leader, Optional::isPresent).orElseThrow();
            System.out.printf("leader %s after %d ms%n", first.name(), (System.nanoTime() - t0) / 1_000_000);

            // changes stream through the first leader. It is killed once Debezium has stored a position in the binlog:
            // killed during its initial snapshot, the next leader would snapshot again, and a snapshot cannot tell
            // which rows were deleted meanwhile (no tombstone for them; see the README)
            writer.start();
            String offsets = config.property("sluice.cdc.offset-topic");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
                if (!topics.exists(offsets)) {
                    return false; // Debezium creates it (compacted, one partition) when its engine starts
                }
                List<ConsumerRecord<String, String>> stored = topics.readAll(offsets);
                return !stored.isEmpty() && !stored.get(stored.size() - 1).value().contains("\"snapshot\"");
            });
            int seen = writer.insertMarker("before-kill");
            topics.readUntil(topic, Duration.ofSeconds(60), rs -> rs.stream().anyMatch(r -> r.key().equals(Integer.toString(seen))));
            assertThat(watch.mostLeadersAtOnce()).as("instances reporting sluice_cdc_leader=1 in one round").isEqualTo(1);
            assertThat(startedCdc(instances)).as("instances whose log shows route customer-cdc started").containsExactly(first.name());

            long killedAt = System.currentTimeMillis();
            first.kill();
            int changesAtKill = writer.changes();
            SluiceProcess second = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(watch::leader, l -> l.isPresent() && l.get() != first).orElseThrow();
            long electedMs = System.currentTimeMillis() - killedAt;
            List<ConsumerRecord<String, String>> afterKill = topics.readUntil(topic, Duration.ofSeconds(60),
                    rs -> rs.stream().anyMatch(r -> r.timestamp() >= killedAt));
            long firstRecordMs = afterKill.stream().filter(r -> r.timestamp() >= killedAt)
                    .mapToLong(ConsumerRecord::timestamp).min().orElseThrow() - killedAt;
            System.out.printf("FIGURE cdc-failover-ms=%d (SIGKILL of %s -> %s leads after %d ms, its first record after %d ms)%n",
                    firstRecordMs, first.name(), second.name(), electedMs, firstRecordMs);

            // a few more changes through the new leader, then the writer stops and the topic must match the table
            await().atMost(Duration.ofSeconds(30)).until(() -> writer.changes() >= changesAtKill + 30);
            writer.stop();
            assertThat(writer.changes() - changesAtKill).as("changes made after the kill").isGreaterThanOrEqualTo(30);
            Map<Integer, Map<String, String>> rows = db.customers();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(mismatches(latest(topics.readAll(topic)), rows)).as("keys whose latest record differs from the table").isEmpty());
            List<ConsumerRecord<String, String>> records = topics.readAll(topic);
            Map<String, String> latest = latest(records);
            assertThat(latest.keySet()).as("every row of the table is on the topic")
                    .containsAll(rows.keySet().stream().map(String::valueOf).toList());
            System.out.printf("%d records for %d keys (%d rows; %d changes written, %d after the kill)%n",
                    records.size(), latest.size(), rows.size(), writer.changes(), writer.changes() - changesAtKill);

            watch.stop();
            assertThat(watch.mostLeadersAtOnce()).as("instances reporting sluice_cdc_leader=1 in one round").isEqualTo(1);
            assertThat(watch.leaders()).as("leaders in order").containsExactly(first.name(), second.name());
            assertThat(startedCdc(instances)).as("instances whose log shows route customer-cdc started")
                    .containsExactlyInAnyOrder(first.name(), second.name());
        } finally {
            writer.stop();
            watch.stop();
            for (SluiceProcess p : instances) {
                p.kill();
            }
        }
    }

    /** Keys where the topic's latest record is not the table's row (or a tombstone for a row that is gone). */
    private Map<String, String> mismatches(Map<String, String> latest, Map<Integer, Map<String, String>> rows) {
        Map<String, String> wrong = new TreeMap<>();
        for (Map.Entry<Integer, Map<String, String>> row : rows.entrySet()) {
            String key = Integer.toString(row.getKey());
            String value = latest.get(key);
            if (value == null) {
                wrong.put(key, latest.containsKey(key) ? "tombstone, row exists" : "missing");
            } else {
                try {
                    JsonNode record = json.readTree(value);
                    for (String column : COLUMNS) {
                        JsonNode field = record.path(column);
                        String text = field.isNull() || field.isMissingNode() ? null : field.asText();
                        if (!Objects.equals(text, row.getValue().get(column))) {
                            wrong.put(key, column + ": topic " + text + ", table " + row.getValue().get(column));
                        }
                    }
                } catch (Exception e) {
                    wrong.put(key, "not JSON: " + value);
                }
            }
        }
        latest.forEach((key, value) -> {
            if (value != null && !rows.containsKey(Integer.valueOf(key))) {
                wrong.put(key, "deleted from the table, no tombstone last");
            }
        });
        return wrong;
    }

    private static Map<String, String> latest(List<ConsumerRecord<String, String>> records) {
        Map<String, String> latest = new HashMap<>();
        records.forEach(r -> latest.put(r.key(), r.value()));
        return latest;
    }

    /** Names of the instances whose (current) log shows the CDC route started. */
    private static List<String> startedCdc(List<SluiceProcess> instances) throws Exception {
        List<String> names = new ArrayList<>();
        for (SluiceProcess p : instances) {
            if (Files.exists(p.log()) && Files.readString(p.log()).contains(CDC_STARTED)) {
                names.add(p.name());
            }
        }
        return names;
    }

    /** sluice_cdc_leader of an instance: true, false, or null when it does not answer (starting, killed). */
    /**
     * Asks every instance whether it leads, round after round, in the background: the largest number of leaders in
     * one round, and the sequence of distinct leaders.
     */
    private final class Watch {
        private final List<SluiceProcess> instances;
        private final AtomicBoolean running = new AtomicBoolean();
        private final AtomicInteger mostAtOnce = new AtomicInteger();
        private final List<String> leaders = new CopyOnWriteArrayList<>();
        private volatile SluiceProcess current;
        private Thread thread;

        Watch(List<SluiceProcess> instances) {
            this.instances = instances;
        }

        void start() {
            running.set(true);
            thread = Thread.ofPlatform().daemon().name("leader-watch").start(() -> {
                while (running.get()) {
                    List<SluiceProcess> leading = new ArrayList<>();
                    for (SluiceProcess p : instances) {
                        if (Boolean.TRUE.equals(p.leadsCdc())) {
                            leading.add(p);
                        }
                    }
                    mostAtOnce.accumulateAndGet(leading.size(), Math::max);
                    if (leading.size() == 1) {
                        SluiceProcess l = leading.get(0);
                        if (leaders.isEmpty() || !leaders.get(leaders.size() - 1).equals(l.name())) {
                            leaders.add(l.name());
                        }
                        current = l;
                    } else {
                        current = null;
                    }
                    LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // the sampling rate
                }
            });
        }

        Optional<SluiceProcess> leader() {
            return Optional.ofNullable(current);
        }

        int mostLeadersAtOnce() {
            return mostAtOnce.get();
        }

        List<String> leaders() {
            return leaders;
        }

        void stop() throws InterruptedException {
            running.set(false);
            if (thread != null) {
                thread.join();
            }
        }
    }

    /**
     * Changes customers it inserted itself (the demo rows stay as other tests expect them), one every 50 ms: inserts,
     * updates and, now and then, a delete.
     */
    private static final class Writer {
        private final Db db;
        private final Random random = new Random(42);
        private final List<Integer> mine = new ArrayList<>();
        private final AtomicInteger changes = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean();
        private volatile Exception failure;
        private Thread thread;

        Writer(Db db) {
            this.db = db;
        }

        void start() {
            running.set(true);
            thread = Thread.ofPlatform().daemon().name("customer-writer").start(() -> {
                while (running.get()) {
                    try {
                        change();
                    } catch (Exception e) {
                        failure = e;
                        return;
                    }
                    LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // the change rate
                }
            });
        }

        synchronized int insertMarker(String name) throws Exception {
            int id = db.insertCustomer("Marker", name, name + "@example.com", "bronze");
            mine.add(id);
            changes.incrementAndGet();
            return id;
        }

        private synchronized void change() throws Exception {
            int n = changes.get();
            int pick = random.nextInt(10);
            if (mine.size() < 5 || pick < 4) {
                mine.add(db.insertCustomer("Leader", "Test" + n, "leader" + n + "@example.com", "bronze"));
            } else if (pick < 9) {
                String[] statuses = {"bronze", "silver", "gold", "platinum"};
                int id = mine.get(random.nextInt(mine.size()));
                db.update("UPDATE customers SET club_status = ?, comments = ? WHERE id = ?",
                        statuses[random.nextInt(statuses.length)], "change " + n, id);
            } else {
                int id = mine.remove(random.nextInt(mine.size()));
                db.update("DELETE FROM customers WHERE id = ?", id);
            }
            changes.incrementAndGet();
        }

        int changes() {
            return changes.get();
        }

        void stop() throws InterruptedException {
            running.set(false);
            if (thread != null) {
                thread.join();
            }
            if (failure != null) {
                throw new AssertionError("the writer failed", failure);
            }
        }
    }
}
