package io.sluice.ratings;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.customers.CustomerTable;
import io.sluice.devstack.DevStack;
import io.sluice.harness.Db;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.SluiceStack;
import io.sluice.harness.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Flow 3 end to end: a mixed batch of ratings, bad ones included, each lands in exactly one of enriched / test /
 * unmatched / dlq, and the unhappy-VIP topic holds exactly the enriched ones that match the predicate.
 */
@ExtendWith(SluiceStack.class)
class RatingsRoutingTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void everyInputLandsInExactlyOneOutputAndUnhappyMatchesThePredicate(DevStack stack) throws Exception {
        Random random = new Random(42);
        Map<String, String> clubOf = clubStatuses(stack);
        List<Integer> known = clubOf.keySet().stream().map(Integer::valueOf).toList();
        String[] channels = {"android", "iOS", "web", "Web-TEST", "test_kiosk"};

        Map<Long, String> expectedTopic = new HashMap<>();
        Set<Long> expectedUnhappy = new HashSet<>();
        List<byte[]> bad = badInputs();
        int valid = 3000;

        try (Topics topics = new Topics(stack); RunningSluice sluice = RunningSluice.on(stack, "routing")) {
            String in = sluice.property("sluice.ratings.topic");
            for (int i = 0; i < valid; i++) {
                long ratingId = 500_000L + i;
                boolean unknown = random.nextInt(10) == 0;
                int user = unknown ? 90_000 + random.nextInt(100) : known.get(random.nextInt(known.size()));
                int stars = 1 + random.nextInt(5);
                String channel = channels[random.nextInt(channels.length)];
                topics.sendAsync(in, Long.toString(ratingId), json.writeValueAsString(Map.of(
                        "rating_id", ratingId, "user_id", user, "stars", stars, "route_id", 7,
                        "rating_time", 1_528_800_546_808L + i, "channel", channel, "message", "msg " + i)));
                if (channel.toLowerCase().contains("test")) {
                    expectedTopic.put(ratingId, "test");
                } else if (unknown) {
                    expectedTopic.put(ratingId, "unmatched");
                } else {
                    expectedTopic.put(ratingId, "enriched");
                    if (stars < 3 && "platinum".equals(clubOf.get(Integer.toString(user)))) {
                        expectedUnhappy.add(ratingId);
                    }
                }
                if (i % 500 == 0 && i / 500 < bad.size()) {
                    topics.send(in, "bad-" + i, bad.get(i / 500));
                }
            }
            for (int b = valid / 500; b < bad.size(); b++) {
                topics.send(in, "bad-" + b, bad.get(b));
            }

            topics.flush();
            sluice.start();
            long expectedEnriched = expectedTopic.values().stream().filter("enriched"::equals).count();
            List<ConsumerRecord<String, String>> enriched = topics.readUntil(sluice.property("sluice.ratings.enriched-topic"),
                    Duration.ofSeconds(90), rs -> keys(rs).size() >= expectedEnriched);
            List<ConsumerRecord<String, String>> test = topics.readAll(sluice.property("sluice.ratings.test-topic"));
            List<ConsumerRecord<String, String>> unmatched = topics.readAll(sluice.property("sluice.ratings.unmatched-topic"));
            List<ConsumerRecord<String, String>> dlq = topics.readUntil(sluice.property("sluice.ratings.dlq-topic"),
                    Duration.ofSeconds(30), rs -> rs.size() >= bad.size());
            List<ConsumerRecord<String, String>> unhappy = topics.readAll(sluice.property("sluice.vip.topic"));

            // every valid rating in exactly one output topic, the one its fields call for
            Map<Long, List<String>> landed = new HashMap<>();
            record(landed, enriched, "enriched");
            record(landed, test, "test");
            record(landed, unmatched, "unmatched");
            assertThat(landed.keySet()).isEqualTo(expectedTopic.keySet());
            landed.forEach((id, where) -> assertThat(where).as("rating %d", id).containsExactly(expectedTopic.get(id)));
            // every bad input dead-lettered once, with a reason
            assertThat(dlq).hasSize(bad.size());
            for (ConsumerRecord<String, String> letter : dlq) {
                JsonNode node = json.readTree(letter.value());
                assertThat(node.path("reason").asText()).as(letter.value()).isNotBlank();
                assertThat(node.path("source").asText()).startsWith(in + "-");
            }
            assertThat(keys(dlq)).allMatch(k -> k.startsWith("bad-"));
            // unhappy = exactly the enriched ratings matching the predicate, with the promised fields
            assertThat(keys(unhappy).stream().map(Long::valueOf).collect(Collectors.toSet())).isEqualTo(expectedUnhappy);
            assertThat(expectedUnhappy).isNotEmpty();
            JsonNode vip = json.readTree(unhappy.get(0).value());
            assertThat(vip.fieldNames()).toIterable().containsExactly(
                    "full_name", "club_status", "email", "stars", "message", "rating_id", "rating_time");
            // enrichment carries the customer
            JsonNode one = json.readTree(enriched.get(0).value());
            assertThat(one.path("customer_id").asInt()).isEqualTo(one.path("user_id").asInt());
            assertThat(one.path("club_status").asText()).isEqualTo(clubOf.get(one.path("user_id").asText()));
            assertThat(one.path("full_name").asText()).isEqualTo(one.path("first_name").asText() + " " + one.path("last_name").asText());
            // the per-flow counters on /observe/metrics say the same
            String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://localhost:" + sluice.property("camel.management.port") + "/observe/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("sluice_records_in_total{flow=\"ratings-enrichment\",topic=\"" + in + "\"} " + (valid + bad.size()) + ".0");
            assertThat(metrics).contains("sluice_dead_letters_total{flow=\"ratings-enrichment\",topic=\"" + in + "\"} " + bad.size() + ".0");
            assertThat(metrics).contains("sluice_records_out_total{flow=\"ratings-enrichment\",topic=\"" + sluice.property("sluice.vip.topic") + "\"} "
                    + keys(unhappy).size() + ".0");
            // and the input's offsets are committed (a restart would not read it all again)
            await().atMost(Duration.ofSeconds(30)).until(() -> topics.committedToEnd(sluice.property("sluice.ratings.group-id"), in));
            System.out.println("FIGURE routing in=" + (valid + bad.size()) + " enriched=" + keys(enriched).size()
                    + " test=" + keys(test).size() + " unmatched=" + keys(unmatched).size() + " dlq=" + dlq.size()
                    + " unhappy=" + keys(unhappy).size());
        }
    }

    /**
     * The outputs of a batch are sent without waiting and its consumer commits it once they are acknowledged: the
     * last batch must be committed although no poll returns records after it (camel-kafka's async manual commit would
     * only commit it with the next batch).
     */
    @Test
    void theLastBatchIsCommittedWhenTheInputGoesQuiet(DevStack stack) throws Exception {
        try (Topics topics = new Topics(stack); RunningSluice sluice = RunningSluice.on(stack, "quiet").start()) {
            String in = sluice.property("sluice.ratings.topic");
            for (int i = 0; i < 5; i++) {
                topics.send(in, null, "{\"rating_id\":" + (770_000 + i) + ",\"user_id\":3,\"stars\":5,\"channel\":\"web\"}");
            }
            topics.readUntil(sluice.property("sluice.ratings.enriched-topic"), Duration.ofSeconds(30), rs -> rs.size() >= 5);
            await().atMost(Duration.ofSeconds(30)).until(() -> topics.committedToEnd(sluice.property("sluice.ratings.group-id"), in));
        }
    }

    /**
     * A steady trickle never leaves a poll empty, which is when a batch consumer hands over an incomplete
     * batch by default; the batching interval must bound the wait instead.
     */
    @Test
    void aSteadyTrickleIsEnrichedWithoutWaitingForAFullBatch(DevStack stack) throws Exception {
        try (Topics topics = new Topics(stack); RunningSluice sluice = RunningSluice.on(stack, "trickle").start()) {
            String in = sluice.property("sluice.ratings.topic");
            java.util.concurrent.atomic.AtomicBoolean go = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread producer = new Thread(() -> {
                for (long i = 0; go.get(); i++) {
                    topics.send(in, null, "{\"rating_id\":" + (880_000 + i) + ",\"user_id\":3,\"stars\":5,\"channel\":\"web\"}");
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000_000); // ~50 records/s, the pace under test
                }
            });
            producer.start();
            try {
                long t0 = System.nanoTime();
                topics.readUntil(sluice.property("sluice.ratings.enriched-topic"), Duration.ofSeconds(30), rs -> rs.size() >= 10);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                System.out.println("FIGURE trickle-first-10-enriched-ms=" + ms);
                assertThat(ms).as("ms until 10 trickled ratings were enriched").isLessThan(10_000);
            } finally {
                go.set(false);
                producer.join();
            }
        }
    }

    private static void record(Map<Long, List<String>> landed, List<ConsumerRecord<String, String>> records, String where) {
        for (String key : keys(records)) {
            landed.computeIfAbsent(Long.valueOf(key), k -> new ArrayList<>()).add(where);
        }
    }

    private static Set<String> keys(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(ConsumerRecord::key).collect(Collectors.toSet());
    }

    private static Map<String, String> clubStatuses(DevStack stack) throws Exception {
        Map<String, String> out = new HashMap<>();
        try (var c = new Db(stack).connect(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT id, club_status FROM customers")) {
            while (rs.next()) {
                out.put(Integer.toString(rs.getInt(1)), rs.getString(2));
            }
        }
        return out;
    }

    /** One of each kind of bad input the validator must catch. */
    private static List<byte[]> badInputs() {
        List<String> texts = List.of(
                "not json at all",
                "{\"rating_id\":1,\"user_id\":2,\"stars\":",
                "[1,2,3]",
                "{\"user_id\":2,\"stars\":3}",
                "{\"rating_id\":\"abc\",\"user_id\":2,\"stars\":3}",
                "{\"rating_id\":77,\"stars\":3}",
                "{\"rating_id\":78,\"user_id\":2,\"stars\":9}",
                "{\"rating_id\":79,\"user_id\":2,\"stars\":0}",
                "{\"rating_id\":80,\"user_id\":2,\"stars\":2.5}",
                "{\"rating_id\":81,\"user_id\":2,\"stars\":3,\"channel\":42}",
                "{\"rating_id\":82,\"user_id\":2,\"stars\":3,\"stars\":4}",
                "null",
                "{\"rating_id\":83,\"user_id\":2,\"stars\":3,\"message\":\"" + "x".repeat(70_000) + "\"}");
        List<byte[]> out = new ArrayList<>(texts.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList());
        out.add(new byte[] {(byte) 0xC3, (byte) 0x28, '{', '}'}); // invalid UTF-8
        out.add(null);                                             // a tombstone
        return out;
    }
}
