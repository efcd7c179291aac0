package io.sluice.customers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The customer table every instance keeps (like a ksqlDB TABLE or a GlobalKTable): the customers topic read
 * from offset 0 by a consumer of its own (no group: every instance reads every partition), latest value per
 * id, a tombstone removes the row.
 *
 * <p>Readiness gate: the routes named in {@code gatedRoutes} are started only once the table has read up to
 * the end offsets the topic had when it started (after the local CDC source, if any, has delivered its
 * snapshot). Until then ratings wait in Kafka instead of being enriched against a partial table.
 */
public final class CustomerTable extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(CustomerTable.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration PARTITION_RECHECK = Duration.ofSeconds(5);
    private static final Duration SOURCE_CHECK = Duration.ofMillis(100);

    private final CamelContext context;
    private final String brokers;
    private final String topic;
    private final List<String> gatedRoutes;
    private final BooleanSupplier sourceReady;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<Integer, Customer> rows = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> contextStarted = new CompletableFuture<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile KafkaConsumer<String, String> consumer;
    private volatile boolean running;
    private Thread reader;

    /**
     * @param sourceReady true once the CDC source of this instance has delivered its snapshot (always true
     *                    where this instance runs no CDC)
     */
    public CustomerTable(CamelContext context, String brokers, String topic, List<String> gatedRoutes,
                         BooleanSupplier sourceReady) {
        this.context = context;
        this.brokers = brokers;
        this.topic = topic;
        this.gatedRoutes = List.copyOf(gatedRoutes);
        this.sourceReady = sourceReady;
    }

    public Customer get(int id) {
        return rows.get(id);
    }

    public int size() {
        return rows.size();
    }

    public boolean isReady() {
        return ready.isDone();
    }

    public CompletableFuture<Void> whenReady() {
        return ready;
    }

    /** Told by the Camel context once it is fully started: only then may the gated routes be started. */
    public void contextStarted() {
        contextStarted.complete(null);
    }

    /**
     * A gated route re-created by live reload (an edited route file) comes back stopped, as its
     * {@code autoStartup: false} says: start it again at once if the table is ready, as the gate would have.
     */
    public SimpleEventNotifierSupport restartsReloadedRoutes() {
        SimpleEventNotifierSupport notifier = new SimpleEventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                String id = ((CamelEvent.RouteReloadedEvent) event).getRoute().getRouteId();
                if (gatedRoutes.contains(id) && ready.isDone()) {
                    // not on the reloading thread: Camel is still adding the file's other routes
                    Thread.ofPlatform().daemon().name("sluice-restart-" + id).start(() -> {
                        try {
                            context.getRouteController().startRoute(id);
                            LOG.info("Started reloaded route {}: the customer table is ready", id);
                        } catch (Exception e) {
                            LOG.error("Could not start reloaded route {}: {}", id, e.toString(), e);
                        }
                    });
                }
            }

            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.RouteReloadedEvent;
            }
        };
        notifier.setIgnoreExchangeEvents(true);
        return notifier;
    }

    @Override
    protected void doStart() {
        running = true;
        reader = new Thread(this::run, "customer-table");
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    protected void doStop() throws InterruptedException {
        running = false;
        KafkaConsumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (reader != null) {
            reader.join(Duration.ofSeconds(10).toMillis());
        }
    }

    private void run() {
        long t0 = System.nanoTime();
        try {
            awaitSource();
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                    ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer = c;
                Map<TopicPartition, Long> target = assign(c);
                LOG.info("Customer table reading {} from the beginning ({} records to catch up with)",
                        topic, target.values().stream().mapToLong(Long::longValue).sum());
                long lastRecheck = System.nanoTime();
                while (running) {
                    if (c.assignment().isEmpty()) {
                        // no topic yet: nothing has been streamed (CDC may run on another instance, or not have
                        // started); a consumer without partitions refuses to poll, so wait and look again
                        Thread.sleep(POLL.toMillis());
                    } else {
                        for (ConsumerRecord<String, String> r : c.poll(POLL)) {
                            apply(r);
                        }
                    }
                    if (!ready.isDone() && caughtUp(c, target)) {
                        LOG.info("Customer table ready: {} customers in {} ms", rows.size(), (System.nanoTime() - t0) / 1_000_000);
                        ready.complete(null);
                        startGatedRoutes();
                    }
                    if (c.assignment().isEmpty() || System.nanoTime() - lastRecheck > PARTITION_RECHECK.toNanos()) {
                        lastRecheck = System.nanoTime();
                        addNewPartitions(c);
                    }
                }
            }
        } catch (WakeupException e) {
            LOG.debug("Customer table stopped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (running) {
                LOG.error("Customer table stopped reading {}: {}", topic, e.toString(), e);
            }
        } finally {
            consumer = null;
        }
    }

    /** Debezium announces nothing when it has finished, so its state is looked at until then. */
    private void awaitSource() throws InterruptedException {
        while (running && !sourceReady.getAsBoolean()) {
            Thread.sleep(SOURCE_CHECK.toMillis());
        }
    }

    /** All partitions from offset 0; returns the end offsets as they are now, which readiness waits for. */
    private Map<TopicPartition, Long> assign(KafkaConsumer<String, String> c) {
        List<TopicPartition> partitions = partitions(c);
        c.assign(partitions);
        c.seekToBeginning(partitions);
        return new HashMap<>(c.endOffsets(partitions));
    }

    private List<TopicPartition> partitions(KafkaConsumer<String, String> c) {
        List<PartitionInfo> infos = c.partitionsFor(topic);
        return infos == null ? List.of() : infos.stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }

    /** The topic may appear (or grow) after start, e.g. when CDC runs on another instance. */
    private void addNewPartitions(KafkaConsumer<String, String> c) {
        Set<TopicPartition> known = c.assignment();
        List<TopicPartition> fresh = partitions(c).stream().filter(p -> !known.contains(p)).toList();
        if (!fresh.isEmpty()) {
            List<TopicPartition> all = new ArrayList<>(known);
            all.addAll(fresh);
            c.assign(all);
            c.seekToBeginning(fresh);
            LOG.info("Customer table now also reads {}", fresh.stream().map(TopicPartition::toString).collect(Collectors.joining(", ")));
        }
    }

    private static boolean caughtUp(KafkaConsumer<String, String> c, Map<TopicPartition, Long> target) {
        for (Map.Entry<TopicPartition, Long> e : target.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    void apply(ConsumerRecord<String, String> r) {
        Integer id = parseId(r.key());
        if (id == null) {
            LOG.warn("Customer record without a numeric key at {}-{}@{}: ignored", r.topic(), r.partition(), r.offset());
            return;
        }
        if (r.value() == null) {
            rows.remove(id);
            return;
        }
        try {
            rows.put(id, Customer.fromRow(id, json.readTree(r.value())));
        } catch (Exception e) {
            LOG.warn("Customer record {} at {}-{}@{} is not JSON: ignored", id, r.topic(), r.partition(), r.offset());
        }
    }

    private static Integer parseId(String key) {
        try {
            return key == null ? null : Integer.valueOf(key.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void startGatedRoutes() {
        try {
            contextStarted.get();
            for (String id : gatedRoutes) {
                if (context.getRoute(id) != null) {
                    context.getRouteController().startRoute(id);
                    LOG.info("Started route {} now that the customer table is ready", id);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.error("Could not start the routes waiting for the customer table: {}", e.toString(), e);
        }
    }

    /** Readiness: DOWN until caught up. */
    public AbstractHealthCheck healthCheck() {
        AbstractHealthCheck check = new AbstractHealthCheck("sluice", "customer-table") {
            @Override
            protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
                builder.detail("customers", rows.size());
                if (ready.isDone()) {
                    builder.up();
                } else {
                    builder.message("Catching up with " + topic).down();
                }
            }

            @Override
            public boolean isLiveness() {
                return false;
            }
        };
        return check;
    }
}
