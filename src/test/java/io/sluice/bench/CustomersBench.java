package io.sluice.bench;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.customers.CustomerTable;
import io.sluice.devstack.DevStack;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Part "customers": the customer table (the class Sluice runs) rebuilt from a topic of 1 000 000 customers in the
 * CDC route's shape: time from start to ready (read to the end offsets), and heap it holds (used heap after a
 * full GC, loaded minus before).
 */
final class CustomersBench {

    private final DevStack stack;
    private final Report report;
    private final int count = Integer.getInteger("bench.table.customers", 1_000_000);

    CustomersBench(DevStack stack, Report report) {
        this.stack = stack;
        this.report = report;
    }

    void run() throws Exception {
        String brokers = stack.config().kafkaBootstrap();
        String topic = "bench-customers-" + count;
        BenchTopics.create(brokers, topic, 1);
        ObjectMapper json = new ObjectMapper();
        SplittableRandom random = new SplittableRandom(5);
        long t0 = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = BenchTopics.producer(brokers)) {
            for (int id = 1; id <= count; id++) {
                String status = RatingsWorkload.CLUB_STATUS[random.nextInt(RatingsWorkload.CLUB_STATUS.length)];
                producer.send(new ProducerRecord<>(topic, Integer.toString(id), json.writeValueAsBytes(RatingsWorkload.customerRow(id, status))));
            }
        }
        report.line("%,d customers written to %s in %.1f s", count, topic, (System.nanoTime() - t0) / 1e9);

        for (int attempt = 1; attempt <= 2; attempt++) {
            long before = usedAfterGc();
            try (DefaultCamelContext context = new DefaultCamelContext()) {
                CustomerTable table = new CustomerTable(context, brokers, topic, List.of(), () -> true);
                table.contextStarted();
                long start = System.nanoTime();
                table.start();
                table.whenReady().get(5, TimeUnit.MINUTES);
                double seconds = (System.nanoTime() - start) / 1e9;
                long loaded = usedAfterGc();
                report.line("Customer table, run %d: %,d customers rebuilt from the topic in %.1f s (%,.0f/s); heap held %,d MB",
                        attempt, table.size(), seconds, table.size() / seconds, (loaded - before) >> 20);
                table.stop();
            }
        }
    }

    /** System.gc() is a full, stop-the-world collection with G1 unless told otherwise: it returns when done. */
    static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
