package io.sluice.ratings;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

/**
 * Decides whether one raw {@code ratings} record is a usable rating, and if not, says why in a line an operator
 * can act on (the reason travels with the record to the dead-letter topic).
 *
 * <p>The record is streamed once through a {@link JsonParser}; problems with individual fields are noted rather
 * than thrown, so that a broken record still yields the most useful reason: broken JSON first, then a missing id,
 * then a wrong value. Stateless after construction, so one instance can serve every consumer thread.
 *
 * <p>JSON {@code null} in an optional field ({@code rating_time, route_id, channel, message}) counts as absent;
 * the key is kept with a null value so the output still mirrors the input.
 */
public final class RatingValidator {

    private static final int RATING_ID = 0;
    private static final int USER_ID = 1;
    private static final int STARS = 2;
    private static final int RATING_TIME = 3;
    private static final int ROUTE_ID = 4;
    private static final int CHANNEL = 5;
    private static final int MESSAGE = 6;
    private static final String[] NAMES = {"rating_id", "user_id", "stars", "rating_time", "route_id", "channel", "message"};
    private static final int REQUIRED = (1 << RATING_ID) | (1 << USER_ID) | (1 << STARS);

    /** Longer offending values are cut so a reason stays one readable line, whatever the producer sent. */
    private static final int MAX_SHOWN_CHARS = 40;

    /** Jackson appends where in the input it failed; for a single small record that is noise, not help. */
    private static final Pattern SOURCE_LOCATION = Pattern.compile("\\s*\\(start marker at \\[Source:.*?]\\)|\\s*at \\[Source:.*$");

    private final ObjectMapper json;
    private final ObjectReader anyValue;
    private final int maxBytes;

    public RatingValidator(ObjectMapper json, int maxBytes) {
        Objects.requireNonNull(json, "json");
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, got " + maxBytes);
        }
        // The application's mapper as it is: duplicate keys are found by read (the record's own fields) and, within
        // unknown fields' values, by Jackson's check turned on for that value's parser alone (see other). Jackson's
        // check on every object kept a set of each record's names, 3.5% of the ratings consumers' samples (issue 21).
        this.json = json;
        // Unknown fields are read mid-object, where "trailing tokens" are simply the rest of the record.
        this.anyValue = this.json.readerFor(Object.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.maxBytes = maxBytes;
    }

    public Result validate(byte[] value) {
        if (value == null || value.length == 0) {
            return new Rejected("empty record (tombstone)");
        }
        if (value.length > maxBytes) {
            return new Rejected("payload is " + value.length + " bytes, more than the " + maxBytes + " allowed");
        }
        int bad = firstInvalidByte(value);
        if (bad >= 0) {
            return value[bad] == 0
                    // Jackson would take NUL bytes near the start as a sign of UTF-16/32 and decode accordingly;
                    // a ratings record is UTF-8, and raw NUL is never legal in UTF-8 JSON anyway.
                    ? new Rejected("not JSON: NUL byte at offset " + bad)
                    : new Rejected("not valid UTF-8: byte 0x%02X at offset %d".formatted(value[bad] & 0xFF, bad));
        }
        try (JsonParser parser = json.createParser(value)) {
            return read(parser);
        } catch (JsonProcessingException e) {
            return new Rejected(describe(e));
        } catch (IOException e) {
            // Reading a byte array does no I/O; this would be a Jackson surprise, still reported, never thrown.
            return new Rejected("not JSON: " + e);
        }
    }

    private Result read(JsonParser p) throws IOException {
        JsonToken first = p.nextToken();
        if (first == null) {
            return new Rejected("not JSON: only white space");
        }
        if (first != JsonToken.START_OBJECT) {
            String got = switch (first) {
                case START_ARRAY -> "an array";
                case VALUE_STRING -> "a string";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
                case VALUE_TRUE, VALUE_FALSE -> "a boolean";
                case VALUE_NULL -> "null";
                default -> first.asString();
            };
            return new Rejected("not a JSON object, got " + got);
        }
        // room for the customer's fields too (enrichment adds 6 to the 7 of a rating: one resize of 16 otherwise)
        Map<String, Object> rating = new LinkedHashMap<>(32);
        int seen = 0;
        String[] problems = null;
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String name = p.currentName();
            int field = fieldIndex(name);
            // at the name: reading stops there, as it did when Jackson's strict duplicate detection threw
            if (field < 0 ? rating.containsKey(name) : (seen & (1 << field)) != 0) {
                return new Rejected("duplicate field " + quoted(name));
            }
            JsonToken v = p.nextToken();
            if (field < 0) {
                rating.put(name, other(p, v));
                continue;
            }
            seen |= 1 << field;
            String problem = switch (field) {
                case RATING_ID -> longField(p, v, rating, name, false, "rating_id must be an integer, got ",
                        "rating_id is out of range for a 64-bit id, got ");
                case RATING_TIME -> longField(p, v, rating, name, true,
                        "rating_time must be an integer (epoch milliseconds), got ",
                        "rating_time is out of range for epoch milliseconds, got ");
                case USER_ID -> intField(p, v, rating, name, false, "user_id must be an integer, got ");
                case ROUTE_ID -> intField(p, v, rating, name, true, "route_id must be an integer, got ");
                case STARS -> stars(p, v, rating);
                default -> stringField(p, v, rating, name);
            };
            if (problem != null) {
                if (problems == null) {
                    problems = new String[NAMES.length];
                }
                if (problems[field] == null) {
                    problems[field] = problem;
                }
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            // Cannot happen with a conforming parser (it throws first), but a silent accept would be worse.
            return new Rejected("not JSON: object not closed");
        }
        if (p.nextToken() != null) {
            return new Rejected("not JSON: more content after the object");
        }
        if ((seen & REQUIRED) != REQUIRED) {
            for (int f = RATING_ID; f <= STARS; f++) {
                if ((seen & (1 << f)) == 0) {
                    return new Rejected(NAMES[f] + " is missing");
                }
            }
        }
        if (problems != null) {
            for (String problem : problems) {
                if (problem != null) {
                    return new Rejected(problem);
                }
            }
        }
        return new Valid(rating);
    }

    private static int fieldIndex(String name) {
        return switch (name) {
            case "rating_id" -> RATING_ID;
            case "user_id" -> USER_ID;
            case "stars" -> STARS;
            case "rating_time" -> RATING_TIME;
            case "route_id" -> ROUTE_ID;
            case "channel" -> CHANNEL;
            case "message" -> MESSAGE;
            default -> -1;
        };
    }

    /** Ids and times are non-negative longs; a numeric string is refused so producers fix their types early. */
    private static String longField(JsonParser p, JsonToken v, Map<String, Object> out, String name, boolean optional,
                                    String wrongType, String outOfRange) throws IOException {
        if (v == JsonToken.VALUE_NULL && optional) {
            out.put(name, null);
            return null;
        }
        if (v != JsonToken.VALUE_NUMBER_INT) {
            return wrongType + shown(p, v);
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            return outOfRange + shown(p, v);
        }
        long n = p.getLongValue();
        if (n < 0) {
            return name + " must not be negative, got " + n;
        }
        out.put(name, n);
        return null;
    }

    /** Customer and route ids are INT columns, so anything wider could never match a row. */
    private static String intField(JsonParser p, JsonToken v, Map<String, Object> out, String name, boolean optional,
                                   String wrongType) throws IOException {
        if (v == JsonToken.VALUE_NULL && optional) {
            out.put(name, null);
            return null;
        }
        if (v != JsonToken.VALUE_NUMBER_INT) {
            return wrongType + shown(p, v);
        }
        if (p.getNumberType() != JsonParser.NumberType.INT) {
            return name + " is out of range for an INT id, got " + shown(p, v);
        }
        out.put(name, p.getIntValue());
        return null;
    }

    private static String stars(JsonParser p, JsonToken v, Map<String, Object> out) throws IOException {
        if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
            int stars = p.getIntValue();
            if (stars >= 1 && stars <= 5) {
                out.put("stars", stars);
                return null;
            }
        }
        return "stars must be an integer from 1 to 5, got " + shown(p, v);
    }

    private static String stringField(JsonParser p, JsonToken v, Map<String, Object> out, String name) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            out.put(name, p.getText());
            return null;
        }
        if (v == JsonToken.VALUE_NULL) {
            out.put(name, null);
            return null;
        }
        return name + " must be a string, got " + shown(p, v);
    }

    /**
     * Fields Sluice does not know pass through untouched, as the application's mapper would read them; an object or
     * array with Jackson's duplicate detection on, so a key twice in one of its objects is refused as at the top.
     */
    private Object other(JsonParser p, JsonToken v) throws IOException {
        return switch (v) {
            case VALUE_STRING -> p.getText();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            case START_OBJECT, START_ARRAY -> {
                // enabled at the value's start, the check covers the value's own context and those within it
                p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
                try {
                    yield anyValue.readValue(p);
                } finally {
                    p.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
                }
            }
            default -> anyValue.readValue(p);
        };
    }

    /** The offending value as the producer wrote it, quoted if it was a string, so the mistake is visible. */
    private static String shown(JsonParser p, JsonToken v) throws IOException {
        return switch (v) {
            case VALUE_STRING -> quoted(p.getText());
            case START_OBJECT -> {
                p.skipChildren();
                yield "an object";
            }
            case START_ARRAY -> {
                p.skipChildren();
                yield "an array";
            }
            default -> cut(p.getText());
        };
    }

    private static String quoted(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_SHOWN_CHARS) + 16).append('"');
        int shown = Math.min(s.length(), MAX_SHOWN_CHARS);
        for (int i = 0; i < shown; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        b.append("\\u%04x".formatted((int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        if (shown < s.length()) {
            return b.append("…\" (").append(s.length()).append(" chars)").toString();
        }
        return b.append('"').toString();
    }

    private static String cut(String s) {
        return s.length() <= MAX_SHOWN_CHARS ? s : s.substring(0, MAX_SHOWN_CHARS) + "… (" + s.length() + " chars)";
    }

    private static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (message == null) {
            return "not JSON";
        }
        int eol = message.indexOf('\n');
        String line = SOURCE_LOCATION.matcher(eol < 0 ? message : message.substring(0, eol)).replaceAll("").strip();
        // Duplicate keys are a producer bug of their own, worth naming plainly rather than as a syntax error.
        if (line.startsWith("Duplicate field '") && line.endsWith("'")) {
            return "duplicate field " + quoted(line.substring("Duplicate field '".length(), line.length() - 1));
        }
        return "not JSON: " + line;
    }

    /**
     * Index of the first byte that makes the input invalid strict UTF-8 (overlong forms, surrogates and code points
     * past U+10FFFF included) or is NUL; -1 if there is none. Jackson alone is lenient about some of these.
     */
    static int firstInvalidByte(byte[] b) {
        int n = b.length;
        int i = 0;
        while (i < n) {
            int c = b[i];
            if (c > 0) {
                i++;
                continue;
            }
            if (c == 0) {
                return i;
            }
            c &= 0xFF;
            int more;
            int lo = 0x80;
            int hi = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                more = 1;
            } else if (c == 0xE0) {
                more = 2;
                lo = 0xA0;
            } else if (c == 0xED) {
                more = 2;
                hi = 0x9F;
            } else if (c >= 0xE1 && c <= 0xEF) {
                more = 2;
            } else if (c == 0xF0) {
                more = 3;
                lo = 0x90;
            } else if (c >= 0xF1 && c <= 0xF3) {
                more = 3;
            } else if (c == 0xF4) {
                more = 3;
                hi = 0x8F;
            } else {
                return i;
            }
            if (i + more >= n) {
                return i;
            }
            int second = b[i + 1] & 0xFF;
            if (second < lo || second > hi) {
                return i;
            }
            for (int k = 2; k <= more; k++) {
                if ((b[i + k] & 0xC0) != 0x80) {
                    return i;
                }
            }
            i += more + 1;
        }
        return -1;
    }

    /** What {@link #validate} concluded about one record. */
    public sealed interface Result permits Valid, Rejected {
    }

    /**
     * A usable rating: every input field, in input order; {@code rating_id} and {@code rating_time} as {@code Long},
     * {@code user_id}, {@code stars} and {@code route_id} as {@code Integer}, {@code channel} and {@code message} as
     * {@code String}. The map is mutable so enrichment can add to it.
     */
    public record Valid(Map<String, Object> rating) implements Result {
        public Valid {
            Objects.requireNonNull(rating, "rating");
        }
    }

    /** A record for the dead-letter topic, with a one-line reason naming the field and what was wrong. */
    public record Rejected(String reason) implements Result {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
