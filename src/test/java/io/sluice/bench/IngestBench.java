package io.sluice.bench;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.sluice.devstack.DevStack;
import io.sluice.harness.Db;
import io.sluice.harness.RunningSluice;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import static org.awaitility.Awaitility.await;

/**
 * Part "ingest" (issue 21): the same sales into table {@code sales} twice — by Sluice's {@code sales-ingest} route
 * as shipped (routes/sales.yaml: from Kafka, batch size from application.properties, one batched parameterized
 * insert per batch, offsets committed after it) and by a direct JDBC loop: the same rows, already parsed, the same
 * statement, the same batch size, the same driver, account and table, one batch at a time. The direct loop is the
 * limit — the database alone, with no Kafka and no parsing — so Sluice / direct says what the flow costs on top.
 * Sluice: from Camel started to its group having committed the topic's end (it commits a batch only once the batch's
 * insert returned), the topic filled before it starts; the table is emptied before each load.
 */
final class IngestBench {

    private static final String INSERT = "INSERT INTO sales (event_id, item, amount, time) VALUES (?, ?, ?, ?) "
            + "ON DUPLICATE KEY UPDATE event_id = event_id";

    private final DevStack stack;
    private final Report report;
    private final int sales = Integer.getInteger("bench.ingest.sales", 1_000_000);

    IngestBench(DevStack stack, Report report) {
        this.stack = stack;
        this.report = report;
    }

    /** One sale as the workload sends it and as the direct loop inserts it. */
    private record Sale(String item, long amount, long time) {
        byte[] json() {
            return ("{\"item\":\"" + item + "\",\"amount\":" + amount + ",\"time\":" + time + "}").getBytes(StandardCharsets.UTF_8);
        }
    }

    void run() throws Exception {
        SplittableRandom random = new SplittableRandom(21);
        Sale[] all = new Sale[sales];
        for (int i = 0; i < sales; i++) {
            all[i] = new Sale(random.nextInt(10) < 7 ? "a" : "b", 1 + random.nextInt(100), i);
        }
        Db db = new Db(stack);
        RunningSluice sluice = BenchSluice.only(stack, "bench-ingest", List.of("sales.yaml"));
        String topic = sluice.property("sluice.sales.topic");
        BenchTopics.create(stack.config().kafkaBootstrap(), topic, 1);
        try (KafkaProducer<String, byte[]> producer = BenchTopics.producer(stack.config().kafkaBootstrap())) {
            for (Sale s : all) {
                producer.send(new ProducerRecord<>(topic, null, s.json()));
            }
        }
        // MariaDB warms up too (buffer pool, the table's pages): one untimed direct load first, whichever goes first
        db.update("DELETE FROM sales");
        directLoad(db, java.util.Arrays.copyOf(all, Math.min(sales, 200_000)), "bench-warm-up", 2000);
        db.update("DELETE FROM sales");
        int batch;
        double sluiceRate;
        try (RunningSluice running = sluice.start()) {
            long start = System.nanoTime();
            batch = Integer.parseInt(running.context().resolvePropertyPlaceholders("{{sluice.sales.batch-size}}"));
            String group = running.property("sluice.sales.group-id");
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.config().kafkaBootstrap()))) {
                TopicPartition partition = new TopicPartition(topic, 0);
                await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata().get().get(partition);
                    return committed != null && committed.offset() >= sales;
                });
            }
            sluiceRate = sales / ((System.nanoTime() - start) / 1e9);
        }
        long rows = db.count("SELECT COUNT(*) FROM sales WHERE event_id LIKE ?", topic + "-0@%");
        db.update("DELETE FROM sales");
        double directRate = directLoad(db, all, topic, batch);
        long directRows = db.count("SELECT COUNT(*) FROM sales WHERE event_id LIKE ?", topic + "-0@%");
        report.line("| %,d sales, batch %d | Sluice sales-ingest (from Kafka) %,.0f rows/s | direct JDBC batches %,.0f rows/s | %.2f× | rows %s |",
                sales, batch, sluiceRate, directRate, sluiceRate / directRate,
                rows == sales && directRows == sales ? "all equal expected" : "Sluice " + rows + ", direct " + directRows + " of " + sales);
        db.update("DELETE FROM sales");
    }

    /** Rows/s of the direct loop: event ids as Sluice gives a record without one (topic-partition@offset). */
    private static double directLoad(Db db, Sale[] all, String topic, int batch) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            long start = System.nanoTime();
            for (int i = 0; i < all.length; i++) {
                ps.setString(1, topic + "-0@" + i);
                ps.setString(2, all[i].item());
                ps.setLong(3, all[i].amount());
                ps.setLong(4, all[i].time());
                ps.addBatch();
                if ((i + 1) % batch == 0 || i == all.length - 1) {
                    ps.executeBatch();
                }
            }
            return all.length / ((System.nanoTime() - start) / 1e9);
        }
    }
}
