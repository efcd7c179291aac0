package io.sluice.ratings;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.ratings.RatingValidator.Result;
import io.sluice.ratings.RatingValidator.Valid;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RatingsGeneratorTest {

    private static final int N = 10_000;
    private static final int KNOWN = 20;
    private static final double UNKNOWN_SHARE = 0.10;
    private static final double TEST_SHARE = 0.15;
    private static final long T0 = 1_528_800_546_808L;

    private static final RatingValidator VALIDATOR = new RatingValidator(new ObjectMapper(), 65536);

    /** One shared batch: the statistical checks all look at the same 10 000 ratings. */
    private static List<String> json;
    private static List<Map<String, Object>> ratings;

    @BeforeAll
    static void generate() {
        RatingsGenerator generator = new RatingsGenerator(42, KNOWN, UNKNOWN_SHARE, TEST_SHARE, new SteppingClock(T0, 250));
        json = IntStream.range(0, N).mapToObj(i -> generator.next()).toList();
        ratings = new ArrayList<>(N);
        for (String one : json) {
            ratings.add(valid(one));
        }
    }

    @Test
    void everyRatingPassesTheValidatorWithTheSpecsFieldsInTheSpecsOrder() {
        assertThat(ratings).hasSize(N).allSatisfy(r -> assertThat(List.copyOf(r.keySet()))
                .containsExactly("rating_id", "user_id", "stars", "route_id", "rating_time", "channel", "message"));
    }

    @Test
    void outputIsCompactJson() throws Exception {
        // Re-writing with Jackson's compact defaults changes nothing only if there was no extra white space.
        ObjectMapper mapper = new ObjectMapper();
        for (String one : json.subList(0, 500)) {
            assertThat(mapper.writeValueAsString(mapper.readTree(one))).isEqualTo(one);
        }
    }

    @Test
    void ratingIdsStartPositiveAndStrictlyIncrease() {
        long previous = 0;
        for (Map<String, Object> r : ratings) {
            long id = (Long) r.get("rating_id");
            assertThat(id).isGreaterThan(previous);
            previous = id;
        }
    }

    @Test
    void unknownUsersComeAtTheConfiguredShareFromJustPastTheKnownRange() {
        List<Integer> users = ratings.stream().map(r -> (Integer) r.get("user_id")).toList();
        long unknown = users.stream().filter(u -> u > KNOWN).count();

        assertThat((double) unknown / N).isCloseTo(UNKNOWN_SHARE, within(0.03));
        assertThat(users).allSatisfy(u -> assertThat(u).isBetween(1, KNOWN + RatingsGenerator.UNKNOWN_USER_SPREAD));
        assertThat(users.stream().filter(u -> u <= KNOWN).collect(Collectors.toSet()))
                .as("every demo customer gets ratings")
                .isEqualTo(IntStream.rangeClosed(1, KNOWN).boxed().collect(Collectors.toSet()));
    }

    @Test
    void testChannelsComeAtTheConfiguredShareAndAreTheOnlyOnesSayingTest() {
        List<String> channels = ratings.stream().map(r -> (String) r.get("channel")).toList();
        // The flow's rule, not the generator's list, decides what counts as a test channel.
        long test = channels.stream().filter(c -> c.toLowerCase(java.util.Locale.ROOT).contains("test")).count();
        long fromTestList = channels.stream().filter(RatingsGenerator.TEST_CHANNELS::contains).count();

        assertThat((double) test / N).isCloseTo(TEST_SHARE, within(0.03));
        assertThat(fromTestList).isEqualTo(test);
        assertThat(new TreeSet<>(channels)).containsExactlyInAnyOrder(
                "web-test", "TEST-iOS", "android_test", "android", "iOS", "web", "kiosk");
    }

    @Test
    void allFiveStarValuesOccurWithUnhappyReviewsCommon() {
        Map<Integer, Long> byStars = ratings.stream()
                .collect(Collectors.groupingBy(r -> (Integer) r.get("stars"), Collectors.counting()));

        assertThat(byStars).containsOnlyKeys(1, 2, 3, 4, 5);
        assertThat((double) (byStars.get(1) + byStars.get(2)) / N).as("share of 1-2 stars").isCloseTo(0.25, within(0.03));
        assertThat((double) (byStars.get(4) + byStars.get(5)) / N).as("share of 4-5 stars").isCloseTo(0.60, within(0.03));
    }

    @Test
    void messagesMatchTheirStarsSoAlertsQuoteComplaints() {
        assertThat(ratings).allSatisfy(r -> {
            int stars = (Integer) r.get("stars");
            List<String> expected = stars <= 2 ? RatingsGenerator.COMPLAINTS
                    : stars == 3 ? RatingsGenerator.NEUTRAL : RatingsGenerator.PRAISE;
            assertThat(expected).contains((String) r.get("message"));
        });
    }

    @Test
    void messagesNeedingEscapesSurviveTheRoundTrip() {
        Set<String> messages = ratings.stream().map(r -> (String) r.get("message")).collect(Collectors.toSet());

        assertThat(messages).hasSize(12)
                .contains("Seats were <broken> & nobody cared", "Great service – thank you!")
                .anySatisfy(m -> assertThat(m).contains("\""))
                .anySatisfy(m -> assertThat(m).contains("@channel"));
    }

    @Test
    void routeIdsStayInRange() {
        assertThat(ratings).allSatisfy(r -> assertThat((Integer) r.get("route_id")).isBetween(1, 9999));
    }

    @Test
    void ratingTimeIsTheClocksTimeForEachRating() {
        // The constructor took the first reading (for the id base), so rating i sees reading i + 2.
        for (int i = 0; i < 5; i++) {
            assertThat(ratings.get(i).get("rating_time")).isEqualTo(T0 + 250L * (i + 2));
        }
    }

    @Test
    void ratingIdsStartFromTheClockSoARestartedDemoDoesNotReuseThem() {
        // Same seed on purpose: a fixed demo seed must not make a restart re-send ids Slack and search already saw.
        RatingsGenerator first = new RatingsGenerator(42, KNOWN, UNKNOWN_SHARE, TEST_SHARE,
                Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC));
        RatingsGenerator restarted = new RatingsGenerator(42, KNOWN, UNKNOWN_SHARE, TEST_SHARE,
                Clock.fixed(Instant.ofEpochMilli(T0 + 10), ZoneOffset.UTC));
        long lastOfFirst = 0;
        for (int i = 0; i < N; i++) {
            lastOfFirst = (Long) valid(first.next()).get("rating_id");
        }

        assertThat((Long) valid(restarted.next()).get("rating_id")).isGreaterThan(lastOfFirst);
        assertThat((Long) ratings.get(0).get("rating_id")).isEqualTo((T0 + 250) * 1000 + 1);
        assertThat((Long) valid(new RatingsGenerator(1, KNOWN, 0, 0, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC)).next())
                .get("rating_id")).isEqualTo(1L);
    }

    private static Map<String, Object> valid(String json) {
        Result result = VALIDATOR.validate(json.getBytes(StandardCharsets.UTF_8));
        assertThat(result).as(json).isInstanceOf(Valid.class);
        return ((Valid) result).rating();
    }

    @Test
    void sameSeedAndClockGiveTheSameRatings() {
        Clock fixed = Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC);
        RatingsGenerator a = new RatingsGenerator(7, KNOWN, UNKNOWN_SHARE, TEST_SHARE, fixed);
        RatingsGenerator b = new RatingsGenerator(7, KNOWN, UNKNOWN_SHARE, TEST_SHARE, fixed);
        RatingsGenerator other = new RatingsGenerator(8, KNOWN, UNKNOWN_SHARE, TEST_SHARE, fixed);

        List<String> first = IntStream.range(0, 200).mapToObj(i -> a.next()).toList();
        List<String> second = IntStream.range(0, 200).mapToObj(i -> b.next()).toList();
        List<String> third = IntStream.range(0, 200).mapToObj(i -> other.next()).toList();

        assertThat(second).isEqualTo(first);
        assertThat(third).isNotEqualTo(first);
    }

    @Test
    void zeroSharesGiveOnlyKnownUsersOnLiveChannelsAndFullSharesTheOpposite() {
        Clock fixed = Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC);
        RatingsGenerator none = new RatingsGenerator(1, KNOWN, 0.0, 0.0, fixed);
        RatingsGenerator all = new RatingsGenerator(1, KNOWN, 1.0, 1.0, fixed);

        for (int i = 0; i < 1000; i++) {
            Map<String, Object> n = valid(none.next());
            Map<String, Object> a = valid(all.next());
            assertThat((Integer) n.get("user_id")).isBetween(1, KNOWN);
            assertThat(RatingsGenerator.LIVE_CHANNELS).contains((String) n.get("channel"));
            assertThat((Integer) a.get("user_id")).isGreaterThan(KNOWN);
            assertThat(RatingsGenerator.TEST_CHANNELS).contains((String) a.get("channel"));
        }
    }

    @Test
    void nonsenseSettingsAreRefusedUpFront() {
        Clock clock = Clock.systemUTC();
        assertThatThrownBy(() -> new RatingsGenerator(1, 0, 0.1, 0.1, clock)).hasMessageContaining("knownCustomers");
        assertThatThrownBy(() -> new RatingsGenerator(1, 20, 1.5, 0.1, clock)).hasMessageContaining("unknownUserShare");
        assertThatThrownBy(() -> new RatingsGenerator(1, 20, 0.1, -0.1, clock)).hasMessageContaining("testChannelShare");
        assertThatThrownBy(() -> new RatingsGenerator(1, 20, Double.NaN, 0.1, clock)).hasMessageContaining("unknownUserShare");
        assertThatThrownBy(() -> new RatingsGenerator(1, 20, 0.1, 0.1, null)).isInstanceOf(NullPointerException.class);
    }

    /** Time moves by a fixed step on every reading, so rating_time is predictable without sleeping. */
    private static final class SteppingClock extends Clock {
        private final long stepMillis;
        private long millis;

        SteppingClock(long startMillis, long stepMillis) {
            this.millis = startMillis;
            this.stepMillis = stepMillis;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public synchronized Instant instant() {
            millis += stepMillis;
            return Instant.ofEpochMilli(millis);
        }
    }
}
