package io.sluice.search;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.DeadLetters;
import io.sluice.kafka.KafkaRecords;
import io.sluice.ops.FlowMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;

/**
 * The steps of a search sink (routes/search-index.yaml): a Kafka batch becomes one bulk request of index
 * operations whose document id is the record key (the rating_id), so a re-delivered record overwrites its
 * document instead of adding one. The record bytes go to Elasticsearch as they are, never parsed here.
 * <ul>
 *   <li>{@link #prepare}: records without a usable id or value become dead letters at once;</li>
 *   <li>{@link #request}: the bulk request for the documents not yet acknowledged (all, then after a partial
 *       failure only the failed ones);</li>
 *   <li>{@link #settle}: per item, acknowledged → done, refused as malformed (4xx) → dead letter with
 *       Elasticsearch's reason, temporarily refused (429, 5xx) → kept, and a {@link SearchRetryException}
 *       makes the route's error handler call {@link #request} again after a back-off.</li>
 * </ul>
 * The batch's offsets are committed only once every document is acknowledged or dead-lettered.
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

    public SearchIndex(ObjectMapper json, DeadLetters deadLetters, FlowMetrics metrics, IndexTemplate template) {
        this.json = json;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.template = template;
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

    /** Whether the batch left anything to index (a batch of refused records only has nothing to send). */
    public boolean hasDocuments(Exchange exchange) {
        return !pending(exchange).isEmpty();
    }

    /** Body ← the batch's dead letters, when there was nothing to index. */
    public void lettersOnly(Exchange exchange) {
        exchange.getMessage().setBody(letters(exchange));
    }

    /** Body ← a bulk request of the pending documents (the index template is put in place first, once). */
    public void request(Exchange exchange) throws IOException {
        template.ensure();
        List<Doc> pending = pending(exchange);
        BulkRequest.Builder bulk = new BulkRequest.Builder();
        for (Doc doc : pending) {
            BinaryData source = BinaryData.of(doc.source(), ContentType.APPLICATION_JSON);
            bulk.operations(BulkOperation.of(op -> op.index(i -> i.index(doc.index()).id(doc.id()).document(source))));
        }
        exchange.getMessage().setBody(bulk);
    }

    /** Body: the bulk response items, in request order. Keeps only the documents to try again. */
    public void settle(Exchange exchange) {
        List<?> items = exchange.getMessage().getBody(List.class);
        List<Doc> pending = pending(exchange);
        List<Message> letters = letters(exchange);
        List<Doc> retry = new ArrayList<>();
        String retryReason = null;
        int indexed = 0;
        for (int i = 0; i < pending.size(); i++) {
            BulkResponseItem item = (BulkResponseItem) items.get(i);
            Doc doc = pending.get(i);
            ErrorCause error = item.error();
            if (error == null) {
                indexed++;
            } else if (item.status() == 429 || item.status() >= 500) {
                retry.add(doc);
                retryReason = item.status() + " " + describe(error);
            } else {
                letters.add(letter(exchange, doc.record(), "Elasticsearch refused the document (HTTP " + item.status() + "): "
                        + describe(error)));
            }
        }
        if (indexed > 0) {
            metrics.indexed(pending.get(0).index(), indexed);
        }
        exchange.setProperty(PENDING, retry);
        if (!retry.isEmpty()) {
            throw new SearchRetryException(retry.size() + " of " + pending.size()
                    + " documents not indexed yet, e.g. " + retryReason);
        }
        exchange.getMessage().setBody(letters);
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
