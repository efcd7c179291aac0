import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Checks a running embedded Sluice (default ports) against its own topics: Slack alerts only for platinum
 * ratings with < 3 stars, one per unhappy rating; Elasticsearch document counts = distinct rating ids per topic.
 * Usage: java -cp target/sluice.jar scripts/EmbeddedRunCheck.java
 */
public class EmbeddedRunCheck {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        Map<String, JsonNode> unhappy = read("UNHAPPY_PLATINUM_CUSTOMERS");
        Map<String, JsonNode> enriched = read("ratings-enriched");
        long notUnhappy = unhappy.values().stream()
                .filter(v -> !(v.path("stars").asInt() < 3 && "platinum".equals(v.path("club_status").asText()))).count();
        Set<String> expected = new HashSet<>();
        enriched.forEach((k, v) -> { if (v.path("stars").asInt() < 3 && "platinum".equals(v.path("club_status").asText())) expected.add(k); });
        long expectedUnhappy = expected.size();
        JsonNode messages = get("http://localhost:8089/messages");
        Set<String> unhappyEmails = new HashSet<>();
        unhappy.values().forEach(v -> unhappyEmails.add(v.path("email").asText()));
        int slack = 0, slackNotUnhappy = 0;
        for (JsonNode m : messages) {
            String text = m.path("text").asText();
            if (!text.contains("just left a bad review")) continue;
            slack++;
            String email = text.substring(text.indexOf('`') + 1, text.indexOf('`', text.indexOf('`') + 1));
            if (!unhappyEmails.contains(email)) slackNotUnhappy++;
        }
        // the demo keeps producing: what was on the topics before must all be indexed a few seconds later, and
        // the index may hold nothing that is not on the topics read again afterwards
        Thread.sleep(3000);
        get("http://localhost:9200/_refresh");
        Set<String> esRatings = ids("ratings-enriched");
        Set<String> esUnhappy = ids("unhappy-platinum-customers");
        Map<String, JsonNode> enrichedAfter = read("ratings-enriched");
        Map<String, JsonNode> unhappyAfter = read("UNHAPPY_PLATINUM_CUSTOMERS");
        boolean esComplete = esRatings.containsAll(enriched.keySet()) && esUnhappy.containsAll(unhappy.keySet());
        boolean esNothingElse = enrichedAfter.keySet().containsAll(esRatings) && unhappyAfter.keySet().containsAll(esUnhappy);
        System.out.printf("ratings-enriched: %d distinct rating ids on the topic, then %d documents, then %d on the topic%n",
                enriched.size(), esRatings.size(), enrichedAfter.size());
        System.out.printf("UNHAPPY_PLATINUM_CUSTOMERS: %d distinct (then from enriched: %d expected, not platinum/<3: %d), then %d documents, then %d%n",
                unhappy.size(), expectedUnhappy, notUnhappy, esUnhappy.size(), unhappyAfter.size());
        System.out.printf("Slack receiver: %d alerts (of the last 100 messages), %d for an email not among the unhappy VIPs%n", slack, slackNotUnhappy);
        System.out.printf("every record of the topics in Elasticsearch: %b; no document that is not on them: %b%n", esComplete, esNothingElse);
        boolean unhappyExact = expected.containsAll(unhappy.keySet()) && unhappyAfter.keySet().containsAll(expected);
        System.out.printf("unhappy = exactly the enriched platinum ratings with < 3 stars: %b%n", unhappyExact);
        boolean ok = esComplete && esNothingElse && notUnhappy == 0 && unhappyExact
                && slackNotUnhappy == 0 && (messages.size() == 100 || (slack >= unhappy.size() && slack <= unhappyAfter.size()));
        System.out.println(ok ? "CHECK OK" : "CHECK FAILED");
        System.exit(ok ? 0 : 1);
    }

    static Set<String> ids(String index) throws Exception {
        Set<String> ids = new HashSet<>();
        JsonNode hits = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:9200/" + index + "/_search"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"size\":10000,\"_source\":false}")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).path("hits").path("hits");
        hits.forEach(h -> ids.add(h.path("_id").asText()));
        return ids;
    }

    static Map<String, JsonNode> read(String topic) throws Exception {
        Map<String, JsonNode> byKey = new LinkedHashMap<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092",
                ConsumerConfig.GROUP_ID_CONFIG, "check-" + UUID.randomUUID()), new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end.get(new TopicPartition(topic, r.partition()))) byKey.put(r.key(), JSON.readTree(r.value()));
                }
            }
        }
        return byKey;
    }

    static JsonNode get(String url) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }
}
