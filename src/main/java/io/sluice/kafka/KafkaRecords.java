package io.sluice.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.sluice.ops.FlowMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Route step for batch consumers: a batch arrives as a list of exchanges, one per Kafka record; the splitter
 * hands each of them over as a body. {@link #unwrap} makes the current message that record: its value as the
 * body and its coordinates as headers, plus the original bytes for a dead letter.
 */
public final class KafkaRecords {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaRecords.class);
    public static final String ORIGINAL_VALUE = "sluiceOriginalValue";
    static final String BATCH = "sluiceBatch";
    /** The partitions a batch's records can be of, when its consumer is an {@link AckedBatchConsumer}. */
    static final String PARTITIONS = "sluiceBatchPartitions";
    private final FlowMetrics metrics;

    public KafkaRecords(FlowMetrics metrics) {
        this.metrics = metrics;
    }

    public void unwrap(Exchange exchange) {
        Message current = exchange.getMessage();
        Object body = current.getBody();
        if (!(body instanceof Exchange record)) {
            current.setHeader(ORIGINAL_VALUE, body); // already a plain record (a non-batching consumer)
            metrics.in(exchange.getFromRouteId(), current.getHeader(KafkaConstants.TOPIC));
            return;
        }
        Message in = record.getMessage();
        current.setHeader(KafkaConstants.TOPIC, in.getHeader(KafkaConstants.TOPIC));
        current.setHeader(KafkaConstants.PARTITION, in.getHeader(KafkaConstants.PARTITION));
        current.setHeader(KafkaConstants.OFFSET, in.getHeader(KafkaConstants.OFFSET));
        current.setHeader(KafkaConstants.KEY, in.getHeader(KafkaConstants.KEY));
        Object value = in.getBody();
        current.setHeader(ORIGINAL_VALUE, value);
        current.setBody(value);
        metrics.in(exchange.getFromRouteId(), in.getHeader(KafkaConstants.TOPIC));
    }

    /** First step of every batch route: keeps the batch's records for {@link #commit} (the body will change). */
    public void keepBatch(Exchange exchange) {
        List<?> batch = exchange.getMessage().getBody(List.class);
        AckedBatchConsumer<?, ?> consumer = batch.isEmpty() ? null
                : AckedBatchConsumer.of(((Exchange) batch.get(0)).getMessage().getHeader(KafkaConstants.MANUAL_COMMIT));
        if (consumer != null) {
            // without records of partitions revoked since they were polled
            AckedBatchConsumer.Handed current = consumer.current(batch);
            if (current.records().size() != batch.size()) {
                exchange.getMessage().setBody(current.records());
                batch = current.records();
                exchange.setRouteStop(batch.isEmpty()); // nothing of it is this consumer's any more
            }
            exchange.setProperty(PARTITIONS, current.partitions());
        }
        exchange.setProperty(BATCH, batch);
    }

    /**
     * Last step of every Kafka route (consumers run with {@code allowManualCommit=true}): commits the offsets of
     * what this exchange consumed, now that its work is done — one record, or for a batch the highest offset
     * of each partition. camel-kafka itself commits nothing when auto-commit is off (it only would with
     * auto-commit on, which also commits a failed batch when the consumer closes).
     *
     * <p>A commit the group refuses because it is rebalancing is given up, not retried: the consumer can only rejoin
     * from its next poll, which a retry on its own thread would hold back — the whole group then waited for it (up to
     * {@code max.poll.interval.ms}) while the retry kept being refused. The work is durable already; the partition's
     * next owner reads these records again from the last commit, which every sink absorbs (idempotent on a key).
     */
    public void commit(Exchange exchange) {
        List<?> batch = exchange.getProperty(BATCH, List.class);
        if (batch == null) {
            KafkaManualCommit single = exchange.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
            if (single != null) {
                commit(exchange.getFromRouteId(), single);
            }
            return;
        }
        commit(exchange.getFromRouteId(), highest(batch, exchange.getProperty(PARTITIONS, Set.class)));
    }

    /**
     * The manual commit of each partition's highest-offset record in a batch: committing them commits the batch.
     * Three header lookups per record (each a case-insensitive tree search) and no type conversion: this loop was
     * 12% of sales-ingest's consumer thread with four, a string key and converted offsets (issue 21 profile).
     * {@code partitions}: those the batch's records can be of (a superset; property {@link #PARTITIONS}), or null for
     * every partition its consumer owns.
     */
    static List<KafkaManualCommit> highest(List<?> batch, Set<TopicPartition> partitions) {
        // Read from the end: a partition's records come in offset order, so its last record is usually its highest,
        // and once every partition the batch can hold has been seen the rest cannot change the result (all of the
        // batch's partitions are its consumer's: keepBatch dropped those revoked since the poll; and they are of the
        // polls its records came from). Reading the whole batch was 5% of the ratings consumer's time (issue 21 JFR).
        // Were a partition's offsets ever out of order in a batch, a lower offset would be committed: its records read
        // again after a restart, none skipped.
        Set<TopicPartition> lookedFor = batch.isEmpty() ? Set.of()
                : partitions != null ? partitions : ownedHere((Exchange) batch.get(0));
        int seenOfThem = 0;
        Map<TopicPartition, Highest> highestOfPartition = new LinkedHashMap<>();
        for (int i = batch.size() - 1; i >= 0; i--) {
            Message record = ((Exchange) batch.get(i)).getMessage();
            Map<String, Object> headers = record.getHeaders();
            TopicPartition partition = new TopicPartition(String.valueOf(headers.get(KafkaConstants.TOPIC)),
                    ((Number) headers.get(KafkaConstants.PARTITION)).intValue());
            long offset = ((Number) headers.get(KafkaConstants.OFFSET)).longValue();
            Highest seen = highestOfPartition.get(partition);
            if (seen == null || offset > seen.offset) {
                highestOfPartition.put(partition, new Highest(offset, record));
            }
            if (seen == null && lookedFor.contains(partition) && ++seenOfThem == lookedFor.size()) {
                break;
            }
        }
        List<KafkaManualCommit> commits = new ArrayList<>(highestOfPartition.size());
        for (Highest highest : highestOfPartition.values()) {
            KafkaManualCommit commit = highest.record.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
            if (commit != null) {
                commits.add(commit);
            }
        }
        Collections.reverse(commits); // read from the end: partitions in the order the batch has them
        return commits;
    }

    /** Commits a batch's {@link #highest} commits, on the consumer's thread; see {@link #commit(Exchange)}. */
    static void commit(String routeId, List<KafkaManualCommit> commits) {
        for (KafkaManualCommit commit : commits) {
            if (!commit(routeId, commit)) {
                return; // the group is rebalancing: the other partitions' commits would be refused as well
            }
        }
    }

    /** Commits; false when the group refused it for a rebalance (see {@link #commit(Exchange)}). */
    private static boolean commit(String routeId, KafkaManualCommit commit) {
        try {
            commit.commit();
            return true;
        } catch (RuntimeException e) {
            if (!refusedForRebalance(e)) {
                throw e;
            }
            LOG.warn("{}: offsets not committed, the consumer group is rebalancing ({}); the records since the last "
                    + "commit are read again by their partition's next owner", routeId, e.toString());
            return false;
        }
    }

    static boolean refusedForRebalance(Throwable e) {
        return causedBy(e, CommitFailedException.class, RebalanceInProgressException.class);
    }

    /** Whether {@code e} or one of its causes is of one of {@code types} (clients wrap Kafka's errors in their own). */
    @SafeVarargs
    static boolean causedBy(Throwable e, Class<? extends Throwable>... types) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (Class<? extends Throwable> type : types) {
                if (type.isInstance(t)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The partitions the record's consumer owns, when this is its thread (else none: the whole batch is read). */
    private static Set<TopicPartition> ownedHere(Exchange record) {
        AckedBatchConsumer<?, ?> consumer = AckedBatchConsumer.of(record.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT));
        return consumer == null ? Set.of() : consumer.assignmentHere();
    }

    private record Highest(long offset, Message record) {
    }

    /** The bytes as text when they are valid UTF-8, else as base64 (so a dead letter is always valid JSON). */
    static String text(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return "base64:" + Base64.getEncoder().encodeToString(bytes);
        }
    }
}
