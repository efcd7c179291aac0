package io.sluice.kafka;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.sluice.kafka.JsonRecord.Refused;
import io.sluice.ops.FlowMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;

/**
 * For the steps of batch sinks (the sales flows): a whole Kafka batch — the body as a batching consumer hands it
 * over, a list of one exchange per record — parsed in one call into the rows for one batched insert; the records
 * the parser refuses are dead-lettered through the exchange's {@link Outbox}, with the reason it gave.
 * <p>
 * One loop over the batch rather than a split into one exchange per record: in sales-ingest the split's per-record
 * exchange copies, units of work, events, bean invocations and filter were ~60% of the consumer thread's time, the
 * parsing itself ~9% (issue 21 profile). Kafka headers are read per record only where a row or a letter needs them.
 */
public final class RecordBatch {

    /** One record's value to its row, or {@link Refused} with the reason the dead letter gives. */
    @FunctionalInterface
    public interface Parser<T> {
        /** @param record the record's message: its Kafka coordinates are its headers ({@link KafkaConstants}) */
        T row(Message record, byte[] value) throws Refused;
    }

    /**
     * Variable with how many rows {@link #rows} returned, for the route's "any rows?" filter: {@code ${body.size}} on
     * the list made Simple build a bean info per batch keyed by the list itself, hashing every row (~9% of
     * sales-ingest's consumer thread, issue 21 profile). A variable, not a header: headers can go out with Kafka records.
     */
    public static final String ROWS = "sluiceRows";

    private RecordBatch() {
    }

    /**
     * The rows of the batch's valid records, in the batch's order, their number in variable {@link #ROWS}; each
     * refused record's dead letter for {@code deadLetterTopic} is added to the exchange's outbox ({@link Outbox#take}
     * takes them for one producer call).
     */
    public static <T> List<T> rows(Exchange batch, String deadLetterTopic, Parser<T> parser) throws JsonProcessingException {
        List<?> records = batch.getMessage().getBody(List.class);
        List<T> rows = new ArrayList<>(records.size());
        List<Message> refused = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (Object item : records) {
            Message record = ((Exchange) item).getMessage();
            try {
                rows.add(parser.row(record, record.getBody(byte[].class)));
            } catch (Refused e) {
                refused.add(record);
                reasons.add(e.getMessage() == null ? "unknown" : e.getMessage());
            }
        }
        if (!records.isEmpty()) {
            FlowMetrics.of(batch.getContext()).in(batch.getFromRouteId(),
                    ((Exchange) records.get(0)).getMessage().getHeader(KafkaConstants.TOPIC), records.size());
        }
        Outbox outbox = batch.getContext().getRegistry().lookupByNameAndType("outbox", Outbox.class);
        for (int i = 0; i < refused.size(); i++) {
            outbox.deadLetter(batch, deadLetterTopic, refused.get(i), reasons.get(i));
        }
        batch.setVariable(ROWS, rows.size());
        return rows;
    }

    /** The record's Kafka coordinates, {@code topic-partition@offset}: the same however often it is delivered. */
    public static String coordinates(Message record) {
        return record.getHeader(KafkaConstants.TOPIC) + "-" + record.getHeader(KafkaConstants.PARTITION)
                + "@" + record.getHeader(KafkaConstants.OFFSET);
    }
}
