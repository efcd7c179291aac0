package io.sluice.kafka;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last step of a batch route whose consumer is an {@link AckedBatchConsumer}: hands the batch's outputs (the body,
 * records each with its topic and key) to camel-kafka's producer for {@link #setUri uri} and returns without waiting
 * for their acknowledgements, so the consumer's thread works on the next batch meanwhile. The consumer commits the
 * batch's offsets once every output is acknowledged (see {@link AckedBatchConsumer}).
 *
 * <p>A send that fails is sent again, whole, backing off from {@link #setRedeliveryDelay redeliveryDelay} to
 * {@link #setMaximumRedeliveryDelay maximumRedeliveryDelay}, for ever: as the route's error handler did when the
 * send waited (only infrastructure fails here). Its batch is not committed meanwhile, nor any after it: the next
 * batch's send waits for it.
 *
 * <p>Without an {@link AckedBatchConsumer} (another {@code kafkaClientFactory}) the step sends, waits and commits.
 */
public final class AckedBatchSend {

    private static final Logger LOG = LoggerFactory.getLogger(AckedBatchSend.class);
    static final long ATTEMPT_TIMEOUT_MS = 130_000;
    private String uri;
    private long redeliveryDelay = 500;
    private long maximumRedeliveryDelay = 10_000;
    private int batchesInFlight = 1;
    private boolean ownThread;
    private volatile AsyncProducer producer;
    private volatile ExecutorService sender;

    public void send(Exchange batch) throws Exception {
        List<?> records = batch.getProperty(KafkaRecords.BATCH, List.class);
        List<KafkaManualCommit> commits = KafkaRecords.highest(records);
        Sending sending = new Sending(batch.getFromRouteId(), producer(batch.getContext()), batch.copy(), commits);
        AckedBatchConsumer<?, ?> consumer = commits.isEmpty() ? null : AckedBatchConsumer.of(commits.get(0));
        if (consumer != null) {
            consumer.handOver(sending, batchesInFlight);
            return;
        }
        sending.send();
        sending.awaitAcknowledged();
        KafkaRecords.commit(sending.routeId(), commits);
    }

    /** Created on the first batch, for the route's Camel context (an edited route file makes a new bean). */
    private AsyncProducer producer(CamelContext context) throws Exception {
        AsyncProducer p = producer;
        if (p == null) {
            synchronized (this) {
                if (producer == null) {
                    AsyncProducer created = context.getEndpoint(uri).createAsyncProducer();
                    context.addService(created, true, true); // started now, stopped with Camel
                    if (ownThread) { // one thread, so batches are handed to the producer in the order they come
                        sender = context.getExecutorServiceManager().newSingleThreadExecutor(this, "AckedBatchSend");
                    }
                    producer = created;
                }
                p = producer;
            }
        }
        return p;
    }

    /** One batch's outputs on their way: each attempt sends a fresh copy of them. */
    final class Sending {
        private final String routeId;
        private final AsyncProducer producer;
        private final Exchange outputs;
        private final List<KafkaManualCommit> commits;
        private CompletableFuture<Exchange> attempt;
        private int attempts;
        private long delay = redeliveryDelay;
        private long retryAtNanos;

        Sending(String routeId, AsyncProducer producer, Exchange outputs, List<KafkaManualCommit> commits) {
            this.routeId = routeId;
            this.producer = producer;
            this.outputs = outputs;
            this.commits = commits;
        }

        String routeId() {
            return routeId;
        }

        List<KafkaManualCommit> commits() {
            return commits;
        }

        void send() {
            Exchange copy = outputs.copy();
            CompletableFuture<Exchange> done = new CompletableFuture<>();
            attempt = done;
            attempts++;
            Runnable call = () -> {
                try {
                    producer.process(copy, doneSync -> done.complete(copy));
                } catch (RuntimeException e) {
                    copy.setException(e);
                    done.complete(copy);
                }
            };
            if (sender == null) {
                call.run();
                return;
            }
            try {
                sender.execute(call);
            } catch (RejectedExecutionException e) { // Camel is stopping
                copy.setException(e);
                done.complete(copy);
            }
        }

        /** Without waiting: true once acknowledged; a failed attempt is sent again when its back-off is over. */
        boolean acknowledged() {
            if (!attempt.isDone()) {
                return false;
            }
            Exception failure = attempt.join().getException();
            if (failure == null) {
                return true;
            }
            if (retryAtNanos == 0) {
                failed(failure);
            } else if (System.nanoTime() - retryAtNanos >= 0) {
                retryAtNanos = 0;
                send();
            }
            return false;
        }

        /** Waits until acknowledged, sending again after each failure (for ever, as the error handler did). */
        void awaitAcknowledged() {
            for (Exception failure = outcome(); failure != null; failure = outcome()) {
                if (retryAtNanos == 0) {
                    failed(failure);
                }
                long wait = retryAtNanos - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                retryAtNanos = 0;
                send();
            }
        }

        /** Waits for the current attempt only: true if it was acknowledged. */
        boolean awaitAttempt() {
            return outcome() == null;
        }

        /**
         * Waits for the current attempt: null when acknowledged, else why not. The producer answers every record within
         * its delivery timeout (2 min by default); the bound only guards against an attempt that never ran (its thread
         * pool shut down under it), which then counts as failed.
         */
        private Exception outcome() {
            try {
                return attempt.get(ATTEMPT_TIMEOUT_MS, TimeUnit.MILLISECONDS).getException();
            } catch (TimeoutException e) {
                return new IllegalStateException("no answer from the producer in " + ATTEMPT_TIMEOUT_MS + " ms");
            } catch (ExecutionException e) {
                return e;
            } catch (InterruptedException e) {
                throw new InterruptException(e); // keeps the interrupt; the batch is not committed
            }
        }

        private void failed(Exception failure) {
            LOG.warn("{}: sending a batch's outputs failed (attempt {}), sending them again in {} ms: {}",
                    routeId, attempts, delay, failure.toString());
            retryAtNanos = System.nanoTime() + delay * 1_000_000;
            delay = Math.min(delay * 2, maximumRedeliveryDelay);
        }
    }

    /** The producer's endpoint, its options included. */
    public void setUri(String uri) {
        this.uri = uri;
    }

    /**
     * Whether the outputs are handed to the producer on a thread of this step's own (one, so in order) rather than on
     * the consumer's: turning the batch into Kafka records and appending them to the producer's buffer is then done
     * while the consumer routes the next batch.
     */
    public void setOwnThread(boolean ownThread) {
        this.ownThread = ownThread;
    }

    /** Batches of one consumer sent and not yet committed, at most (the next send waits for the oldest). */
    public void setBatchesInFlight(int batches) {
        if (batches < 1) {
            throw new IllegalArgumentException("batchesInFlight must be at least 1, not " + batches);
        }
        this.batchesInFlight = batches;
    }

    public void setRedeliveryDelay(long ms) {
        this.redeliveryDelay = ms;
    }

    public void setMaximumRedeliveryDelay(long ms) {
        this.maximumRedeliveryDelay = ms;
    }
}
