package io.sluice.kafka;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.ops.ApiRole;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Service;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The console's dead letters ({@code /api/console/dead-letters}): every dead-letter topic of the catalog (each flow's
 * {@code *dlq-topic}, each window's {@code -dlq} and {@code -late}), newest first, with what was done to each letter;
 * and the two things an approver may do to a letter — <b>replay</b> it (its original key and payload back to its
 * source topic) or <b>discard</b> it. Both are recorded in table {@code dead_letter_action}, whose key is the letter's
 * (dlq topic, partition, offset): the row is inserted <em>before</em> anything is published, so of two operators
 * replaying one letter at once exactly one insert succeeds and only that one publishes; the other is told who did it.
 * If Kafka then does not take the record, the claim is deleted, so the letter can be replayed again: a replay Kafka
 * refused published nothing, and the one case that could still publish twice — Kafka wrote it but its answer was lost —
 * is absorbed by the flows' own idempotency keys (rating_id, event_id, (cust_ids, loan_id), the alert ledger), whereas
 * a claim kept for a failed publish would leave the letter unreplayable for good.
 */
public final class DeadLetterConsole implements Service {

    /** At most this many letters per partition are shown (dead-letter topics have one partition by default). */
    static final int NEWEST = 200;
    static final int PREVIEW = 400;
    private final CamelContext context;
    private final Supplier<DataSource> dataSource;
    private final TopicTail tail;
    private final Set<String> deadLetterTopics;
    private final Set<String> topics;
    private final ObjectMapper json;
    private KafkaProducer<byte[], byte[]> producer;

    public DeadLetterConsole(CamelContext context, Supplier<DataSource> dataSource, TopicTail tail,
                             Set<String> deadLetterTopics, Set<String> topics, ObjectMapper json) {
        this.context = context;
        this.dataSource = dataSource;
        this.tail = tail;
        this.deadLetterTopics = deadLetterTopics;
        this.topics = topics;
        this.json = json;
    }

    /** What was done to a letter: replay, discard or resend; by whom, when; published when Kafka took the replay. */
    public record Action(String action, String by, String at, String published) {
    }

    /** The outcome of one action on one letter: replayed, discarded, already (someone did), not-found, refused, failed. */
    public record Outcome(String topic, int partition, long offset, String outcome, String detail) {
    }

    public Set<String> deadLetterTopics() {
        return deadLetterTopics;
    }

    /** Route step: {@code ?topic=} (default all), {@code ?reason=} (substring, any case); newest first. */
    public Map<String, Object> list(Exchange exchange) throws SQLException {
        String only = exchange.getMessage().getHeader("topic", String.class);
        String reason = exchange.getMessage().getHeader("reason", String.class);
        if (only != null && !only.isBlank() && !deadLetterTopics.contains(only)) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 400);
            return Map.of("error", "not a dead-letter topic: " + only, "topics", deadLetterTopics);
        }
        List<Map<String, Object>> perTopic = new ArrayList<>();
        List<DeadLetter> shown = new ArrayList<>();
        Map<String, List<DeadLetter>> byTopic = new HashMap<>();
        for (TopicTail.Rec r : tail.newest(deadLetterTopics, NEWEST)) {
            byTopic.computeIfAbsent(r.topic(), t -> new ArrayList<>()).add(DeadLetter.of(r, json));
        }
        for (String topic : deadLetterTopics) {
            List<DeadLetter> letters = byTopic.getOrDefault(topic, List.of());
            perTopic.add(Map.of("topic", topic, "letters", letters.size()));
            if (only == null || only.isBlank() || only.equals(topic)) {
                for (DeadLetter l : letters) {
                    if (reason == null || reason.isBlank() || (l.reason() != null
                            && l.reason().toLowerCase(Locale.ROOT).contains(reason.toLowerCase(Locale.ROOT)))) {
                        shown.add(l);
                    }
                }
            }
        }
        shown.sort((a, b) -> Long.compare(b.timestamp(), a.timestamp()));
        Map<String, Action> actions = actions(shown);
        List<Map<String, Object>> out = new ArrayList<>();
        for (DeadLetter l : shown) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("topic", l.topic());
            row.put("partition", l.partition());
            row.put("offset", l.offset());
            row.put("timestamp", Instant.ofEpochMilli(l.timestamp()).toString());
            row.put("reason", l.reason());
            row.put("source", l.source());
            row.put("key", l.keyText());
            row.put("payload", l.payload() == null ? null
                    : l.payload().length() > PREVIEW ? l.payload().substring(0, PREVIEW) + "…" : l.payload());
            row.put("action", actions.get(coordinates(l.topic(), l.partition(), l.offset())));
            out.add(row);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("topics", perTopic);
        body.put("letters", out);
        return body;
    }

    /** The newest letters of one dead-letter topic, newest first. */
    public List<DeadLetter> letters(String topic) {
        return tail.newest(topic, NEWEST).stream().map(r -> DeadLetter.of(r, json)).toList();
    }

    /** Route step for POST …/replay: body {@code {"letters":[{"topic","partition","offset"}]}}. */
    public Map<String, Object> replay(Exchange exchange) throws Exception {
        return act(exchange, "replay");
    }

    /** Route step for POST …/discard: the same body. */
    public Map<String, Object> discard(Exchange exchange) throws Exception {
        return act(exchange, "discard");
    }

    private Map<String, Object> act(Exchange exchange, String action) throws Exception {
        String user = exchange.getMessage().getHeader(ApiRole.USER, String.class);
        JsonNode letters;
        try {
            letters = json.readTree(exchange.getMessage().getBody(String.class)).path("letters");
        } catch (Exception e) {
            letters = null;
        }
        if (letters == null || !letters.isArray() || letters.isEmpty() || letters.size() > 100) {
            return badRequest(exchange, "the body is {\"letters\":[{\"topic\":..,\"partition\":..,\"offset\":..}]}, 1 to 100 letters");
        }
        for (JsonNode l : letters) {
            if (!deadLetterTopics.contains(l.path("topic").asText()) || !l.path("partition").canConvertToInt()
                    || !l.path("offset").canConvertToLong()) {
                return badRequest(exchange, "not a dead letter of a dead-letter topic: " + l);
            }
        }
        List<Outcome> results = new ArrayList<>();
        for (JsonNode l : letters) {
            results.add(act(user, action, l.path("topic").asText(), l.path("partition").asInt(), l.path("offset").asLong()));
        }
        return Map.of("results", results);
    }

    /**
     * One action on one letter, at most once: the claim row first (its key is the letter), then — for a replay — the
     * flow's hook and the publication to the source topic with the original key and payload.
     */
    public Outcome act(String user, String action, String topic, int partition, long offset) throws Exception {
        DeadLetter letter = tail.at(topic, partition, offset).map(r -> DeadLetter.of(r, json)).orElse(null);
        if (letter == null) {
            return new Outcome(topic, partition, offset, "not-found", "no record at " + topic + "-" + partition + "@" + offset);
        }
        boolean replay = !action.equals("discard");
        String target = letter.sourceTopic();
        if (replay && (target == null || !topics.contains(target))) {
            return new Outcome(topic, partition, offset, "refused",
                    "its source " + letter.source() + " is not one of Sluice's topics; only a letter of a Sluice flow is replayed");
        }
        try (Connection c = dataSource.get().getConnection();
             PreparedStatement claim = c.prepareStatement("INSERT INTO dead_letter_action (dlq_topic, dlq_partition, dlq_offset,"
                     + " action, target_topic, acted_by) VALUES (?, ?, ?, ?, ?, ?)")) {
            claim.setString(1, topic);
            claim.setInt(2, partition);
            claim.setLong(3, offset);
            claim.setString(4, action);
            claim.setString(5, replay ? target : null);
            claim.setString(6, user);
            claim.executeUpdate();
        } catch (SQLException e) {
            if (!io.sluice.db.SqlDialect.duplicateKey(e)) {
                throw e; // not "taken": a real failure
            }
            Action done = actions(List.of(letter)).get(coordinates(topic, partition, offset));
            return new Outcome(topic, partition, offset, "already", done == null ? "handled already"
                    : done.action() + " by " + done.by() + " at " + done.at());
        }
        if (!replay) {
            return new Outcome(topic, partition, offset, "discarded", "by " + user);
        }
        List<ReplayHook> ran = new ArrayList<>();
        try {
            for (ReplayHook hook : context.getRegistry().findByType(ReplayHook.class)) {
                if (hook.appliesTo(topic)) {
                    String refused = hook.beforeReplay(letter);
                    if (refused != null) {
                        undo(ran, letter);
                        withdraw(topic, partition, offset);
                        return new Outcome(topic, partition, offset, "refused", refused);
                    }
                    ran.add(hook);
                }
            }
            producer().send(new ProducerRecord<>(target, letter.key(), letter.originalPayload())).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            undo(ran, letter);
            withdraw(topic, partition, offset);
            return new Outcome(topic, partition, offset, "failed", "not replayed (" + e.getMessage() + "); it may be replayed again");
        }
        onRow("UPDATE dead_letter_action SET published_ts = CURRENT_TIMESTAMP", topic, partition, offset);
        return new Outcome(topic, partition, offset, "replayed", "to " + target + " by " + user);
    }

    private static void undo(List<ReplayHook> hooks, DeadLetter letter) throws Exception {
        for (ReplayHook hook : hooks) {
            hook.replayFailed(letter);
        }
    }

    private void withdraw(String topic, int partition, long offset) throws SQLException {
        onRow("DELETE FROM dead_letter_action", topic, partition, offset);
    }

    /** {@code statement} on the letter's row of dead_letter_action (its key: the letter's coordinates). */
    private void onRow(String statement, String topic, int partition, long offset) throws SQLException {
        try (Connection c = dataSource.get().getConnection();
             PreparedStatement ps = c.prepareStatement(statement + " WHERE dlq_topic = ? AND dlq_partition = ? AND dlq_offset = ?")) {
            ps.setString(1, topic);
            ps.setInt(2, partition);
            ps.setLong(3, offset);
            ps.executeUpdate();
        }
    }

    /** The recorded actions on {@code letters}, by {@link #coordinates}: one query per topic and partition shown. */
    public Map<String, Action> actions(List<DeadLetter> letters) throws SQLException {
        Map<String, long[]> ranges = new HashMap<>(); // topic \0 partition -> {min, max}
        for (DeadLetter l : letters) {
            ranges.merge(l.topic() + "\u0000" + l.partition(), new long[] {l.offset(), l.offset()},
                    (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        Map<String, Action> out = new HashMap<>();
        if (ranges.isEmpty()) {
            return out;
        }
        try (Connection c = dataSource.get().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT dlq_offset, action, acted_by, acted_ts, published_ts FROM dead_letter_action"
                     + " WHERE dlq_topic = ? AND dlq_partition = ? AND dlq_offset BETWEEN ? AND ?")) {
            for (Map.Entry<String, long[]> e : ranges.entrySet()) {
                String[] tp = e.getKey().split("\u0000");
                ps.setString(1, tp[0]);
                ps.setInt(2, Integer.parseInt(tp[1]));
                ps.setLong(3, e.getValue()[0]);
                ps.setLong(4, e.getValue()[1]);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        java.sql.Timestamp published = rs.getTimestamp(5);
                        out.put(coordinates(tp[0], Integer.parseInt(tp[1]), rs.getLong(1)), new Action(rs.getString(2), rs.getString(3),
                                rs.getTimestamp(4).toInstant().toString(), published == null ? null : published.toInstant().toString()));
                    }
                }
            }
        }
        return out;
    }

    public static String coordinates(String topic, int partition, long offset) {
        return topic + "-" + partition + "@" + offset;
    }

    private static Map<String, Object> badRequest(Exchange exchange, String error) {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 400);
        return Map.of("error", error);
    }

    private synchronized KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, context.resolvePropertyPlaceholders("{{sluice.kafka.brokers}}"),
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20000,
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000,
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, 10000),
                    new ByteArraySerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    @Override
    public void start() {
    }

    @Override
    public synchronized void stop() {
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(2));
            producer = null;
        }
    }
}
