package io.sluice.windows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.DeadLetters;
import io.sluice.ops.FlowMetrics;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The window topology's rules through Kafka Streams' own test driver (one partition per topic, wall clock under the
 * test's control): an event produced twice counts once, late and unusable records get one letter each and are
 * never counted, and a quiet stream closes every open window — an event of such a window arriving later is late,
 * once, and never makes a second result. The same topology on the real broker: WindowKindsTest, SalesWindowsTest.
 */
class WindowTopologyTest {

    private static final String IN = "sales";
    private static final String OUT = "sales-summary";
    private final ObjectMapper json = new ObjectMapper();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> input;
    private Windows windows;
    private long sent;

    private void start(String idField) throws Exception {
        FlowMetrics metrics = FlowMetrics.of(new DefaultCamelContext());
        windows = new Windows(json, metrics, new DeadLetters(json, metrics), null);
        WindowSpec spec = WindowSpec.tumbling("sales-summary", "time", 10, 0, "item", "*", WindowSpec.Aggregate.parse("sum:amount"), 1_000);
        Window window = new Window(spec, IN, OUT, "sales-summary", idField, 200, 1_000, windows);
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "window-topology-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("window-topology").toString());
        driver = new TopologyTestDriver(WindowTopology.build(window), p);
        input = driver.createInputTopic(IN, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    private void send(String key, String value) {
        input.pipeInput(key, value.getBytes(StandardCharsets.UTF_8));
        sent++;
    }

    /** Lets the read step tell the fold step how far the input has got (Kafka says its end is what was sent). */
    private void tick(long ms) {
        windows.ends(IN, Map.of(0, sent));
        driver.advanceWallClockTime(Duration.ofMillis(ms));
    }

    private List<TestRecord<String, String>> read(String topic) {
        TestOutputTopic<String, String> out = driver.createOutputTopic(topic, new StringDeserializer(), new StringDeserializer());
        return out.readRecordsToList();
    }

    private Map<String, String> results() throws Exception {
        Map<String, String> got = new HashMap<>();
        for (TestRecord<String, String> r : read(OUT)) {
            JsonNode w = json.readTree(r.value());
            String before = got.put(r.key(), w.get("total_amount").asLong() + "/" + w.get("count").asLong());
            assertThat(before).as("one result per window and key: " + r.key()).isNull();
        }
        return got;
    }

    @Test
    void anEventProducedTwiceCountsOnce() throws Exception {
        start("id");
        send("k1", "{\"item\":\"a\",\"amount\":5,\"time\":1,\"id\":\"e1\"}");
        send("k1", "{\"item\":\"a\",\"amount\":5,\"time\":1,\"id\":\"e1\"}"); // the same event again, at a new offset
        send("k2", "{\"item\":\"b\",\"amount\":7,\"time\":3,\"id\":\"e2\"}");
        send("k3", "{\"item\":\"a\",\"amount\":1,\"time\":12,\"id\":\"e3\"}");
        tick(300);
        assertThat(results()).isEqualTo(Map.of("a@0", "5/1", "b@0", "7/1", "*@0", "12/2"));
    }

    @Test
    void lateAndUnusableRecordsAreLetteredOnceAndNeverCounted() throws Exception {
        start(null);
        send("k1", "{\"item\":\"a\",\"amount\":5,\"time\":1}");
        send("k2", "{\"item\":\"a\",\"amount\":6,\"time\":12}");
        send("k3", "{\"item\":\"a\",\"amount\":100,\"time\":4}"); // [0,10) ended at or before 12: late
        send("k4", "not json");
        send("k5", "{\"item\":\"b\",\"amount\":1,\"time\":25}");
        tick(300);
        assertThat(results()).isEqualTo(Map.of("a@0", "5/1", "*@0", "5/1", "a@10", "6/1", "*@10", "6/1"));
        List<TestRecord<String, String>> late = read(OUT + "-late");
        assertThat(late).extracting(TestRecord::key).containsExactly("k3");
        assertThat(json.readTree(late.get(0).value()).get("reason").asText())
                .isEqualTo("late: time 4 falls in window [0, 10), closed already (time 12 has been read on its partition; allowed lateness 0)");
        assertThat(json.readTree(late.get(0).value()).get("source").asText()).isEqualTo(IN + "-0@2");
        List<TestRecord<String, String>> dlq = read(OUT + "-dlq");
        assertThat(dlq).extracting(TestRecord::key).containsExactly("k4");
        assertThat(json.readTree(dlq.get(0).value()).get("reason").asText()).startsWith("not JSON");
    }

    /**
     * Found by the full scale-out fault run: the clock store kept "partition 0 is empty" (its first beat) while events
     * had long told the task otherwise; restored on another instance, the task left that partition out of the
     * watermark and closed windows it still fed, so its next events were late.
     */
    @Test
    void whatTheFoldStepKeepsNeverCallsAPartitionEmptyAfterItsEvents() throws Exception {
        start(null);
        tick(300); // nothing sent yet: partition 0 is empty
        assertThat(keptState(0)).isEqualTo(SourceClock.State.EMPTY);
        send("k1", "{\"item\":\"a\",\"amount\":5,\"time\":1}");
        assertThat(keptState(0)).isEqualTo(SourceClock.State.ACTIVE);
        tick(300);
        assertThat(keptState(0)).isEqualTo(SourceClock.State.ACTIVE);
    }

    private SourceClock.State keptState(int source) {
        org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]> clock = driver.getKeyValueStore(FoldStep.CLOCK);
        byte[] kept = clock.get(org.apache.kafka.common.utils.Bytes.wrap(java.nio.ByteBuffer.allocate(4).putInt(source).array()));
        return kept == null ? null : SourceClock.State.values()[kept[0]];
    }

    @Test
    void aQuietStreamClosesEveryWindowAndAnEventOfOneOfThemLaterIsLateOnce() throws Exception {
        start(null);
        send("k1", "{\"item\":\"a\",\"amount\":5,\"time\":1}");
        send("k2", "{\"item\":\"b\",\"amount\":2,\"time\":12}");
        tick(300);
        assertThat(results()).isEqualTo(Map.of("a@0", "5/1", "*@0", "5/1"));
        tick(1_500); // read to the end, nothing new for longer than the idle timeout: every window closes
        assertThat(results()).isEqualTo(Map.of("b@10", "2/1", "*@10", "2/1"));
        send("k3", "{\"item\":\"a\",\"amount\":9,\"time\":15}"); // its window [10,20) closed when the stream went quiet
        send("k4", "{\"item\":\"a\",\"amount\":3,\"time\":21}"); // a new window
        tick(300);
        tick(1_500);
        assertThat(results()).isEqualTo(Map.of("a@20", "3/1", "*@20", "3/1"));
        List<TestRecord<String, String>> late = read(OUT + "-late");
        assertThat(late).extracting(TestRecord::key).as("one letter, not one per result it missed").containsExactly("k3");
        assertThat(json.readTree(late.get(0).value()).get("reason").asText()).isEqualTo(
                "late: time 15 falls in a window closed already when the stream went quiet (every window holding time 12 or earlier closed)");
    }
}
