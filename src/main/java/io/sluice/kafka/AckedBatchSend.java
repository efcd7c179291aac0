package io.sluice.kafka;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

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
 * <p>The outputs are Camel messages (each with headers {@code kafka.OVERRIDE_TOPIC} and {@code kafka.KEY}), which
 * camel-kafka's producer turns into Kafka records, or Kafka {@link ProducerRecord}s already, which are handed straight
 * to the Kafka client that producer made for the endpoint (its options, serializers and security as configured; the
 * record's key and value must then be what those serializers take). Why both: camel-kafka's conversion — a
 * case-insensitive header lookup, removal and type conversion per record — was 36% of this step's thread in the
 * ratings flow, and building the messages 3% of its consumer's (issue 21 JFR); the ratings flow, Sluice's hot path,
 * builds records.
 *
 * <p>Without an {@link AckedBatchConsumer} (another {@code kafkaClientFactory}) the step sends, waits and commits.
 */
public final class AckedBatchSend extends AckedBatchStep {

    private boolean ownThread;
    private final LazyProducer producer = new LazyProducer();
    private volatile ExecutorService sender;

    public AckedBatchSend() {
        super(1);
    }

    public void send(Exchange batch) throws Exception {
        CamelContext context = batch.getContext();
        AsyncProducer kafka = producer.of(context, uri(), () -> {
            if (ownThread) { // one thread, so batches are handed to the producer in the order they come
                sender = context.getExecutorServiceManager().newSingleThreadExecutor(this, "AckedBatchSend");
            }
        });
        new Sending(batch, kafka).handOver(batchesInFlight());
    }

    /** One batch's outputs on their way: each attempt sends a fresh copy of them. */
    final class Sending extends BatchInFlight {
        private final AsyncProducer producer;
        private final Exchange outputs;

        Sending(Exchange batch, AsyncProducer producer) {
            super(batch, redeliveryDelay(), maximumRedeliveryDelay());
            this.producer = producer;
            this.outputs = batch.copy();
        }

        @Override
        protected CompletableFuture<?> attempt() {
            Exchange copy = outputs.copy();
            CompletableFuture<Void> done = new CompletableFuture<>();
            List<?> records = copy.getMessage().getBody(List.class);
            boolean kafkaRecords = producer instanceof KafkaProducer && records != null && !records.isEmpty()
                    && records.get(0) instanceof ProducerRecord<?, ?>;
            Runnable call = () -> {
                try {
                    if (kafkaRecords) {
                        sendRecords(((KafkaProducer) producer).getKafkaProducer(), records, done);
                    } else {
                        producer.process(copy, doneSync -> complete(done, copy.getException()));
                    }
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            };
            ExecutorService thread = sender;
            if (thread == null) {
                call.run();
                return done;
            }
            try {
                thread.execute(call);
            } catch (RejectedExecutionException e) { // Camel is stopping
                done.completeExceptionally(e);
            }
            return done;
        }

        /** Done when every record is acknowledged; failed at the first that is not (the whole batch is sent again). */
        @SuppressWarnings({"unchecked", "rawtypes"})
        private static void sendRecords(Producer client, List<?> records, CompletableFuture<Void> done) {
            AtomicInteger waiting = new AtomicInteger(records.size());
            for (Object record : records) {
                if (done.isDone()) {
                    return; // one failed already: this attempt is over, the rest go with the next
                }
                client.send((ProducerRecord) record, (metadata, failure) -> {
                    if (failure != null) {
                        done.completeExceptionally(failure);
                    } else if (waiting.decrementAndGet() == 0) {
                        done.complete(null);
                    }
                });
            }
        }

        private static void complete(CompletableFuture<Void> done, Exception failure) {
            if (failure == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(failure);
            }
        }
    }

    /**
     * Whether the outputs are handed to the producer on a thread of this step's own (one, so in order) rather than on
     * the consumer's: turning the batch into Kafka records and appending them to the producer's buffer is then done
     * while the consumer routes the next batch.
     */
    public void setOwnThread(boolean ownThread) {
        this.ownThread = ownThread;
    }
}
