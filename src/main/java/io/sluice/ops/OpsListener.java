package io.sluice.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs the dependency health checks into Camel's health registry (served by
 * camel-observability-services at /observe/health) and prints the start-up banner with every endpoint.
 */
public final class OpsListener extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(OpsListener.class);
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        io.sluice.sinks.SinkComponents.check(context);
        try {
            // stopped with the context, after the routes: the connection pool and the health checks' Kafka client
            // would otherwise outlive a stopped Sluice (in tests, one pool per stopped instance until MariaDB
            // refuses connections)
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    closeAll();
                    if (context.getRegistry().lookupByName("dataSource") instanceof AutoCloseable pool) {
                        OpsListener.close(pool);
                    }
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        PropertiesComponent pc = context.getPropertiesComponent();
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry == null) {
            LOG.warn("No health check registry: dependency health is not reported");
            return;
        }
        // Camel's dev profile turns on a classpath scan for extra checks, which reads the whole 290 MB dev jar
        // (~3 s per start); the checks that matter are registered here and by the components themselves.
        context.setLoadHealthChecks(false);
        Object routeController = registry.resolveById("route-controller");
        if (routeController != null) {
            registry.register(routeController);
        }
        pc.resolveProperty("sluice.kafka.brokers").ifPresent(brokers -> {
            DependencyHealthChecks.KafkaCheck check = new DependencyHealthChecks.KafkaCheck(brokers);
            closeables.add(check);
            HealthChecks.register(context, check);
        });
        HealthChecks.register(context, new DependencyHealthChecks.DatabaseCheck(context, "dataSource"));
        nonBlank(pc, "sluice.elasticsearch.url").ifPresent(url ->
                HealthChecks.register(context, new DependencyHealthChecks.HttpCheck("elasticsearch", url)));
        nonBlank(pc, "sluice.slack.health-url").ifPresent(url ->
                HealthChecks.register(context, new DependencyHealthChecks.HttpCheck("slack", url)));
    }

    @Override
    public void afterStart(BaseMainSupport main) {
        StartupBanner.print(main.getCamelContext());
    }

    private synchronized void closeAll() {
        closeables.forEach(OpsListener::close);
        closeables.clear();
    }

    private static void close(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("Closing {} failed", c, e);
        }
    }

    private static Optional<String> nonBlank(PropertiesComponent pc, String name) {
        return pc.resolveProperty(name).filter(v -> !v.isBlank());
    }
}
