package io.sluice.windows;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.devstack.DevStack;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.SluiceStack;
import io.sluice.harness.Topics;
import io.sluice.ratings.RatingsGenerator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Flow 6 for ratings: generated ratings go through the real enrichment, and the two ratings windows (count per
 * club status per minute; count and stars per customer per 15 minutes) must match what the test counts itself
 * from the enriched ratings on Kafka.
 */
@ExtendWith(SluiceStack.class)
class RatingsWindowsTest {

    private static final long MINUTE = 60_000;
    private static final long QUARTER = 15 * MINUTE;
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void windowsMatchTheCountsOfTheEnrichedRatings(DevStack stack) throws Exception {
        // 1 500 ratings 0.7 s apart in event time: ~17 minutes, so 18 one-minute and 2 fifteen-minute windows
        AtomicLong time = new AtomicLong(1_700_000_000_000L);
        RatingsGenerator generator = new RatingsGenerator(11, 20, 0.05, 0.1, stepping(time, 700));
        try (Topics topics = new Topics(stack); RunningSluice sluice = RunningSluice.on(stack, "rating-windows")
                .with("sluice.ratings.window-idle-timeout-ms", "2000")) {
            String in = sluice.property("sluice.ratings.topic");
            topics.create(in, 1); // ratings arrive in time order, as from one source
            sluice.start();
            for (int i = 0; i < 1_500; i++) {
                String rating = generator.next();
                topics.sendAsync(in, json.readTree(rating).get("rating_id").asText(), rating);
            }
            topics.flush();

            String enrichedTopic = sluice.property("sluice.ratings.enriched-topic");
            await().atMost(Duration.ofSeconds(60)).until(() -> topics.committedToEnd(sluice.property("sluice.ratings.group-id"), in));
            Map<Long, JsonNode> enriched = new HashMap<>();
            for (ConsumerRecord<String, String> r : topics.readAll(enrichedTopic)) {
                JsonNode rating = json.readTree(r.value());
                enriched.put(rating.get("rating_id").asLong(), rating);
            }
            Map<String, Long> perClub = new TreeMap<>();
            Map<String, List<Integer>> perCustomer = new TreeMap<>();
            for (JsonNode rating : enriched.values()) {
                long t = rating.get("rating_time").asLong();
                perClub.merge(Math.floorDiv(t, MINUTE) * MINUTE + "/" + rating.get("club_status").asText(), 1L, Long::sum);
                perCustomer.computeIfAbsent(Math.floorDiv(t, QUARTER) * QUARTER + "/" + rating.get("customer_id").asText(),
                        k -> new ArrayList<>()).add(rating.get("stars").asInt());
            }
            assertThat(enriched.size()).as("most generated ratings are live and from known customers").isGreaterThan(1_100);
            assertThat(perClub.keySet().stream().map(k -> k.split("/")[0]).distinct().count()).isGreaterThanOrEqualTo(17);

            String clubTopic = sluice.property("sluice.ratings.by-club-status-topic");
            String customerTopic = sluice.property("sluice.ratings.per-customer-topic");
            List<ConsumerRecord<String, String>> clubResults = topics.readUntil(clubTopic, Duration.ofSeconds(60),
                    rs -> rs.size() >= perClub.size());
            List<ConsumerRecord<String, String>> customerResults = topics.readUntil(customerTopic, Duration.ofSeconds(60),
                    rs -> rs.size() >= perCustomer.size());

            Map<String, Long> clubCounts = new TreeMap<>();
            for (ConsumerRecord<String, String> r : clubResults) {
                JsonNode w = json.readTree(r.value());
                assertThat(w.get("window_end").asLong() - w.get("window_start").asLong()).isEqualTo(MINUTE);
                clubCounts.merge(w.get("window_start").asLong() + "/" + w.get("club_status").asText(), w.get("count").asLong(), Long::sum);
            }
            assertThat(clubCounts).isEqualTo(perClub);
            assertThat(clubResults).hasSize(perClub.size()); // one result per window and club status

            Map<String, List<Integer>> customerStars = new TreeMap<>();
            for (ConsumerRecord<String, String> r : customerResults) {
                JsonNode w = json.readTree(r.value());
                List<Integer> stars = new ArrayList<>();
                w.get("stars").forEach(s -> stars.add(s.asInt()));
                assertThat(w.get("count").asInt()).isEqualTo(stars.size());
                assertThat(w.get("customer_id").isIntegralNumber()).isTrue();
                customerStars.put(w.get("window_start").asLong() + "/" + w.get("customer_id").asText(), stars);
            }
            assertThat(customerResults).hasSize(perCustomer.size());
            assertThat(customerStars.keySet()).isEqualTo(perCustomer.keySet());
            perCustomer.forEach((key, stars) -> assertThat(customerStars.get(key)).as(key).containsExactlyInAnyOrderElementsOf(stars));
            assertThat(topics.readAll(clubTopic + "-late")).isEmpty();
            assertThat(topics.readAll(customerTopic + "-late")).isEmpty();
        }
    }

    private static Clock stepping(AtomicLong time, long stepMs) {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(time.getAndAdd(stepMs));
            }
        };
    }
}
