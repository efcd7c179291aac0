package io.sluice.windows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.JsonRecord;
import io.sluice.kafka.JsonRecord.Refused;

/**
 * Folds one batch of Kafka records into window deltas, in memory and without side effects, so the rules can be
 * tested on their own: which window an event belongs to, whether it is late, whether it was already folded in.
 *
 * <p>A record is skipped when its offset is below the partition's {@code nextOffsets} entry: the store commits
 * those offsets in the same transaction as the deltas, so a batch re-delivered after a crash is never counted
 * twice. Records of one partition come in offset order, which is what makes one number per partition enough.
 */
public final class WindowFold {

    /** One Kafka record as the fold sees it. */
    public record Input(String topic, int partition, long offset, String key, byte[] value) {
        String partitionKey() {
            return topic + ":" + partition;
        }
    }

    /** A window and group-by value; {@code key} is the value as JSON text ({@code "a"}, {@code 12}). */
    public record Cell(long windowStart, String key) {
    }

    /** What a batch adds to one cell. */
    public static final class Delta {
        long total;
        long count;
        StringBuilder items;

        public long total() {
            return total;
        }

        public long count() {
            return count;
        }

        /** The listed values as JSON texts joined by commas (an array without its brackets), or null. */
        public String items() {
            return items == null ? null : items.toString();
        }
    }

    /** A record that is not folded in: late (its window is closed) or unusable, with the reason. */
    public record Refusal(Input input, boolean late, String reason) {
    }

    /**
     * @param nextOffsets per {@code topic:partition}, the first offset not yet folded in, for the partitions this
     *                    batch moved
     * @param maxTimes    per {@code topic:partition} the batch moved, the highest event time folded in from it
     * @param fresh       records not seen before (folded or refused); 0 means the batch was all re-delivery
     */
    public record Result(Map<Cell, Delta> deltas, List<Refusal> refusals, Map<String, Long> nextOffsets,
                         Map<String, Long> maxTimes, int fresh) {
    }

    private final WindowSpec spec;
    private final ObjectMapper json;
    private final String idField;
    /** The overall key as the JSON text cells are keyed by (null when there is none). */
    private final String overallKey;

    /**
     * Whether an event id is counted in a window for the first time (the store remembers ids per open window); an
     * event produced twice upstream — e.g. a rating enriched again after a crash, at a new offset — counts once.
     */
    public interface FirstSeen {
        boolean firstTime(long windowStart, String eventId);

        FirstSeen ALWAYS = (start, id) -> true;
    }

    public WindowFold(WindowSpec spec, ObjectMapper json) {
        this(spec, json, null);
    }

    /** @param idField the field that identifies an event across re-deliveries at new offsets; null: offsets only */
    public WindowFold(WindowSpec spec, ObjectMapper json, String idField) {
        this.spec = spec;
        this.json = json;
        this.idField = idField == null || idField.isBlank() ? null : idField;
        try {
            this.overallKey = spec.overallKey() == null ? null : json.writeValueAsString(spec.overallKey());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("window " + spec.name() + ": overall key " + spec.overallKey(), e);
        }
    }

    /**
     * @param folded       per partition, the first offset not yet folded in
     * @param closedBefore every window ending at or before this is closed ({@link Long#MIN_VALUE}: none yet); an
     *                     event of such a window is late
     */
    public Result fold(List<Input> batch, Map<String, Long> folded, long closedBefore) {
        return fold(batch, folded, closedBefore, FirstSeen.ALWAYS);
    }

    /** As above; an event whose {@code idField} value {@code seen} already counted in its window is skipped. */
    public Result fold(List<Input> batch, Map<String, Long> folded, long closedBefore, FirstSeen seen) {
        Map<Cell, Delta> deltas = new LinkedHashMap<>();
        List<Refusal> refusals = new ArrayList<>();
        Map<String, Long> next = new HashMap<>();
        Map<String, Long> maxTimes = new HashMap<>();
        int fresh = 0;
        for (Input in : batch) {
            String partition = in.partitionKey();
            Long firstUnseen = next.containsKey(partition) ? next.get(partition) : folded.get(partition);
            if (firstUnseen != null && in.offset() < firstUnseen) {
                continue; // folded in (or refused) before a crash or rebalance: re-delivery
            }
            next.put(partition, in.offset() + 1);
            fresh++;
            Event event;
            try {
                event = read(in.value());
            } catch (Refused e) {
                refusals.add(new Refusal(in, false, e.getMessage()));
                continue;
            }
            long start = spec.windowStart(event.time);
            long end = start + spec.size();
            if (end <= closedBefore) {
                refusals.add(new Refusal(in, true, "late: " + spec.timeField() + " " + event.time + " falls in window ["
                        + start + ", " + end + "), closed already (windows ending at or before " + closedBefore
                        + " are closed; allowed lateness " + spec.lateness() + ")"));
                continue;
            }
            maxTimes.merge(partition, event.time, Math::max);
            if (event.id != null && !seen.firstTime(start, event.id)) {
                continue; // counted already: the same event produced again upstream
            }
            add(deltas, new Cell(start, event.key), event);
            if (overallKey != null) {
                add(deltas, new Cell(start, overallKey), event);
            }
        }
        return new Result(deltas, refusals, next, maxTimes, fresh);
    }

    private static void add(Map<Cell, Delta> deltas, Cell cell, Event event) {
        Delta d = deltas.computeIfAbsent(cell, c -> new Delta());
        d.total += event.amount;
        d.count++;
        if (event.item != null) {
            if (d.items == null) {
                d.items = new StringBuilder(event.item);
            } else {
                d.items.append(',').append(event.item);
            }
        }
    }

    /** The longest group value a result table stores (sales_summary.item is VARCHAR(64), as is sales.item). */
    static final int MAX_GROUP_CHARS = 64;

    private record Event(long time, String key, long amount, String item, String id) {
    }

    private Event read(byte[] value) throws Refused {
        JsonNode node = JsonRecord.object(json, value, Integer.MAX_VALUE);
        long time = JsonRecord.wholeNumber(node, spec.timeField());
        if (time < 0) {
            // windows are aligned to 0 and times count from it (ticks, epoch ms); the sales table refuses it too
            throw new Refused(spec.timeField() + " must not be negative, got " + time);
        }
        JsonNode group = node.get(spec.groupBy());
        if (group == null || group.isNull()) {
            throw new Refused(spec.groupBy() + " is missing");
        }
        if (group.isContainerNode()) {
            throw new Refused(spec.groupBy() + " must be a single value, got " + JsonRecord.shorten(group.toString()));
        }
        if (group.asText().length() > MAX_GROUP_CHARS) {
            // refused here, not at the result table: otherwise the overall total would count a record whose own
            // group's row can never be stored
            throw new Refused(spec.groupBy() + " is longer than " + MAX_GROUP_CHARS + " characters");
        }
        long amount = spec.aggregate().sumField() == null ? 0 : JsonRecord.wholeNumber(node, spec.aggregate().sumField());
        String item = null;
        if (spec.aggregate().listField() != null) {
            JsonNode listed = node.get(spec.aggregate().listField());
            item = listed == null ? "null" : listed.toString();
        }
        String id = null;
        if (idField != null) {
            JsonNode idNode = node.get(idField);
            if (idNode == null || idNode.isNull() || idNode.isContainerNode()) {
                throw new Refused(idField + " is missing");
            }
            id = idNode.asText();
            if (id.length() > 128) {
                throw new Refused(idField + " is longer than 128 characters");
            }
        }
        return new Event(time, group.toString(), amount, item, id);
    }
}
