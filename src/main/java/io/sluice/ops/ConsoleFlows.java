package io.sluice.ops;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.RouteError;

/**
 * {@code GET /api/console/flows}: one row per flow (route that is not an internal {@code direct:} step or an API
 * route) — its state, records per second in, records read, consumer lag, dead letters and last error — and the
 * health of every dependency (the {@code sluice} group of Camel's health registry: Kafka, database,
 * Elasticsearch, Slack, CDC with leader or follower, the customer table). The page polls every 2 s; lag and health
 * cost Kafka and HTTP round trips, so each is asked at most once per {@value #REFRESH_MS} ms however many browsers poll.
 */
public final class ConsoleFlows {

    static final long REFRESH_MS = 1500;
    private final CamelContext context;
    private final LastErrors errors;
    private final Map<String, double[]> samples = new HashMap<>(); // flow -> {records, nanos, rate}
    private long lagAt;
    private long healthAt;
    private List<Map<String, Object>> health = List.of();

    public ConsoleFlows(CamelContext context, LastErrors errors) {
        this.context = context;
        this.errors = errors;
    }

    public synchronized Map<String, Object> flows(Exchange exchange) {
        long now = System.nanoTime();
        ConsumerLag lag = FlowMetrics.of(context).consumerLag();
        if (lag != null && now - lagAt > REFRESH_MS * 1_000_000) {
            lag.refresh();
            lagAt = now;
        }
        Map<String, ConsumerLag.Lag> lags = lag == null ? Map.of() : lag.byFlow();
        MeterRegistry registry = context.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Route route : context.getRoutes()) {
            String uri = route.getEndpoint().getEndpointUri();
            if (uri.startsWith("direct:") || uri.startsWith("platform-http:") || uri.startsWith("rest:") || uri.startsWith("rest-api:")) {
                continue;
            }
            String id = route.getRouteId();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("flow", id);
            row.put("state", String.valueOf(context.getRouteController().getRouteStatus(id)));
            ConsumerLag.Lag l = lags.get(id);
            row.put("topic", l != null ? l.topic() : route.getEndpoint() instanceof KafkaEndpoint k ? k.getConfiguration().getTopic() : null);
            double in = sum(registry, "sluice.records.in", id);
            row.put("records_in", (long) in);
            row.put("records_per_second", rate(id, in, now));
            row.put("lag", l == null ? null : l.records());
            row.put("dead_letters", (long) sum(registry, "sluice.dead.letters", id));
            row.put("last_error", lastError(route));
            rows.add(row);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("flows", rows);
        body.put("dependencies", health(now));
        return body;
    }

    private Map<String, Object> lastError(Route route) {
        LastErrors.LastError e = errors.of(route.getRouteId());
        RouteError startError = route.getLastError();
        if (e == null && startError == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        if (e != null) {
            out.put("message", e.message());
            out.put("at", e.at().toString());
        } else {
            out.put("message", startError.getPhase() + ": " + startError.getException());
        }
        return out;
    }

    /** Records per second since the sample before, sampled at least a second apart so two pollers do not halve it. */
    private double rate(String flow, double records, long now) {
        double[] s = samples.get(flow);
        if (s == null) {
            samples.put(flow, new double[] {records, now, 0});
            return 0;
        }
        double seconds = (now - s[1]) / 1e9;
        if (seconds >= 1) {
            s[2] = Math.max(0, records - s[0]) / seconds;
            s[0] = records;
            s[1] = now;
        }
        return Math.round(s[2] * 10) / 10.0;
    }

    private static double sum(MeterRegistry registry, String counter, String flow) {
        if (registry == null) {
            return 0;
        }
        return registry.find(counter).tag("flow", flow).counters().stream().mapToDouble(Counter::count).sum();
    }

    private List<Map<String, Object>> health(long now) {
        if (now - healthAt < REFRESH_MS * 1_000_000 && !health.isEmpty()) {
            return health;
        }
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        List<Map<String, Object>> out = new ArrayList<>();
        if (registry != null) {
            registry.stream().filter(c -> "sluice".equals(c.getGroup())).forEach(check -> {
                HealthCheck.Result r = check.call();
                Map<String, Object> dep = new LinkedHashMap<>();
                dep.put("name", check.getId());
                dep.put("state", r.getState().name());
                dep.put("message", r.getMessage().orElse(r.getError().map(Throwable::getMessage).orElse(null)));
                Map<String, Object> details = new LinkedHashMap<>();
                r.getDetails().forEach((k, v) -> {
                    // Camel's own bookkeeping (invocation counts, times) is not the dependency's
                    if (!k.startsWith("invocation.") && !k.startsWith("failure.") && !k.startsWith("success.")
                            && !k.equals("check.id") && !k.equals("check.group") && !k.equals("check.kind")) {
                        details.put(k, String.valueOf(v));
                    }
                });
                dep.put("details", details);
                out.add(dep);
            });
        }
        health = out;
        healthAt = now;
        return out;
    }
}
