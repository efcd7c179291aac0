package io.sluice.devstack;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.sluice.devstack.elasticsearch.EmbeddedElasticsearch;
import io.sluice.devstack.kafka.EmbeddedKafka;
import io.sluice.devstack.mariadb.EmbeddedMariaDb;
import io.sluice.devstack.slack.SlackReceiver;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded dev stack: a real Kafka broker, MariaDB server, Elasticsearch node and a Slack-like receiver,
 * all started by this process and all keeping their data under one directory. Used by {@code java -jar}
 * in the {@code dev} profile and by the test harness.
 */
public final class DevStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DevStack.class);

    private final DevStackConfig config;
    // stopped in reverse start order
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private SlackReceiver slack;
    private volatile EmbeddedElasticsearch elasticsearch;
    private volatile EmbeddedKafka kafka;
    private volatile EmbeddedMariaDb mariaDb;
    private volatile io.sluice.devstack.postgres.EmbeddedPostgres postgres;

    private DevStack(DevStackConfig config) {
        this.config = config;
    }

    /** Entry point for the camel-main listener: reads sluice.devstack.* from Camel's properties. */
    public static DevStack start(Function<String, Optional<String>> properties) {
        return start(DevStackConfig.from(properties));
    }

    public static DevStack start(DevStackConfig config) {
        DevStack stack = new DevStack(config);
        try {
            stack.startAll();
            return stack;
        } catch (PortInUseException e) {
            stack.close();
            throw e;
        } catch (Exception e) {
            stack.close();
            throw new IllegalStateException("The embedded dev stack failed to start: " + e.getMessage(), e);
        }
    }

    private void startAll() throws Exception {
        long t0 = System.nanoTime();
        // servers an earlier Sluice left behind when it was killed -9 still hold their ports and locks: stopped
        // here, once, before the port checks (the services' start methods rely on it)
        EmbeddedMariaDb.stopLeftover(config.dataDir().resolve("mariadb"));
        io.sluice.devstack.postgres.EmbeddedPostgres.stopLeftover(config.dataDir().resolve("postgres"));
        EmbeddedElasticsearch.stopLeftover(config.dataDir().resolve("elasticsearch"));
        // all clashes reported before anything starts
        Ports.requireFree("Kafka broker", config.kafkaPort(), "sluice.devstack.kafka.port");
        Ports.requireFree("Kafka controller", config.kafkaControllerPort(), "sluice.devstack.kafka.controller-port");
        if (config.postgres()) {
            Ports.requireFree("PostgreSQL", config.postgresPort(), "sluice.devstack.postgres.port");
        } else {
            Ports.requireFree("MariaDB", config.mariaDbPort(), "sluice.devstack.mariadb.port");
        }
        Ports.requireFree("Elasticsearch", config.elasticsearchPort(), "sluice.devstack.elasticsearch.port");
        Ports.requireFree("Slack receiver", config.slackPort(), "sluice.devstack.slack.port");

        // the slowest part first, in its own JVM, while the rest start here
        elasticsearch = launchElasticsearch();
        started.push(() -> elasticsearch.close());
        // the database is a server process of its own, mostly waited for (install, start, schema): started beside
        // the broker rather than after it — 2.8 s of Kafka and 4.6 s of MariaDB one after the other on a fresh start
        java.util.concurrent.FutureTask<Void> database = new java.util.concurrent.FutureTask<>(() -> timed(
                config.postgres() ? "PostgreSQL (started beside Kafka)" : "MariaDB (started beside Kafka)", () -> {
                    startDatabase();
                    return null;
                }));
        Thread databaseStart = new Thread(database, "devstack-database-start");
        databaseStart.setDaemon(true);
        databaseStart.start();
        Exception kafkaFailed = null;
        try {
            timed("Kafka", () -> {
                startKafka();
                return kafka;
            });
            started.push(this::stopKafka);
        } catch (Exception e) {
            kafkaFailed = e; // the database is still waited for, so that the close after this failure stops it
        }
        try {
            database.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (kafkaFailed == null) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
            kafkaFailed.addSuppressed(e.getCause());
        } finally {
            started.push(this::stopDatabase);
        }
        if (kafkaFailed != null) {
            throw kafkaFailed;
        }
        slack = SlackReceiver.start(config.slackPort());
        started.push(slack);
        timed("Elasticsearch (started in parallel)", elasticsearch::awaitReady);
        LOG.info("Embedded dev stack up in {} ms (data in {})", (System.nanoTime() - t0) / 1_000_000, config.dataDir());
    }

    private static <T> T timed(String what, java.util.concurrent.Callable<T> step) throws Exception {
        long t0 = System.nanoTime();
        T result = step.call();
        LOG.info("{} ready after {} ms", what, (System.nanoTime() - t0) / 1_000_000);
        return result;
    }

    private void awaitKafka() throws Exception {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Duration.ofSeconds(60).toMillis()))) {
            admin.describeCluster().nodes().get();
        }
    }

    public DevStackConfig config() {
        return config;
    }

    public SlackReceiver slack() {
        return slack;
    }

    private EmbeddedElasticsearch launchElasticsearch() throws java.io.IOException {
        return EmbeddedElasticsearch.launch(
                config.dataDir().resolve("elasticsearch"), config.elasticsearchPort(), config.elasticsearchHeap());
    }

    /** Stops the Elasticsearch node (its data stays), as an outage would; see {@link #startElasticsearch()}. */
    public void stopElasticsearch() {
        elasticsearch.close();
    }

    /** Starts the Elasticsearch node again on the same port and data and waits until it answers. */
    public void startElasticsearch() throws Exception {
        elasticsearch = launchElasticsearch();
        elasticsearch.awaitReady();
    }

    /** Stops the Kafka broker (its log stays), as an outage would; see {@link #startKafka()}. */
    public void stopKafka() {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    /** Starts the Kafka broker on the same ports and log directory and waits until it answers. */
    public void startKafka() throws Exception {
        kafka = EmbeddedKafka.start(config.dataDir().resolve("kafka"),
                config.kafkaPort(), config.kafkaControllerPort(), config.kafkaPartitions());
        awaitKafka();
    }

    /** Stops the MariaDB server (its data and binlog stay), as an outage would; see {@link #startMariaDb()}. */
    public void stopMariaDb() throws Exception {
        if (mariaDb != null) {
            mariaDb.close();
            mariaDb = null;
        }
    }

    /** Starts the MariaDB server again on the same port and data. */
    public void startMariaDb() throws Exception {
        mariaDb = EmbeddedMariaDb.start(config.dataDir().resolve("mariadb"), config.mariaDbPort(), config.accounts());
    }

    /** Stops the stack's database, MariaDB or PostgreSQL (its data stays), as an outage would; see {@link #startDatabase()}. */
    public void stopDatabase() throws Exception {
        if (config.postgres()) {
            stopPostgres();
        } else {
            stopMariaDb();
        }
    }

    /** Starts the stack's database again on the same port and data. */
    public void startDatabase() throws Exception {
        if (config.postgres()) {
            startPostgres();
        } else {
            startMariaDb();
        }
    }

    private void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    private void startPostgres() throws Exception {
        postgres = io.sluice.devstack.postgres.EmbeddedPostgres.start(
                config.dataDir().resolve("postgres"), config.postgresPort(), config.accounts());
    }

    @Override
    public void close() {
        if (started.isEmpty()) {
            return;
        }
        long t0 = System.nanoTime();
        while (!started.isEmpty()) {
            AutoCloseable service = started.pop();
            try {
                service.close();
            } catch (Exception e) {
                LOG.warn("Stopping {} failed: {}", service.getClass().getSimpleName(), e.toString());
            }
        }
        LOG.info("Embedded dev stack stopped in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }
}
