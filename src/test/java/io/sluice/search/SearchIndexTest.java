package io.sluice.search;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.devstack.DevStack;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.Search;
import io.sluice.harness.SluiceStack;
import io.sluice.harness.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Flow 5 on the real embedded Elasticsearch node: enriched ratings and unhappy VIPs become documents whose id is
 * the rating_id, with the mapping Kibana needs; re-delivery overwrites; malformed documents are dead-lettered
 * with Elasticsearch's reason; an outage only delays.
 */
@ExtendWith(SluiceStack.class)
class SearchIndexTest {

    private static final String[] STATUSES = {"platinum", "gold", "silver", "bronze"};
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void documentsAreKeyedByRatingIdSearchableByClubStatusAndRedeliveryKeepsTheCount(DevStack stack) throws Exception {
        Search search = new Search(stack);
        try (Topics topics = new Topics(stack); RunningSluice sluice = RunningSluice.on(stack, "search").start()) {
            String enriched = sluice.property("sluice.ratings.enriched-topic");
            String index = sluice.property("sluice.search.ratings-index");
            String vipIndex = sluice.property("sluice.search.vip-index");
            int n = 1200;
            sendEnriched(topics, enriched, 0, n);
            topics.send(sluice.property("sluice.vip.topic"), "7", json.writeValueAsString(
                    Map.of("full_name", "Ann Lee", "club_status", "platinum", "email", "ann@example.com", "stars", 1,
                            "message", "cold coffee", "rating_id", 7, "rating_time", 1_700_000_000_000L)));

            await().atMost(Duration.ofSeconds(60)).until(() -> search.count(index) == n);
            assertThat(search.count(index, "club_status", "platinum")).isEqualTo(n / STATUSES.length);
            assertThat(search.count(index, "club_status", "gold")).isEqualTo(n / STATUSES.length);
            JsonNode doc = search.get("GET", "/" + index + "/_doc/1042", null);
            assertThat(doc.path("_source").path("rating_id").asLong()).isEqualTo(1042);
            assertThat(doc.path("_source").path("email").asText()).isEqualTo("user42@example.com");
            JsonNode mapping = search.get("GET", "/" + index + "/_mapping", null).path(index).path("mappings").path("properties");
            assertThat(mapping.path("rating_time").path("type").asText()).isEqualTo("date");
            assertThat(mapping.path("club_status").path("type").asText()).isEqualTo("keyword");
            assertThat(mapping.path("message").path("type").asText()).isEqualTo("text");
            await().atMost(Duration.ofSeconds(30)).until(() -> search.count(vipIndex, "email", "ann@example.com") == 1);

            // the same records again (a re-delivery after a crash looks like this): documents overwritten
            sendEnriched(topics, enriched, 0, n);
            String group = sluice.property("sluice.search.group-id") + "-search-ratings";
            await().atMost(Duration.ofSeconds(60)).until(() -> topics.committedToEnd(group, enriched));
            assertThat(search.count(index)).isEqualTo(n);
            assertThat(topics.readAll(sluice.property("sluice.search.dlq-topic"))).isEmpty();
        }
    }

    @Test
    void aBatchOfRefusedRecordsOnlyIsDeadLetteredWithoutABulkCall(DevStack stack) throws Exception {
        try (Topics topics = new Topics(stack); RunningSluice sluice = RunningSluice.on(stack, "search-none")) {
            String enriched = sluice.property("sluice.ratings.enriched-topic");
            // on the topic before Sluice starts, so the first batch holds these and nothing to index: a tombstone and
            // a record with neither a key nor a rating_id are refused before any call to Elasticsearch
            topics.send(enriched, "903", (String) null);
            topics.send(enriched, null, "{\"stars\":4}");
            sluice.start();
            List<ConsumerRecord<String, String>> dlq = topics.readUntil(sluice.property("sluice.search.dlq-topic"),
                    Duration.ofSeconds(30), rs -> rs.size() >= 2);
            assertThat(dlq).hasSize(2);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    topics.committedToEnd(sluice.property("sluice.search.group-id") + "-search-ratings", enriched));
            assertThat(sluice.sinkRetries("elasticsearch")).isZero();
        }
    }

    @Test
    void documentsElasticsearchRefusesGoToTheDeadLetterTopicWithItsReason(DevStack stack) throws Exception {
        Search search = new Search(stack);
        try (Topics topics = new Topics(stack); RunningSluice sluice = RunningSluice.on(stack, "search-bad").start()) {
            String enriched = sluice.property("sluice.ratings.enriched-topic");
            String index = sluice.property("sluice.search.ratings-index");
            sendEnriched(topics, enriched, 0, 50);
            // rating_time is a date, stars an integer: these cannot be indexed
            topics.send(enriched, "900", "{\"rating_id\":900,\"rating_time\":\"yesterday\",\"stars\":1}");
            topics.send(enriched, "901", "{\"rating_id\":901,\"rating_time\":1700000000000,\"stars\":\"many\"}");
            topics.send(enriched, "902", "not json at all");
            topics.send(enriched, null, "{\"stars\":2}");
            sendEnriched(topics, enriched, 50, 100);

            List<ConsumerRecord<String, String>> dlq = topics.readUntil(sluice.property("sluice.search.dlq-topic"),
                    Duration.ofSeconds(60), rs -> rs.size() >= 4);
            Map<String, String> reasons = new LinkedHashMap<>();
            for (ConsumerRecord<String, String> letter : dlq) {
                JsonNode node = json.readTree(letter.value());
                reasons.put(String.valueOf(letter.key()), node.path("reason").asText());
                assertThat(node.path("source").asText()).startsWith(enriched + "-");
            }
            assertThat(reasons).containsOnlyKeys("900", "901", "902", "null");
            assertThat(reasons.get("900")).contains("HTTP 400").contains("rating_time");
            assertThat(reasons.get("901")).contains("HTTP 400").contains("stars");
            assertThat(reasons.get("902")).contains("HTTP 400");
            assertThat(reasons.get("null")).contains("rating_id");
            await().atMost(Duration.ofSeconds(30)).until(() -> search.count(index) == 100);
        }
    }

    @Test
    void anElasticsearchOutageOnlyDelaysIndexing(DevStack stack) throws Exception {
        Search search = new Search(stack);
        try (Topics topics = new Topics(stack); RunningSluice sluice = RunningSluice.on(stack, "search-down").start()) {
            String enriched = sluice.property("sluice.ratings.enriched-topic");
            String index = sluice.property("sluice.search.ratings-index");
            sendEnriched(topics, enriched, 0, 100);
            await().atMost(Duration.ofSeconds(60)).until(() -> search.count(index) == 100);

            stack.stopElasticsearch();
            try {
                sendEnriched(topics, enriched, 100, 600);
                // Sluice has met the outage: its bulk calls fail and are retried
                await().atMost(Duration.ofSeconds(60)).until(() -> sluice.sinkRetries("elasticsearch") >= 3);
            } finally {
                stack.startElasticsearch();
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> search.count(index) == 600);
            assertThat(topics.readAll(sluice.property("sluice.search.dlq-topic"))).isEmpty();
            System.out.println("FIGURE search outage: retries while down=" + sluice.sinkRetries("elasticsearch") + ", documents=" + search.count(index));
        }
    }

    /** Issue 7's second worked example: another index, added by four properties and nothing else. */
    @Test
    void anotherIndexIsAddedByPropertiesAlone(DevStack stack) throws Exception {
        Search search = new Search(stack);
        RunningSluice sluice = RunningSluice.on(stack, "search-more");
        String unmatched = sluice.property("sluice.ratings.unmatched-topic");
        String index = (sluice.prefix() + "-unmatched").toLowerCase();
        sluice.with("camel.routeTemplate[search-unmatched].templateId", "search-sink")
                .with("camel.routeTemplate[search-unmatched].name", "search-unmatched")
                .with("camel.routeTemplate[search-unmatched].topic", unmatched)
                .with("camel.routeTemplate[search-unmatched].index", index);
        try (Topics topics = new Topics(stack); sluice) {
            sluice.start();
            for (int i = 0; i < 40; i++) {
                topics.sendAsync(unmatched, Integer.toString(7000 + i), json.writeValueAsString(Map.of(
                        "rating_id", 7000 + i, "user_id", 90_000 + i, "stars", 1 + i % 5, "rating_time", 1_700_000_000_000L)));
            }
            topics.flush();
            await().atMost(Duration.ofSeconds(60)).until(() -> search.count(index) == 40);
            assertThat(search.get("GET", "/" + index + "/_doc/7003", null).path("_source").path("user_id").asInt()).isEqualTo(90_003);
        }
    }

    /** Enriched ratings {@code from..to-1}, rating_id = 1000 + i, keyed by it, club status cycling. */
    private void sendEnriched(Topics topics, String topic, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            long ratingId = 1000 + i;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("rating_id", ratingId);
            r.put("user_id", i % 20 + 1);
            r.put("stars", i % 5 + 1);
            r.put("route_id", 3);
            r.put("rating_time", 1_700_000_000_000L + i * 1000L);
            r.put("channel", i % 2 == 0 ? "iOS" : "web");
            r.put("message", "rating number " + i);
            r.put("customer_id", i % 20 + 1);
            r.put("full_name", "User " + i);
            r.put("email", "user" + i + "@example.com");
            r.put("club_status", STATUSES[i % STATUSES.length]);
            topics.sendAsync(topic, Long.toString(ratingId), json.writeValueAsString(r));
        }
        topics.flush();
    }
}
