package io.sluice.ops;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * The last error of each flow (route), for the console's flows page: an exchange that failed, or that is being
 * redelivered (Kafka, the database or Slack away — the flows wait and retry rather than fail, so a retry is where an
 * outage shows). Kept in memory, by the route the exchange entered; one string per flow.
 */
public final class LastErrors extends EventNotifierSupport {

    /** One flow's last error: what was thrown, and when. */
    public record LastError(String message, Instant at) {
    }

    private final Map<String, LastError> byFlow = new ConcurrentHashMap<>();

    public LastErrors() {
        // only the failure events: every other exchange event would cost each record a call here
        setIgnoreCamelContextEvents(true);
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeSentEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof CamelEvent.ExchangeEvent e && (event instanceof CamelEvent.ExchangeFailedEvent
                || event instanceof CamelEvent.ExchangeRedeliveryEvent || event instanceof CamelEvent.ExchangeFailureHandlingEvent)) {
            Exchange exchange = e.getExchange();
            Throwable error = exchange.getException() != null ? exchange.getException()
                    : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
            String flow = exchange.getFromRouteId();
            if (error != null && flow != null) {
                byFlow.put(flow, new LastError(error.getClass().getSimpleName() + ": " + error.getMessage(), Instant.now()));
            }
        }
    }

    public LastError of(String flow) {
        return byFlow.get(flow);
    }
}
