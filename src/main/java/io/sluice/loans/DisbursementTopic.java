package io.sluice.loans;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Whether a disbursement event is on the topic already. Asked only for a row that was approved before but never
 * marked published — a crash fell between sending its event and the mark, so the event may or may not have
 * reached Kafka. Only the key's partition is read, from a little before the approval, so this stays cheap (it
 * happens a few times per crash, not per approval). Found by the fault suite: ten SIGKILLs gave one loan two
 * disbursement events.
 */
public final class DisbursementTopic {

    /** Clocks of the database and the broker may differ: read from this much before the approval. */
    private static final long CLOCK_MARGIN_MS = Duration.ofMinutes(5).toMillis();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final String brokers;
    private final String topic;
    private final ObjectMapper json;

    public DisbursementTopic(String brokers, String topic, ObjectMapper json) {
        this.brokers = brokers;
        this.topic = topic;
        this.json = json;
    }

    /** True if an event for ({@code custIds}, {@code loanId}) is on the topic, written since {@code approvedAtMs}. */
    public boolean holds(int custIds, String loanId, long approvedAtMs) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, TIMEOUT);
            if (partitions == null || partitions.isEmpty()) {
                return false; // nothing was ever published
            }
            // where the producer's default partitioner put this key
            int p = Utils.toPositive(Utils.murmur2(loanId.getBytes(StandardCharsets.UTF_8))) % partitions.size();
            TopicPartition tp = new TopicPartition(topic, p);
            consumer.assign(List.of(tp));
            OffsetAndTimestamp from = consumer.offsetsForTimes(Map.of(tp, Math.max(0, approvedAtMs - CLOCK_MARGIN_MS)), TIMEOUT).get(tp);
            long end = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
            if (from == null) {
                return false; // nothing written since then
            }
            consumer.seek(tp, from.offset());
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(tp, TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + tp + " for loan " + loanId + " took longer than " + TIMEOUT);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (loanId.equals(r.key()) && r.value() != null && isFor(custIds, r.value())) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    private boolean isFor(int custIds, byte[] value) {
        try {
            JsonNode event = json.readTree(value);
            return event.path("cust_ids").asInt() == custIds;
        } catch (Exception e) {
            return false;
        }
    }
}
