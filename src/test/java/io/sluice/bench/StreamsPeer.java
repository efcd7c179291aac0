package io.sluice.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.customers.Customer;
import io.sluice.ratings.RatingValidator;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The peer: the ratings flow as a Kafka Streams topology, the way a ksqlDB-style application would write it —
 * customers as a GlobalKTable (in memory), validate, split off the test channels, left-join the live ratings
 * with the table, split matched from unmatched, filter the unhappy VIPs. Streams' own defaults otherwise
 * (at-least-once). Same validator and JSON library as the other two.
 */
final class StreamsPeer implements Contender {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What flows between the steps: either a valid rating (a map) or the reason it was refused. */
    record Checked(Map<String, Object> rating, String reason, byte[] raw) {
    }

    /** A live rating after the join, with or without its customer. */
    record Joined(Map<String, Object> rating, boolean matched) {
    }

    @Override
    public String name() {
        return "peer (Kafka Streams)";
    }

    @Override
    public AutoCloseable start(Run run) throws Exception {
        Path state = Files.createTempDirectory("bench-streams");
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, run.id());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, run.brokers());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, run.threads());
        p.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        p.put(StreamsConfig.producerPrefix("acks"), "all");
        p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        KafkaStreams streams = new KafkaStreams(topology(run), p);
        streams.start();
        return () -> streams.close(Duration.ofSeconds(30));
    }

    static org.apache.kafka.streams.Topology topology(Run run) {
        RatingRules rules = new RatingRules(JSON, Map.of());
        RatingValidator validator = rules.validator();
        Map<RatingRules.Output, String> out = run.outputs();
        Produced<String, byte[]> produced = Produced.with(Serdes.String(), Serdes.ByteArray());
        StreamsBuilder builder = new StreamsBuilder();

        GlobalKTable<String, Customer> customers = builder.globalTable(run.customersTopic(),
                Consumed.with(Serdes.String(), customerSerde()),
                Materialized.<String, Customer>as(Stores.inMemoryKeyValueStore(run.id() + "-customers"))
                        .withKeySerde(Serdes.String()).withValueSerde(customerSerde()));

        KStream<String, Checked> checked = builder.stream(run.input(), Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .map((key, value) -> switch (validator.validate(value)) {
                    case RatingValidator.Valid v -> KeyValue.pair(String.valueOf(v.rating().get("rating_id")), new Checked(v.rating(), null, value));
                    case RatingValidator.Rejected r -> KeyValue.pair(key, new Checked(null, r.reason(), value));
                });

        checked.split()
                .branch((k, c) -> c.rating() == null, Branched.withConsumer(bad -> bad
                        .mapValues(c -> bytes(() -> rules.deadLetter(c.reason(), run.input(), c.raw())))
                        .to(out.get(RatingRules.Output.DLQ), produced)))
                .branch((k, c) -> String.valueOf(c.rating().get("channel")).toLowerCase(Locale.ROOT).contains("test"),
                        Branched.withConsumer(test -> test
                                .mapValues(c -> bytes(() -> JSON.writeValueAsBytes(c.rating())))
                                .to(out.get(RatingRules.Output.TEST), produced)))
                .defaultBranch(Branched.withConsumer(live -> live
                        .leftJoin(customers, (k, c) -> String.valueOf(c.rating().get("user_id")), StreamsPeer::enrich)
                        .split()
                        .branch((k, j) -> !j.matched(), Branched.withConsumer(unmatched -> unmatched
                                .mapValues(j -> bytes(() -> JSON.writeValueAsBytes(j.rating())))
                                .to(out.get(RatingRules.Output.UNMATCHED), produced)))
                        .defaultBranch(Branched.withConsumer(enriched -> {
                            enriched.mapValues(j -> bytes(() -> JSON.writeValueAsBytes(j.rating())))
                                    .to(out.get(RatingRules.Output.ENRICHED), produced);
                            enriched.filter((k, j) -> RatingRules.isUnhappyVip(j.rating()))
                                    .mapValues(j -> bytes(() -> JSON.writeValueAsBytes(RatingRules.vipFields(j.rating()))))
                                    .to(out.get(RatingRules.Output.UNHAPPY), produced);
                        }))));
        return builder.build();
    }

    private static Joined enrich(Checked checked, Customer customer) {
        Map<String, Object> rating = checked.rating();
        if (customer != null) {
            customer.addTo(rating);
        }
        return new Joined(rating, customer != null);
    }

    interface Bytes {
        byte[] get() throws Exception;
    }

    private static byte[] bytes(Bytes b) {
        try {
            return b.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Customers as the CDC route writes them (flat JSON rows), kept in the table as the JSON bytes. */
    static Serde<Customer> customerSerde() {
        Serializer<Customer> ser = (topic, c) -> {
            if (c == null) {
                return null;
            }
            Map<String, Object> row = new java.util.LinkedHashMap<>();
            row.put("id", c.id());
            row.put("first_name", c.firstName());
            row.put("last_name", c.lastName());
            row.put("email", c.email());
            row.put("club_status", c.clubStatus());
            return bytes(() -> JSON.writeValueAsBytes(row));
        };
        Deserializer<Customer> de = (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                JsonNode row = JSON.readTree(data);
                return Customer.fromRow(row.path("id").asInt(), row);
            } catch (Exception e) {
                return null;
            }
        };
        return Serdes.serdeFrom(ser, de);
    }
}
