package io.sluice.windows;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The fold task's watermark over all input partitions, and the read step's lateness rule. */
class SourceClockTest {

    /** Kafka's end offsets when only busy partitions are asked about: none is consulted. */
    private static final Map<Integer, Long> NONE_LEFT_OUT = Map.of();

    @Test
    void theWatermarkIsTheSlowestPartitionOnceEveryPartitionHasBeenHeardOf() {
        SourceClock clock = new SourceClock();
        assertThat(clock.watermark(NONE_LEFT_OUT)).isEqualTo(Watermark.NONE);
        clock.beat(0, 3, SourceClock.State.ACTIVE, 50, false, 5);
        clock.event(1, 20);
        assertThat(clock.watermark(NONE_LEFT_OUT)).as("partition 2 not heard of").isEqualTo(Watermark.NONE);
        clock.beat(2, 3, SourceClock.State.ACTIVE, 70, false, 7);
        assertThat(clock.watermark(NONE_LEFT_OUT)).isEqualTo(new Watermark(false, 20));
        clock.event(1, 90);
        assertThat(clock.watermark(NONE_LEFT_OUT)).isEqualTo(new Watermark(false, 50));
        clock.beat(0, 3, SourceClock.State.ACTIVE, 40, false, 6);
        assertThat(clock.watermark(NONE_LEFT_OUT)).as("a beat never takes time back").isEqualTo(new Watermark(false, 50));
    }

    @Test
    void emptyPartitionsHoldNothingBackAndIdleOnesCloseEverything() {
        SourceClock clock = new SourceClock();
        // every record read: partition 0 to its end at offset 5, partition 1 never held one
        Map<Integer, Long> ends = Map.of(0, 5L, 1, 0L);
        clock.beat(0, 2, SourceClock.State.ACTIVE, 10, false, 4);
        clock.beat(1, 2, SourceClock.State.EMPTY, Long.MIN_VALUE, true, 0);
        assertThat(clock.watermark(ends)).isEqualTo(new Watermark(false, 10));
        clock.beat(0, 2, SourceClock.State.IDLE, 10, true, 5);
        assertThat(clock.watermark(ends).closeAll()).isTrue();
        clock.event(0, 12);
        assertThat(clock.watermark(Map.of(0, 6L, 1, 0L))).as("data again: not quiet any more").isEqualTo(new Watermark(false, 12));
    }

    @Test
    void anEmptyOrIdlePartitionWithRecordsItsReaderHasNotReadHoldsTheWindows() {
        // the fault suite's case: partition 0's reader said "empty", then died; records came to partition 0 while
        // partition 1 went on. Until a new reader has read them, nothing may close
        SourceClock clock = new SourceClock();
        clock.beat(0, 2, SourceClock.State.EMPTY, Long.MIN_VALUE, true, 0);
        clock.beat(1, 2, SourceClock.State.ACTIVE, 50, false, 40);
        assertThat(clock.watermark(Map.of(0, 0L, 1, 60L))).as("still empty").isEqualTo(new Watermark(false, 50));
        assertThat(clock.watermark(Map.of(0, 7L, 1, 60L))).as("7 records unread").isEqualTo(Watermark.NONE);
        assertThat(clock.watermark(null)).as("Kafka's ends not known now").isEqualTo(Watermark.NONE);
        clock.event(0, 30);
        assertThat(clock.watermark(Map.of(0, 7L, 1, 60L))).as("read: it counts as any other")
                .isEqualTo(new Watermark(false, 30));

        // idle at offset 100: left out while the end is 100, not once a record more has come
        clock.beat(0, 2, SourceClock.State.IDLE, 30, true, 100);
        assertThat(clock.watermark(Map.of(0, 100L, 1, 60L))).isEqualTo(new Watermark(false, 50));
        assertThat(clock.watermark(Map.of(0, 101L, 1, 60L))).isEqualTo(Watermark.NONE);
        // both idle and nothing unread: the quiet close
        clock.beat(1, 2, SourceClock.State.IDLE, 50, true, 60);
        assertThat(clock.watermark(Map.of(0, 100L, 1, 60L)).closeAll()).isTrue();
        assertThat(clock.watermark(Map.of(0, 100L, 1, 61L))).isEqualTo(Watermark.NONE);
        // a beat of an older version, without the position: unknown, which holds when the partition is left out
        clock.beat(1, 2, SourceClock.State.IDLE, 50, true, SourceClock.UNKNOWN);
        assertThat(clock.watermark(Map.of(0, 100L, 1, 60L))).isEqualTo(Watermark.NONE);
    }

    @Test
    void aPartitionThatSentEventsIsNeverEmptyAgain() {
        SourceClock clock = new SourceClock();
        clock.beat(0, 2, SourceClock.State.EMPTY, Long.MIN_VALUE, true, 0);
        clock.beat(1, 2, SourceClock.State.ACTIVE, 50, false, 3);
        clock.event(0, 7);
        clock.beat(0, 2, SourceClock.State.EMPTY, Long.MIN_VALUE, true, 0); // a beat sent before the events arrived
        assertThat(clock.watermark(Map.of(0, 1L, 1, 4L))).as("partition 0 still holds the windows back")
                .isEqualTo(new Watermark(false, 7));
    }

    @Test
    void aPartitionWithOnlyRefusedRecordsHoldsWindowsUntilReadToItsEnd() {
        SourceClock clock = new SourceClock();
        clock.beat(0, 2, SourceClock.State.ACTIVE, 10, false, 4);
        clock.beat(1, 2, SourceClock.State.ACTIVE, Long.MIN_VALUE, false, 2);
        assertThat(clock.watermark(NONE_LEFT_OUT)).isEqualTo(Watermark.NONE);
        clock.beat(1, 2, SourceClock.State.ACTIVE, Long.MIN_VALUE, true, 3);
        assertThat(clock.watermark(NONE_LEFT_OUT)).isEqualTo(new Watermark(false, 10));
    }

    @Test
    void lateMeansTheFirstWindowEndedLatenessAgoOnTheEventsOwnPartition() {
        WindowSpec tumbling = WindowSpec.tumbling("w", "time", 5, 2, "item", null, WindowSpec.Aggregate.parse("count"), 1000);
        assertThat(tumbling.late(4, Long.MIN_VALUE)).isNull();
        assertThat(tumbling.late(4, 6)).as("[0,5) closes at 5 + 2").isNull();
        assertThat(tumbling.late(4, 7)).isEqualTo(
                "late: time 4 falls in window [0, 5), closed already (time 7 has been read on its partition; allowed lateness 2)");
        WindowSpec hopping = new WindowSpec("w", WindowSpec.Kind.HOPPING, "time", 6, 2, 0, 0, "item", null,
                WindowSpec.Aggregate.parse("count"), 1000);
        // 5 is in [0,6), [2,8), [4,10): late once the first of them, [0,6), has closed
        assertThat(hopping.late(5, 5)).isNull();
        assertThat(hopping.late(5, 6)).startsWith("late: time 5 falls in window [0, 6)");
        WindowSpec session = new WindowSpec("w", WindowSpec.Kind.SESSION, "time", 0, 0, 10, 3, "item", null,
                WindowSpec.Aggregate.parse("count"), 1000);
        assertThat(session.late(100, 103)).isNull();
        assertThat(session.late(100, 104)).startsWith("late: time 100 is more than the allowed lateness 3 behind time 104");
        WindowSpec running = new WindowSpec("w", WindowSpec.Kind.RUNNING, null, 0, 0, 0, 0, "item", null,
                WindowSpec.Aggregate.parse("count"), 1000);
        assertThat(running.late(0, Long.MAX_VALUE)).isNull();
    }

    @Test
    void configurationsThatCannotWorkAreRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new WindowSpec("w", WindowSpec.Kind.HOPPING, "time", 5, 6, 0, 0,
                "item", null, WindowSpec.Aggregate.parse("count"), 1000)).hasMessageContaining("advance must be from 1 to the size");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WindowSpec.Kind.parse("sliding"))
                .hasMessageContaining("unknown window kind 'sliding'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new WindowSpec("w", WindowSpec.Kind.SESSION, "", 0, 0, 5, 0,
                "item", null, WindowSpec.Aggregate.parse("count"), 1000)).hasMessageContaining("timeField");
    }
}
