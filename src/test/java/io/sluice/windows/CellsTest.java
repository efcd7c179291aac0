package io.sluice.windows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which windows an event belongs to, how sessions merge, and when each kind closes — without Kafka. */
class CellsTest {

    private static WindowSpec spec(WindowSpec.Kind kind, long size, long advance, long gap, long lateness) {
        return new WindowSpec("w", kind, "time", size, advance, gap, lateness, "item", null,
                WindowSpec.Aggregate.parse("sum:amount,list:amount"), 30_000);
    }

    private static List<String> describe(List<Cells.Cell> cells) {
        List<String> out = new ArrayList<>();
        for (Cells.Cell c : cells) {
            out.add(c.key + "[" + c.start + "," + c.end + ")=" + c.total + "/" + c.count + ":" + c.items());
        }
        return out;
    }

    @Test
    void tumblingWindowsAreAlignedToZeroAndCloseAtTheirEndPlusLateness() {
        Cells cells = new Cells(spec(WindowSpec.Kind.TUMBLING, 5, 5, 0, 2));
        cells.add("\"a\"", 0, 1, "1", Cells.Changes.NONE);
        cells.add("\"a\"", 4, 2, "2", Cells.Changes.NONE);
        cells.add("\"a\"", 5, 4, "4", Cells.Changes.NONE);
        cells.add("\"b\"", 3, 8, "8", Cells.Changes.NONE);
        assertThat(cells.close(6)).as("end 5 + lateness 2 not reached").isEmpty();
        assertThat(describe(cells.close(7))).containsExactlyInAnyOrder("\"a\"[0,5)=3/2:1,2", "\"b\"[0,5)=8/1:8");
        assertThat(describe(cells.close(12))).containsExactly("\"a\"[5,10)=4/1:4");
        assertThat(cells.open()).isZero();
    }

    @Test
    void aHoppingEventCountsInEveryWindowThatHoldsIt() {
        // size 5, advance 2: windows start at even numbers; time 5 is in [2,7) and [4,9), not in [0,5) nor [6,11)
        Cells cells = new Cells(spec(WindowSpec.Kind.HOPPING, 5, 2, 0, 0));
        cells.add("\"a\"", 5, 10, "10", Cells.Changes.NONE);
        cells.add("\"a\"", 6, 1, "1", Cells.Changes.NONE);
        assertThat(cells.open()).isEqualTo(3); // [2,7), [4,9), [6,11)
        assertThat(describe(cells.close(7))).containsExactly("\"a\"[2,7)=11/2:10,1");
        assertThat(describe(cells.close(11))).containsExactly("\"a\"[4,9)=11/2:10,1", "\"a\"[6,11)=1/1:1");
    }

    @Test
    void hoppingWindowsBeforeZeroHoldEarlyEvents() {
        WindowSpec s = spec(WindowSpec.Kind.HOPPING, 6, 4, 0, 0);
        assertThat(s.firstStart(1)).isEqualTo(-4); // [-4, 2) holds 1
        assertThat(s.lastStart(1)).isZero();
        assertThat(s.firstStart(8)).isEqualTo(4);   // [4,10) and [8,14)
        assertThat(s.lastStart(8)).isEqualTo(8);
    }

    @Test
    void sessionsGrowMergeWhenBridgedAndCloseAfterTheGap() {
        Cells cells = new Cells(spec(WindowSpec.Kind.SESSION, 0, 0, 10, 0));
        List<String> removed = new ArrayList<>();
        Cells.Changes track = new Cells.Changes() {
            @Override
            public void put(Cells.Cell cell) {
            }

            @Override
            public void remove(String key, long start) {
                removed.add(key + "@" + start);
            }
        };
        cells.add("\"a\"", 100, 1, "1", track);
        cells.add("\"a\"", 110, 2, "2", track);   // exactly gap after: joins
        cells.add("\"a\"", 130, 4, "4", track);   // 20 after: a new session
        cells.add("\"b\"", 105, 8, "8", track);   // other value: its own session
        assertThat(cells.open()).isEqualTo(3);
        cells.add("\"a\"", 120, 16, "16", track); // within gap of both: they merge
        assertThat(cells.open()).isEqualTo(2);
        assertThat(removed).containsExactly("\"a\"@130");
        cells.add("\"a\"", 95, 32, "32", track);  // earlier than the first event, within gap: start moves
        assertThat(removed).containsExactly("\"a\"@130", "\"a\"@100");
        assertThat(cells.close(115)).as("b closes once the watermark passes 105 + 10").isEmpty();
        assertThat(describe(cells.close(116))).containsExactly("\"b\"[105,105)=8/1:8");
        assertThat(cells.close(140)).as("a's last event is 130: open until the watermark passes 140").isEmpty();
        assertThat(describe(cells.close(141))).containsExactly("\"a\"[95,130)=55/5:1,2,4,16,32");
    }

    @Test
    void sessionsCloseLaterByTheLateness() {
        Cells cells = new Cells(spec(WindowSpec.Kind.SESSION, 0, 0, 5, 3));
        cells.add("\"a\"", 10, 1, null, Cells.Changes.NONE);
        assertThat(cells.close(18)).isEmpty();
        assertThat(cells.close(19)).hasSize(1);
    }

    @Test
    void runningValuesNeverCloseAndAreEmittedOncePerChange() {
        Cells cells = new Cells(spec(WindowSpec.Kind.RUNNING, 0, 0, 0, 0));
        cells.add("\"web\"", 0, 1, "1", Cells.Changes.NONE);
        cells.add("\"web\"", 0, 2, "2", Cells.Changes.NONE);
        cells.add("\"ios\"", 0, 4, "4", Cells.Changes.NONE);
        assertThat(describe(cells.dirty())).containsExactly("\"web\"[0,0)=3/2:1,2", "\"ios\"[0,0)=4/1:4");
        assertThat(cells.dirty()).as("nothing changed since").isEmpty();
        cells.add("\"web\"", 0, 8, "8", Cells.Changes.NONE);
        assertThat(describe(cells.dirty())).containsExactly("\"web\"[0,0)=11/3:1,2,8");
        assertThat(cells.closeAll()).isEmpty();
        assertThat(cells.open()).isEqualTo(2);
    }

    @Test
    void aCellSurvivesTheStoreEncoding() {
        Cells.Cell c = new Cells.Cell("\"a\"", 95, 130);
        c.add(7, "\"x\"");
        c.add(8, "\"y\"");
        c.dirty = true;
        Cells.Cell back = FoldStep.decode(FoldStep.cellKey(c.key, c.start).get(), FoldStep.encode(c));
        assertThat(back.key).isEqualTo("\"a\"");
        assertThat(new long[] {back.start, back.end, back.total, back.count}).containsExactly(95, 130, 15, 2);
        assertThat(back.items()).isEqualTo("\"x\",\"y\"");
        assertThat(back.dirty).isTrue();
    }

    @Test
    void restoredCellsCloseAsBefore() {
        WindowSpec s = spec(WindowSpec.Kind.SESSION, 0, 0, 10, 0);
        Cells cells = new Cells(s);
        Cells.Cell c = new Cells.Cell("\"a\"", 100, 110);
        c.add(3, null);
        cells.restore(c);
        cells.add("\"a\"", 118, 1, null, Cells.Changes.NONE); // joins the restored session
        assertThat(cells.close(128)).isEmpty();
        assertThat(describe(cells.close(129))).containsExactly("\"a\"[100,118)=4/2:null");
    }
}
