package io.sluice.customers;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.devstack.DevStack;
import io.sluice.harness.Db;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.SluiceStack;
import io.sluice.harness.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Flows 1 and 2 on the real stack: snapshot, live changes into the customers topic and the customer table. */
@ExtendWith(SluiceStack.class)
class CustomerCdcTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static RunningSluice sluice;
    private static Topics topics;
    private static Db db;
    private static String customersTopic;

    @BeforeAll
    static void start(DevStack stack) throws Exception {
        db = new Db(stack);
        topics = new Topics(stack);
        sluice = RunningSluice.on(stack, "cdc").start();
        customersTopic = sluice.prefix() + ".demo.CUSTOMERS";
        CustomerTable table = sluice.context().getRegistry().lookupByNameAndType("customerTable", CustomerTable.class);
        await().atMost(Duration.ofSeconds(60)).until(table::isReady);
    }

    @AfterAll
    static void stop() throws Exception {
        sluice.stop();
        topics.close();
    }

    @Test
    void snapshotPutsEveryCustomerOnTheTopicAsFlatJsonKeyedById() throws Exception {
        Set<String> expected = db.customerIds().stream().map(String::valueOf).collect(Collectors.toSet());
        List<ConsumerRecord<String, String>> records = topics.readUntil(customersTopic, Duration.ofSeconds(30),
                rs -> rs.stream().map(ConsumerRecord::key).collect(Collectors.toSet()).containsAll(expected));
        ConsumerRecord<String, String> first = records.stream().filter(r -> r.key().equals("1")).findFirst().orElseThrow();
        JsonNode row = JSON.readTree(first.value());
        assertThat(row.path("id").asInt()).isEqualTo(1);
        assertThat(row.fieldNames()).toIterable().containsExactlyInAnyOrder(
                "id", "first_name", "last_name", "email", "gender", "club_status", "comments", "create_ts", "update_ts");
        assertThat(row.path("club_status").asText()).isEqualTo("platinum");
        assertThat(row.path("create_ts").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    }

    @Test
    void updateOfClubStatusChangesEnrichmentOfLaterRatingsWithinOneSecond() throws Exception {
        int id = db.insertCustomer("Ulla", "Update", "ulla.update@example.com", "gold");
        await().atMost(Duration.ofSeconds(10)).until(() -> table().get(id) != null);

        db.update("UPDATE customers SET club_status = 'platinum' WHERE id = ?", id);
        long committedAt = System.nanoTime();
        // a rating produced after the change is enriched with it as soon as the table has it
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5))
                .until(() -> "platinum".equals(table().get(id).clubStatus()));
        long visibleMs = (System.nanoTime() - committedAt) / 1_000_000;
        System.out.println("FIGURE cdc-update-to-table-ms=" + visibleMs);

        long ratingId = 9_000_000_000L + id;
        topics.send(sluice.property("sluice.ratings.topic"), null,
                "{\"rating_id\":" + ratingId + ",\"user_id\":" + id + ",\"stars\":4,\"channel\":\"web\",\"rating_time\":1}");
        JsonNode enriched = JSON.readTree(topics.readUntil(sluice.property("sluice.ratings.enriched-topic"), Duration.ofSeconds(15),
                rs -> rs.stream().anyMatch(r -> r.key().equals(Long.toString(ratingId))))
                .stream().filter(r -> r.key().equals(Long.toString(ratingId))).findFirst().orElseThrow().value());
        assertThat(enriched.path("club_status").asText()).isEqualTo("platinum");
        assertThat(enriched.path("full_name").asText()).isEqualTo("Ulla Update");
        assertThat(visibleMs).as("ms from UPDATE commit to the table").isLessThan(1000);
    }

    @Test
    void deleteSendsATombstoneAndLaterRatingsAreUnmatched() throws Exception {
        int id = db.insertCustomer("Dora", "Delete", "dora.delete@example.com", "silver");
        await().atMost(Duration.ofSeconds(10)).until(() -> table().get(id) != null);

        db.update("DELETE FROM customers WHERE id = ?", id);
        List<ConsumerRecord<String, String>> records = topics.readUntil(customersTopic, Duration.ofSeconds(10),
                rs -> rs.stream().anyMatch(r -> r.key().equals(Integer.toString(id)) && r.value() == null));
        assertThat(records.stream().filter(r -> r.key().equals(Integer.toString(id))).map(ConsumerRecord::value).toList())
                .last().isNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> table().get(id) == null);

        long ratingId = 9_100_000_000L + id;
        topics.send(sluice.property("sluice.ratings.topic"), null,
                "{\"rating_id\":" + ratingId + ",\"user_id\":" + id + ",\"stars\":2,\"channel\":\"web\"}");
        topics.readUntil(sluice.property("sluice.ratings.unmatched-topic"), Duration.ofSeconds(15),
                rs -> rs.stream().anyMatch(r -> r.key().equals(Long.toString(ratingId))));
    }

    private static CustomerTable table() {
        return sluice.context().getRegistry().lookupByNameAndType("customerTable", CustomerTable.class);
    }
}
