package io.sluice.windows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.JsonRecord.Refused;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a window can count: the fields it needs, each checked, with a reason for every record it cannot. */
class EventReaderTest {

    private static final WindowSpec SALES = WindowSpec.tumbling("sales", "time", 5, 0, "item", "*",
            WindowSpec.Aggregate.parse("sum:amount"), 1);
    private final ObjectMapper json = new ObjectMapper();

    private List<String> reasons(EventReader reader, String... records) {
        List<String> out = new ArrayList<>();
        for (String r : records) {
            try {
                reader.read(r == null ? null : r.getBytes(StandardCharsets.UTF_8));
                out.add("ok");
            } catch (Refused e) {
                out.add(e.getMessage());
            }
        }
        return out;
    }

    @Test
    void unusableRecordsAreRefusedWithAReason() {
        EventReader reader = new EventReader(SALES, json, null);
        assertThat(reasons(reader,
                "{\"item\":\"a\",\"amount\":1}",
                "{\"item\":\"a\",\"amount\":1,\"time\":\"soon\"}",
                "{\"amount\":1,\"time\":1}",
                "{\"item\":[1],\"amount\":1,\"time\":1}",
                "{\"item\":\"a\",\"amount\":1.5,\"time\":1}",
                "[]",
                null,
                // found by the fault suite: both were counted in the overall total though their own rows could not exist
                "{\"item\":\"a\",\"amount\":1,\"time\":-1}",
                "{\"item\":\"" + "i".repeat(65) + "\",\"amount\":1,\"time\":1}",
                "{\"item\":\"" + "i".repeat(64) + "\",\"amount\":2,\"time\":1}"))
                .containsExactly("time is missing", "time must be a whole number, got \"soon\"", "item is missing",
                        "item must be a single value, got [1]", "amount must be a whole number, got 1.5", "not a JSON object",
                        "empty record (tombstone)", "time must not be negative, got -1", "item is longer than 64 characters", "ok");
    }

    @Test
    void anIdFieldMustBeThere() {
        EventReader reader = new EventReader(SALES, json, "sale_id");
        assertThat(reasons(reader, "{\"sale_id\":\"s1\",\"item\":\"a\",\"amount\":5,\"time\":1}",
                "{\"item\":\"a\",\"amount\":1,\"time\":2}")).containsExactly("ok", "sale_id is missing");
    }

    @Test
    void keysKeepTheirJsonTypeAndListsTheirValues() throws Refused {
        WindowSpec perCustomer = WindowSpec.tumbling("c", "rating_time", 900_000, 0, "customer_id", null,
                WindowSpec.Aggregate.parse("count,list:stars"), 1);
        EventReader reader = new EventReader(perCustomer, json, null);
        EventReader.Event number = reader.read("{\"customer_id\":12,\"stars\":5,\"rating_time\":1000}".getBytes(StandardCharsets.UTF_8));
        EventReader.Event text = reader.read("{\"customer_id\":\"12\",\"stars\":3,\"rating_time\":3000}".getBytes(StandardCharsets.UTF_8));
        assertThat(number.key()).isEqualTo("12");
        assertThat(text.key()).isEqualTo("\"12\"");
        assertThat(number.item()).isEqualTo("5");
    }

    @Test
    void aRunningValueNeedsNoTime() throws Refused {
        WindowSpec running = new WindowSpec("r", WindowSpec.Kind.RUNNING, null, 0, 0, 0, 0, "channel", null,
                WindowSpec.Aggregate.parse("count"), 1);
        assertThat(new EventReader(running, json, null).read("{\"channel\":\"web\"}".getBytes(StandardCharsets.UTF_8)).key())
                .isEqualTo("\"web\"");
    }

    @Test
    void aggregatesAndSizesAreChecked() {
        assertThatThrownBy(() -> WindowSpec.Aggregate.parse("avg:amount")).hasMessageContaining("unknown aggregate 'avg:amount'");
        assertThatThrownBy(() -> WindowSpec.tumbling("w", "t", 0, 0, "k", null, WindowSpec.Aggregate.parse("count"), 1))
                .hasMessageContaining("size must be at least 1");
        assertThat(WindowSpec.Aggregate.parse("count, list:stars")).isEqualTo(new WindowSpec.Aggregate(null, "stars"));
    }
}
