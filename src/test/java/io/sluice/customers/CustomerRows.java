package io.sluice.customers;

import org.apache.camel.CamelContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.List;

/** A customer table filled by hand, for unit tests of what reads it (no Kafka: the table is never started). */
public final class CustomerRows {

    private CustomerRows() {
    }

    /** {@code rows}: the CDC topic's records, as {id, JSON row} pairs. */
    public static CustomerTable of(CamelContext context, String[]... rows) {
        CustomerTable table = new CustomerTable(context, "unused:9092", "customers", List.of(), () -> true);
        long offset = 0;
        for (String[] row : rows) {
            table.apply(new ConsumerRecord<>("customers", 0, offset++, row[0], row[1]));
        }
        return table;
    }
}
