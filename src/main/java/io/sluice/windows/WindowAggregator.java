package io.sluice.windows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import io.sluice.ops.ConsumedTopic;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.support.RoutePolicySupport;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured window (one instance of the {@code window} route template in routes/windows.yaml), run by Kafka
 * Streams inside Sluice: a route-template bean that Camel fills from the template parameters, and the policy of the
 * template's route, so the Kafka Streams application starts and stops with that route.
 *
 * <p>Why Kafka Streams: it is the engine built for partitioned state — each instance folds only the partitions it
 * owns, the state moves with a partition at a rebalance (changelog topics), and {@code exactly_once_v2} makes input
 * offsets, state and results one transaction. Sluice adds what the DSL does not have: a watermark over all input
 * partitions (so lateness 0 is exact however partitions interleave), the idle close of a quiet stream, dead and
 * late letters, event ids, and the result shape of the earlier engine.
 */
public final class WindowAggregator extends RoutePolicySupport implements ConsumedTopic {

    private static final Logger LOG = LoggerFactory.getLogger(WindowAggregator.class);

    private String name;
    private String kind;
    private String topic;
    private String outputTopic;
    private String timeField;
    private long size;
    private long advance;
    private long gap;
    private long lateness;
    private String groupBy;
    private String overall;
    private String aggregate;
    private long idleTimeoutMs;
    private String idField;
    private long emitIntervalMs = 1000;
    private String applicationId;
    private int threads = 1;
    private long commitIntervalMs = 100;
    private long cacheBytes = 10 * 1024 * 1024;
    private int replicationFactor = -1;
    private String stateDir;
    private long beatMs = 200;
    private long fetchMaxWaitMs = 50;
    private long sessionTimeoutMs = 10_000;
    private Windows windows;

    private WindowSpec spec;
    private volatile KafkaStreams streams;
    private java.util.concurrent.Future<?> starting;
    private boolean stopped;
    private volatile boolean gauges;

    /** Init method: checks the configuration and makes the window known. */
    public void register() {
        spec = new WindowSpec(name, WindowSpec.Kind.parse(kind), timeField, size, advance, gap, lateness, groupBy, overall,
                WindowSpec.Aggregate.parse(aggregate), idleTimeoutMs);
        if (spec.kind() == WindowSpec.Kind.RUNNING && idField != null && !idField.isBlank()) {
            throw new IllegalArgumentException("window " + name + ": idField is for windows and sessions; a running value"
                    + " would have to remember every id for ever");
        }
        windows.register(this);
    }

    @Override
    public void onStart(Route route) {
        startEngine(route.getRouteId());
    }

    @Override
    public void onStop(Route route) {
        stopEngine();
    }

    @Override
    public void onSuspend(Route route) {
        stopEngine();
    }

    @Override
    public void onResume(Route route) {
        startEngine(route.getRouteId());
    }

    @Override
    public void onRemove(Route route) {
        stopEngine();
    }

    /**
     * Starts the Kafka Streams application on the windows' own thread: creating topics and clients takes a few
     * Kafka round trips, which Sluice's start need not wait for (the engine reports its state through {@link #check}).
     */
    synchronized void startEngine(String flow) {
        if (starting != null) {
            return;
        }
        stopped = false;
        starting = windows.starter().submit(() -> launch(flow));
    }

    private void launch(String flow) {
        Window window = new Window(spec, topic, outputTopic, flow, idField, beatMs, emitIntervalMs, windows);
        // its input, output, -late and -dlq topics were created with every other topic before the routes started
        // (io.sluice.kafka.TopicCatalog); the repartition topic is the engine's own
        windows.ensureRepartitionTopic(applicationId + "-" + WindowTopology.REPARTITION + "-repartition", topic, replicationFactor);
        windows.watch(topic);
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, windows.brokers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, cacheBytes);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, replicationFactor);
        p.put(StreamsConfig.STATE_DIR_CONFIG, Path.of(stateDir).toAbsolutePath().toString());
        p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        // the fold step reads the repartition topic read_committed: its records only show once the read step's
        // transaction commits, and till then a fetch that finds none (the input paused, its buffer full) waits the
        // consumer's default 500 ms. Measured, 300 000 sales on 1 partition: 12 606 sales/s with 500, 46 922 with 50
        p.put(StreamsConfig.consumerPrefix("fetch.max.wait.ms"), (int) fetchMaxWaitMs);
        // static membership: an instance restarted after a crash takes its partitions back at once, instead of
        // waiting for the dead member's session to expire; one that does not come back is replaced after the timeout
        p.put(StreamsConfig.consumerPrefix("group.instance.id"), applicationId + "-" + InstanceId.of(Path.of(stateDir)));
        p.put(StreamsConfig.consumerPrefix("session.timeout.ms"), (int) sessionTimeoutMs);
        p.put(StreamsConfig.consumerPrefix("heartbeat.interval.ms"), (int) Math.max(500, sessionTimeoutMs / 5));
        KafkaStreams s = new KafkaStreams(WindowTopology.build(window), p);
        // a failed thread (Kafka away too long, a bug) is replaced: it resumes from the last commit, exactly once
        s.setUncaughtExceptionHandler(e -> {
            LOG.error("window {}: stream thread failed, replacing it: {}", name, e.toString(), e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        synchronized (this) {
            if (stopped) {
                s.close(Duration.ZERO);
                return;
            }
            s.start();
            streams = s;
        }
    }

    void stopEngine() {
        java.util.concurrent.Future<?> start;
        synchronized (this) {
            stopped = true;
            start = starting;
            starting = null;
        }
        if (start != null) {
            try {
                start.get(30, java.util.concurrent.TimeUnit.SECONDS); // not holding the lock: launch() takes it last
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("window {}: its start failed: {}", name, e.toString());
            }
        }
        KafkaStreams s;
        synchronized (this) {
            s = streams;
            streams = null;
        }
        if (s != null) {
            // an orderly stop leaves the group: the other instances take the partitions over now, not after the timeout
            s.close(new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(10)).leaveGroup(true));
        }
    }

    @Override
    protected void doStop() throws Exception {
        stopEngine();
        super.doStop();
    }

    /** Route step (the template's timer): fails the exchange while the engine is not running, so it shows. */
    public void check(Exchange exchange) {
        if (!gauges) {
            gauges = windows.metrics().windowTasks(name, this::activeTasks);
        }
        KafkaStreams s = streams;
        KafkaStreams.State state = s == null ? KafkaStreams.State.NOT_RUNNING : s.state();
        exchange.getMessage().setBody(state.name());
        if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR) {
            throw new IllegalStateException("window " + name + ": Kafka Streams is " + state);
        }
    }

    /** Active tasks of sub-topology {@code step} (0: read, 1: fold) on this instance now. */
    double activeTasks(int step) {
        KafkaStreams s = streams;
        if (s == null) {
            return 0;
        }
        try {
            return s.metadataForLocalThreads().stream().flatMap(t -> t.activeTasks().stream())
                    .filter(t -> t.taskId().subtopology() == step).count();
        } catch (RuntimeException e) {
            return 0; // not running (closing, failed)
        }
    }

    /** The running Kafka Streams application (null when stopped): its tasks, state, metrics. */
    public KafkaStreams streams() {
        return streams;
    }

    @Override
    public String consumerGroup() {
        return applicationId;
    }

    @Override
    public String consumedTopic() {
        return topic;
    }

    public WindowSpec spec() {
        return spec;
    }

    /** Where the results go (the console reads them back). */
    public String outputTopic() {
        return outputTopic;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public void setKind(String kind) {
        this.kind = kind;
    }

    public void setTopic(String topic) {
        this.topic = topic;
    }

    public void setOutputTopic(String outputTopic) {
        this.outputTopic = outputTopic;
    }

    public void setTimeField(String timeField) {
        this.timeField = timeField;
    }

    public void setSize(long size) {
        this.size = size;
    }

    public void setAdvance(long advance) {
        this.advance = advance;
    }

    public void setGap(long gap) {
        this.gap = gap;
    }

    public void setLateness(long lateness) {
        this.lateness = lateness;
    }

    public void setGroupBy(String groupBy) {
        this.groupBy = groupBy;
    }

    public void setOverall(String overall) {
        this.overall = overall;
    }

    public void setAggregate(String aggregate) {
        this.aggregate = aggregate;
    }

    public void setIdField(String idField) {
        this.idField = idField;
    }

    public void setIdleTimeoutMs(long idleTimeoutMs) {
        this.idleTimeoutMs = idleTimeoutMs;
    }

    public void setEmitIntervalMs(long emitIntervalMs) {
        this.emitIntervalMs = emitIntervalMs;
    }

    public void setApplicationId(String applicationId) {
        this.applicationId = applicationId;
    }

    public void setThreads(int threads) {
        this.threads = threads;
    }

    public void setCommitIntervalMs(long commitIntervalMs) {
        this.commitIntervalMs = commitIntervalMs;
    }

    public void setCacheBytes(long cacheBytes) {
        this.cacheBytes = cacheBytes;
    }

    public void setReplicationFactor(int replicationFactor) {
        this.replicationFactor = replicationFactor;
    }

    public void setStateDir(String stateDir) {
        this.stateDir = stateDir;
    }

    public void setSessionTimeoutMs(long sessionTimeoutMs) {
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    public void setFetchMaxWaitMs(long fetchMaxWaitMs) {
        this.fetchMaxWaitMs = fetchMaxWaitMs;
    }

    public void setBeatMs(long beatMs) {
        this.beatMs = beatMs;
    }

    public void setWindows(Windows windows) {
        this.windows = windows;
    }
}
