package io.sluice.kafka;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;

/**
 * Last step of a batch route whose consumer is an {@link AckedBatchConsumer}: the rest of the batch's work — the
 * route behind {@link #setUri uri} (a {@code direct:} route that writes the batch's rows, say) — runs on a thread of
 * this step's own, and the step returns without waiting, so the consumer's thread polls and checks the next batch
 * while the database writes this one. The consumer commits the batch's offsets once that route has gone through the
 * batch without a failure (see {@link AckedBatchConsumer}), oldest batch first.
 *
 * <p>{@link #setConcurrentCalls concurrentCalls} batches may be in the called route at once (1 by default).
 *
 * <p>A failed call is made again, whole, on a fresh copy of the batch, backing off from
 * {@link #setRedeliveryDelay redeliveryDelay} to {@link #setMaximumRedeliveryDelay maximumRedeliveryDelay}, for ever:
 * as the route's error handler did when the work was done on the consumer's thread (only infrastructure fails there;
 * bad input was dead-lettered before). Its batch is not committed meanwhile, nor any after it. The called route must
 * therefore be idempotent for a batch (an upsert on a key, dead letters at least once) and should leave failures to
 * this step ({@code noErrorHandler}).
 *
 * <p>Why a step of our own: camel-kafka can commit asynchronously (its {@code KafkaManualCommit} with an async
 * commit), but performs such a commit only when the consumer next returns records, so the last batch stays
 * uncommitted when the input goes quiet; and Camel's {@code threads} or {@code seda} hand-over would let the consumer
 * commit before the work is durable. {@link BatchInFlight} is the ratings flow's and the search sink's mechanism.
 *
 * <p>Without an {@link AckedBatchConsumer} (another {@code kafkaClientFactory}) the step calls, waits and commits.
 */
public final class AckedBatchCall extends AckedBatchStep {

    private final LazyProducer producer = new LazyProducer();
    private volatile ExecutorService caller;
    private int concurrentCalls = 1;

    public AckedBatchCall() {
        super(2);
    }

    /**
     * Batches in the called route at once, at most (and no more than {@link #setBatchesInFlight batchesInFlight}).
     * With 1 (the default) batches reach the route one after the other, in the order they were read; with more, a
     * batch may go through before an earlier one — only for a route whose batches may land in any order (an upsert of
     * rows with keys of their own, say): it is still committed only after every earlier one. Why: MariaDB took the
     * sales of two batches written at once on two connections faster than one batch at a time (issue 21).
     */
    public void setConcurrentCalls(int calls) {
        if (calls < 1) {
            throw new IllegalArgumentException("concurrentCalls must be at least 1, not " + calls);
        }
        this.concurrentCalls = calls;
    }

    public void call(Exchange batch) throws Exception {
        CamelContext context = batch.getContext();
        AsyncProducer route = producer.of(context, uri(), () ->
                // with one thread (the default) the batches of a route reach the called route in the order they were read
                caller = context.getExecutorServiceManager().newFixedThreadPool(this, "AckedBatchCall", concurrentCalls));
        new Calling(batch, route).handOver(batchesInFlight());
    }

    /** One batch's remaining work: each attempt sends a fresh copy of the batch to the called route. */
    private final class Calling extends BatchInFlight {
        private final AsyncProducer route;
        private final Exchange work;

        Calling(Exchange batch, AsyncProducer route) {
            super(batch, redeliveryDelay(), maximumRedeliveryDelay());
            this.route = route;
            this.work = batch.copy();
        }

        @Override
        protected CompletableFuture<?> attempt() {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Exchange copy = work.copy();
            try {
                caller.execute(() -> {
                    try {
                        route.process(copy); // synchronous: the called route has gone through the batch on return
                    } catch (Exception e) {
                        copy.setException(e);
                    }
                    if (copy.getException() != null) {
                        done.completeExceptionally(copy.getException());
                    } else {
                        done.complete(null);
                    }
                });
            } catch (RejectedExecutionException e) { // Camel is stopping
                done.completeExceptionally(e);
            }
            return done;
        }
    }
}
