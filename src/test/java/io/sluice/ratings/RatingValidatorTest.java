package io.sluice.ratings;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.ratings.RatingValidator.Rejected;
import io.sluice.ratings.RatingValidator.Result;
import io.sluice.ratings.RatingValidator.Valid;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

class RatingValidatorTest {

    private static final String SAMPLE = """
            {"rating_id":604087,"user_id":7,"stars":1,"route_id":2777,"rating_time":1528800546808,\
            "channel":"android","message":"the bus was late"}""";

    private final RatingValidator validator = new RatingValidator(new ObjectMapper(), 65536);

    private Result validate(String json) {
        return validator.validate(json.getBytes(StandardCharsets.UTF_8));
    }

    /** A rating with the three required fields and whatever else the test needs, so each test shows only its point. */
    private static String rating(String moreFields) {
        return "{\"rating_id\":1,\"user_id\":2,\"stars\":3" + (moreFields.isEmpty() ? "" : "," + moreFields) + "}";
    }

    private static Map<String, Object> valid(Result result) {
        assertThat(result).isInstanceOf(Valid.class);
        return ((Valid) result).rating();
    }

    /** Every reason goes to a dead-letter header and a log line, so it must read as one clean line. */
    private static String rejected(Result result) {
        assertThat(result).isInstanceOf(Rejected.class);
        String reason = ((Rejected) result).reason();
        assertThat(reason).isNotBlank().doesNotContain("\n", "\r", "[Source", "line:", "column:");
        assertThat(reason.length()).isLessThan(200);
        return reason;
    }

    @Nested
    class WellFormedRatings {

        @Test
        void sampleFromTheSpecIsValidWithTypedValuesInInputOrder() {
            Map<String, Object> rating = valid(validate(SAMPLE));

            assertThat(rating).containsExactly(
                    entry("rating_id", 604087L),
                    entry("user_id", 7),
                    entry("stars", 1),
                    entry("route_id", 2777),
                    entry("rating_time", 1528800546808L),
                    entry("channel", "android"),
                    entry("message", "the bus was late"));
            assertThat(rating.get("rating_id")).isInstanceOf(Long.class);
            assertThat(rating.get("rating_time")).isInstanceOf(Long.class);
            assertThat(rating.get("user_id")).isInstanceOf(Integer.class);
            assertThat(rating.get("stars")).isInstanceOf(Integer.class);
            assertThat(rating.get("route_id")).isInstanceOf(Integer.class);
        }

        @Test
        void onlyTheThreeRequiredFieldsAreNeeded() {
            assertThat(valid(validate("{\"stars\":5,\"user_id\":20,\"rating_id\":9}")))
                    .containsExactly(entry("stars", 5), entry("user_id", 20), entry("rating_id", 9L));
        }

        @Test
        void unknownFieldsAreKeptAsTheyAreAndInPlace() {
            Map<String, Object> rating = valid(validate("""
                    {"schema":"v2","rating_id":1,"tags":["late",{"k":null}],"user_id":2,"vip":true,\
                    "stars":3,"score":4.25,"big":12345678901,"huge":123456789012345678901234567890,"none":null}"""));

            assertThat(rating).containsOnlyKeys("schema", "rating_id", "tags", "user_id", "vip", "stars", "score", "big",
                    "huge", "none");
            assertThat(List.copyOf(rating.keySet())).containsExactly("schema", "rating_id", "tags", "user_id", "vip",
                    "stars", "score", "big", "huge", "none");
            assertThat(rating.get("schema")).isEqualTo("v2");
            assertThat(rating.get("tags")).isEqualTo(java.util.Arrays.asList("late", java.util.Collections.singletonMap("k", null)));
            assertThat(rating.get("vip")).isEqualTo(true);
            assertThat(rating.get("score")).isEqualTo(4.25);
            assertThat(rating.get("big")).isEqualTo(12345678901L);
            assertThat(rating.get("huge")).isEqualTo(new java.math.BigInteger("123456789012345678901234567890"));
            assertThat(rating).containsEntry("none", null);
        }

        @Test
        void unknownNestedFieldsSurviveAMapperThatFailsOnTrailingTokens() {
            // The application's mapper may be strict about trailing tokens; mid-record that must not matter.
            ObjectMapper strict = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
            Result result = new RatingValidator(strict, 1024)
                    .validate(rating("\"extra\":{\"a\":[1,2]},\"more\":1.5").getBytes(StandardCharsets.UTF_8));

            assertThat(valid(result)).containsEntry("extra", Map.of("a", List.of(1, 2))).containsEntry("more", 1.5);
        }

        @Test
        void multiByteTextIsDecodedAsUtf8() {
            Map<String, Object> rating = valid(validate(rating("\"message\":\"Très bien – 👍 ünd 東京\"")));

            assertThat(rating).containsEntry("message", "Très bien – 👍 ünd 東京");
        }

        @Test
        void theValidatorDoesNotChangeTheApplicationsMapper() {
            ObjectMapper shared = new ObjectMapper();
            new RatingValidator(shared, 100);

            assertThat(shared.getFactory().isEnabled(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)).isFalse();
        }

        @Test
        void maxBytesMustBePositive() {
            assertThatThrownBy(() -> new RatingValidator(new ObjectMapper(), 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxBytes");
        }
    }

    @Nested
    class WholeRecord {

        @Test
        void nullValueIsATombstone() {
            assertThat(rejected(validator.validate(null))).isEqualTo("empty record (tombstone)");
        }

        @Test
        void zeroLengthValueIsATombstone() {
            assertThat(rejected(validator.validate(new byte[0]))).isEqualTo("empty record (tombstone)");
        }

        @Test
        void oversizedPayloadIsRejectedWithoutParsing() {
            // Not JSON at all: if it were parsed, the reason would be about syntax, not size.
            byte[] big = new byte[70000];
            java.util.Arrays.fill(big, (byte) '[');

            assertThat(rejected(validator.validate(big))).isEqualTo("payload is 70000 bytes, more than the 65536 allowed");
        }

        @Test
        void payloadOfExactlyMaxBytesIsParsed() {
            byte[] bytes = SAMPLE.getBytes(StandardCharsets.UTF_8);
            RatingValidator tight = new RatingValidator(new ObjectMapper(), bytes.length);

            assertThat(tight.validate(bytes)).isInstanceOf(Valid.class);
            assertThat(rejected(new RatingValidator(new ObjectMapper(), bytes.length - 1).validate(bytes)))
                    .startsWith("payload is " + bytes.length + " bytes");
        }

        @Test
        void syntaxErrorGivesJacksonsFirstLineWithoutSourceLocation() {
            assertThat(rejected(validate("{\"rating_id\": 1 x}")))
                    .isEqualTo("not JSON: Unexpected character ('x' (code 120)): was expecting comma to separate Object entries");
        }

        @Test
        void truncatedJsonIsNotJson() {
            assertThat(rejected(validate("{\"rating_id\":1,\"user_id\":2,\"stars\":3")))
                    .startsWith("not JSON: Unexpected end-of-input");
        }

        @Test
        void plainTextIsNotJson() {
            assertThat(rejected(validate("great ride"))).startsWith("not JSON: Unrecognized token 'great'");
        }

        @Test
        void whiteSpaceOnlyIsNotJson() {
            assertThat(rejected(validate(" \n\t "))).isEqualTo("not JSON: only white space");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "[" + "{\"rating_id\":1,\"user_id\":2,\"stars\":3}]|not a JSON object, got an array",
                "42|not a JSON object, got a number",
                "\"text\"|not a JSON object, got a string",
                "true|not a JSON object, got a boolean",
                "null|not a JSON object, got null"})
        void onlyAnObjectIsARating(String json, String reason) {
            assertThat(rejected(validate(json))).isEqualTo(reason);
        }

        @Test
        void contentAfterTheObjectIsRejected() {
            assertThat(rejected(validate(rating("") + " " + rating("")))).isEqualTo("not JSON: more content after the object");
            assertThat(rejected(validate(rating("") + " x"))).startsWith("not JSON: Unrecognized token 'x'");
        }

        @Test
        void duplicateKeyIsRejectedByName() {
            assertThat(rejected(validate("{\"rating_id\":1,\"user_id\":2,\"stars\":5,\"stars\":1}")))
                    .isEqualTo("duplicate field \"stars\"");
            assertThat(rejected(validate("{\"rating_id\":1,\"user_id\":2,\"stars\":\"x\",\"stars\":3,\"rating_time\":\"y\"}")))
                    .as("before the wrong values of the field itself and of fields after it")
                    .isEqualTo("duplicate field \"stars\"");
            assertThat(rejected(validate(rating("\"x\":null,\"y\":1,\"x\":2")))).as("an unknown field")
                    .isEqualTo("duplicate field \"x\"");
        }

        @Test
        void duplicateKeyInsideAnUnknownFieldIsRejectedToo() {
            assertThat(rejected(validate(rating("\"extra\":{\"a\":1,\"a\":2}")))).isEqualTo("duplicate field \"a\"");
            assertThat(rejected(validate(rating("\"extra\":[1,{\"b\":{\"a\":1,\"a\":2}}]")))).isEqualTo("duplicate field \"a\"");
            assertThat(rejected(validate(rating("\"extra\":{\"a\":1},\"more\":{\"a\":1,\"c\":{},\"a\":2}"))))
                    .as("in the second of two unknown objects").isEqualTo("duplicate field \"a\"");
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "ff",          // never valid in UTF-8
                "c3",          // lead byte with its continuation cut off at the end
                "c328",        // lead byte followed by a non-continuation
                "c080",        // overlong NUL
                "e08080",      // overlong 3-byte form
                "eda080",      // UTF-16 surrogate half
                "f4908080",    // beyond U+10FFFF
                "80"})         // continuation byte without a lead
        void invalidUtf8IsRejected(String badHex) {
            byte[] bad = HexFormat.of().parseHex(badHex);
            byte[] head = "{\"rating_id\":1,\"user_id\":2,\"stars\":3,\"message\":\"".getBytes(StandardCharsets.US_ASCII);
            byte[] tail = "\"}".getBytes(StandardCharsets.US_ASCII);
            byte[] value = new byte[head.length + bad.length + tail.length];
            System.arraycopy(head, 0, value, 0, head.length);
            System.arraycopy(bad, 0, value, head.length, bad.length);
            System.arraycopy(tail, 0, value, head.length + bad.length, tail.length);

            assertThat(rejected(validator.validate(value)))
                    .isEqualTo("not valid UTF-8: byte 0x%s at offset %d".formatted(badHex.substring(0, 2).toUpperCase(), head.length));
        }

        @Test
        void utf16JsonIsNotTakenForUtf8() {
            // Jackson would detect UTF-16 and read it happily; the topic's contract is UTF-8.
            byte[] utf16 = rating("").getBytes(StandardCharsets.UTF_16BE);

            assertThat(rejected(validator.validate(utf16))).isEqualTo("not JSON: NUL byte at offset 0");
        }
    }

    @Nested
    class RequiredIds {

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "{\"user_id\":2,\"stars\":3}|rating_id is missing",
                "{\"rating_id\":1,\"stars\":3}|user_id is missing",
                "{\"rating_id\":1,\"user_id\":2}|stars is missing",
                "{}|rating_id is missing"})
        void missingRequiredFieldIsNamed(String json, String reason) {
            assertThat(rejected(validate(json))).isEqualTo(reason);
        }

        @Test
        void missingIdIsReportedBeforeAWrongValueElsewhere() {
            assertThat(rejected(validate("{\"stars\":7,\"channel\":42}"))).isEqualTo("rating_id is missing");
            assertThat(rejected(validate("{\"rating_id\":-1,\"stars\":9}"))).isEqualTo("user_id is missing");
        }

        @Test
        void brokenJsonIsReportedBeforeMissingIds() {
            assertThat(rejected(validate("{\"stars\":7,"))).startsWith("not JSON:");
        }

        @Test
        void wrongValuesAreReportedInFieldOrderNotInputOrder() {
            assertThat(rejected(validate("{\"stars\":9,\"user_id\":\"x\",\"rating_id\":1}")))
                    .isEqualTo("user_id must be an integer, got \"x\"");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "\"604087\"|rating_id must be an integer, got \"604087\"",
                "1.0|rating_id must be an integer, got 1.0",
                "6e5|rating_id must be an integer, got 6e5",
                "null|rating_id must be an integer, got null",
                "true|rating_id must be an integer, got true",
                "[1]|rating_id must be an integer, got an array",
                "-1|rating_id must not be negative, got -1",
                "9223372036854775808|rating_id is out of range for a 64-bit id, got 9223372036854775808",
                "123456789012345678901234567890|rating_id is out of range for a 64-bit id, got 123456789012345678901234567890"})
        void ratingIdMustBeANonNegativeLong(String value, String reason) {
            assertThat(rejected(validate("{\"rating_id\":" + value + ",\"user_id\":2,\"stars\":3}"))).isEqualTo(reason);
        }

        @ParameterizedTest
        @ValueSource(longs = {0, 1, 2147483648L, Long.MAX_VALUE})
        void ratingIdAcceptsTheWholeNonNegativeLongRange(long id) {
            assertThat(valid(validate("{\"rating_id\":" + id + ",\"user_id\":2,\"stars\":3}"))).containsEntry("rating_id", id);
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "\"abc\"|user_id must be an integer, got \"abc\"",
                "\"7\"|user_id must be an integer, got \"7\"",
                "7.5|user_id must be an integer, got 7.5",
                "null|user_id must be an integer, got null",
                "{\"id\":7}|user_id must be an integer, got an object",
                "3000000000|user_id is out of range for an INT id, got 3000000000",
                "-3000000000|user_id is out of range for an INT id, got -3000000000"})
        void userIdMustBeAnInt(String value, String reason) {
            assertThat(rejected(validate("{\"rating_id\":1,\"user_id\":" + value + ",\"stars\":3}"))).isEqualTo(reason);
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 1, Integer.MAX_VALUE})
        void userIdAcceptsTheIntRange(int id) {
            assertThat(valid(validate("{\"rating_id\":1,\"user_id\":" + id + ",\"stars\":3}"))).containsEntry("user_id", id);
        }
    }

    @Nested
    class Stars {

        @ParameterizedTest
        @ValueSource(ints = {1, 2, 3, 4, 5})
        void oneToFiveIsValid(int stars) {
            assertThat(valid(validate("{\"rating_id\":1,\"user_id\":2,\"stars\":" + stars + "}"))).containsEntry("stars", stars);
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "0|0",
                "6|6",
                "7|7",
                "-1|-1",
                "4.5|4.5",
                "1.0|1.0",
                "\"4\"|\"4\"",
                "null|null",
                "true|true",
                "[5]|an array",
                "{}|an object",
                "99999999999|99999999999",
                "99999999999999999999999|99999999999999999999999"})
        void anythingElseIsRejectedShowingTheValue(String value, String shown) {
            assertThat(rejected(validate("{\"rating_id\":1,\"user_id\":2,\"stars\":" + value + "}")))
                    .isEqualTo("stars must be an integer from 1 to 5, got " + shown);
        }
    }

    @Nested
    class OptionalFields {

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "\"1528800546808\"|rating_time must be an integer (epoch milliseconds), got \"1528800546808\"",
                "1528800546808.0|rating_time must be an integer (epoch milliseconds), got 1528800546808.0",
                "-5|rating_time must not be negative, got -5",
                "99999999999999999999|rating_time is out of range for epoch milliseconds, got 99999999999999999999"})
        void ratingTimeIfPresentMustBeNonNegativeEpochMillis(String value, String reason) {
            assertThat(rejected(validate(rating("\"rating_time\":" + value)))).isEqualTo(reason);
        }

        @Test
        void ratingTimeMayBeAbsentOrNull() {
            assertThat(valid(validate(rating("")))).doesNotContainKey("rating_time");
            assertThat(valid(validate(rating("\"rating_time\":null")))).containsEntry("rating_time", null);
            assertThat(valid(validate(rating("\"rating_time\":0")))).containsEntry("rating_time", 0L);
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "\"2777\"|route_id must be an integer, got \"2777\"",
                "27.5|route_id must be an integer, got 27.5",
                "false|route_id must be an integer, got false",
                "2147483648|route_id is out of range for an INT id, got 2147483648"})
        void routeIdIfPresentMustBeAnInt(String value, String reason) {
            assertThat(rejected(validate(rating("\"route_id\":" + value)))).isEqualTo(reason);
        }

        @Test
        void routeIdMayBeAbsentOrNull() {
            assertThat(valid(validate(rating("")))).doesNotContainKey("route_id");
            assertThat(valid(validate(rating("\"route_id\":null")))).containsEntry("route_id", null);
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "channel|42|channel must be a string, got 42",
                "channel|true|channel must be a string, got true",
                "channel|[\"web\"]|channel must be a string, got an array",
                "message|{\"text\":\"late\"}|message must be a string, got an object",
                "message|3.5|message must be a string, got 3.5"})
        void channelAndMessageIfPresentMustBeStrings(String field, String value, String reason) {
            assertThat(rejected(validate(rating("\"" + field + "\":" + value)))).isEqualTo(reason);
        }

        @Test
        void channelAndMessageMayBeNullOrEmpty() {
            assertThat(valid(validate(rating("\"channel\":null,\"message\":null"))))
                    .containsEntry("channel", null)
                    .containsEntry("message", null);
            assertThat(valid(validate(rating("\"channel\":\"\",\"message\":\"\""))))
                    .containsEntry("channel", "")
                    .containsEntry("message", "");
        }
    }

    @Nested
    class ReasonsStayReadable {

        @Test
        void longOffendingValuesAreCut() {
            String reason = rejected(validate("{\"rating_id\":\"" + "9".repeat(5000) + "\",\"user_id\":2,\"stars\":3}"));

            assertThat(reason).startsWith("rating_id must be an integer, got \"9999").endsWith("…\" (5000 chars)");
        }

        @Test
        void longNumbersAreCutToo() {
            String reason = rejected(validate("{\"rating_id\":1,\"user_id\":2,\"stars\":" + "9".repeat(900) + "}"));

            assertThat(reason).startsWith("stars must be an integer from 1 to 5, got 9999").endsWith("… (900 chars)");
        }

        @Test
        void controlCharactersAndQuotesInTheValueAreEscaped() {
            assertThat(rejected(validate("{\"rating_id\":1,\"user_id\":\"a\\nb\\\"c\\u0007\",\"stars\":3}")))
                    .isEqualTo("user_id must be an integer, got \"a\\nb\\\"c\\u0007\"");
        }
    }
}
