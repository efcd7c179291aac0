package io.sluice.search;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.DeadLetters;
import io.sluice.kafka.BatchInFlight;
import io.sluice.kafka.KafkaRecords;
import io.sluice.kafka.LazyProducer;
import io.sluice.ops.FlowMetrics;
import org.apache.camel.AsyncProducer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.DefaultMessage;

/**
 * The steps of a search sink (routes/search-index.yaml): a Kafka batch becomes one bulk request of index
 * operations whose document id is the record key (the rating_id), so a re-delivered record overwrites its
 * document instead of adding one. The record bytes go to Elasticsearch as they are, never parsed here.
 * <ul>
 *   <li>{@link #prepare}: records without a usable id or value become dead letters at once;</li>
 *   <li>{@link #send}: the bulk request goes out and the route returns; per item, acknowledged → done, refused as
 *       malformed (4xx) → dead letter with Elasticsearch's reason, refused for now (429, 5xx) → sent again, alone,
 *       after a back-off, as is the whole request when Elasticsearch does not answer.</li>
 * </ul>
 * The batch's offsets are committed only once every document is acknowledged or dead-lettered (and the letters
 * acknowledged by Kafka), by the batch's consumer while it reads the next batch ({@link io.sluice.kafka.AckedBatchConsumer}).
 */
public final class SearchIndex {

    static final String PENDING = "sluiceSearchPending";
    static final String LETTERS = "sluiceSearchLetters";

    /** One document still to be indexed, and the record it came from (for a dead letter). */
    record Doc(String index, String id, byte[] source, Message record) {
    }

    private final ObjectMapper json;
    private final DeadLetters deadLetters;
    private final FlowMetrics metrics;
    private final IndexTemplate template;

    private final ElasticsearchAsyncClient client;
    private final String deadLetterUri;
    private final LazyProducer deadLetterTopic = new LazyProducer();
    private final long retryDelayMs;
    private final long maxRetryDelayMs;
    private final int bulksInFlight;
    /** The last temporary refusal, for the retry's log line only. */
    private volatile String retryReason;

    /**
     * @param client        one client for all bulk requests (camel-elasticsearch made a new one per request, and
     *                      waited on the consumer's thread: issue 21 profile)
     * @param deadLetterUri the endpoint of the dead-letter topic, acknowledged by all in-sync replicas
     * @param retryDelayMs  back-off before the first retry while Elasticsearch is down or busy, doubling up to
     *                      {@code maxRetryDelayMs}
     * @param bulksInFlight bulk requests a sink's consumer leaves in flight at once (of batches sharing no document)
     */
    public SearchIndex(ObjectMapper json, DeadLetters deadLetters, FlowMetrics metrics, IndexTemplate template,
            ElasticsearchAsyncClient client, String deadLetterUri, long retryDelayMs, long maxRetryDelayMs,
            int bulksInFlight) {
        this.json = json;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.template = template;
        this.client = client;
        this.deadLetterUri = deadLetterUri;
        this.retryDelayMs = retryDelayMs;
        this.maxRetryDelayMs = maxRetryDelayMs;
        if (bulksInFlight < 1) {
            throw new IllegalArgumentException("sluice.search.bulks-in-flight must be at least 1, not " + bulksInFlight);
        }
        this.bulksInFlight = bulksInFlight;
    }

    /** Body: the batch (a list of exchanges, one per record) → exchange properties: pending documents, letters. */
    public void prepare(Exchange exchange, String index, String idField) {
        List<?> batch = exchange.getMessage().getBody(List.class);
        List<Doc> pending = new ArrayList<>(batch.size());
        List<Message> letters = new ArrayList<>();
        for (Object item : batch) {
            Message record = item instanceof Exchange e ? e.getMessage() : exchange.getMessage();
            metrics.in(exchange.getFromRouteId(), record.getHeader(KafkaConstants.TOPIC));
            byte[] value = record.getBody(byte[].class);
            if (value == null || value.length == 0) {
                letters.add(letter(exchange, record, "an empty record (tombstone) has no document to index"));
                continue;
            }
            String id = idOf(record, value, idField);
            if (id == null) {
                letters.add(letter(exchange, record, "no " + idField + " to use as the document id (neither key nor field)"));
                continue;
            }
            pending.add(new Doc(index, id, value, record));
        }
        exchange.setProperty(PENDING, pending);
        exchange.setProperty(LETTERS, letters);
    }

    /** The key when there is one (the flows key by the id); else the id field of the JSON value. */
    private String idOf(Message record, byte[] value, String idField) {
        Object key = record.getHeader(KafkaConstants.KEY);
        if (key != null && !key.toString().isBlank()) {
            return key.toString();
        }
        try {
            JsonNode id = json.readTree(value).get(idField);
            return id == null || id.isNull() || id.isContainerNode() ? null : id.asText();
        } catch (IOException notJson) {
            return null;
        }
    }

    /**
     * The route's last step, after {@link #prepare}: the batch's bulk request is sent and this returns without
     * waiting for it, so the consumer reads and prepares the next batch meanwhile. Up to {@code bulksInFlight}
     * requests of one consumer are in flight at once (Elasticsearch indexes them on as many write threads), but a
     * batch holding a document id that one in flight also holds waits for it, so a later version of a document never
     * overtakes an earlier one. The batch's consumer commits it once every document is indexed or dead-lettered,
     * in the order the batches were read ({@link BatchInFlight}).
     */
    public void send(Exchange exchange) throws Exception {
        template.ensure();
        AsyncProducer dlq = deadLetterTopic.of(exchange.getContext(), deadLetterUri);
        new Bulk(exchange, pending(exchange), letters(exchange), dlq).handOver(bulksInFlight);
    }

    /**
     * One batch being indexed. An attempt sends a bulk request of the documents not yet acknowledged (none: no
     * request — Elasticsearch does not take an empty one), settles its items, then sends the dead letters gathered so
     * far to the dead-letter topic; it fails when Elasticsearch did not answer, refused documents for now (429, 5xx)
     * or the dead letters were not acknowledged, and the next attempt does only what is left. Its state is touched by
     * one attempt at a time: the next starts only once the last one's future is complete.
     */
    private final class Bulk extends BatchInFlight {
        private List<Doc> pending;
        private final List<Message> letters;
        private final Exchange batch;
        private final AsyncProducer dlq;
        /** Every document id of the batch, kept while it is in flight (a retry sends only some of them). */
        private final Set<String> ids;

        Bulk(Exchange batch, List<Doc> pending, List<Message> letters, AsyncProducer dlq) {
            super(batch, retryDelayMs, maxRetryDelayMs);
            this.batch = batch;
            this.pending = pending;
            this.letters = letters;
            this.dlq = dlq;
            this.ids = new HashSet<>(pending.size() * 2);
            for (Doc doc : pending) {
                ids.add(doc.index() + '/' + doc.id());
            }
        }

        @Override
        protected boolean mustFollow(BatchInFlight earlier) {
            return earlier instanceof Bulk bulk && !Collections.disjoint(bulk.ids, ids);
        }

        @Override
        protected CompletableFuture<?> attempt() {
            CompletableFuture<?> indexed = pending.isEmpty() ? CompletableFuture.completedFuture(null)
                    : client.bulk(request(pending)).thenAccept(response -> pending = settle(batch, pending, letters,
                            response.items()));
            return indexed.thenCompose(ignored -> deadLetters()).thenRun(() -> {
                if (!pending.isEmpty()) {
                    throw new SearchRetryException(pending.size() + " documents not indexed yet, e.g. " + retryReason);
                }
            });
        }

        @Override
        protected void retrying() {
            metrics.retried("elasticsearch");
        }

        private CompletableFuture<Void> deadLetters() {
            if (letters.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            Exchange send = new DefaultExchange(batch.getContext());
            send.getMessage().setBody(new ArrayList<>(letters));
            CompletableFuture<Void> done = new CompletableFuture<>();
            dlq.process(send, doneSync -> {
                if (send.getException() == null) {
                    letters.clear();
                    done.complete(null);
                } else {
                    done.completeExceptionally(send.getException());
                }
            });
            return done;
        }
    }

    /** A bulk request of these documents. */
    private static BulkRequest request(List<Doc> pending) {
        BulkRequest.Builder bulk = new BulkRequest.Builder();
        for (Doc doc : pending) {
            BinaryData source = BinaryData.of(doc.source(), ContentType.APPLICATION_JSON);
            bulk.operations(BulkOperation.of(op -> op.index(i -> i.index(doc.index()).id(doc.id()).document(source))));
        }
        return bulk.build();
    }

    /**
     * The bulk response's items, in request order: acknowledged → done, refused as malformed → a dead letter with
     * Elasticsearch's reason, refused for now (429, 5xx) → returned, to be sent again.
     */
    private List<Doc> settle(Exchange batch, List<Doc> pending, List<Message> letters, List<BulkResponseItem> items) {
        List<Doc> retry = new ArrayList<>();
        int indexed = 0;
        for (int i = 0; i < pending.size(); i++) {
            BulkResponseItem item = items.get(i);
            Doc doc = pending.get(i);
            ErrorCause error = item.error();
            if (error == null) {
                indexed++;
            } else if (item.status() == 429 || item.status() >= 500) {
                retry.add(doc);
                retryReason = item.status() + " " + describe(error);
            } else {
                letters.add(letter(batch, doc.record(), "Elasticsearch refused the document (HTTP " + item.status() + "): "
                        + describe(error)));
            }
        }
        if (indexed > 0) {
            metrics.indexed(pending.get(0).index(), indexed);
        }
        return retry;
    }

    /** "type: reason; caused by type: reason" — what Elasticsearch said, as a user would want to read it. */
    static String describe(ErrorCause error) {
        StringBuilder text = new StringBuilder().append(error.type()).append(": ").append(error.reason());
        ErrorCause cause = error.causedBy();
        if (cause != null) {
            text.append("; caused by ").append(cause.type()).append(": ").append(cause.reason());
        }
        return text.toString();
    }

    /** The record's dead letter, keyed like it, ready for the DLQ endpoint (the record's body is still its bytes). */
    private Message letter(Exchange exchange, Message record, String reason) {
        record.setHeader(KafkaRecords.ORIGINAL_VALUE, record.getBody(byte[].class));
        record.setHeader(DeadLetters.REASON, reason);
        Message out = new DefaultMessage(exchange.getContext());
        try {
            out.setBody(deadLetters.letter(record));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Object key = record.getHeader(KafkaConstants.KEY);
        if (key != null) {
            out.setHeader(KafkaConstants.KEY, key.toString());
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Doc> pending(Exchange exchange) {
        return exchange.getProperty(PENDING, List.class);
    }

    @SuppressWarnings("unchecked")
    private static List<Message> letters(Exchange exchange) {
        return exchange.getProperty(LETTERS, List.class);
    }
}
