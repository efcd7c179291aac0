package io.sluice.windows;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** When windows may close: the slowest partition decides, unread records hold everything, idle partitions do not. */
class WatermarkTest {

    private static final long NOW = 1_000_000;
    private static final long IDLE = 30_000;

    @Test
    void theSlowestPartitionDecides() {
        Map<String, WindowStore.Partition> folded = Map.of(
                "s:0", new WindowStore.Partition(100, 900, NOW), "s:1", new WindowStore.Partition(50, 400, NOW));
        assertThat(Watermark.of(Map.of("s:0", 120L, "s:1", 50L), folded, NOW, IDLE)).isEqualTo(new Watermark(false, 400));
    }

    @Test
    void aPartitionWithRecordsNobodyFoldedHoldsEveryWindowOpen() {
        Map<String, WindowStore.Partition> folded = Map.of("s:0", new WindowStore.Partition(100, 900, NOW));
        assertThat(Watermark.of(Map.of("s:0", 100L, "s:1", 7L), folded, NOW, IDLE)).isEqualTo(Watermark.NONE);
        // an empty partition does not
        assertThat(Watermark.of(Map.of("s:0", 100L, "s:1", 0L), folded, NOW, IDLE)).isEqualTo(new Watermark(false, 900));
    }

    @Test
    void aQuietPartitionReadToItsEndStopsCountingAfterTheIdleTimeout() {
        Map<String, WindowStore.Partition> folded = new HashMap<>();
        folded.put("s:0", new WindowStore.Partition(100, 900, NOW));
        folded.put("s:1", new WindowStore.Partition(50, 400, NOW - IDLE + 1));
        assertThat(Watermark.of(Map.of("s:0", 100L, "s:1", 50L), folded, NOW, IDLE).time()).isEqualTo(400);
        folded.put("s:1", new WindowStore.Partition(50, 400, NOW - IDLE));
        assertThat(Watermark.of(Map.of("s:0", 100L, "s:1", 50L), folded, NOW, IDLE).time()).isEqualTo(900);
        // quiet but with records still to read (a restart, a slow consumer): it still counts
        assertThat(Watermark.of(Map.of("s:0", 100L, "s:1", 60L), folded, NOW, IDLE).time()).isEqualTo(400);
    }

    @Test
    void whenEveryPartitionIsIdleAllOpenWindowsClose() {
        Map<String, WindowStore.Partition> folded = Map.of(
                "s:0", new WindowStore.Partition(100, 900, NOW - IDLE), "s:1", new WindowStore.Partition(50, 400, NOW - 2 * IDLE));
        assertThat(Watermark.of(Map.of("s:0", 100L, "s:1", 50L), folded, NOW, IDLE)).isEqualTo(new Watermark(true, Long.MAX_VALUE));
        assertThat(Watermark.of(Map.of("s:0", 101L, "s:1", 50L), folded, NOW, IDLE)).isEqualTo(new Watermark(false, 900));
    }

    @Test
    void aPartitionWithOnlyRefusedRecordsCountsOnlyWhileItHasMoreToRead() {
        Map<String, WindowStore.Partition> folded = Map.of(
                "s:0", new WindowStore.Partition(100, 900, NOW), "s:1", new WindowStore.Partition(3, Long.MIN_VALUE, NOW));
        assertThat(Watermark.of(Map.of("s:0", 100L, "s:1", 3L), folded, NOW, IDLE)).isEqualTo(new Watermark(false, 900));
        assertThat(Watermark.of(Map.of("s:0", 100L, "s:1", 4L), folded, NOW, IDLE)).isEqualTo(Watermark.NONE);
    }

    @Test
    void aStreamIsQuietOnlyAfterKafkaHasReportedTheSameEndsForTheIdleTimeout() {
        // both partitions read to their ends, nothing folded for longer than the idle timeout — but Kafka was
        // unreachable until a moment ago: the records held up meanwhile may still be on their way
        Map<String, WindowStore.Partition> folded = Map.of(
                "s:0", new WindowStore.Partition(100, 400, NOW - 10 * IDLE),
                "s:1", new WindowStore.Partition(50, 900, NOW - 10 * IDLE));
        Map<String, Long> ends = Map.of("s:0", 100L, "s:1", 50L);
        assertThat(Watermark.of(ends, folded, NOW, IDLE, NOW - IDLE + 1)).isEqualTo(new Watermark(false, 400));
        assertThat(Watermark.of(ends, folded, NOW, IDLE, NOW - IDLE)).isEqualTo(new Watermark(true, Long.MAX_VALUE));
    }
}
