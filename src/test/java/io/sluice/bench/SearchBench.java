package io.sluice.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.devstack.DevStack;
import io.sluice.harness.RunningSluice;
import io.sluice.harness.Search;
import org.apache.http.HttpHost;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.elasticsearch.client.RestClient;

import static org.awaitility.Awaitility.await;

/**
 * Part "search": the same enriched ratings into Elasticsearch twice — by Sluice's search sink as shipped (from
 * Kafka, bulk size and linger from application.properties) and by a direct bulk load with the Java client
 * (same bulk size, one request at a time, like the sink). Each into a fresh index with the same mapping; rate =
 * documents / (time until the last bulk request was acknowledged — Sluice: its consumer group committed the topic's
 * end; direct: the last response — and one refreshed count shows them all). The topic is filled before Sluice
 * starts (its time starts when Camel has started) and Elasticsearch is warmed up by an untimed direct load first.
 */
final class SearchBench {

    private final DevStack stack;
    private final Report report;
    private final int docs = Integer.getInteger("bench.search.docs", 100_000);

    SearchBench(DevStack stack, Report report) {
        this.stack = stack;
        this.report = report;
    }

    void run() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> ids = new ArrayList<>();
        List<byte[]> sources = new ArrayList<>();
        String[] statuses = RatingsWorkload.CLUB_STATUS;
        for (int i = 0; i < docs; i++) {
            Map<String, Object> doc = new LinkedHashMap<>();
            long id = 5_000_000_000L + i;
            doc.put("rating_id", id);
            doc.put("user_id", i % 10_000 + 1);
            doc.put("stars", i % 5 + 1);
            doc.put("route_id", i % 9999 + 1);
            doc.put("rating_time", 1_793_520_000_000L + i * 10L);
            doc.put("channel", i % 2 == 0 ? "iOS" : "web");
            doc.put("message", "Smooth ride, arrived early — review " + i);
            doc.put("customer_id", i % 10_000 + 1);
            doc.put("full_name", "First" + i + " Last" + i);
            doc.put("first_name", "First" + i);
            doc.put("last_name", "Last" + i);
            doc.put("email", "customer" + i + "@example.com");
            doc.put("club_status", statuses[i % 4]);
            ids.add(Long.toString(id));
            sources.add(json.writeValueAsBytes(doc));
        }
        Search search = new Search(stack);
        int bulkSize = 1000;

        String topic = "bench-search-docs";
        BenchTopics.create(stack.config().kafkaBootstrap(), topic, 1);
        // the topic is filled first, as in the throughput part: the sink is timed, not the producer beside it
        try (KafkaProducer<String, byte[]> producer = BenchTopics.producer(stack.config().kafkaBootstrap())) {
            for (int i = 0; i < docs; i++) {
                producer.send(new ProducerRecord<>(topic, ids.get(i), sources.get(i)));
            }
        }
        // Elasticsearch is a JVM too: warm it up with one untimed direct load, or whichever goes first pays for it
        String warmUpIndex = "bench-warm-up-" + System.currentTimeMillis();
        search.get("PUT", "/" + warmUpIndex, "{\"settings\":{\"number_of_replicas\":0}}");
        directLoad(search, warmUpIndex, ids, sources, bulkSize);

        String sluiceIndex;
        double sluiceRate;
        try (RunningSluice sluice = BenchSluice.only(stack, "bench-search", List.of(), "search-ratings")
                .with("camel.routeTemplate[search-ratings].topic", topic)
                .start()) {
            long start = System.nanoTime();
            sluiceIndex = sluice.property("sluice.search.ratings-index");
            bulkSize = Integer.parseInt(sluice.context().resolvePropertyPlaceholders("{{sluice.search.bulk-size}}"));
            // done = the sink committed the topic's end (it commits a batch only once Elasticsearch acknowledged
            // it). Not a refreshed count, polled meanwhile: each refresh makes a segment, and a refresh every
            // 100 ms halved the sink's rate while the direct load, counted only after its last request, had none
            String group = sluice.context().resolvePropertyPlaceholders("{{sluice.search.group-id}}") + "-search-ratings";
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.config().kafkaBootstrap()))) {
                TopicPartition partition = new TopicPartition(topic, 0);
                await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata().get().get(partition);
                    return committed != null && committed.offset() >= docs;
                });
            }
            awaitCount(search, sluiceIndex, docs); // one refresh: every document is there, as after the direct load
            sluiceRate = docs / ((System.nanoTime() - start) / 1e9);
        }
        // the direct load's index gets the mapping Sluice's template gave its index
        String directIndex = "bench-direct-" + System.currentTimeMillis();
        var mapping = search.get("GET", "/" + sluiceIndex + "/_mapping", null).path(sluiceIndex).path("mappings");
        search.get("PUT", "/" + directIndex, "{\"settings\":{\"number_of_replicas\":0},\"mappings\":" + mapping + "}");
        double directRate = directLoad(search, directIndex, ids, sources, bulkSize);
        report.line("| %,d documents, bulk %d | Sluice search sink (from Kafka) %,.0f docs/s | direct bulk (Java client) %,.0f docs/s | %.2f× |",
                docs, bulkSize, sluiceRate, directRate, sluiceRate / directRate);
    }

    /** Documents/s of a direct bulk load of all documents into {@code index}, one request at a time. */
    private double directLoad(Search search, String index, List<String> ids, List<byte[]> sources, int bulkSize) throws Exception {
        try (RestClient rest = RestClient.builder(HttpHost.create(stack.config().elasticsearchUrl())).build()) {
            ElasticsearchClient es = new ElasticsearchClient(new RestClientTransport(rest, new JacksonJsonpMapper()));
            long start = System.nanoTime();
            for (int from = 0; from < docs; from += bulkSize) {
                BulkRequest.Builder bulk = new BulkRequest.Builder();
                for (int i = from; i < Math.min(docs, from + bulkSize); i++) {
                    BinaryData source = BinaryData.of(sources.get(i), ContentType.APPLICATION_JSON);
                    String id = ids.get(i);
                    bulk.operations(BulkOperation.of(op -> op.index(x -> x.index(index).id(id).document(source))));
                }
                BulkResponse response = es.bulk(bulk.build());
                if (response.errors()) {
                    throw new IllegalStateException("direct bulk refused documents: " + response.items().get(0).error());
                }
            }
            awaitCount(search, index, docs);
            return docs / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static void awaitCount(Search search, String index, long want) {
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(100)).until(() -> search.count(index) >= want);
    }

}
