package io.sluice.sales;

import java.util.ArrayList;
import java.util.List;

import io.sluice.kafka.DeadLetters;
import io.sluice.kafka.Outbox;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Split aggregation for the sales batch: the parent's body becomes the rows of every valid sale (for one batched
 * insert), while the dead letters the refused ones emitted stay in the parent's outbox (see {@link Outbox}).
 */
public final class SalesCollector implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Exchange target = oldExchange == null ? newExchange : oldExchange;
        @SuppressWarnings("unchecked")
        List<Object> rows = oldExchange == null ? new ArrayList<>() : oldExchange.getMessage().getBody(List.class);
        if (oldExchange != null) {
            Outbox.moveEmitted(newExchange, oldExchange);
        }
        if (newExchange.getMessage().getHeader(DeadLetters.REASON) == null) {
            rows.add(newExchange.getMessage().getBody());
        }
        target.getMessage().setBody(rows);
        return target;
    }
}
