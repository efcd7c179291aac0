package io.sluice.sales;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.devstack.DevStack;
import io.sluice.harness.Db;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.SluiceStack;
import io.sluice.harness.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Flows 6 (sales windows) and 7 (sales rows) on the real Kafka and MariaDB: a known sequence of 10 000 sales gives
 * exactly the totals computed here, once per window and item, in the topic and the table; bad and late input is
 * dead-lettered with a reason and never counted.
 */
@ExtendWith(SluiceStack.class)
class SalesWindowsTest {

    private final ObjectMapper json = new ObjectMapper();
    private Db db;

    @BeforeEach
    void emptySummary(DevStack stack) throws Exception {
        db = new Db(stack);
        db.update("DELETE FROM sales_summary"); // one table for all windows named "sales": start from nothing
    }

    @Test
    void tenThousandSalesGiveTheGroundTruthOncePerWindowAndItem(DevStack stack) throws Exception {
        SalesSequence sales = new SalesSequence(10_000, 5, 42);
        try (Topics topics = new Topics(stack);
             RunningSluice sluice = RunningSluice.on(stack, "sales").with("sluice.sales.window-idle-timeout-ms", "2000").start()) {
            String topic = sluice.property("sluice.sales.topic");
            for (String sale : sales.records) {
                topics.sendAsync(topic, null, sale);
            }
            topics.flush();

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> SalesSequence.summaryTable(db).size() >= sales.expected.size()
                            && SalesSequence.salesRows(db, topic)[0] >= 10_000); // rows and windows: two consumer groups
            assertThat(SalesSequence.summaryTable(db)).isEqualTo(sales.expected);

            List<ConsumerRecord<String, String>> summary = topics.readAll(sluice.property("sluice.sales.summary-topic"));
            Map<String, SalesSequence.Totals> published = new TreeMap<>();
            Map<String, Integer> perKey = new HashMap<>();
            for (ConsumerRecord<String, String> r : summary) {
                JsonNode result = json.readTree(r.value());
                long start = result.get("window_start").asLong();
                assertThat(result.get("window_end").asLong()).isEqualTo(start + 5);
                assertThat(r.key()).isEqualTo(result.get("item").asText() + "@" + start);
                published.put(start + "/" + result.get("item").asText(),
                        new SalesSequence.Totals(result.get("total_amount").asLong(), result.get("count").asLong()));
                perKey.merge(r.key(), 1, Integer::sum);
            }
            assertThat(published).isEqualTo(sales.expected);
            assertThat(perKey.values()).as("one result per window and item").allMatch(n -> n == 1);
            assertThat(SalesSequence.salesRows(db, topic)).containsExactly(10_000L, 10_000L);
            assertThat(topics.readAll(sluice.property("sluice.sales.dlq-topic"))).isEmpty();
            assertThat(topics.readAll(sluice.property("sluice.sales.summary-topic") + "-late")).isEmpty();
        }
    }

    @Test
    void badSalesAreDeadLetteredLateOnesGoToTheLateTopicAndNeitherIsCounted(DevStack stack) throws Exception {
        try (Topics topics = new Topics(stack); RunningSluice sluice = RunningSluice.on(stack, "sales-bad")) {
            String topic = sluice.property("sluice.sales.topic");
            String summaryTopic = sluice.property("sluice.sales.summary-topic");
            topics.create(topic, 1); // one partition, like the seed's: event time in send order
            sluice.start();
            topics.send(topic, "k1", "{\"item\":\"a\",\"amount\":20,\"time\":1}");
            topics.send(topic, "k2", "{\"item\":\"a\",\"amount\":\"lots\",\"time\":2}");
            topics.send(topic, "k3", "{\"amount\":3,\"time\":3}");
            topics.send(topic, "k4", "not json");
            topics.send(topic, "k5", "{\"item\":\"b\",\"amount\":7,\"time\":12}"); // event time 12 closes [0,5)
            await().atMost(Duration.ofSeconds(30)).until(() -> SalesSequence.summaryTable(db).containsKey("0/a"));
            topics.send(topic, "k6", "{\"item\":\"b\",\"amount\":100,\"time\":4}"); // late: [0,5) is closed
            topics.send(topic, "k7", "{\"item\":\"b\",\"amount\":1,\"time\":20,\"event_id\":\"sale-7\"}");
            topics.send(topic, "k8", "{\"item\":\"b\",\"amount\":1,\"time\":20,\"event_id\":\"sale-7\"}"); // same event again

            List<ConsumerRecord<String, String>> dlq = topics.readUntil(sluice.property("sluice.sales.dlq-topic"),
                    Duration.ofSeconds(30), rs -> rs.size() >= 3);
            // the dead-letter topic has the broker's default partitions: order across them is not defined
            dlq.sort(java.util.Comparator.comparing(ConsumerRecord::key));
            assertThat(dlq).extracting(ConsumerRecord::key).containsExactly("k2", "k3", "k4");
            assertThat(json.readTree(dlq.get(0).value()).get("reason").asText()).isEqualTo("amount must be a whole number, got \"lots\"");
            assertThat(json.readTree(dlq.get(1).value()).get("reason").asText()).isEqualTo("item is missing");
            assertThat(json.readTree(dlq.get(2).value()).get("reason").asText()).startsWith("not JSON");
            assertThat(json.readTree(dlq.get(2).value()).get("source").asText()).isEqualTo(topic + "-0@3");

            List<ConsumerRecord<String, String>> late = topics.readUntil(summaryTopic + "-late", Duration.ofSeconds(30), rs -> !rs.isEmpty());
            assertThat(late).extracting(ConsumerRecord::key).containsExactly("k6");
            assertThat(json.readTree(late.get(0).value()).get("reason").asText()).isEqualTo(
                    "late: time 4 falls in window [0, 5), closed already (time 12 has been read on its partition; allowed lateness 0)");
            // the window aggregator cannot place the bad ones either: its own dead letters, same records
            assertThat(topics.readUntil(summaryTopic + "-dlq", Duration.ofSeconds(30), rs -> rs.size() >= 3))
                    .extracting(ConsumerRecord::key).containsExactlyInAnyOrder("k2", "k3", "k4");

            // [10,15) closed by time 20; [20,25) stays open (the stream is not idle long enough)
            await().atMost(Duration.ofSeconds(30)).until(() -> SalesSequence.summaryTable(db).size() == 4);
            assertThat(SalesSequence.summaryTable(db)).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "0/a", new SalesSequence.Totals(20, 1), "0/*", new SalesSequence.Totals(20, 1),
                    "10/b", new SalesSequence.Totals(7, 1), "10/*", new SalesSequence.Totals(7, 1)));
            // the late sale is still a sale (table sales), the repeated event id is one row
            await().atMost(Duration.ofSeconds(30)).until(() -> SalesSequence.salesRows(db, topic)[0] == 3);
            assertThat(SalesSequence.salesRows(db, "sale-7")[0]).isEqualTo(1);
        }
    }
}
