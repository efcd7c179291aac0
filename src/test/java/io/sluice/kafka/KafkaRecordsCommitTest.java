package io.sluice.kafka;

import java.util.ArrayList;
import java.util.List;

import io.sluice.ops.FlowMetrics;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The commit step when the consumer group rebalances: a commit the group refuses for a rebalance is given up (a
 * retry on the consumer's thread would keep it from rejoining, and the whole group waited for it), any other
 * failure still fails the exchange (so the route's error handler retries it), and a batch commits the highest offset
 * of each partition.
 */
class KafkaRecordsCommitTest {

    private final CamelContext context = new DefaultCamelContext();
    private final KafkaRecords records = new KafkaRecords(FlowMetrics.of(context));
    private final List<String> committed = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        context.close();
    }

    @Test
    void aBatchCommitsTheHighestOffsetOfEachPartition() {
        Exchange batch = batch(record(0, 5, null), record(0, 7, null), record(1, 3, null));
        records.commit(batch);
        assertThat(committed).containsExactly("t-0@7", "t-1@3");
    }

    /** With the partitions its polls returned, a batch's search from its end stops once each was seen. */
    @Test
    void aBatchsHighestOffsetsAreLookedForInThePartitionsItCanHold() {
        List<Exchange> batch = List.of(record(0, 4, null), record(1, 2, null), record(0, 5, null), record(0, 6, null));
        KafkaRecords.highest(batch, java.util.Set.of(p(0), p(1))).forEach(org.apache.camel.component.kafka.consumer.KafkaManualCommit::commit);
        assertThat(committed).containsExactlyInAnyOrder("t-0@6", "t-1@2");
        committed.clear();
        // told it holds partition 0 only, the search ends at the batch's last record: partition 1 is not looked for
        KafkaRecords.highest(batch, java.util.Set.of(p(0))).forEach(org.apache.camel.component.kafka.consumer.KafkaManualCommit::commit);
        assertThat(committed).containsExactly("t-0@6");
    }

    private static org.apache.kafka.common.TopicPartition p(int partition) {
        return new org.apache.kafka.common.TopicPartition("t", partition);
    }

    @Test
    void aCommitRefusedForARebalanceIsGivenUpAndTheRestOfTheBatchIsNotTried() {
        Exchange batch = batch(record(0, 7, new CommitFailedException()), record(1, 3, null));
        records.commit(batch); // does not throw: the route completes and the consumer polls (and rejoins) again
        assertThat(committed).isEmpty();

        Exchange single = record(2, 9, new KafkaException("wrapped", new RebalanceInProgressException("rebalancing")));
        records.commit(single);
        assertThat(committed).isEmpty();
    }

    @Test
    void anyOtherCommitFailureFailsTheExchange() {
        Exchange single = record(0, 7, new KafkaException("timed out committing"));
        assertThatThrownBy(() -> records.commit(single)).isInstanceOf(KafkaException.class).hasMessageContaining("timed out");
        assertThat(committed).isEmpty();
    }

    private Exchange batch(Exchange... items) {
        Exchange batch = new DefaultExchange(context);
        batch.getMessage().setBody(List.of(items));
        records.keepBatch(batch); // as the first step of every batch route
        return batch;
    }

    /** A record of topic t whose manual commit records "t-partition@offset", or throws {@code failure}. */
    private Exchange record(int partition, long offset, RuntimeException failure) {
        Exchange e = new DefaultExchange(context);
        e.getMessage().setHeader(KafkaConstants.TOPIC, "t");
        e.getMessage().setHeader(KafkaConstants.PARTITION, partition);
        e.getMessage().setHeader(KafkaConstants.OFFSET, offset);
        e.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, (KafkaManualCommit) () -> {
            if (failure != null) {
                throw failure;
            }
            committed.add("t-" + partition + "@" + offset);
        });
        return e;
    }
}
