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
 * statement, the same batch size, the same driver, account and table, one batch at a time, each batch one
 * transaction (the fastest way this driver and table take batches — see {@link #directLoad}). The direct loop is the
 * limit — the database alone, with no Kafka and no parsing — so Sluice / direct says what the flow costs on top.
 * Sluice: from Camel started to its group having committed the topic's end (it commits a batch only once the batch's
 * insert returned), the topic filled before it starts; the table is emptied before each load. Best of
 * {@code bench.rounds} (2) loads each, the order alternating by round (Sluice first in round 1), each Sluice load
 * with a consumer group of its own. For reference (not the limit), each round also loads the loop's batches on two
 * connections at once, as Sluice writes them (routes/sales.yaml, concurrentCalls).
 */
final class IngestBench {

    private static final String INSERT = "INSERT INTO sales (event_id, item, amount, time) VALUES (?, ?, ?, ?) "
            + "ON DUPLICATE KEY UPDATE event_id = event_id";

    private final DevStack stack;
    private final Report report;
    private final int sales = Integer.getInteger("bench.ingest.sales", 1_000_000);
    private final int rounds = Integer.getInteger("bench.rounds", 2);

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
        directLoad(db, java.util.Arrays.copyOf(all, Math.min(sales, 200_000)), "bench-warm-up", 2000, false);
        db.update("DELETE FROM sales");
        int batch = Contender.shippedInt("sluice.sales.batch-size"); // the direct loop's batches are as large
        // best of `rounds` for each side, the order alternating by round as in the throughput part: on 2 shared cores
        // one load alone varied by ±25% between runs minutes apart (issue 21)
        String group = sluice.property("sluice.sales.group-id");
        double sluiceRate = 0;
        double directRate = 0;
        double twoConnectionsRate = 0;
        for (int round = 1; round <= rounds; round++) {
            if (round % 2 == 1) {
                sluiceRate = Math.max(sluiceRate, sluiceLoad(db, sluice, group + "-r" + round, topic, round));
                directRate = Math.max(directRate, directLoadChecked(db, all, topic, batch, 1, round));
            } else {
                directRate = Math.max(directRate, directLoadChecked(db, all, topic, batch, 1, round));
                sluiceRate = Math.max(sluiceRate, sluiceLoad(db, sluice, group + "-r" + round, topic, round));
            }
            // for reference, not the limit: the loop's batches on two connections at once, as Sluice writes them
            twoConnectionsRate = Math.max(twoConnectionsRate, directLoadChecked(db, all, topic, batch, 2, round));
        }
        // the same loop as the driver runs batches by default, for reference (not the limit: slower by far)
        // (-Dbench.ingest.autocommit-sales=0 leaves it out: at ~600–3 000 rows/s it takes minutes)
        Sale[] some = java.util.Arrays.copyOf(all, Math.min(sales, Integer.getInteger("bench.ingest.autocommit-sales", 100_000)));
        double autocommitRate = some.length == 0 ? Double.NaN : directLoad(db, some, topic, batch, true);
        report.line("| %,d sales, batch %d, best of %d | Sluice sales-ingest (from Kafka) %,.0f rows/s | direct JDBC, a transaction per batch %,.0f rows/s | %.2f× | direct on 2 connections %,.0f rows/s (Sluice %.2f× of it) | direct, autocommit (%,d rows) %,.0f rows/s | rows %s |",
                sales, batch, rounds, sluiceRate, directRate, sluiceRate / directRate, twoConnectionsRate,
                sluiceRate / twoConnectionsRate, some.length, autocommitRate,
                rowsOk ? "all equal expected" : "SOME DIFFER (see the rounds above)");
        db.update("DELETE FROM sales");
    }

    private boolean rowsOk = true;

    /** One load by Sluice: from Camel started to its group (one of this round's own) having committed the topic's end. */
    private double sluiceLoad(Db db, RunningSluice sluice, String group, String topic, int round) throws Exception {
        db.update("DELETE FROM sales");
        sluice.with("sluice.sales.group-id", group);
        long commitsBefore = commits(db);
        double rate;
        try (RunningSluice running = sluice.start()) {
            long start = System.nanoTime();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.config().kafkaBootstrap()))) {
                TopicPartition partition = new TopicPartition(topic, 0);
                await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata().get().get(partition);
                    return committed != null && committed.offset() >= sales;
                });
            }
            rate = sales / ((System.nanoTime() - start) / 1e9);
        }
        long commits = commits(db) - commitsBefore;
        long rows = db.count("SELECT COUNT(*) FROM sales WHERE event_id LIKE ?", topic + "-0@%");
        rowsOk &= rows == sales;
        report.line("  round %d: Sluice sales-ingest %,.0f rows/s, %,d commits, %,d rows", round, rate, commits, rows);
        return rate;
    }

    /** One direct load into an emptied table on {@code connections} connections at once, its rows checked. */
    private double directLoadChecked(Db db, Sale[] all, String topic, int batch, int connections, int round)
            throws Exception {
        db.update("DELETE FROM sales");
        long before = commits(db);
        double rate = connections == 1 ? directLoad(db, all, topic, batch, false) : directLoad(db, all, topic, batch, connections);
        long commits = commits(db) - before;
        long rows = db.count("SELECT COUNT(*) FROM sales WHERE event_id LIKE ?", topic + "-0@%");
        rowsOk &= rows == sales;
        report.line("  round %d: direct JDBC on %d connection(s) %,.0f rows/s, %,d commits, %,d rows", round,
                connections, rate, commits, rows);
        db.update("DELETE FROM sales");
        return rate;
    }

    /** The server's count of COMMIT statements (Com_commit): one per transaction, none for autocommitted statements. */
    private static long commits(Db db) throws Exception {
        try (Connection c = db.connect(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet r = st.executeQuery("SHOW GLOBAL STATUS LIKE 'Com_commit'")) {
            return r.next() ? r.getLong(2) : -1;
        }
    }

    /**
     * Rows/s of the direct loop's batches spread over {@code connections} threads, each with a connection of its own
     * (batch k on thread k mod connections), each batch one transaction; timed once the connections are open, as the
     * one-connection loop is.
     */
    private static double directLoad(Db db, Sale[] all, String topic, int batch, int connections) throws Exception {
        List<Connection> open = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(connections);
        try {
            List<java.util.concurrent.Callable<Void>> loops = new java.util.ArrayList<>();
            for (int t = 0; t < connections; t++) {
                Connection c = db.connect();
                open.add(c);
                c.setAutoCommit(false);
                PreparedStatement ps = c.prepareStatement(INSERT); // closed with its connection
                int thread = t;
                loops.add(() -> {
                    for (int from = thread * batch; from < all.length; from += connections * batch) {
                        for (int i = from; i < Math.min(all.length, from + batch); i++) {
                            addRow(ps, all, topic, i);
                        }
                        ps.executeBatch();
                        c.commit();
                    }
                    return null;
                });
            }
            long start = System.nanoTime();
            for (java.util.concurrent.Future<Void> loop : threads.invokeAll(loops)) {
                loop.get();
            }
            return all.length / ((System.nanoTime() - start) / 1e9);
        } finally {
            threads.shutdownNow();
            for (Connection c : open) {
                c.close();
            }
        }
    }

    /** Sale i as a row of the batch: its event id as Sluice gives a record without one (topic-partition@offset). */
    private static void addRow(PreparedStatement ps, Sale[] all, String topic, int i) throws java.sql.SQLException {
        ps.setString(1, topic + "-0@" + i);
        ps.setString(2, all[i].item());
        ps.setLong(3, all[i].amount());
        ps.setLong(4, all[i].time());
        ps.addBatch();
    }

    /**
     * Rows/s of the direct loop: each batch one transaction, or (autocommit) as a plain JDBC loop runs a batch by default — with MariaDB Connector/J 3.5
     * and this upsert, one commit per row (measured here: 2–3 000 rows/s against 23–38 000 with a transaction per
     * batch). Sluice's camel-sql batch already commits once per batch (the commits column).
     */
    private static double directLoad(Db db, Sale[] all, String topic, int batch, boolean autocommit) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            c.setAutoCommit(autocommit);
            long start = System.nanoTime();
            for (int i = 0; i < all.length; i++) {
                addRow(ps, all, topic, i);
                if ((i + 1) % batch == 0 || i == all.length - 1) {
                    ps.executeBatch();
                    if (!autocommit) {
                        c.commit();
                    }
                }
            }
            return all.length / ((System.nanoTime() - start) / 1e9);
        }
    }
}
