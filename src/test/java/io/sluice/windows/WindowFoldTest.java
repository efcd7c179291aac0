package io.sluice.windows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Window assignment, boundaries, lateness and re-delivery, without Kafka or a database. */
class WindowFoldTest {

    private static final WindowSpec SALES = new WindowSpec("sales", "time", 5, 0, "item", "*",
            WindowSpec.Aggregate.parse("sum:amount"), 30_000);
    private final WindowFold fold = new WindowFold(SALES, new ObjectMapper());
    private long offset;

    @Test
    void windowsAreAlignedToZeroAndHalfOpen() {
        assertThat(SALES.windowStart(0)).isEqualTo(0);
        assertThat(SALES.windowStart(4)).isEqualTo(0);
        assertThat(SALES.windowStart(5)).isEqualTo(5);
        assertThat(SALES.windowStart(9)).isEqualTo(5);
        assertThat(SALES.windowStart(-1)).isEqualTo(-5);
        WindowSpec minute = new WindowSpec("m", "rating_time", 60_000, 0, "club_status", null, WindowSpec.Aggregate.parse("count"), 1);
        assertThat(minute.windowStart(1_700_000_059_999L)).isEqualTo(1_700_000_040_000L);
        assertThat(minute.windowStart(1_700_000_040_000L)).isEqualTo(1_700_000_040_000L);
        assertThat(minute.windowStart(1_700_000_039_999L)).isEqualTo(1_699_999_980_000L);
    }

    @Test
    void aWindowIsClosedOnceEventTimeReachesItsEndPlusTheLateness() {
        assertThat(SALES.lastClosedStart(5)).isEqualTo(0); // time 5 closes [0,5)
        assertThat(SALES.lastClosedStart(4)).isEqualTo(-1); // but 4 does not
        WindowSpec lenient = new WindowSpec("l", "time", 5, 3, "item", null, WindowSpec.Aggregate.parse("count"), 1);
        assertThat(lenient.lastClosedStart(7)).isLessThan(0); // [0,5) waits until time 8
        assertThat(lenient.lastClosedStart(8)).isEqualTo(0);
    }

    @Test
    void eventsAreSummedPerWindowAndItemAndOverall() {
        WindowFold.Result r = fold.fold(List.of(
                sale(0, "a", 20, 1), sale(0, "b", 5, 4), sale(0, "a", 1, 5), sale(0, "a", 2, 9)), Map.of(), Long.MIN_VALUE);
        assertThat(r.fresh()).isEqualTo(4);
        assertThat(totals(r)).containsExactly(
                "0/\"a\"=20x1", "0/\"*\"=25x2", "0/\"b\"=5x1", "5/\"a\"=3x2", "5/\"*\"=3x2");
        assertThat(r.maxTimes()).containsEntry("sales:0", 9L);
        assertThat(r.nextOffsets()).containsEntry("sales:0", 4L);
    }

    @Test
    void recordsBelowTheFoldedOffsetAreReDeliveryAndSkipped() {
        List<WindowFold.Input> batch = List.of(sale(0, "a", 1, 1), sale(0, "a", 2, 2), sale(1, "b", 3, 3), sale(0, "a", 4, 3));
        // partition 0 folded up to offset 2 before a crash (offsets 0 and 1); partition 1 not at all
        WindowFold.Result r = fold.fold(batch, Map.of("sales:0", 2L), Long.MIN_VALUE);
        assertThat(r.fresh()).isEqualTo(2);
        assertThat(totals(r)).containsExactly("0/\"b\"=3x1", "0/\"*\"=7x2", "0/\"a\"=4x1");
        assertThat(r.nextOffsets()).containsEntry("sales:0", 4L).containsEntry("sales:1", 3L);
    }

    @Test
    void anEventOfAClosedWindowIsLateWithItsReasonAndNotCounted() {
        WindowFold.Result r = fold.fold(List.of(sale(0, "a", 1, 4), sale(0, "a", 2, 5)), Map.of(), 5);
        assertThat(r.refusals()).hasSize(1);
        assertThat(r.refusals().get(0).late()).isTrue();
        assertThat(r.refusals().get(0).reason()).isEqualTo(
                "late: time 4 falls in window [0, 5), closed already (windows ending at or before 5 are closed; allowed lateness 0)");
        assertThat(totals(r)).containsExactly("5/\"a\"=2x1", "5/\"*\"=2x1");
        assertThat(r.nextOffsets()).containsEntry("sales:0", 2L); // the late one is done with too
    }

    @Test
    void unusableRecordsAreRefusedWithAReasonAndTheRestFolded() {
        List<WindowFold.Input> batch = new ArrayList<>();
        batch.add(raw(0, "{\"item\":\"a\",\"amount\":1}"));
        batch.add(raw(0, "{\"item\":\"a\",\"amount\":1,\"time\":\"soon\"}"));
        batch.add(raw(0, "{\"amount\":1,\"time\":1}"));
        batch.add(raw(0, "{\"item\":[1],\"amount\":1,\"time\":1}"));
        batch.add(raw(0, "{\"item\":\"a\",\"amount\":1.5,\"time\":1}"));
        batch.add(raw(0, "[]"));
        batch.add(raw(0, null));
        // found by the fault suite: both were counted in the overall total though their own rows could not exist
        batch.add(raw(0, "{\"item\":\"a\",\"amount\":1,\"time\":-1}"));
        batch.add(raw(0, "{\"item\":\"" + "i".repeat(65) + "\",\"amount\":1,\"time\":1}"));
        batch.add(raw(0, "{\"item\":\"" + "i".repeat(64) + "\",\"amount\":2,\"time\":1}"));
        batch.add(sale(0, "a", 7, 1));
        WindowFold.Result r = fold.fold(batch, Map.of(), Long.MIN_VALUE);
        assertThat(r.refusals()).extracting(WindowFold.Refusal::reason).containsExactly(
                "time is missing", "time must be a whole number, got \"soon\"", "item is missing",
                "item must be a single value, got [1]", "amount must be a whole number, got 1.5", "not a JSON object",
                "empty record (tombstone)", "time must not be negative, got -1", "item is longer than 64 characters");
        assertThat(r.refusals()).noneMatch(WindowFold.Refusal::late);
        assertThat(totals(r)).containsExactlyInAnyOrder("0/\"" + "i".repeat(64) + "\"=2x1", "0/\"a\"=7x1", "0/\"*\"=9x2");
    }

    /** Found by the fault suite: a rating enriched twice around a crash lands at two offsets and was counted twice. */
    @Test
    void withAnIdFieldAnEventProducedTwiceCountsOnce() {
        WindowFold byId = new WindowFold(SALES, new ObjectMapper(), "sale_id");
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<WindowFold.Input> batch = new ArrayList<>();
        batch.add(raw(0, "{\"sale_id\":\"s1\",\"item\":\"a\",\"amount\":5,\"time\":1}"));
        batch.add(raw(0, "{\"sale_id\":\"s2\",\"item\":\"a\",\"amount\":7,\"time\":2}"));
        batch.add(raw(0, "{\"sale_id\":\"s1\",\"item\":\"a\",\"amount\":5,\"time\":1}")); // s1 again, a new offset
        batch.add(raw(0, "{\"item\":\"a\",\"amount\":1,\"time\":2}"));
        WindowFold.Result r = byId.fold(batch, Map.of(), Long.MIN_VALUE, (start, id) -> seen.add(start + "/" + id));
        assertThat(totals(r)).containsExactlyInAnyOrder("0/\"a\"=12x2", "0/\"*\"=12x2");
        assertThat(r.refusals()).extracting(WindowFold.Refusal::reason).containsExactly("sale_id is missing");
        assertThat(r.fresh()).isEqualTo(4);
    }

    @Test
    void listsKeepArrivalOrderAndKeysKeepTheirJsonType() {
        WindowSpec perCustomer = new WindowSpec("c", "rating_time", 900_000, 0, "customer_id", null,
                WindowSpec.Aggregate.parse("count,list:stars"), 1);
        WindowFold f = new WindowFold(perCustomer, new ObjectMapper());
        WindowFold.Result r = f.fold(List.of(
                raw(0, "{\"customer_id\":12,\"stars\":5,\"rating_time\":1000}"),
                raw(0, "{\"customer_id\":12,\"stars\":1,\"rating_time\":2000}"),
                raw(0, "{\"customer_id\":\"12\",\"stars\":3,\"rating_time\":3000}")), Map.of(), Long.MIN_VALUE);
        assertThat(r.deltas().get(new WindowFold.Cell(0, "12")).items()).isEqualTo("5,1");
        assertThat(r.deltas().get(new WindowFold.Cell(0, "12")).count()).isEqualTo(2);
        assertThat(r.deltas().get(new WindowFold.Cell(0, "\"12\"")).count()).isEqualTo(1);
    }

    @Test
    void aggregatesAndSizesAreChecked() {
        assertThatThrownBy(() -> WindowSpec.Aggregate.parse("avg:amount")).hasMessageContaining("unknown aggregate 'avg:amount'");
        assertThatThrownBy(() -> new WindowSpec("w", "t", 0, 0, "k", null, WindowSpec.Aggregate.parse("count"), 1))
                .hasMessageContaining("size must be at least 1");
        assertThat(WindowSpec.Aggregate.parse("count, list:stars")).isEqualTo(new WindowSpec.Aggregate(null, "stars"));
    }

    private static List<String> totals(WindowFold.Result r) {
        List<String> out = new ArrayList<>();
        r.deltas().forEach((cell, d) -> out.add(cell.windowStart() + "/" + cell.key() + "=" + d.total() + "x" + d.count()));
        return out;
    }

    private WindowFold.Input sale(int partition, String item, long amount, long time) {
        return raw(partition, "{\"item\":\"" + item + "\",\"amount\":" + amount + ",\"time\":" + time + "}");
    }

    private WindowFold.Input raw(int partition, String json) {
        return new WindowFold.Input("sales", partition, offset++, null, json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }
}
