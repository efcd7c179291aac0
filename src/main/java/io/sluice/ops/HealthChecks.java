package io.sluice.ops;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;

/** Adds a check to Camel's health registry (served at /observe/health), where there is one. */
public final class HealthChecks {

    private HealthChecks() {
    }

    public static void register(CamelContext context, HealthCheck check) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null) {
            return;
        }
        if (check instanceof CamelContextAware aware) {
            aware.setCamelContext(context);
        }
        registry.register(check);
    }
}
