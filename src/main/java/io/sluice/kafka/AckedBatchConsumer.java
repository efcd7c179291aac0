package io.sluice.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.Properties;
import java.util.regex.Pattern;

import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
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
 * acknowledged — whichever comes first of:
 * <ul>
 * <li>the next batch's send step ({@link #handOver}: waits for the batch in flight, then commits it);</li>
 * <li>a poll, empty or not (so the last batch is committed when the input goes quiet; camel-kafka's own async manual
 * commit only commits on the next poll that returns records, and its batching consumer never calls the route with an
 * empty batch). While a batch is in flight a poll waits at most {@link #IN_FLIGHT_POLL}, so its commit follows its
 * acknowledgements closely;</li>
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
    /** The longest poll while a batch is in flight: its commit waits at most this long after its last acknowledgement. */
    static final Duration IN_FLIGHT_POLL = Duration.ofMillis(5);

    /** Touched on the consumer's thread only (poll, its rebalance callbacks, the route's steps). */
    private AckedBatchSend.Sending inFlight;
    private Thread owner;

    public AckedBatchConsumer(Properties properties) {
        super(properties);
    }

    /**
     * The send step of a batch, on this consumer's thread: the batch in flight is awaited (sent again until
     * acknowledged) and committed, then this one is sent and left in flight.
     */
    void handOver(AckedBatchSend.Sending next) {
        if (owner != null && owner != Thread.currentThread()) {
            throw new IllegalStateException("a batch handed over on " + Thread.currentThread().getName()
                    + ", not on its consumer's thread " + owner.getName());
        }
        if (inFlight != null) {
            inFlight.awaitAcknowledged();
            commitInFlight();
        }
        next.send();
        inFlight = next;
    }

    @Override
    public ConsumerRecords<K, V> poll(Duration timeout) {
        owner = Thread.currentThread();
        commitIfAcknowledged();
        ConsumerRecords<K, V> records = super.poll(inFlight == null || timeout.compareTo(IN_FLIGHT_POLL) < 0
                ? timeout : IN_FLIGHT_POLL);
        commitIfAcknowledged();
        return records;
    }

    private void commitIfAcknowledged() {
        if (inFlight != null && inFlight.acknowledged()) {
            commitInFlight();
        }
    }

    private void commitInFlight() {
        AckedBatchSend.Sending done = inFlight;
        inFlight = null; // first: a commit refused or failing must not be tried again with a later batch's
        KafkaRecords.commit(done.routeId(), done.commits());
    }

    /** Before partitions move on: the batch in flight is committed if its current attempt succeeds, else dropped. */
    private void settleBeforeLeaving(String why) {
        AckedBatchSend.Sending done = inFlight;
        if (done == null) {
            return;
        }
        if (done.awaitAttempt()) {
            commitInFlight();
        } else {
            inFlight = null;
            LOG.warn("{}: a batch whose outputs were not all acknowledged is not committed ({}); its records are read "
                    + "again from the last commit", done.routeId(), why);
        }
    }

    private ConsumerRebalanceListener settling(ConsumerRebalanceListener listener) {
        return new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                settleBeforeLeaving("partitions revoked");
                listener.onPartitionsRevoked(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                listener.onPartitionsAssigned(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                // already someone else's: a commit would be refused
                if (inFlight != null) {
                    LOG.warn("{}: partitions lost with a batch in flight; its records are read again by their next "
                            + "owner", inFlight.routeId());
                    inFlight = null;
                }
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
            inFlight = null;
            LOG.warn("Committing the batch in flight before {} failed: {}", why, e.toString());
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
