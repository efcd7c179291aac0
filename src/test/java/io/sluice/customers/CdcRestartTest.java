package io.sluice.customers;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.devstack.DevStack;
import io.sluice.harness.Db;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.SluiceStack;
import io.sluice.harness.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sluice stopped, customers changed and ratings produced meanwhile, Sluice started again on the same CDC state:
 * every change made while it was down reaches the topic (the MariaDB connector follows GTIDs), and every rating
 * that waited is enriched against the caught-up table, none unmatched (the readiness gate: it opens once the stream
 * has passed the watermark this start wrote to the source, not merely once Debezium is connected — the rating of the
 * customer updated while down was enriched with the old row when the table opened before the catch-up).
 */
@ExtendWith(SluiceStack.class)
class CdcRestartTest {

    private final ObjectMapper json = new ObjectMapper();

    /** The dev profile keeps Debezium's state in files, prod in Kafka topics; both must survive the restart. */
    @ParameterizedTest(name = "CDC state in {0}")
    @ValueSource(strings = {"files", "kafka"})
    void changesMadeWhileStoppedArriveAndWaitingRatingsAreAllEnriched(String store, DevStack stack) throws Exception {
        Db db = new Db(stack);
        int updated = db.insertCustomer("Rhea", "Restart", "rhea." + store + "@example.com", "bronze");
        int deleted = db.insertCustomer("Dag", "Gone", "dag@example.com", "gold");
        try (Topics topics = new Topics(stack)) {
            RunningSluice sluice = RunningSluice.on(stack, "restart-" + store)
                    // and the connector is detected from the server rather than named
                    .with("sluice.cdc.connector-class", "auto");
            if (store.equals("kafka")) {
                sluice.with("sluice.cdc.offset-storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore")
                        .with("sluice.cdc.offset-topic", sluice.prefix() + "-cdc-offsets")
                        .with("sluice.cdc.schema-history", "io.debezium.storage.kafka.history.KafkaSchemaHistory")
                        .with("sluice.cdc.schema-history-topic", sluice.prefix() + "-cdc-history");
            }
            String customers = sluice.prefix() + ".demo.CUSTOMERS";
            sluice.start();
            CustomerTable table = sluice.context().getRegistry().lookupByNameAndType("customerTable", CustomerTable.class);
            await().atMost(Duration.ofSeconds(60)).until(() -> table.isReady() && table.get(deleted) != null);
            sluice.stop();

            // while Sluice is down
            int inserted = db.insertCustomer("Ivo", "Inserted", "ivo@example.com", "platinum");
            db.update("UPDATE customers SET club_status = 'platinum', email = ? WHERE id = ?", "rhea.vip." + store + "@example.com", updated);
            db.update("DELETE FROM customers WHERE id = ?", deleted);
            List<Integer> known = db.customerIds();
            int ratings = 300;
            for (int i = 0; i < ratings; i++) {
                int user = i == 0 ? inserted : i == 1 ? updated : known.get(i % known.size());
                topics.send(sluice.property("sluice.ratings.topic"), null,
                        "{\"rating_id\":" + (1000 + i) + ",\"user_id\":" + user + ",\"stars\":3,\"channel\":\"iOS\"}");
            }

            sluice.start();
            try {
                List<ConsumerRecord<String, String>> changes = topics.readUntil(customers, Duration.ofSeconds(60), rs -> {
                    Map<String, String> latest = latest(rs);
                    return latest.containsKey(Integer.toString(inserted))
                            && latest.get(Integer.toString(updated)) != null && latest.get(Integer.toString(updated)).contains("rhea.vip." + store)
                            && rs.stream().anyMatch(r -> r.key().equals(Integer.toString(deleted)) && r.value() == null);
                });
                Map<String, String> latest = latest(changes);
                assertThat(json.readTree(latest.get(Integer.toString(inserted))).path("club_status").asText()).isEqualTo("platinum");
                assertThat(latest.get(Integer.toString(deleted))).isNull();
                // the start-up watermarks the gate waited for (table cdc_watermark) are not customers: none on the topic
                assertThat(changes).allSatisfy(r -> assertThat(r.key()).matches("\\d+"));

                List<ConsumerRecord<String, String>> enriched = topics.readUntil(sluice.property("sluice.ratings.enriched-topic"),
                        Duration.ofSeconds(60), rs -> distinctKeys(rs) >= ratings);
                assertThat(distinctKeys(enriched)).isEqualTo(ratings);
                assertThat(topics.readAll(sluice.property("sluice.ratings.unmatched-topic"))).isEmpty();
                JsonNode first = json.readTree(enriched.stream().filter(r -> r.key().equals("1001")).findFirst().orElseThrow().value());
                assertThat(first.path("club_status").asText()).isEqualTo("platinum");
                assertThat(first.path("email").asText()).isEqualTo("rhea.vip." + store + "@example.com");
            } finally {
                sluice.stop();
            }
        }
    }

    private static Map<String, String> latest(List<ConsumerRecord<String, String>> records) {
        Map<String, String> latest = new HashMap<>();
        records.forEach(r -> latest.put(r.key(), r.value()));
        return latest;
    }

    private static long distinctKeys(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(ConsumerRecord::key).collect(Collectors.toSet()).size();
    }
}
