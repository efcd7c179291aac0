package io.sluice.ops;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Health of what Sluice depends on, in the {@code sluice} group of Camel's health registry: the Kafka
 * cluster, the database, Elasticsearch and (where it has a health URL, as the dev receiver does) Slack.
 * Each answers DOWN with the reason rather than hanging: every probe has a short timeout.
 */
final class DependencyHealthChecks {

    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private DependencyHealthChecks() {
    }

    static final class KafkaCheck extends AbstractHealthCheck implements AutoCloseable {
        private final Admin admin;

        KafkaCheck(String brokers) {
            super("sluice", "kafka");
            admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis()));
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            try {
                int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
                        .nodes().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
                builder.detail("brokers", nodes).up();
            } catch (Exception e) {
                builder.message("Kafka cluster not reachable").error(e).down();
            }
        }

        @Override
        public void close() {
            admin.close(Duration.ofSeconds(2));
        }
    }

    static final class DatabaseCheck extends AbstractHealthCheck {
        private final CamelContext context;
        private final String beanName;

        DatabaseCheck(CamelContext context, String beanName) {
            super("sluice", "database");
            this.context = context;
            this.beanName = beanName;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            DataSource ds = context.getRegistry().lookupByNameAndType(beanName, DataSource.class);
            if (ds == null) {
                builder.message("No DataSource bean named " + beanName).down();
                return;
            }
            try (Connection c = ds.getConnection()) {
                if (c.isValid((int) TIMEOUT.toSeconds())) {
                    builder.up();
                } else {
                    builder.message("Database connection not valid").down();
                }
            } catch (Exception e) {
                builder.message("Database not reachable").error(e).down();
            }
        }
    }

    /** An HTTP dependency that is healthy when {@code GET url} answers 2xx. */
    static final class HttpCheck extends AbstractHealthCheck {
        private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        private final URI url;

        HttpCheck(String name, String url) {
            super("sluice", name);
            this.url = URI.create(url);
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            try {
                HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                builder.detail("status", response.statusCode());
                if (response.statusCode() / 100 == 2) {
                    builder.up();
                } else {
                    builder.message(url + " answered " + response.statusCode()).down();
                }
            } catch (Exception e) {
                builder.message(url + " not reachable").error(e).down();
            }
        }
    }
}
