package io.sluice.bench;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.customers.Customer;
import io.sluice.ratings.RatingsGenerator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The data every contender reads, made once per benchmark run: customers in the shape the CDC route writes
 * them (key = id, flat JSON row), and ratings from the demo generator with unknown users, test channels and a
 * sprinkling of malformed records (0.5 %, eight kinds), keyed by rating_id.
 */
final class RatingsWorkload {

    static final String[] CLUB_STATUS = {"bronze", "silver", "gold", "platinum"};
    private static final String[] MALFORMED = {
        "{\"rating_id\": 1, \"user_id\": 2, \"stars\": 3",                          // truncated
        "not json at all",
        "[1, 2, 3]",
        "{\"user_id\": 7, \"stars\": 4, \"channel\": \"web\", \"message\": \"no id\"}",
        "{\"rating_id\": \"x\", \"user_id\": 7, \"stars\": 4, \"channel\": \"web\"}",
        "{\"rating_id\": 5, \"user_id\": 7, \"stars\": 9, \"channel\": \"web\", \"message\": \"too many stars\"}",
        "null",
    };

    final int customerCount;
    final List<byte[]> customerValues = new ArrayList<>();
    final List<String> ratingKeys = new ArrayList<>();
    final List<byte[]> ratingValues = new ArrayList<>();
    final Map<Integer, Customer> customers = new HashMap<>();

    RatingsWorkload(int customerCount, int ratingCount, long seed) throws Exception {
        this.customerCount = customerCount;
        ObjectMapper json = new ObjectMapper();
        SplittableRandom random = new SplittableRandom(seed);
        for (int id = 1; id <= customerCount; id++) {
            Map<String, Object> row = customerRow(id, CLUB_STATUS[random.nextInt(CLUB_STATUS.length)]);
            customerValues.add(json.writeValueAsBytes(row));
            customers.put(id, new Customer(id, (String) row.get("first_name"), (String) row.get("last_name"),
                    (String) row.get("email"), (String) row.get("club_status")));
        }
        Clock clock = Clock.fixed(Instant.parse("2026-11-01T08:00:00Z"), ZoneOffset.UTC);
        RatingsGenerator generator = new RatingsGenerator(seed, customerCount, 0.05, 0.10, clock);
        for (int i = 0; i < ratingCount; i++) {
            if (i % 200 == 199) {
                int kind = (i / 200) % (MALFORMED.length + 1);
                ratingKeys.add("bad-" + i);
                ratingValues.add(kind == MALFORMED.length ? null : MALFORMED[kind].getBytes(StandardCharsets.UTF_8));
                continue;
            }
            String rating = generator.next();
            ratingKeys.add(rating.substring(rating.indexOf(':') + 1, rating.indexOf(',')));
            ratingValues.add(rating.getBytes(StandardCharsets.UTF_8));
        }
    }

    static Map<String, Object> customerRow(int id, String clubStatus) {
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("id", id);
        row.put("first_name", "First" + id);
        row.put("last_name", "Last" + id);
        row.put("email", "customer" + id + "@example.com");
        row.put("gender", id % 2 == 0 ? "Female" : "Male");
        row.put("club_status", clubStatus);
        row.put("comments", "Benchmark customer " + id);
        row.put("create_ts", "2026-11-01T08:00:00Z");
        row.put("update_ts", "2026-11-01T08:00:00Z");
        return row;
    }

    int ratingCount() {
        return ratingValues.size();
    }

    void loadCustomers(KafkaProducer<String, byte[]> producer, String topic) {
        for (int i = 0; i < customerValues.size(); i++) {
            producer.send(new ProducerRecord<>(topic, Integer.toString(i + 1), customerValues.get(i)));
        }
        producer.flush();
    }

    void loadRatings(KafkaProducer<String, byte[]> producer, String topic) {
        for (int i = 0; i < ratingValues.size(); i++) {
            producer.send(new ProducerRecord<>(topic, ratingKeys.get(i), ratingValues.get(i)));
        }
        producer.flush();
    }

    /** What every contender must produce, per output topic, computed with the plain-Java rules. */
    Map<RatingRules.Output, Long> expected() throws Exception {
        Map<RatingRules.Output, Long> counts = new EnumMap<>(RatingRules.Output.class);
        for (RatingRules.Output o : RatingRules.Output.values()) {
            counts.put(o, 0L);
        }
        RatingRules rules = new RatingRules(new ObjectMapper(), customers);
        for (int i = 0; i < ratingValues.size(); i++) {
            rules.route(ratingKeys.get(i), ratingValues.get(i), "expected", (o, k, v) -> counts.merge(o, 1L, Long::sum));
        }
        return counts;
    }
}
