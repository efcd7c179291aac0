package io.sluice.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import io.sluice.devstack.DevStack;
import io.sluice.harness.RunningSluice;
import io.sluice.kafka.KafkaAdmin;
import io.sluice.windows.WindowAggregator;
import io.sluice.windows.Windows;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import static org.awaitility.Awaitility.await;

/**
 * Part "windows-memory": what open windows cost. {@code bench.window.keys} (100 000) events with as many distinct
 * group values into one tumbling window that does not close during the run, through the shipped {@code window}
 * template: heap held once all are folded (used heap after a full GC, loaded minus before), against the same engine
 * on an empty input, and the bytes on disk — the changelog topics on the broker and the local state directory.
 */
final class WindowsMemoryBench {

    private final DevStack stack;
    private final Report report;
    private final int keys = Integer.getInteger("bench.window.keys", 100_000);

    WindowsMemoryBench(DevStack stack, Report report) {
        this.stack = stack;
        this.report = report;
    }

    void run() throws Exception {
        String brokers = stack.config().kafkaBootstrap();
        long empty = heldBy(brokers, 0);
        long full = heldBy(brokers, keys);
        report.line("%,d open windows (one per key): heap held %,d MB with them, %,d MB for the same window on an empty input:"
                + " %,d bytes per open window", keys, full >> 20, empty >> 20, (full - empty) / Math.max(1, keys));
    }

    private long heldBy(String brokers, int n) throws Exception {
        String id = "bench-wmem-" + n + "-" + System.nanoTime() % 100_000;
        String input = id + "-in";
        BenchTopics.create(brokers, input, 3);
        try (KafkaProducer<String, byte[]> producer = BenchTopics.producer(brokers)) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(input, null,
                        ("{\"customer\":\"c" + i + "\",\"amount\":1,\"time\":" + i + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
        }
        String p = "camel.routeTemplate[keys].";
        RunningSluice sluice = BenchSluice.only(stack, id, List.of())
                .with(p + "templateId", "window").with(p + "name", id).with(p + "topic", input)
                .with(p + "outputTopic", id + "-out").with(p + "timeField", "time").with(p + "size", "1000000000000")
                .with(p + "groupBy", "customer").with(p + "aggregate", "sum:amount").with(p + "idleTimeoutMs", "3600000");
        long before = CustomersBench.usedAfterGc();
        long start = System.nanoTime();
        try (RunningSluice running = sluice.start(); KafkaAdmin admin = new KafkaAdmin(brokers)) {
            String app = running.context().resolvePropertyPlaceholders("{{sluice.windows.group-prefix}}") + id;
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
                    .until(() -> folded(running, id, n));
            // and committed: the open windows are on their changelog topic too
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                    .until(() -> admin.endOffsets(app + "-cells-changelog").values().stream().mapToLong(Long::longValue).sum() >= n);
            double seconds = (System.nanoTime() - start) / 1e9;
            long held = CustomersBench.usedAfterGc() - before;
            Path kafka = stack.config().dataDir().resolve("kafka");
            long changelogs;
            try (Stream<Path> dirs = Files.list(kafka)) {
                changelogs = dirs.filter(d -> d.getFileName().toString().startsWith(app) && d.getFileName().toString().contains("changelog"))
                        .mapToLong(WindowsMemoryBench::logBytes).sum();
            }
            long local = size(Path.of(running.context().resolvePropertyPlaceholders("{{sluice.windows.state-dir}}")).resolve(app));
            report.line("%,d keys: folded in %.1f s; heap held %,d MB; changelog topics %,d KB of records on the broker (before compaction),"
                    + " local state directory %,d KB", n, seconds, held >> 20, changelogs >> 10, local >> 10);
            return held;
        }
    }

    /**
     * Every event folded: the engine runs and its state store holds one open window per key (asked of Kafka Streams
     * itself: a consumer group's committed offsets stop one short of a transaction's commit marker).
     */
    private static boolean folded(RunningSluice running, String window, int keys) {
        Windows windows = running.context().getRegistry().lookupByNameAndType("windows", Windows.class);
        WindowAggregator aggregator = windows == null ? null : windows.aggregators().get(window);
        KafkaStreams streams = aggregator == null ? null : aggregator.streams();
        if (streams == null || streams.state() != KafkaStreams.State.RUNNING) {
            return false;
        }
        try {
            ReadOnlyKeyValueStore<Object, Object> cells = streams.store(
                    StoreQueryParameters.fromNameAndType("cells", QueryableStoreTypes.keyValueStore()));
            return cells.approximateNumEntries() >= keys;
        } catch (InvalidStateStoreException e) {
            return false; // tasks still being assigned or restored
        }
    }

    /** The records' bytes in a partition directory: its .log segments (index files are preallocated, 10 MB each). */
    private static long logBytes(Path partition) {
        try (Stream<Path> files = Files.list(partition)) {
            return bytes(files.filter(f -> f.getFileName().toString().endsWith(".log")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path dir) {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return bytes(files.filter(Files::isRegularFile));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long bytes(Stream<Path> files) {
        return files.mapToLong(f -> {
            try {
                return Files.size(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).sum();
    }
}
