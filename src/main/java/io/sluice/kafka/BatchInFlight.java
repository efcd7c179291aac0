package io.sluice.kafka;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A batch's work that is started by its route's last step and finishes on another thread (its outputs sent to Kafka,
 * its documents indexed): {@link #handOver} gives it to the batch's {@link AckedBatchConsumer}, which commits the
 * batch's offsets once it {@link #attempt succeeded}, and the route returns without waiting. A failed attempt is
 * made again, backing off from the redelivery delay to the maximum, for ever — as a route's error handler did while
 * the step waited; nothing after the batch is committed meanwhile.
 *
 * <p>Without an {@link AckedBatchConsumer} behind the batch (another {@code kafkaClientFactory}) the step waits for
 * it and commits.
 */
public abstract class BatchInFlight {

    private static final Logger LOG = LoggerFactory.getLogger(BatchInFlight.class);
    /** Guards only against an attempt that never ran (its thread pool shut down under it): it then counts as failed. */
    static final long ATTEMPT_TIMEOUT_MS = 130_000;

    private final String routeId;
    private final List<KafkaManualCommit> commits;
    private final long maximumRedeliveryDelay;
    private CompletableFuture<?> attempt;
    private int attempts;
    private long delay;
    private long retryAtNanos;

    /** The batch is the route's exchange (its records in property {@link KafkaRecords#BATCH}). */
    protected BatchInFlight(Exchange batch, long redeliveryDelay, long maximumRedeliveryDelay) {
        this.routeId = batch.getFromRouteId();
        this.commits = KafkaRecords.highest(batch.getProperty(KafkaRecords.BATCH, List.class),
                batch.getProperty(KafkaRecords.PARTITIONS, Set.class));
        this.delay = redeliveryDelay;
        this.maximumRedeliveryDelay = maximumRedeliveryDelay;
    }

    /**
     * Starts one attempt of the batch's work, returning at once: the future completes when it is done, exceptionally
     * when it failed (then, after a back-off, this is called again — with whatever of the batch is still to do).
     */
    protected abstract CompletableFuture<?> attempt();

    /** Called before each new attempt after a failure (a metric, say). */
    protected void retrying() {
    }

    /**
     * True when this batch may start only once {@code earlier} (still in flight, read before it) is done — when their
     * work could otherwise land out of order (the same document in both, say). By default never: the number of
     * batches in flight alone decides.
     */
    protected boolean mustFollow(BatchInFlight earlier) {
        return false;
    }

    /**
     * The route's last step: with an {@link AckedBatchConsumer} behind the batch, at most {@code batchesInFlight}
     * of its batches are left in flight (the oldest is awaited and committed first, and also while one this batch
     * {@link #mustFollow must follow} is in flight) and this returns once the attempt is started; else it waits
     * until the batch is done and commits it.
     */
    public final void handOver(int batchesInFlight) {
        AckedBatchConsumer<?, ?> consumer = commits.isEmpty() ? null : AckedBatchConsumer.of(commits.get(0));
        if (consumer != null) {
            consumer.handOver(this, batchesInFlight);
            return;
        }
        start();
        awaitDone();
        KafkaRecords.commit(routeId, commits);
    }

    final String routeId() {
        return routeId;
    }

    final List<KafkaManualCommit> commits() {
        return commits;
    }

    final void start() {
        attempts++;
        try {
            attempt = attempt();
        } catch (RuntimeException e) {
            attempt = CompletableFuture.failedFuture(e);
        }
    }

    /** Without waiting: true once done; a failed attempt is made again when its back-off is over. */
    final boolean done() {
        if (!attempt.isDone()) {
            return false;
        }
        Throwable failure = failure(attempt);
        if (failure == null) {
            return true;
        }
        if (retryAtNanos == 0) {
            failed(failure);
        } else if (System.nanoTime() - retryAtNanos >= 0) {
            retryAtNanos = 0;
            retrying();
            start();
        }
        return false;
    }

    /** Waits until done, making the attempt again after each failure (for ever, as the error handler did). */
    final void awaitDone() {
        for (Throwable failure = outcome(); failure != null; failure = outcome()) {
            if (retryAtNanos == 0) {
                failed(failure);
            }
            long wait = retryAtNanos - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            retryAtNanos = 0;
            retrying();
            start();
        }
    }

    /** Waits for the current attempt only: true if it succeeded. */
    final boolean awaitAttempt() {
        return outcome() == null;
    }

    /** Waits for the current attempt: null when it succeeded, else why not. */
    private Throwable outcome() {
        try {
            attempt.get(ATTEMPT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return null;
        } catch (TimeoutException e) {
            return new IllegalStateException("no answer in " + ATTEMPT_TIMEOUT_MS + " ms");
        } catch (ExecutionException e) {
            return e.getCause() == null ? e : e.getCause();
        } catch (InterruptedException e) {
            throw new InterruptException(e); // keeps the interrupt; the batch is not committed
        }
    }

    private static Throwable failure(CompletableFuture<?> done) {
        try {
            done.join();
            return null;
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause() == null ? e : e.getCause();
        } catch (java.util.concurrent.CancellationException e) {
            return e;
        }
    }

    private void failed(Throwable failure) {
        LOG.warn("{}: a batch's attempt {} failed, trying again in {} ms: {}", routeId, attempts, delay,
                failure.toString());
        retryAtNanos = System.nanoTime() + delay * 1_000_000;
        delay = Math.min(delay * 2, maximumRedeliveryDelay);
    }
}
