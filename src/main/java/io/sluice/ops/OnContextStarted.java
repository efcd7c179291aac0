package io.sluice.ops;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.SimpleEventNotifierSupport;

/** Runs a step once Camel has started (routes up, metrics registry bound), from a configuration class. */
public final class OnContextStarted {

    private OnContextStarted() {
    }

    public static void run(CamelContext context, Runnable step) {
        SimpleEventNotifierSupport started = new SimpleEventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                step.run();
            }

            @Override
            public boolean isEnabled(CamelEvent event) {
                return event.getType() == CamelEvent.Type.CamelContextStarted;
            }
        };
        // a notifier that wants exchange events makes Camel create one per record of every split: opt out
        started.setIgnoreExchangeEvents(true);
        context.getManagementStrategy().addEventNotifier(started);
    }
}
