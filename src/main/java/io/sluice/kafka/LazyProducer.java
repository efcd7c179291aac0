package io.sluice.kafka;

import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;

/**
 * A step's async producer for one endpoint, created on the first exchange for that exchange's Camel context (a bean
 * made by a route file has none before) and stopped with Camel.
 */
public final class LazyProducer {

    private volatile AsyncProducer producer;

    public AsyncProducer of(CamelContext context, String uri) throws Exception {
        return of(context, uri, () -> {
        });
    }

    /** {@code alsoOnce} runs once, right before the producer is published (what the step sets up beside it). */
    public AsyncProducer of(CamelContext context, String uri, Runnable alsoOnce) throws Exception {
        AsyncProducer p = producer;
        if (p == null) {
            synchronized (this) {
                if (producer == null) {
                    AsyncProducer created = context.getEndpoint(uri).createAsyncProducer();
                    context.addService(created, true, true); // started now, stopped with Camel
                    alsoOnce.run();
                    producer = created;
                }
                p = producer;
            }
        }
        return p;
    }
}
