package io.sluice.harness;

import java.nio.file.Path;
import java.util.Properties;
import java.util.UUID;

import io.sluice.Sluice;
import io.sluice.devstack.DevStack;
import io.sluice.devstack.Ports;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * Sluice as the jar runs it (same property files, same listeners), pointed at the harness's services, with
 * topics, consumer groups and CDC state of its own so test classes do not see each other's records.
 * Start, stop and start again on the same names to test restarts.
 */
public final class RunningSluice implements AutoCloseable {

    private final Properties overrides;
    private final String prefix;
    private Main main;

    private RunningSluice(Properties overrides, String prefix) {
        this.overrides = overrides;
        this.prefix = prefix;
    }

    /** @param name a short name for the test; topics become {@code <name>-<random>-<topic>} */
    public static RunningSluice on(DevStack stack, String name) {
        String prefix = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        Properties p = SluiceStack.properties(stack);
        p.setProperty("camel.management.port", Integer.toString(Ports.free()));
        p.setProperty("sluice.generators.enabled", "false");
        p.setProperty("sluice.devstack.data-dir", Path.of("target", "flow-tests", prefix).toAbsolutePath().toString());
        p.setProperty("sluice.cdc.topic-prefix", prefix);
        p.setProperty("sluice.cdc.server-id", Integer.toString(6000 + Math.floorMod(prefix.hashCode(), 3000)));
        p.setProperty("sluice.ratings.topic", prefix + "-ratings");
        p.setProperty("sluice.ratings.test-topic", prefix + "-ratings-test");
        p.setProperty("sluice.ratings.enriched-topic", prefix + "-ratings-enriched");
        p.setProperty("sluice.ratings.unmatched-topic", prefix + "-ratings-unmatched");
        p.setProperty("sluice.ratings.dlq-topic", prefix + "-ratings-dlq");
        p.setProperty("sluice.vip.topic", prefix + "-unhappy");
        p.setProperty("sluice.ratings.group-id", prefix + "-ratings");
        p.setProperty("sluice.loans.request-topic", prefix + "-loan-request");
        p.setProperty("sluice.loans.approval-topic", prefix + "-loan-approval");
        p.setProperty("sluice.loans.disbursement-topic", prefix + "-disbursement");
        p.setProperty("sluice.loans.dlq-topic", prefix + "-loan-dlq");
        p.setProperty("sluice.loans.group-id", prefix + "-loans");
        p.setProperty("sluice.search.ratings-index", (prefix + "-ratings-enriched").toLowerCase());
        p.setProperty("sluice.search.vip-index", (prefix + "-unhappy").toLowerCase());
        p.setProperty("sluice.search.dlq-topic", prefix + "-search-dlq");
        p.setProperty("sluice.search.group-id", prefix + "-search");
        p.setProperty("sluice.search.template-name", prefix.toLowerCase());
        p.setProperty("sluice.slack.webhook.secret", stack.config().slackUrl() + "/services/" + prefix);
        p.setProperty("sluice.slack.dlq-topic", prefix + "-alerts-dlq");
        p.setProperty("sluice.slack.group-id", prefix + "-alerts");
        p.setProperty("sluice.http.port", Integer.toString(Ports.free()));
        p.setProperty("sluice.sales.topic", prefix + "-sales");
        p.setProperty("sluice.sales.dlq-topic", prefix + "-sales-dlq");
        p.setProperty("sluice.sales.group-id", prefix + "-sales");
        p.setProperty("sluice.sales.summary-topic", prefix + "-sales-summary");
        p.setProperty("sluice.ratings.by-club-status-topic", prefix + "-ratings-by-club-status");
        p.setProperty("sluice.ratings.per-customer-topic", prefix + "-ratings-per-customer-15m");
        p.setProperty("sluice.ratings.hopping-topic", prefix + "-ratings-by-club-status-hopping");
        p.setProperty("sluice.ratings.sessions-topic", prefix + "-ratings-sessions");
        p.setProperty("sluice.ratings.per-channel-topic", prefix + "-ratings-per-channel");
        for (String window : new String[] {"sales-summary", "ratings-by-club-status", "ratings-per-customer-15m",
                "ratings-by-club-status-hopping", "ratings-sessions-per-customer", "ratings-per-channel"}) {
            p.setProperty("camel.routeTemplate[" + window + "].name", prefix + "-" + window);
        }
        return new RunningSluice(p, prefix);
    }

    public RunningSluice with(String key, String value) {
        overrides.setProperty(key, value);
        return this;
    }

    /** Every property this instance gets on top of the files (for starting it as its own process). */
    public Properties properties() {
        Properties copy = new Properties();
        copy.putAll(overrides);
        return copy;
    }

    public String property(String key) {
        return overrides.getProperty(key);
    }

    public String prefix() {
        return prefix;
    }

    public RunningSluice start() throws Exception {
        main = Sluice.create("dev", overrides).main();
        main.start();
        return this;
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    /** sluice_sink_retries_total{target}: calls to Elasticsearch or Slack that failed and were retried. */
    public double sinkRetries(String target) {
        io.micrometer.core.instrument.Counter c = context().getRegistry()
                .lookupByNameAndType("metricsRegistry", io.micrometer.core.instrument.MeterRegistry.class)
                .find("sluice.sink.retries").tag("target", target).counter();
        return c == null ? 0 : c.count();
    }

    public void stop() throws Exception {
        if (main != null) {
            main.stop();
            main = null;
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
