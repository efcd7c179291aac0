package io.sluice.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import io.sluice.customers.Customer;
import io.sluice.customers.CustomerTable;
import io.sluice.devstack.DevStack;
import io.sluice.harness.Db;
import io.sluice.harness.RunningSluice;
import io.sluice.ratings.RatingsGenerator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import static org.awaitility.Awaitility.await;

/**
 * Part "latency", on one Sluice running CDC, the ratings flow and the VIP alerts (as shipped, Slack = a local
 * webhook receiver in this JVM):
 * <ol>
 * <li>rating produced → Slack request received, for every alert while ratings arrive at a steady rate
 *     (default 1 000/s for 60 s after 30 s of the same not counted, the demo's 20 customers, ~5 % of ratings
 *     become alerts);</li>
 * <li>an UPDATE committed in MariaDB → the customer table (what enrichment reads) shows it, one update at a time.</li>
 * </ol>
 * Both clocks are this JVM's System.nanoTime: the producer, the receiver and the table are all in it.
 */
final class LatencyBench {

    private static final Pattern RATING_ID = Pattern.compile("bench-alert (\\d+)");

    private final DevStack stack;
    private final Report report;
    private final int rate = Integer.getInteger("bench.latency.rate", 1000);
    private final int seconds = Integer.getInteger("bench.latency.seconds", 60);
    private final int warmupSeconds = Integer.getInteger("bench.latency.warmup", 30);
    private final int cdcUpdates = Integer.getInteger("bench.cdc.updates", 200);

    LatencyBench(DevStack stack, Report report) {
        this.stack = stack;
        this.report = report;
    }

    void run() throws Exception {
        Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        Map<Long, Long> receivedAt = new ConcurrentHashMap<>();
        HttpServer slack = slackReceiver(receivedAt);
        try (RunningSluice sluice = BenchSluice.only(stack, "bench-latency",
                List.of("customer-cdc.yaml", "ratings-enrichment.yaml", "vip-alerts.yaml"))
                .with("sluice.slack.webhook.secret", "http://localhost:" + slack.getAddress().getPort() + "/services/bench")
                .with("sluice.slack.template", "bench-alert {rating_id}: {message}")
                .start()) {
            CustomerTable table = sluice.context().getRegistry().lookupByNameAndType("customerTable", CustomerTable.class);
            table.whenReady().get(120, TimeUnit.SECONDS);
            alerts(sluice, sentAt, receivedAt);
            cdc(table);
        } finally {
            slack.stop(0);
        }
    }

    /**
     * Ratings at the steady rate for the warm-up, not counted, until every alert of it is in; then the measured
     * seconds at the same rate. The alert route's own service time starts ~25 ms an alert in a fresh JVM (its code
     * interpreted, then compiled by C1) and falls to ~3 ms within ~30 s: above ~18 ms, 5 % of 1 000 ratings/s is
     * more than it can take, and the backlog of the first seconds (up to 2.6 s, measured) used to decide the p99.
     * The warm-up's figures are printed for reference: they are what a just-started Sluice does.
     */
    private void alerts(RunningSluice sluice, Map<Long, Long> sentAt, Map<Long, Long> receivedAt) throws Exception {
        RatingsGenerator generator = new RatingsGenerator(11L, 20, 0.05, 0.10, Clock.systemUTC());
        Map<Long, Long> seenAt = new ConcurrentHashMap<>();
        Map<Long, Long> writtenAt = new ConcurrentHashMap<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = Thread.ofPlatform().name("bench-latency-watcher").start(
                () -> watch(sluice.property("sluice.vip.topic"), watching, seenAt, writtenAt));
        List<Long> warmUp;
        List<Long> measured;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", stack.config().kafkaBootstrap()), new StringSerializer(), new StringSerializer())) {
            String topic = sluice.property("sluice.ratings.topic");
            warmUp = send(producer, topic, generator, warmupSeconds, sentAt);
            awaitQuiet(receivedAt);
            measured = send(producer, topic, generator, seconds, sentAt);
            awaitQuiet(receivedAt);
        } finally {
            watching.set(false);
            watcher.join();
        }
        long[] cold = latencies(warmUp, sentAt, receivedAt);
        report.line("Warm-up (not counted): %d s at %,d/s, %,d alerts: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                warmupSeconds, rate, cold.length, pct(cold, 50), pct(cold, 99), pct(cold, 100));
        long[] latencies = latencies(measured, sentAt, receivedAt);
        report.line("Alerts: %,d received in the measured %d s; rating produced → Slack request received: "
                        + "p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                latencies.length, seconds, pct(latencies, 50), pct(latencies, 99), pct(latencies, 100));
        stages(measured, sentAt, writtenAt, seenAt, receivedAt);
    }

    /** {@code seconds} of ratings at the rate; the ids sent. */
    private List<Long> send(KafkaProducer<String, String> producer, String topic, RatingsGenerator generator,
                            int seconds, Map<Long, Long> sentAt) {
        long total = (long) rate * seconds;
        long periodNanos = 1_000_000_000L / rate;
        List<Long> ids = new ArrayList<>();
        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long due = start + i * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            String rating = generator.next();
            long id = Long.parseLong(rating.substring(rating.indexOf(':') + 1, rating.indexOf(',')));
            ids.add(id);
            sentAt.put(id, System.nanoTime());
            producer.send(new ProducerRecord<>(topic, Long.toString(id), rating));
        }
        producer.flush();
        report.line("Sent %,d ratings at %,d/s in %.1f s", total, rate, (System.nanoTime() - start) / 1e9);
        return ids;
    }

    /** Alerts are a fixed share of what was sent: waits until the receiver has had nothing new for 5 s. */
    private static void awaitQuiet(Map<Long, Long> receivedAt) {
        int[] last = {-1};
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(5)).until(() -> {
            int now = receivedAt.size();
            boolean quiet = now == last[0];
            last[0] = now;
            return quiet;
        });
    }

    private static long[] latencies(List<Long> ids, Map<Long, Long> sentAt, Map<Long, Long> receivedAt) {
        return ids.stream().filter(receivedAt::containsKey).mapToLong(id -> receivedAt.get(id) - sentAt.get(id))
                .sorted().toArray();
    }

    /**
     * Reads the unhappy-VIP topic while the alerts run, as a plain consumer of its own: when each alert record
     * became visible to a consumer (this JVM's nanoTime) and its CreateTime (set by Sluice's producer).
     */
    private void watch(String topic, AtomicBoolean watching, Map<Long, Long> seenAt,
                       Map<Long, Long> writtenAt) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", stack.config().kafkaBootstrap(), "group.id", "bench-latency-watch-" + System.nanoTime(),
                "auto.offset.reset", "earliest", "enable.auto.commit", "false"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (watching.get()) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    long id = Long.parseLong(r.key());
                    seenAt.putIfAbsent(id, System.nanoTime());
                    writtenAt.putIfAbsent(id, r.timestamp());
                }
            }
        }
    }

    /**
     * Splits the latency at the unhappy-VIP topic: produced → the ratings flow wrote the alert record (CreateTime,
     * a wall clock in ms: the nanoTime stamps are put on it by one offset taken here, so millisecond resolution),
     * → a plain consumer of the topic saw it, → Slack received it.
     */
    private void stages(List<Long> measured, Map<Long, Long> sentAt, Map<Long, Long> writtenAt,
                        Map<Long, Long> seenAt, Map<Long, Long> receivedAt) {
        long wallMinusNano = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
        List<Long> all = measured.stream()
                .filter(id -> writtenAt.containsKey(id) && seenAt.containsKey(id) && receivedAt.containsKey(id)).toList();
        long[] flow = all.stream().mapToLong(id -> writtenAt.get(id) * 1_000_000L - (sentAt.get(id) + wallMinusNano))
                .sorted().toArray();
        long[] visible = all.stream().mapToLong(id -> seenAt.get(id) + wallMinusNano - writtenAt.get(id) * 1_000_000L)
                .sorted().toArray();
        long[] alert = all.stream().mapToLong(id -> receivedAt.get(id) - seenAt.get(id)).sorted().toArray();
        report.line("  of which produced → alert record written by the ratings flow: p50 %.0f ms, p99 %.0f ms, max %.0f ms; "
                        + "→ seen by a plain consumer: p50 %.0f ms, p99 %.0f ms, max %.0f ms; "
                        + "→ Slack received: p50 %.0f ms, p99 %.0f ms, max %.0f ms",
                pct(flow, 50), pct(flow, 99), pct(flow, 100), pct(visible, 50), pct(visible, 99), pct(visible, 100),
                pct(alert, 50), pct(alert, 99), pct(alert, 100));
        if (Boolean.getBoolean("bench.latency.trace")) {
            all.stream().sorted(Comparator.comparing(sentAt::get)).forEach(id -> report.line(
                    "    alert %d: sent %.0f written %+.0f seen %+.0f slack %+.0f ms", id, sentAt.get(id) / 1e6,
                    (writtenAt.get(id) * 1_000_000L - sentAt.get(id) - wallMinusNano) / 1e6,
                    (seenAt.get(id) - sentAt.get(id)) / 1e6, (receivedAt.get(id) - sentAt.get(id)) / 1e6));
        }
    }

    private void cdc(CustomerTable table) throws Exception {
        Db db = new Db(stack);
        List<Integer> ids = db.customerIds();
        long[] latencies = new long[cdcUpdates];
        for (int i = 0; i < cdcUpdates; i++) {
            int id = ids.get(i % ids.size());
            String email = "cdc-" + i + "@bench.example";
            db.update("UPDATE customers SET email = ? WHERE id = ?", email, id); // autocommit: returns once committed
            long committed = System.nanoTime();
            long deadline = committed + TimeUnit.SECONDS.toNanos(30);
            while (!email.equals(emailOf(table.get(id)))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("update " + i + " of customer " + id + " not seen in 30 s");
                }
                LockSupport.parkNanos(100_000);
            }
            latencies[i] = System.nanoTime() - committed;
            Thread.sleep(20); // one change at a time: each measured on its own
        }
        Arrays.sort(latencies);
        report.line("CDC: %d updates, committed in MariaDB → customer table shows it: p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                cdcUpdates, pct(latencies, 50), pct(latencies, 99), pct(latencies, 100));
    }

    private static String emailOf(Customer c) {
        return c == null ? null : c.email();
    }

    static double pct(long[] sortedNanos, int percentile) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(percentile / 100.0 * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, Math.min(index, sortedNanos.length - 1))] / 1e6;
    }

    /** A webhook that answers like Slack's ("ok") and notes when each alert arrived. */
    private static HttpServer slackReceiver(Map<Long, Long> receivedAt) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        server.createContext("/", exchange -> {
            long now = System.nanoTime();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = RATING_ID.matcher(body);
            if (m.find()) {
                receivedAt.putIfAbsent(Long.parseLong(m.group(1)), now);
            }
            byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
        return server;
    }
}
