package io.sluice.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

import io.sluice.devstack.DevStack;
import io.sluice.devstack.DevStackConfig;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests the real services of the embedded dev stack: Kafka, MariaDB, Elasticsearch
 * and the Slack-like receiver. One stack serves the whole test run (started on first use, on free ports,
 * with fresh data under target/test-stack) and stops when the run ends. If a service cannot start, every
 * test that uses it fails: nothing is skipped.
 *
 * <p>Use with {@code @ExtendWith(SluiceStack.class)} and a {@link DevStack} parameter, or {@link #properties}.
 */
public final class SluiceStack implements BeforeAllCallback, ParameterResolver {

    static final Path DATA = Path.of("target", "test-stack");

    @Override
    public void beforeAll(ExtensionContext context) {
        stack(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
        return parameter.getParameter().getType() == DevStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
        return stack(extension);
    }

    public static DevStack stack(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Running.class, k -> new Running(), Running.class).stack;
    }

    /** Properties that point a Sluice instance at the harness's services instead of the defaults. */
    public static Properties properties(DevStack stack) {
        DevStackConfig c = stack.config();
        Properties p = new Properties();
        p.setProperty("sluice.devstack.enabled", "false");
        p.setProperty("sluice.kafka.brokers", c.kafkaBootstrap());
        p.setProperty("sluice.db.host", "localhost");
        if (c.postgres()) {
            p.setProperty("sluice.db.port", Integer.toString(c.postgresPort()));
            p.setProperty("sluice.db.url", c.jdbcUrl());
        } else {
            p.setProperty("sluice.db.port", Integer.toString(c.mariaDbPort()));
        }
        p.setProperty("sluice.elasticsearch.url", c.elasticsearchUrl());
        p.setProperty("sluice.devstack.slack.url", c.slackUrl());
        p.setProperty("sluice.slack.webhook.secret", c.slackUrl() + "/services/sluice-test");
        p.setProperty("sluice.slack.health-url", c.slackUrl() + "/messages");
        return p;
    }

    /** Closed by JUnit when the root context closes, i.e. at the end of the test run. */
    private static final class Running implements ExtensionContext.Store.CloseableResource {
        final DevStack stack;

        Running() {
            deleteTree(DATA);
            DevStackConfig config = DevStackConfig.onFreePorts(DATA);
            // -Dsluice.test.database=postgres: the same tests on PostgreSQL
            stack = DevStack.start(DevStackConfig.POSTGRES.equals(System.getProperty("sluice.test.database"))
                    ? config.withPostgres() : config);
        }

        @Override
        public void close() {
            stack.close();
        }
    }

    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
