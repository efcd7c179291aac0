package io.sluice.ratings;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * Demo ratings for the {@code ratings} topic, shaped so every branch of the ratings flow gets traffic: unknown
 * users (→ {@code ratings-unmatched}), test channels (→ {@code ratings-test}), and enough 1–2 star reviews for
 * the unhappy-platinum alerts to fire. Messages match the stars, so a Slack alert quotes a complaint.
 *
 * <p>The same seed and clock give the same sequence, so a demo or a test can be replayed exactly. Rating ids
 * start from the clock's time at construction (epoch millis x 1000 + 1), not from the seed, so they stay unique
 * across restarts.
 */
public final class RatingsGenerator {

    /** Every test channel contains "test" in some casing, because that is what the flow routes on. */
    static final List<String> TEST_CHANNELS = List.of("web-test", "TEST-iOS", "android_test");
    static final List<String> LIVE_CHANNELS = List.of("android", "iOS", "web", "kiosk");

    /** Unknown users are drawn from just past the known range, so they look plausible yet never match. */
    static final int UNKNOWN_USER_SPREAD = 50;

    /** Percent weights for 1..5 stars: mostly happy, but unhappy reviews often enough to see alerts in a demo. */
    private static final int[] STAR_WEIGHTS = {15, 10, 15, 30, 30};

    // Some texts carry quotes, <, > and & (and an @channel) on purpose: the JSON writer, the Slack template and
    // the search index must escape them, and demo data is where that gets exercised every minute.
    static final List<String> COMPLAINTS = List.of(
            "Seats were <broken> & nobody cared",
            "Bus was 40 minutes late and the driver said \"not my problem\"",
            "@channel the 7:15 was cancelled AGAIN",
            "Air conditioning broken, it felt like a sauna",
            "Rude staff, dirty toilets & no wifi");
    static final List<String> NEUTRAL = List.of(
            "It was OK, nothing special",
            "On time, but the app crashed twice");
    static final List<String> PRAISE = List.of(
            "Friendly driver and spotless seats",
            "Smooth ride, arrived early",
            "Great service – thank you!",
            "Best commute I've had in years, 10/10",
            "Loved the \"quiet carriage\" <3");

    private static final JsonFactory JSON = new JsonFactory();
    private static final long IDS_PER_MILLI = 1000;

    private final SplittableRandom random;
    private final int knownCustomers;
    private final double unknownUserShare;
    private final double testChannelShare;
    private final Clock clock;
    private long nextRatingId;

    public RatingsGenerator(long seed, int knownCustomers, double unknownUserShare, double testChannelShare, Clock clock) {
        if (knownCustomers < 1 || knownCustomers > Integer.MAX_VALUE - UNKNOWN_USER_SPREAD) {
            throw new IllegalArgumentException("knownCustomers must be from 1 to "
                    + (Integer.MAX_VALUE - UNKNOWN_USER_SPREAD) + ", got " + knownCustomers);
        }
        requireShare("unknownUserShare", unknownUserShare);
        requireShare("testChannelShare", testChannelShare);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = new SplittableRandom(seed);
        this.knownCustomers = knownCustomers;
        this.unknownUserShare = unknownUserShare;
        this.testChannelShare = testChannelShare;
        // Downstream treats rating_id as the identity of a rating (search document id, one Slack alert per id), so a
        // restarted demo must not hand out ids an earlier run already used, whatever its seed. Starting at the
        // clock's millis x 1000 leaves room for 1000 ratings per millisecond of wall time between two starts,
        // and keeps ids below 2^53, so JavaScript tools such as Kibana show them exactly.
        this.nextRatingId = Math.multiplyExact(Math.max(0, clock.millis()), IDS_PER_MILLI) + 1;
    }

    /** One rating as compact JSON. Safe to call from several threads; ids stay strictly increasing. */
    public synchronized String next() {
        long ratingId = nextRatingId++;
        int userId = random.nextDouble() < unknownUserShare
                ? knownCustomers + 1 + random.nextInt(UNKNOWN_USER_SPREAD)
                : 1 + random.nextInt(knownCustomers);
        int stars = stars();
        int routeId = 1 + random.nextInt(9999);
        String channel = random.nextDouble() < testChannelShare ? pick(TEST_CHANNELS) : pick(LIVE_CHANNELS);
        String message = pick(stars <= 2 ? COMPLAINTS : stars == 3 ? NEUTRAL : PRAISE);
        long ratingTime = clock.millis();

        StringWriter out = new StringWriter(192);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("rating_id", ratingId);
            g.writeNumberField("user_id", userId);
            g.writeNumberField("stars", stars);
            g.writeNumberField("route_id", routeId);
            g.writeNumberField("rating_time", ratingTime);
            g.writeStringField("channel", channel);
            g.writeStringField("message", message);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("Writing JSON to memory failed", e);
        }
        return out.toString();
    }

    private int stars() {
        int r = random.nextInt(100);
        for (int i = 0; i < STAR_WEIGHTS.length; i++) {
            r -= STAR_WEIGHTS[i];
            if (r < 0) {
                return i + 1;
            }
        }
        throw new IllegalStateException("star weights must add up to 100");
    }

    private String pick(List<String> options) {
        return options.get(random.nextInt(options.size()));
    }

    private static void requireShare(String name, double share) {
        // Written so NaN fails too.
        if (!(share >= 0.0 && share <= 1.0)) {
            throw new IllegalArgumentException(name + " must be from 0 to 1, got " + share);
        }
    }
}
