import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Indexing rate of a running embedded Sluice: N enriched ratings are produced to ratings-enriched first, then the
 * time until Elasticsearch counts them all (from the first new document seen) gives docs/s.
 * Usage: java -cp target/sluice.jar scripts/SearchRate.java [N=50000]
 */
public class SearchRate {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        long before = count(http, json);
        String[] statuses = {"platinum", "gold", "silver", "bronze"};
        long t0 = System.nanoTime();
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092",
                ProducerConfig.LINGER_MS_CONFIG, 20), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < n; i++) {
                long id = 900_000_000L + System.currentTimeMillis() % 1_000_000 * 1000 + i;
                String doc = json.writeValueAsString(Map.of("rating_id", id, "user_id", i % 20 + 1, "stars", i % 5 + 1,
                        "route_id", 1, "rating_time", System.currentTimeMillis(), "channel", "bench", "message", "bench rating " + i,
                        "customer_id", i % 20 + 1, "email", "user" + i + "@example.com", "club_status", statuses[i % 4]));
                p.send(new ProducerRecord<>("ratings-enriched", Long.toString(id), doc));
            }
        }
        System.out.printf("produced %d in %d ms%n", n, (System.nanoTime() - t0) / 1_000_000);
        long first = 0;
        long c;
        while ((c = count(http, json)) < before + n) {
            if (first == 0 && c > before) first = System.nanoTime();
            Thread.sleep(100);
        }
        long ms = (System.nanoTime() - (first == 0 ? t0 : first)) / 1_000_000;
        System.out.printf("indexed %d documents in %d ms: %.0f docs/s%n", n, ms, n * 1000.0 / ms);
    }

    static long count(HttpClient http, ObjectMapper json) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create("http://localhost:9200/ratings-enriched/_refresh"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        return json.readTree(http.send(HttpRequest.newBuilder(URI.create("http://localhost:9200/ratings-enriched/_count")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).path("count").asLong();
    }
}
