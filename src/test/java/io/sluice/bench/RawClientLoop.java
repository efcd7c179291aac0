package io.sluice.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.customers.Customer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The limit: kafka-clients by hand with the same delivery promise as Sluice — poll a batch, route every record,
 * send all outputs without waiting, flush (every ack), then commit. One consumer and one producer per thread,
 * producer settings as Sluice's route (acks=all, idempotent, no linger, 64 KB batches), and as many records
 * per poll as Sluice takes per batch ({@code sluice.ratings.batch-size}).
 */
final class RawClientLoop implements Contender {

    @Override
    public String name() {
        return "limit (kafka-clients)";
    }

    @Override
    public AutoCloseable start(Run run) throws Exception {
        Map<Integer, Customer> customers = loadCustomers(run.brokers(), run.customersTopic());
        List<Thread> threads = new ArrayList<>();
        List<KafkaConsumer<String, byte[]>> consumers = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < run.threads(); t++) {
            KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, run.brokers(),
                    ConsumerConfig.GROUP_ID_CONFIG, run.id(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, run.batchSize()), new StringDeserializer(), new ByteArrayDeserializer());
            consumers.add(consumer);
            Thread thread = new Thread(() -> loop(run, consumer, customers, failure), "raw-loop-" + t);
            threads.add(thread);
            thread.start();
        }
        return () -> {
            consumers.forEach(KafkaConsumer::wakeup);
            for (Thread t : threads) {
                t.join();
            }
            if (failure.get() != null) {
                throw new IllegalStateException("raw loop failed", failure.get());
            }
        };
    }

    private static void loop(Run run, KafkaConsumer<String, byte[]> consumer, Map<Integer, Customer> customers,
                             AtomicReference<Throwable> failure) {
        ObjectMapper json = new ObjectMapper();
        RatingRules rules = new RatingRules(json, customers);
        try (consumer; KafkaProducer<String, byte[]> producer = producer(run.brokers())) {
            consumer.subscribe(List.of(run.input()));
            RatingRules.Emitter emitter = (o, k, v) -> producer.send(new ProducerRecord<>(run.outputs().get(o), k, v));
            while (true) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                for (ConsumerRecord<String, byte[]> r : records) {
                    rules.route(r.key(), r.value(), r.topic() + "-" + r.partition() + "@" + r.offset(), emitter);
                }
                producer.flush();
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            // stopped
        } catch (Throwable e) {
            failure.set(e);
        }
    }

    static KafkaProducer<String, byte[]> producer(String brokers) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.BATCH_SIZE_CONFIG, 65536), new StringSerializer(), new ByteArraySerializer());
    }

    /** The customer table the hand-written way: read the topic to its end into a map. */
    static Map<Integer, Customer> loadCustomers(String brokers, String topic) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<Integer, Customer> customers = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    int id = Integer.parseInt(r.key());
                    if (r.value() == null) {
                        customers.remove(id);
                        continue;
                    }
                    customers.put(id, Customer.fromRow(id, json.readTree(r.value())));
                }
            }
        }
        return customers;
    }
}
