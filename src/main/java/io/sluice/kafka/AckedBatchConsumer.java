package io.sluice.kafka;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Properties;
import java.util.regex.Pattern;

import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka consumer of a batch route whose outputs are sent without waiting ({@link AckedBatchSend}): it holds the
 * batch still in flight and commits it, on its own thread (a KafkaConsumer is not thread-safe), once every output is
 * acknowledged, oldest first — whichever comes first of:
 * <ul>
 * <li>a later batch's send step when as many batches as allowed are in flight ({@link #handOver}: waits for the
 * oldest, then commits it);</li>
 * <li>a poll, empty or not (so the last batch is committed when the input goes quiet; camel-kafka's own async manual
 * commit only commits on the next poll that returns records, and its batching consumer never calls the route with an
 * empty batch). While a batch is in flight a poll waits at most {@link #IN_FLIGHT_POLL}, so its commit follows its
 * acknowledgements closely (and so while records polled wait in a batch not yet full, so it goes at its interval);</li>
 * <li>its partitions being revoked, unsubscribed or the consumer closed: the batch in flight is awaited and committed
 * before the partitions move on (else their next owner repeated it), or its commit dropped if its send failed.</li>
 * </ul>
 * A batch whose send fails is sent again (backing off, as the route's error handler did) until acknowledged, and
 * stays in flight meanwhile: nothing after it is committed before it.
 *
 * <p>camel-kafka creates its consumers through a {@link org.apache.camel.component.kafka.KafkaClientFactory}, the
 * endpoint's {@code kafkaClientFactory} option: {@link Factory}. camel-kafka's own commits (its manual commit objects,
 * its rebalance listener) go through this consumer unchanged.
 */
public final class AckedBatchConsumer<K, V> extends KafkaConsumer<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(AckedBatchConsumer.class);
    /** Between commits that failed for now (the broker away) while a hand-over waits for the oldest batch's commit. */
    private static final Duration COMMIT_RETRY = Duration.ofMillis(200);

    /** The longest poll while a batch is in flight: its commit waits at most this long after its last acknowledgement. */
    static final Duration IN_FLIGHT_POLL = Duration.ofMillis(5);

    /** Oldest first; touched on the consumer's thread only (poll, its rebalance callbacks, the route's steps). */
    private final ArrayDeque<BatchInFlight> inFlight = new ArrayDeque<>();
    private Thread owner;
    private final Polled polled = new Polled();

    public AckedBatchConsumer(Properties properties) {
        super(properties);
    }

    /**
     * The send step of a batch, on this consumer's thread: while {@code atMost} batches are in flight, or one the
     * next {@link BatchInFlight#mustFollow must follow}, the oldest is awaited (sent again until acknowledged) and
     * committed; then this one is sent and left in flight. Batches are committed in the order they were read, so no
     * commit passes a batch not yet acknowledged.
     */
    void handOver(BatchInFlight next, int atMost) {
        if (owner != null && owner != Thread.currentThread()) {
            throw new IllegalStateException("a batch handed over on " + Thread.currentThread().getName()
                    + ", not on its consumer's thread " + owner.getName());
        }
        while (inFlight.size() >= atMost || inFlight.stream().anyMatch(next::mustFollow)) {
            inFlight.peekFirst().awaitDone();
            if (!commitOldest()) {
                pauseBeforeCommittingAgain(); // the broker away: the consumer waits here, as it has nothing to poll
            }
        }
        next.start();
        inFlight.addLast(next);
    }

    private static void pauseBeforeCommittingAgain() {
        try {
            Thread.sleep(COMMIT_RETRY.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.apache.kafka.common.errors.InterruptException(e);
        }
    }

    @Override
    public ConsumerRecords<K, V> poll(Duration timeout) {
        owner = Thread.currentThread();
        commitAcknowledged();
        // short polls while a batch is in flight, and while camel-kafka holds polled records for a batch not yet full:
        // it hands a partial batch over only after a poll returns, so a poll of the full timeout (500 ms for the search
        // sinks) made the last records of a burst wait that long instead of the batching interval (issue 21 profile)
        boolean waiting = !inFlight.isEmpty() || polled.pending();
        ConsumerRecords<K, V> records = super.poll(!waiting || timeout.compareTo(IN_FLIGHT_POLL) < 0
                ? timeout : IN_FLIGHT_POLL);
        polled.returned(records.count(), records.partitions());
        commitAcknowledged();
        return records;
    }

    /** The AckedBatchConsumer a record's manual commit (header {@code CamelKafkaManualCommit}) goes through, or null. */
    static AckedBatchConsumer<?, ?> of(Object manualCommit) {
        return manualCommit instanceof DefaultKafkaManualCommit c
                && c.getConsumer() instanceof AckedBatchConsumer<?, ?> consumer ? consumer : null;
    }

    /** The partitions assigned now, when called on this consumer's thread (the only one that may ask), else none. */
    Set<TopicPartition> assignmentHere() {
        return owner == Thread.currentThread() ? assignment() : Set.of();
    }

    /** See {@link Polled#current}; on this consumer's thread (the batch route's first step). */
    Handed current(List<?> batch) {
        return polled.current(batch);
    }

    /**
     * A batch as handed over: its records still this consumer's, and the partitions of the polls they came from — a
     * superset (records of revoked partitions may have been left out), so that the batch's highest offsets are found
     * without reading all of it: at 4 partitions a consumer's batch usually held records of one of its two partitions
     * only, and the search for the other read all 10 000 records' headers (4.8% of the ratings consumers' samples,
     * issue 21).
     */
    record Handed(List<?> records, Set<TopicPartition> partitions) {
    }
 /**
     * Commits the acknowledged batches at the head, oldest first, up to the first whose commit fails; that one and
     * those after it stay and are committed at the next try (each poll, each hand-over). Nothing may escape from here:
     * a commit that timed out while the broker was away used to leave {@link #poll} with a TimeoutException, and
     * camel-kafka's answer to a failed poll is to seek past the records it holds — 27 documents of the search sink
     * were skipped so in the full fault suite's 30 s broker outage.
     */
    void commitAcknowledged() {
        while (!inFlight.isEmpty() && inFlight.peekFirst().done()) {
            if (!commitOldest()) {
                return;
            }
        }
    }

    /** False when the commit failed for now (it stays at the head); one refused for a rebalance or for good is dropped. */
    private boolean commitOldest() {
        BatchInFlight done = inFlight.peekFirst();
        try {
            KafkaRecords.commit(done.routeId(), done.commits());
        } catch (org.apache.kafka.common.errors.WakeupException | org.apache.kafka.common.errors.InterruptException e) {
            throw e; // the consumer is being stopped: camel-kafka expects these
        } catch (RuntimeException e) {
            if (KafkaRecords.causedBy(e, org.apache.kafka.common.errors.RetriableException.class)) {
                // the broker away: kept; hand-overs still hold at most their bound of batches, so none pile up
                LOG.warn("{}: offsets not committed now ({}); tried again at the next poll", done.routeId(), e.toString());
                return false;
            }
            // refused for good (e.g. not authorised): dropped, as a later batch's commit would cover it, so that
            // acknowledged batches do not pile up behind it; their records are read again after a restart
            LOG.warn("{}: offsets not committed ({}); the records since the last commit are read again after a restart",
                    done.routeId(), e.toString());
        }
        inFlight.pollFirst();
        return true;
    }

    /**
     * Before partitions move on: the batches in flight are committed, oldest first, as long as their current attempt
     * succeeds; from the first that fails on, none is (their records are read again from the last commit).
     */
    private void settleBeforeLeaving(String why) {
        while (!inFlight.isEmpty()) {
            if (!(inFlight.peekFirst().awaitAttempt() && commitOldest())) {
                LOG.warn("{}: {} batch(es) whose outputs were not all acknowledged, or whose commit failed, are not"
                        + " committed ({}); their records are read again from the last commit", inFlight.peekFirst().routeId(),
                        inFlight.size(), why);
                inFlight.clear();
            }
        }
    }

    private ConsumerRebalanceListener settling(ConsumerRebalanceListener listener) {
        return new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                settleBeforeLeaving("partitions revoked");
                polled.revoked(partitions);
                listener.onPartitionsRevoked(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                listener.onPartitionsAssigned(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                // already someone else's: a commit would be refused
                if (!inFlight.isEmpty()) {
                    LOG.warn("{}: partitions lost with {} batch(es) in flight; their records are read again by their "
                            + "next owner", inFlight.peekFirst().routeId(), inFlight.size());
                    inFlight.clear();
                }
                polled.revoked(partitions);
                listener.onPartitionsLost(partitions);
            }
        };
    }

    @Override
    public void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
        super.subscribe(topics, settling(listener));
    }

    @Override
    public void subscribe(Pattern pattern, ConsumerRebalanceListener listener) {
        super.subscribe(pattern, settling(listener));
    }

    @Override
    public void unsubscribe() {
        settleQuietly("unsubscribing");
        super.unsubscribe();
    }

    @Override
    public void close() {
        settleQuietly("closing");
        super.close();
    }

    @Override
    public void close(Duration timeout) {
        settleQuietly("closing");
        super.close(timeout);
    }

    private void settleQuietly(String why) {
        try {
            settleBeforeLeaving(why);
        } catch (RuntimeException e) {
            inFlight.clear();
            LOG.warn("Committing the batch in flight before {} failed: {}", why, e.toString());
        }
    }

    /** Records polled and handed over, counted, to tell which of a batch were polled before a revocation. */
    static final class Polled {
        /** Records the polls returned, and camel-kafka handed over in batches (in the same order). */
        private long returned, handedOver;
        /** Partitions revoked (or lost), each with how many records had been returned before. */
        private final ArrayDeque<Revoked> revocations = new ArrayDeque<>();
        /** The polls whose records are not all handed over yet: their range in the count, and their partitions. */
        private final ArrayDeque<Poll> polls = new ArrayDeque<>();

        private record Revoked(long returnedBefore, Set<TopicPartition> partitions) {
        }

        private record Poll(long from, long to, Set<TopicPartition> partitions) {
        }

        void returned(int records, Set<TopicPartition> partitions) {
            if (records > 0) {
                polls.addLast(new Poll(returned, returned + records, Set.copyOf(partitions)));
            }
            returned += records;
        }

        /** True while records polled are not all handed over yet (camel-kafka gathers them for a batch). */
        boolean pending() {
            return returned > handedOver;
        }

        /**
         * A batch camel-kafka hands over (its first step, on this consumer's thread), without the records of partitions
         * revoked (or lost) after they were polled: camel-kafka's batching consumer keeps polled records across polls until
         * a batch is full or its interval is over, so a batch can hold records polled before a rebalance. Their partition's
         * next owner, or this consumer when it gets the partition back, reads them again from the last commit (the position
         * of a newly assigned partition); sent as well, they were repeated. camel-kafka hands records over in the order
         * the polls returned them, so counting them tells which were polled before a revocation — and which polls the
         * batch's records came from.
         */
        Handed current(List<?> batch) {
            long first = handedOver;
            handedOver += batch.size();
            Set<TopicPartition> partitions = new HashSet<>();
            for (Poll poll : polls) {
                if (poll.from() >= handedOver) {
                    break;
                }
                if (poll.to() > first) {
                    partitions.addAll(poll.partitions());
                }
            }
            while (!polls.isEmpty() && polls.peekFirst().to() <= handedOver) {
                polls.pollFirst(); // all of its records handed over
            }
            while (!revocations.isEmpty() && revocations.peekFirst().returnedBefore() <= first) {
                revocations.pollFirst(); // every record polled before it has been handed over
            }
            if (revocations.isEmpty()) {
                return new Handed(batch, partitions);
            }
            List<Object> kept = new java.util.ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                Object item = batch.get(i);
                if (!revokedAfterPolled(first + i, (org.apache.camel.Exchange) item)) {
                    kept.add(item);
                }
            }
            LOG.info("{} record(s) polled before their partitions were revoked left out of a batch of {}: read again "
                    + "from the last commit", batch.size() - kept.size(), batch.size());
            return new Handed(kept, partitions);
        }

        private boolean revokedAfterPolled(long index, org.apache.camel.Exchange record) {
            java.util.Map<String, Object> headers = record.getMessage().getHeaders();
            TopicPartition partition = null;
            for (Revoked r : revocations) {
                if (index < r.returnedBefore()) {
                    if (partition == null) {
                        partition = new TopicPartition(String.valueOf(headers.get(
                                org.apache.camel.component.kafka.KafkaConstants.TOPIC)), ((Number) headers.get(
                                org.apache.camel.component.kafka.KafkaConstants.PARTITION)).intValue());
                    }
                    if (r.partitions().contains(partition)) {
                        return true;
                    }
                }
            }
            return false;
        }

        void revoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty() && returned > handedOver) {
                revocations.addLast(new Revoked(returned, new HashSet<>(partitions)));
            }
        }
    }

    /** The endpoint's {@code kafkaClientFactory}: camel-kafka's own, with {@link AckedBatchConsumer} consumers. */
    public static final class Factory extends DefaultKafkaClientFactory {
        @Override
        public Consumer getConsumer(Properties kafkaProps) {
            return new AckedBatchConsumer<>(kafkaProps);
        }
    }
}
