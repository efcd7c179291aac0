package io.sluice.sales;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
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
 * The sales flows survive crashes: Sluice runs as its own process (Kafka and MariaDB stay up in the test JVM) and
 * is killed with SIGKILL three times while 10 000 sales stream in, then restarted each time. The window totals
 * must still equal the ground truth exactly — no window missing, none counted twice — and table sales must hold
 * each event once.
 */
@ExtendWith(SluiceStack.class)
class SalesCrashTest {

    private static final int SALES = 10_000;
    private static final int PER_SECOND = 800;
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void killedThreeTimesMidStreamTheTotalsStayExact(DevStack stack) throws Exception {
        Db db = new Db(stack);
        db.update("DELETE FROM sales_summary");
        SalesSequence sales = new SalesSequence(SALES, 5, 2026);
        RunningSluice config = RunningSluice.on(stack, "sales-crash")
                .with("sluice.sales.window-idle-timeout-ms", "3000")
                // small batches: many transactions in flight when the process dies
                .with("sluice.sales.batch-size", "100")
                .with("sluice.windows.batch-size", "100")
                // a killed consumer's partitions are handed on after 6 s instead of Kafka's default 45 s
                .with("camel.component.kafka.session-timeout-ms", "6000")
                .with("camel.component.kafka.heartbeat-interval-ms", "1000");
        String topic = config.property("sluice.sales.topic");
        try (Topics topics = new Topics(stack); SluiceProcess sluice = new SluiceProcess(config).start()) {
            // the store sells at a steady rate, whatever happens to Sluice
            Thread store = Thread.ofPlatform().name("store").start(() -> {
                long interval = TimeUnit.SECONDS.toNanos(1) / PER_SECOND;
                long next = System.nanoTime();
                for (String sale : sales.records) {
                    LockSupport.parkNanos(next - System.nanoTime());
                    next += interval;
                    topics.sendAsync(topic, null, sale);
                }
                topics.flush();
            });

            for (long threshold : new long[] {2_000, 4_500, 7_000}) {
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                        .until(() -> SalesSequence.salesRows(db, topic)[0] >= threshold);
                sluice.kill();
                long rowsAtKill = SalesSequence.salesRows(db, topic)[0];
                System.out.printf("killed Sluice at %d sales rows%n", rowsAtKill);
                assertThat(rowsAtKill).as("killed mid-stream").isLessThan(SALES);
                sluice.start();
            }
            store.join();

            // the two consumer groups (rows, windows) catch up independently after each restart
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250))
                    .until(() -> SalesSequence.summaryTable(db).size() >= sales.expected.size()
                            && SalesSequence.salesRows(db, topic)[0] >= SALES);
            assertThat(SalesSequence.summaryTable(db)).isEqualTo(sales.expected);
            assertThat(SalesSequence.salesRows(db, topic)).containsExactly((long) SALES, (long) SALES);

            // the topic: every window and item once, with the right totals — also when the process died between
            // Kafka's acknowledgement of a slice of results and their deletion from the outbox
            List<ConsumerRecord<String, String>> summary = topics.readAll(config.property("sluice.sales.summary-topic"));
            Map<String, SalesSequence.Totals> published = new TreeMap<>();
            Map<String, String> valueByKey = new HashMap<>();
            int repeats = 0;
            for (ConsumerRecord<String, String> r : summary) {
                String before = valueByKey.put(r.key(), r.value());
                if (before != null) {
                    repeats++;
                    assertThat(r.value()).as("a repeated result is the same result").isEqualTo(before);
                }
                JsonNode result = json.readTree(r.value());
                published.put(result.get("window_start").asLong() + "/" + result.get("item").asText(),
                        new SalesSequence.Totals(result.get("total_amount").asLong(), result.get("count").asLong()));
            }
            System.out.printf("%d sales, %d windows x items, %d results published, %d repeated, %d starts%n",
                    SALES, sales.expected.size(), summary.size(), repeats, sluice.starts());
            assertThat(published).isEqualTo(sales.expected);
            assertThat(repeats).as("results published twice").isZero();
            assertThat(topics.readAll(config.property("sluice.sales.summary-topic") + "-late")).isEmpty();
            assertThat(topics.readAll(config.property("sluice.sales.dlq-topic"))).isEmpty();
        }
    }
}
