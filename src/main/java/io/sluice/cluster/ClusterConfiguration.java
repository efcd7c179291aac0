package io.sluice.cluster;

import java.net.InetAddress;
import java.time.Duration;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.ops.OnContextStarted;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.support.RoutePolicySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CDC leader election: the customer-cdc route runs on exactly one of the instances that share a configuration — the
 * one whose database session holds lock {@code sluice.cdc.leader-lock} — and another takes over when it dies.
 * Binds the route policy that routes/customer-cdc.yaml names ({@value #CDC_POLICY}: Camel's ClusteredRoutePolicy on
 * a {@link DbLockClusterService}) and {@value #CDC_LEADERSHIP} (whether this instance leads, for health, the customer
 * table and gauge {@code sluice_cdc_leader}). Listed in {@code camel.main.configuration-classes} before the
 * customers' wiring, which reads the latter.
 *
 * <p>With {@code sluice.cdc.enabled=false} this instance never competes for the lock (holding it without streaming
 * would stop everyone else); with {@code sluice.cdc.leader-election=false} it streams without asking, as a single
 * instance did before.
 */
public final class ClusterConfiguration implements CamelConfiguration {

    public static final String CDC_POLICY = "cdcLeader";
    public static final String CDC_LEADERSHIP = "cdcLeadership";
    private static final Logger LOG = LoggerFactory.getLogger(ClusterConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent pc = context.getPropertiesComponent();
        boolean cdc = Boolean.parseBoolean(pc.resolveProperty("sluice.cdc.enabled").orElse("true"));
        boolean election = Boolean.parseBoolean(pc.resolveProperty("sluice.cdc.leader-election").orElse("true"));
        RoutePolicy policy;
        Leadership leadership;
        if (cdc && election) {
            String lock = pc.resolveProperty("sluice.cdc.leader-lock").orElseThrow();
            DbLockClusterService service = new DbLockClusterService();
            service.setId(memberId(pc));
            service.setUrl(pc.resolveProperty("sluice.db.url").orElseThrow());
            service.setUser(pc.resolveProperty("sluice.db.user").orElseThrow());
            service.setPassword(pc.resolveProperty("sluice.db.password").orElseThrow());
            service.setPollMs(Long.parseLong(pc.resolveProperty("sluice.cdc.leader-poll-ms").orElse("1000").trim()));
            service.setSessionTimeout(Duration.ofSeconds(
                    Long.parseLong(pc.resolveProperty("sluice.cdc.leader-session-timeout-s").orElse("10").trim())));
            // started with the context (before the routes), stopped with it: the lock's connection never outlives it
            context.addService(service, true, true);
            ClusteredRoutePolicy clustered = ClusteredRoutePolicy.forNamespace(service, lock);
            clustered.setCamelContext(context);
            policy = clustered;
            leadership = service.leadership(lock);
            LOG.info("CDC runs on the one instance holding database lock '{}' ({}; asked every {} ms)", lock, service.getId(),
                    service.getPollMs());
        } else {
            // nothing to elect: the route's own autoStartup (sluice.cdc.enabled) decides alone
            policy = new RoutePolicySupport() {
            };
            leadership = cdc ? Leadership.always() : Leadership.never();
        }
        context.getRegistry().bind(CDC_POLICY, policy);
        context.getRegistry().bind(CDC_LEADERSHIP, leadership);
        registerGauge(context, leadership);
    }

    /** {@code sluice_cdc_leader}: 1 while this instance leads the CDC stream, else 0; registered once metrics exist. */
    private static void registerGauge(CamelContext context, Leadership leadership) {
        OnContextStarted.run(context, () -> {
            MeterRegistry registry = context.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
            if (registry != null) {
                Gauge.builder("sluice.cdc.leader", leadership, l -> l.isLeader() ? 1 : 0)
                        .description("1 while this instance leads CDC (holds the leader lock and runs route customer-cdc)")
                        .strongReference(true)
                        .register(registry);
            }
        });
    }

    /** How this instance shows up in logs: name@host:pid. */
    private static String memberId(PropertiesComponent pc) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = System.getenv().getOrDefault("HOSTNAME", "unknown-host");
        }
        return pc.resolveProperty("camel.main.name").orElse("sluice") + "@" + host + ":" + ProcessHandle.current().pid();
    }
}
