package io.sluice.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
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
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

import static org.awaitility.Awaitility.await;

/**
 * Part "search": the same enriched ratings into Elasticsearch twice — by Sluice's search sink as shipped (from
 * Kafka, bulk size, linger and bulks in flight from application.properties) and by a direct bulk load with the Java
 * client (same bulk size, one request at a time; when the sink keeps more than one in flight, a direct load with as
 * many is printed after it for reference). Each into a fresh index with the same mapping; rate =
 * documents / (time until the last bulk request was acknowledged — Sluice: its consumer group committed the topic's
 * end; direct: the last response — and one refreshed count shows them all). The topic is filled before Sluice
 * starts (its time starts when Camel has started); Elasticsearch and the direct load's client are warmed up by an
 * untimed direct load first, the sink's code by an untimed run of the sink.
 */
final class SearchBench {

    private final DevStack stack;
    private final Report report;
    private final int docs = Integer.getInteger("bench.search.docs", 100_000);
    private final AtomicInteger directRetries = new AtomicInteger();

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
        directLoad(search, warmUpIndex, "{\"settings\":{\"number_of_replicas\":0}}", ids, sources, bulkSize, 1);
        // each index is dropped once measured: five of 100 000 documents tripped the 512 MB node's circuit breaker
        search.get("DELETE", "/" + warmUpIndex, null);

        // the sink's code is as cold as the client's was: one run of it first, in this JVM, not counted (its JIT
        // compilations took ~a third of a core during a cold 5 s run, from Elasticsearch); printed for reference
        SinkRun cold = sinkRun(topic);
        search.get("DELETE", "/" + cold.index(), null);
        SinkRun sink = sinkRun(topic);
        String sluiceIndex = sink.index();
        double sluiceRate = sink.rate();
        bulkSize = sink.bulkSize();
        // the direct load's index gets the mapping Sluice's template gave its index
        String directIndex = "bench-direct-" + System.currentTimeMillis();
        var mapping = search.get("GET", "/" + sluiceIndex + "/_mapping", null).path(sluiceIndex).path("mappings");
        String directSettings = "{\"settings\":{\"number_of_replicas\":0},\"mappings\":" + mapping + "}";
        search.get("DELETE", "/" + sluiceIndex, null);
        // created inside its timing, as the sink's index is created by its first bulk request
        double directRate = directLoad(search, directIndex, directSettings, ids, sources, bulkSize, 1);
        search.get("DELETE", "/" + directIndex, null);
        report.line("| %,d documents, bulk %d | Sluice search sink (from Kafka) %,.0f docs/s | direct bulk (Java client) %,.0f docs/s | %.2f× |",
                docs, bulkSize, sluiceRate, directRate, sluiceRate / directRate);
        if (directRetries.get() > 0) {
            report.line("| note | the direct loads' requests refused for now (429) and sent again: %d | | |", directRetries.get());
        }
        report.line("| reference | the sink's first (cold) run %,.0f docs/s | | %.2f× |", cold.rate(), cold.rate() / directRate);
        // for reference: the direct load with as many requests in flight as the sink keeps (the goal's ratio is
        // against the one-at-a-time load above, the shape of the first issue's goal)
        int inFlight = sink.bulksInFlight();
        if (inFlight > 1) {
            String concurrentIndex = "bench-direct-" + inFlight + "-" + System.currentTimeMillis();
            double concurrentRate = directLoad(search, concurrentIndex, directSettings, ids, sources, bulkSize, inFlight);
            report.line("| reference | sink with %d bulks in flight | direct bulk, %d in flight %,.0f docs/s | %.2f× |",
                    inFlight, inFlight, concurrentRate, sluiceRate / concurrentRate);
        }
    }

    record SinkRun(String index, int bulksInFlight, int bulkSize, double rate) {
    }

    /** One run of the search sink as shipped over the whole topic, in a Sluice of its own (fresh group and index). */
    private SinkRun sinkRun(String topic) throws Exception {
        Search search = new Search(stack);
        try (RunningSluice sluice = BenchSluice.only(stack, "bench-search", List.of(), "search-ratings")
                .with("camel.routeTemplate[search-ratings].topic", topic)
                .start()) {
            long start = System.nanoTime();
            String index = sluice.property("sluice.search.ratings-index");
            int inFlight = Integer.parseInt(sluice.context().resolvePropertyPlaceholders("{{sluice.search.bulks-in-flight}}"));
            int size = Integer.parseInt(sluice.context().resolvePropertyPlaceholders("{{sluice.search.bulk-size}}"));
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
            awaitCount(search, index, docs); // one refresh: every document is there, as after the direct load
            return new SinkRun(index, inFlight, size, docs / ((System.nanoTime() - start) / 1e9));
        }
    }

    /**
     * Documents/s of a direct bulk load of all documents into a new {@code index} (created with {@code settings}, in
     * the time), with up to {@code inFlight} requests in flight at once (the next is sent when one is answered).
     */
    private double directLoad(Search search, String index, String settings, List<String> ids, List<byte[]> sources,
            int bulkSize, int inFlight) throws Exception {
        try (RestClient rest = RestClient.builder(HttpHost.create(stack.config().elasticsearchUrl())).build()) {
            ElasticsearchAsyncClient es = new ElasticsearchAsyncClient(new RestClientTransport(rest, new JacksonJsonpMapper()));
            Semaphore slots = new Semaphore(inFlight);
            List<CompletableFuture<BulkResponse>> sent = new ArrayList<>();
            long start = System.nanoTime();
            search.get("PUT", "/" + index, settings);
            for (int from = 0; from < docs; from += bulkSize) {
                BulkRequest.Builder bulk = new BulkRequest.Builder();
                for (int i = from; i < Math.min(docs, from + bulkSize); i++) {
                    BinaryData source = BinaryData.of(sources.get(i), ContentType.APPLICATION_JSON);
                    String id = ids.get(i);
                    bulk.operations(BulkOperation.of(op -> op.index(x -> x.index(index).id(id).document(source))));
                }
                slots.acquire();
                sent.add(bulk(es, bulk.build()).whenComplete((response, failure) -> slots.release()));
            }
            for (CompletableFuture<BulkResponse> response : sent) {
                if (response.get().errors()) {
                    throw new IllegalStateException("direct bulk refused documents: " + response.get().items().get(0).error());
                }
            }
            awaitCount(search, index, docs);
            return docs / ((System.nanoTime() - start) / 1e9);
        }
    }

    /**
     * The request, sent again after 100 ms while Elasticsearch refuses all of it for now (429: the 512 MB node's
     * circuit breaker, now and then), as the sink does — else one refusal ended the benchmark.
     */
    private CompletableFuture<BulkResponse> bulk(ElasticsearchAsyncClient es, BulkRequest request) {
        return es.bulk(request).handle((response, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(response);
            }
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            if (cause instanceof ResponseException refused
                    && refused.getResponse().getStatusLine().getStatusCode() == 429) {
                directRetries.incrementAndGet();
                return CompletableFuture.supplyAsync(() -> null,
                        CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS))
                        .thenCompose(ignored -> bulk(es, request));
            }
            return CompletableFuture.<BulkResponse>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    private static void awaitCount(Search search, String index, long want) {
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(100)).until(() -> search.count(index) >= want);
    }

}
