package io.sluice.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The send that does not wait (AckedBatchSend) and its consumer's commits (AckedBatchConsumer), without a broker: the
 * outputs go to a direct: endpoint that fails a given number of times, and each record's manual commit records
 * "topic-partition@offset". A batch is committed only once its outputs are acknowledged, a failed send is sent again
 * and not committed meanwhile (nor the batch after it), and a batch still failing when its consumer leaves is not
 * committed at all. Batches of another kind of work (BatchInFlight) may be in flight together unless one must follow
 * an earlier one (the same document in both). The step that calls a route with the batch (AckedBatchCall, the sales
 * flow's write) is held to the same.
 */
class AckedBatchSendTest {

    private final CamelContext context = new DefaultCamelContext();
    private final AckedBatchSend send = new AckedBatchSend();
    private final AckedBatchCall call = new AckedBatchCall();
    private final List<String> committed = new ArrayList<>();
    private final AtomicInteger attempts = new AtomicInteger();
    private volatile int failures;
    /** Commits that time out, as while the broker is away, before they go through. */
    private final AtomicInteger commitTimeouts = new AtomicInteger();
    private final List<String> sentOn = java.util.Collections.synchronizedList(new ArrayList<>());
    private AckedBatchConsumer<byte[], byte[]> consumer;
    private final java.util.concurrent.CountDownLatch secondThrough = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    private final List<Object> calledThrough = java.util.Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // the first batch ends only once the second went through meanwhile and the test let it go on
                from("direct:concurrent").process(e -> {
                    Object what = e.getMessage().getBody(List.class).get(0);
                    if ("first".equals(what)) {
                        if (!secondThrough.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                            throw new IllegalStateException("the second batch was not called meanwhile");
                        }
                        if (!release.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                            throw new IllegalStateException("not let go on");
                        }
                    }
                    calledThrough.add(what);
                    if ("second".equals(what)) {
                        secondThrough.countDown();
                    }
                });
                from("direct:outputs").process(e -> {
                    List<?> outputs = e.getMessage().getBody(List.class);
                    sentOn.add(Thread.currentThread().getName() + ":" + outputs.get(0));
                    if (attempts.incrementAndGet() <= failures || outputs.contains("unsendable")) {
                        throw new IllegalStateException("the broker is down");
                    }
                });
            }
        });
        context.start();
        send.setUri("direct:outputs");
        send.setRedeliveryDelay(1);
        send.setMaximumRedeliveryDelay(4);
        call.setUri("direct:outputs");
        call.setRedeliveryDelay(1);
        call.setMaximumRedeliveryDelay(4);
        Properties p = new Properties(); // never polled here: the broker is never contacted
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        p.setProperty(ConsumerConfig.GROUP_ID_CONFIG, "acked-batch-send-test");
        p.setProperty(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.setProperty(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer = new AckedBatchConsumer<>(p);
    }

    @AfterEach
    void stop() throws Exception {
        consumer.close();
        context.close();
    }

    @Test
    void aBatchIsCommittedOnceAcknowledgedWhenTheNextIsSentOrTheConsumerLeaves() throws Exception {
        send.send(batch(0, 9));
        assertThat(committed).as("in flight, not yet committed").isEmpty();
        send.send(batch(10, 19));
        assertThat(committed).containsExactly("t-0@9");
        consumer.close(); // as when its partitions are revoked: the batch in flight is awaited and committed
        assertThat(committed).containsExactly("t-0@9", "t-0@19");
    }

    /**
     * The full fault suite's broker outage: a commit that timed out left the consumer's poll with the exception, and
     * camel-kafka then sought past the records it held (27 search documents skipped). Now nothing is thrown, the
     * acknowledged batch stays uncommitted, and its commit is made at the next try, in order, before the next batch
     * is sent.
     */
    @Test
    void aCommitThatTimesOutIsNotThrownButMadeAgainInOrderAtTheNextTry() throws Exception {
        commitTimeouts.set(1);
        send.send(batch(0, 9));
        consumer.commitAcknowledged(); // as at the next poll: the first is acknowledged, its commit times out
        assertThat(committed).isEmpty();
        commitTimeouts.set(1);
        send.send(batch(10, 19)); // its hand-over's commit of the first times out once more: made again, then it is sent
        assertThat(attempts).hasValue(2);
        assertThat(committed).containsExactly("t-0@9");
        consumer.commitAcknowledged();
        assertThat(committed).as("and the second once acknowledged").containsExactly("t-0@9", "t-0@19");
    }

    @Test
    void aFailedSendIsSentAgainAndNeitherItNorTheNextBatchIsCommittedBeforeItIsAcknowledged() throws Exception {
        failures = 2;
        send.send(batch(0, 9));
        assertThat(attempts).hasValue(1);
        assertThat(committed).isEmpty();
        // the next batch's send waits for the failed one: sent again (twice more) until acknowledged, committed, and
        // only then is this batch sent
        send.send(batch(10, 19));
        assertThat(attempts).hasValue(4);
        assertThat(committed).containsExactly("t-0@9");
    }

    @Test
    void aBatchStillFailingWhenItsConsumerLeavesIsNotCommitted() throws Exception {
        failures = Integer.MAX_VALUE;
        send.send(batch(0, 9));
        consumer.close();
        assertThat(committed).isEmpty();
    }

    @Test
    void withTwoBatchesInFlightTheyAreCommittedInOrderAndNoneAfterOneThatFailed() throws Exception {
        send.setBatchesInFlight(2);
        failures = 1;
        send.send(batch(0, 9));   // fails once
        send.send(batch(10, 19)); // acknowledged at once, but after a batch not yet acknowledged
        assertThat(committed).isEmpty();
        send.send(batch(20, 29)); // two in flight: waits for the oldest, sent again until acknowledged
        assertThat(committed).containsExactly("t-0@9");
        consumer.close();
        assertThat(committed).containsExactly("t-0@9", "t-0@19", "t-0@29");
    }

    @Test
    void aBatchAcknowledgedAfterOneThatStillFailsIsNotCommitted() throws Exception {
        send.setBatchesInFlight(2);
        send.send(batch(0, 9, "unsendable"));
        send.send(batch(10, 19));
        consumer.close();
        assertThat(committed).isEmpty();
    }

    @Test
    void onItsOwnThreadTheOutputsAreSentInOrderAgainAfterAFailureAndCommittedTheSame() throws Exception {
        send.setOwnThread(true);
        send.setBatchesInFlight(2);
        failures = 1;
        send.send(batch(0, 9, "first"));
        send.send(batch(10, 19, "second"));
        send.send(batch(20, 29, "third"));
        assertThat(committed).containsExactly("t-0@9");
        consumer.close();
        assertThat(committed).containsExactly("t-0@9", "t-0@19", "t-0@29");
        assertThat(sentOn).extracting(s -> s.substring(s.indexOf(':') + 1))
                .containsExactly("first", "second", "first", "third"); // the first sent again after its failure
        assertThat(sentOn).noneMatch(s -> s.startsWith(Thread.currentThread().getName() + ":"));
    }

    @Test
    void aCalledRouteGoesThroughEachBatchOnTheStepsThreadInOrderAgainAfterAFailureAndOnlyThenIsItCommitted() throws Exception {
        failures = 1;
        call.call(batch(0, 9, "first"));   // fails once, on the step's thread
        call.call(batch(10, 19, "second")); // two in flight by default: returns at once
        assertThat(committed).isEmpty();
        call.call(batch(20, 29, "third"));  // waits for the oldest: called again until it went through, committed
        assertThat(committed).containsExactly("t-0@9");
        consumer.close();
        assertThat(committed).containsExactly("t-0@9", "t-0@19", "t-0@29");
        assertThat(sentOn).extracting(s -> s.substring(s.indexOf(':') + 1))
                .containsExactly("first", "second", "first", "third");
        assertThat(sentOn).noneMatch(s -> s.startsWith(Thread.currentThread().getName() + ":"));
    }

    /** The sales flow's write: two batches in the called route at once, committed oldest first all the same. */
    @Test
    void withConcurrentCallsALaterBatchGoesThroughWhileAnEarlierOneIsInTheRouteAndWaitsForItToBeCommitted() throws Exception {
        call.setUri("direct:concurrent");
        call.setConcurrentCalls(2);
        call.setBatchesInFlight(3);
        call.call(batch(0, 9, "first"));
        call.call(batch(10, 19, "second"));
        assertThat(secondThrough.await(10, java.util.concurrent.TimeUnit.SECONDS))
                .as("the second called while the first is still in the route").isTrue();
        consumer.commitAcknowledged(); // as at the next poll
        assertThat(committed).as("the second went through, the first not yet: nothing committed").isEmpty();
        release.countDown();
        consumer.close();
        assertThat(committed).containsExactly("t-0@9", "t-0@19");
        assertThat(calledThrough).containsExactly("second", "first");
    }

    @Test
    void aCalledBatchStillFailingWhenItsConsumerLeavesIsNotCommitted() throws Exception {
        failures = Integer.MAX_VALUE;
        call.call(batch(0, 9));
        call.call(batch(10, 19));
        consumer.close();
        assertThat(committed).isEmpty();
    }

    @Test
    void batchesOfOtherDocumentsAreInFlightTogether() {
        Work first = new Work(batch(0, 9), Set.of("a", "b"));
        first.handOver(2);
        Work second = new Work(batch(10, 19), Set.of("c"));
        second.handOver(2); // returns at once: the first is still in flight and shares nothing with it
        assertThat(second.started).isTrue();
        assertThat(first.done).isNotDone();
        assertThat(committed).isEmpty();
        second.done.complete(null);
        first.done.complete(null);
        consumer.close();
        assertThat(committed).containsExactly("t-0@9", "t-0@19");
    }

    @Test
    void aBatchHoldingADocumentOfOneInFlightStartsOnlyOnceThatOneIsDoneAndCommitted() {
        Work first = new Work(batch(0, 9), Set.of("a", "b"));
        first.handOver(2);
        // answered later, on another thread, while the second batch's hand-over waits for it
        CompletableFuture.runAsync(() -> first.done.complete(null),
                CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
        Work second = new Work(batch(10, 19), Set.of("b", "c"));
        second.earlier = first;
        second.handOver(2);
        assertThat(second.earlierDoneWhenStarted).isTrue();
        assertThat(committed).containsExactly("t-0@9");
        second.done.complete(null);
        consumer.close();
        assertThat(committed).containsExactly("t-0@9", "t-0@19");
    }

    /** A batch's work whose attempt the test completes; it must follow an earlier batch holding one of its ids. */
    private static final class Work extends BatchInFlight {
        final Set<String> ids;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        volatile boolean started;
        Work earlier;
        boolean earlierDoneWhenStarted;

        Work(Exchange batch, Set<String> ids) {
            super(batch, 1, 4);
            this.ids = ids;
        }

        @Override
        protected CompletableFuture<?> attempt() {
            started = true;
            earlierDoneWhenStarted = earlier != null && earlier.done.isDone();
            return done;
        }

        @Override
        protected boolean mustFollow(BatchInFlight other) {
            return other instanceof Work work && !java.util.Collections.disjoint(work.ids, ids);
        }
    }

    @Test
    void recordsPolledBeforeTheirPartitionWasRevokedAreLeftOutOfTheBatchThatHoldsThem() {
        AckedBatchConsumer.Polled polled = new AckedBatchConsumer.Polled();
        polled.returned(4, Set.of(p(0), p(1)));             // polled: p0@0, p1@0, p0@1, p1@1 (not yet handed over)
        polled.revoked(List.of(new TopicPartition("t", 1))); // then partition 1 revoked, in the next poll
        polled.returned(2, Set.of(p(0)));                   // which returns p0@2, p0@3
        assertThat(polled.pending()).as("records held for a batch: the consumer polls briefly").isTrue();
        List<?> batch = polled.current(List.of(rec(0, 0), rec(1, 0), rec(0, 1), rec(1, 1), rec(0, 2), rec(0, 3))).records();
        assertThat(polled.pending()).as("all handed over: the consumer may poll for its full timeout").isFalse();
        assertThat(batch).extracting(e -> ((Exchange) e).getMessage().getHeader(KafkaConstants.PARTITION) + "@"
                + ((Exchange) e).getMessage().getHeader(KafkaConstants.OFFSET))
                .containsExactly("0@0", "0@1", "0@2", "0@3");
        polled.returned(1, Set.of(p(1)));                   // p1@0 again, read from the last commit once it is back
        assertThat(polled.current(List.of(rec(1, 0))).records()).hasSize(1);
    }

    /** A batch's highest offsets are looked for in the partitions of the polls its records came from. */
    @Test
    void aBatchKnowsThePartitionsOfThePollsItsRecordsCameFrom() {
        AckedBatchConsumer.Polled polled = new AckedBatchConsumer.Polled();
        polled.returned(3, Set.of(p(0)));       // p0@0..2
        polled.returned(3, Set.of(p(1), p(2))); // p1@0, p2@0, p1@1
        polled.returned(2, Set.of(p(2)));       // p2@1, p2@2
        assertThat(polled.current(List.of(rec(0, 0), rec(0, 1))).partitions()).containsExactly(p(0));
        assertThat(polled.current(List.of(rec(0, 2), rec(1, 0), rec(2, 0))).partitions())
                .containsExactlyInAnyOrder(p(0), p(1), p(2));
        assertThat(polled.current(List.of(rec(1, 1), rec(2, 1), rec(2, 2))).partitions())
                .containsExactlyInAnyOrder(p(1), p(2));
        polled.returned(1, Set.of(p(3)));
        assertThat(polled.current(List.of(rec(3, 0))).partitions()).as("the polls handed over are forgotten")
                .containsExactly(p(3));
    }

    private static TopicPartition p(int partition) {
        return new TopicPartition("t", partition);
    }

    private Exchange rec(int partition, long offset) {
        Exchange e = new DefaultExchange(context);
        e.getMessage().setHeader(KafkaConstants.TOPIC, "t");
        e.getMessage().setHeader(KafkaConstants.PARTITION, partition);
        e.getMessage().setHeader(KafkaConstants.OFFSET, offset);
        return e;
    }

    private Exchange batch(long from, long to) {
        return batch(from, to, "output");
    }

    /** A batch exchange of topic t, partition 0, offsets from..to, as after the route's routing step. */
    private Exchange batch(long from, long to, String output) {
        List<Exchange> records = new ArrayList<>();
        TopicPartition partition = new TopicPartition("t", 0);
        for (long offset = from; offset <= to; offset++) {
            Exchange e = new DefaultExchange(context);
            e.getMessage().setHeader(KafkaConstants.TOPIC, "t");
            e.getMessage().setHeader(KafkaConstants.PARTITION, 0);
            e.getMessage().setHeader(KafkaConstants.OFFSET, offset);
            long o = offset;
            e.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, new DefaultKafkaManualCommit(
                    new KafkaManualCommitFactory.CamelExchangePayload(e, consumer, "test", null),
                    new KafkaManualCommitFactory.KafkaRecordPayload(partition, o, 1000)) {
                @Override
                public void commit() {
                    if (commitTimeouts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        throw new org.apache.kafka.common.errors.TimeoutException(
                                "Timeout of 5000ms expired before successfully committing offsets");
                    }
                    committed.add("t-0@" + o);
                }
            });
            records.add(e);
        }
        Exchange batch = new DefaultExchange(context);
        batch.getMessage().setBody(records);
        new KafkaRecords(io.sluice.ops.FlowMetrics.of(context)).keepBatch(batch);
        batch.getMessage().setBody(List.of(output));
        return batch;
    }
}
