package io.sluice.ops;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One block in the log, once Sluice is up, naming every endpoint a person may want to open. Never secrets. */
public final class StartupBanner {

    private static final Logger LOG = LoggerFactory.getLogger(StartupBanner.class);

    private StartupBanner() {
    }

    static void print(CamelContext context) {
        LOG.info(text(context));
    }

    public static String text(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        boolean embedded = Boolean.parseBoolean(pc.resolveProperty("sluice.devstack.enabled").orElse("false"));
        String where = embedded ? " (embedded)" : "";
        Map<String, String> lines = new LinkedHashMap<>();
        lines.put("Kafka" + where, pc.resolveProperty("sluice.kafka.brokers").orElse("-"));
        lines.put("Database" + where, pc.resolveProperty("sluice.db.url").orElse("-")
                + " (user " + pc.resolveProperty("sluice.db.user").orElse("-") + ")");
        lines.put("Elasticsearch" + where, pc.resolveProperty("sluice.elasticsearch.url").orElse("-"));
        lines.put("Slack" + where, embedded
                ? pc.resolveProperty("sluice.devstack.slack.url").orElse("-") + "  (GET /messages)"
                : "configured by sluice.slack.*");
        boolean tls = Boolean.parseBoolean(pc.resolveProperty("sluice.http.tls.enabled").orElse("false"));
        String api = (tls ? "https" : "http") + "://localhost:" + pc.resolveProperty("sluice.http.port").orElse("8080") + "/api";
        lines.put("HTTP API", api + "/loans (POST), " + api + "/loans/{custId}/{loanId} (GET), .../approval (POST); HTTP Basic");
        lines.put("OpenAPI", api + "/openapi.json");
        lines.put("Console", api.substring(0, api.length() - "/api".length()) + ConsoleStatic.PATH + "/  (viewer sees, approver acts)");
        String users = pc.resolveProperty(HttpApiConfiguration.USERS_FILE).orElse("-");
        lines.put("API users", users.equals(HttpApiConfiguration.DEMO_USERS)
                ? "DEMO ONLY: viewer/viewer, submitter/submitter, approver/approver (" + users + "; set SLUICE_HTTP_USERS_FILE)"
                : "from " + users);
        int mgmt = Integer.parseInt(pc.resolveProperty("camel.management.port").orElse("9876"));
        lines.put("Health", "http://localhost:" + mgmt + pc.resolveProperty("camel.management.healthPath").orElse("/observe/health"));
        lines.put("Metrics", "http://localhost:" + mgmt + pc.resolveProperty("camel.metrics.path").orElse("/observe/metrics"));
        lines.put("Routes", context.getRoutes().size() + " started, from " + pc.resolveProperty("camel.main.routes-include-pattern").orElse("-"));
        if (embedded) {
            lines.put("Data", pc.resolveProperty("sluice.devstack.data-dir").orElse("data"));
        }
        StringBuilder sb = new StringBuilder("\n==== Sluice is up (profile ")
                .append(context.getCamelContextExtension().getProfile()).append(") ====\n");
        lines.forEach((k, v) -> sb.append(String.format("  %-26s %s%n", k, v)));
        sb.append("====");
        return sb.toString();
    }
}
