package io.sluice.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sales in seed 004's shape, {@code {"item":"a","amount":20,"time":1}}: time 0…n−1 in order (one sale per time
 * unit), item {@code a} 70 %, {@code b} 15 %, {@code c} 10 %, {@code d} 5 %, amount a positive whole number drawn
 * like the seed's store ({@code int(lognormal(2, 1))}, at least 1). Seeded, so every run sees the same sales. Holds
 * the ground truth: the total and count of every (item, window) and ("*", window) of tumbling windows of
 * {@code size}.
 */
final class SalesWorkload {

    static final String OVERALL = "*";
    static final String[] ITEMS = {"a", "b", "c", "d"};
    private static final double[] UPTO = {0.70, 0.85, 0.95, 1.0};

    /** A window's aggregate: the sum of its sales' amounts and their count ({@code total_amount}, {@code count}). */
    record Total(long amount, long count) {
    }

    /** Where the default partitioner put one load's sales. */
    record Layout(long[] counts, long[] lastTimes, long skew, long disorder) {

        /** The earliest last sale time of any partition: past it, some partition has nothing more to say. */
        long lastOfEveryPartition() {
            return Arrays.stream(lastTimes).min().orElse(-1);
        }

        @Override
        public String toString() {
            return "per partition " + Arrays.toString(counts) + " sales, skew " + skew + ", disorder " + disorder;
        }
    }

    final int sales;
    final long size;
    private final List<byte[]> records = new ArrayList<>();
    private final Map<String, Total> truth = new HashMap<>();
    private final Map<String, Long> lastTimeOfItem = new HashMap<>();

    SalesWorkload(int sales, long seed, long size) {
        this.sales = sales;
        this.size = size;
        Random random = new Random(seed);
        Map<String, long[]> sums = new HashMap<>();
        for (long time = 0; time < sales; time++) {
            double r = random.nextDouble();
            int i = 0;
            while (r >= UPTO[i]) {
                i++;
            }
            String item = ITEMS[i];
            long amount = Math.max(1, (long) Math.exp(2 + random.nextGaussian()));
            records.add(json(item, amount, time));
            long start = Math.floorDiv(time, size) * size;
            for (String key : new String[] {item, OVERALL}) {
                long[] s = sums.computeIfAbsent(key + "@" + start, k -> new long[2]);
                s[0] += amount;
                s[1]++;
                lastTimeOfItem.put(key, time);
            }
        }
        sums.forEach((k, s) -> truth.put(k, new Total(s[0], s[1])));
    }

    static byte[] json(String item, long amount, long time) {
        return ("{\"item\":\"" + item + "\",\"amount\":" + amount + ",\"time\":" + time + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** Every expected result: {@code <item>@<window_start>} → total and count. */
    Map<String, Total> truth() {
        return truth;
    }

    /** The end of the last window that holds a sale: results of windows starting there or later are no sales'. */
    long endOfData() {
        return (Math.floorDiv(sales - 1, size) + 1) * size;
    }

    /** The earliest last sale time of any item (and of the overall key). */
    long lastOfEveryItem() {
        return lastTimeOfItem.values().stream().mapToLong(Long::longValue).min().orElse(-1);
    }

    /**
     * Writes every sale to {@code topic} as a plain producer would: no key, the default partitioner, default batch
     * size and linger. With no key, kafka-clients' built-in partitioner is the uniform sticky one (KIP-794): it fills a
     * batch (batch.size, 16 KiB) for one partition, then picks the next partition, preferring those with less queued —
     * so a partition holds runs of a few hundred consecutive sales, and the partitions' runs do not line up.
     */
    Layout load(String brokers, String topic, int partitions) throws Exception {
        int[] partitionOf = new int[sales];
        AtomicReference<Exception> failed = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < sales; i++) {
                int index = i;
                producer.send(new ProducerRecord<>(topic, records.get(i)), (md, e) -> {
                    if (e != null) {
                        failed.set(e);
                    } else {
                        partitionOf[index] = md.partition();
                    }
                });
            }
            producer.flush();
        }
        if (failed.get() != null) {
            throw failed.get();
        }
        return layout(partitionOf, partitions);
    }

    /**
     * Counts and last times per partition, and two measures of how far apart in event time the partitions run:
     * <ul>
     * <li>skew: at worst, when each partition has been read to the same share of its sales;</li>
     * <li>disorder: read one record from each partition in turn (a finished one stays at its last sale), how far
     *     at worst a sale's time lies behind the latest time read from any partition so far — the grace a reader
     *     of all partitions at once, merging them into one stream, would need to drop nothing.</li>
     * </ul>
     */
    private static Layout layout(int[] partitionOf, int partitions) {
        long[] counts = new long[partitions];
        long[] last = new long[partitions];
        Arrays.fill(last, -1);
        long[][] times = new long[partitions][];
        for (int p : partitionOf) {
            counts[p]++;
        }
        int[] filled = new int[partitions];
        for (int p = 0; p < partitions; p++) {
            times[p] = new long[(int) counts[p]];
        }
        for (int t = 0; t < partitionOf.length; t++) {
            int p = partitionOf[t];
            times[p][filled[p]++] = t;
            last[p] = t;
        }
        long skew = 0;
        for (int step = 0; step <= 1000; step++) {
            long lo = Long.MAX_VALUE;
            long hi = Long.MIN_VALUE;
            for (long[] ts : times) {
                if (ts.length > 0) {
                    long t = ts[(int) ((ts.length - 1L) * step / 1000)];
                    lo = Math.min(lo, t);
                    hi = Math.max(hi, t);
                }
            }
            skew = Math.max(skew, hi - lo);
        }
        long disorder = 0;
        long latest = Long.MIN_VALUE;
        long most = Arrays.stream(counts).max().orElse(0);
        for (int k = 0; k < most; k++) {
            for (long[] ts : times) {
                if (k < ts.length) {
                    latest = Math.max(latest, ts[k]);
                    disorder = Math.max(disorder, latest - ts[k]);
                }
            }
        }
        return new Layout(counts, last, skew, disorder);
    }
}
