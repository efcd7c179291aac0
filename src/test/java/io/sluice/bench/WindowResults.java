package io.sluice.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One run's window results, read back (committed records only: a transactional writer's aborted records are not
 * results) and checked against the ground truth, with the broker's append times of the records that time the run.
 * The runner reads them only once the output is complete: it shares two cores with the contender.
 */
final class WindowResults implements AutoCloseable {

    /** What a run's results came to against the truth. */
    record Check(long records, long repeats, long conflicting, long missing, long wrong, long extra, long markers) {

        boolean exact() {
            return conflicting == 0 && missing == 0 && wrong == 0 && extra == 0;
        }

        @Override
        public String toString() {
            String s = exact() ? "totals exact" : String.format("TOTALS DIFFER: %d missing, %d wrong, %d extra, %d with two values",
                    missing, wrong, extra, conflicting);
            return s + (repeats > 0 ? " (+" + repeats + " repeated records)" : "");
        }
    }

    /** The first result and the last timed one: broker append time and window end. */
    record Span(long firstAt, long firstEnd, long lastAt, long lastEnd) {

        /** False when no window was closed by the input alone (a grace as long as the input): nothing to time. */
        boolean timed() {
            return lastAt != Long.MIN_VALUE && firstAt != Long.MAX_VALUE && lastAt > firstAt;
        }

        long millis() {
            return timed() ? lastAt - firstAt : 0;
        }

        /** Sales gone through between the two results: one sale per time unit. */
        long sales() {
            return timed() ? lastEnd - firstEnd : 0;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();
    /** key → the first value seen for it */
    private final Map<String, String> values = new HashMap<>();
    private final Map<String, SalesWorkload.Total> totals = new HashMap<>();
    private long records;
    private long repeats;
    private long conflicting;
    private long firstAt = Long.MAX_VALUE;
    private long firstEnd;
    private long lastAt = Long.MIN_VALUE;
    private long lastEnd;
    private final long timedBefore;

    /**
     * @param timedBefore results of windows ending before this are timed: the windows the input itself closes
     */
    WindowResults(String brokers, String topic, int partitionCount, long timedBefore) {
        this.consumer = consumer(brokers);
        this.timedBefore = timedBefore;
        for (int p = 0; p < partitionCount; p++) {
            partitions.add(new TopicPartition(topic, p));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Committed records in the output (the last stable offsets; counts transaction markers too). */
    long end() {
        return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Reads everything committed so far. */
    void drain() {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                add(r);
            }
        }
    }

    private void add(ConsumerRecord<String, byte[]> r) {
        records++;
        String value = new String(r.value(), StandardCharsets.UTF_8);
        String before = values.putIfAbsent(r.key(), value);
        if (before != null) {
            if (before.equals(value)) {
                repeats++;
            } else {
                conflicting++;
            }
            return;
        }
        JsonNode v;
        try {
            v = JSON.readTree(value);
        } catch (Exception e) {
            throw new IllegalStateException("not a result: " + value, e);
        }
        long start = v.path("window_start").asLong();
        long end = v.path("window_end").asLong();
        String item = v.path("item").asText();
        // a result must say what its key says; otherwise it counts as wrong (a total no window has)
        boolean consistent = r.key().equals(item + "@" + start);
        totals.put(r.key(), consistent ? new SalesWorkload.Total(v.path("total_amount").asLong(), v.path("count").asLong())
                : new SalesWorkload.Total(-1, -1));
        if (r.timestamp() < firstAt) {
            firstAt = r.timestamp();
            firstEnd = end;
        }
        if (end < timedBefore && r.timestamp() > lastAt) {
            lastAt = r.timestamp();
            lastEnd = end;
        }
    }

    /** Every expected key has a result. */
    boolean complete(Map<String, SalesWorkload.Total> truth) {
        return truth.keySet().stream().allMatch(totals::containsKey);
    }

    Span span() {
        return new Span(firstAt, firstEnd, lastAt, lastEnd);
    }

    /**
     * @param endOfData windows starting here or later hold no sale: an end marker's, not checked
     */
    Check check(Map<String, SalesWorkload.Total> truth, long endOfData) {
        long missing = 0;
        long wrong = 0;
        for (Map.Entry<String, SalesWorkload.Total> e : truth.entrySet()) {
            SalesWorkload.Total got = totals.get(e.getKey());
            if (got == null) {
                missing++;
            } else if (!got.equals(e.getValue())) {
                wrong++;
            }
        }
        long extra = 0;
        long markers = 0;
        for (String key : totals.keySet()) {
            if (!truth.containsKey(key)) {
                String start = key.substring(key.lastIndexOf('@') + 1);
                if (start.matches("\\d+") && Long.parseLong(start) >= endOfData) {
                    markers++;
                } else {
                    extra++;
                }
            }
        }
        return new Check(records, repeats, conflicting, missing, wrong, extra, markers);
    }

    /** Committed records in a topic of one partition (e.g. the late events). */
    static long count(String brokers, String topic) {
        try (WindowResults r = new WindowResults(brokers, topic, 1, Long.MIN_VALUE)) {
            return r.countAll();
        }
    }

    private long countAll() {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        long n = 0;
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            n += consumer.poll(Duration.ofMillis(200)).count();
        }
        return n;
    }

    @Override
    public void close() {
        consumer.close();
    }

    private static KafkaConsumer<String, byte[]> consumer(String brokers) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
