package io.sluice.sales;

import java.util.Random;
import java.util.function.LongSupplier;

/**
 * Demo sales as the store in seed 004 sells: item {@code a} about 70 % of the time, else {@code b}; the amount
 * a whole number drawn log-normally (exp of a normal with mean 2, deviation 1, rounded down); {@code time} never
 * decreasing — the wall clock in seconds, so windows of 5 units are 5 seconds and a restart goes on from now.
 */
public final class SalesGenerator {

    private final Random random;
    private final double shareOfA;
    private final LongSupplier seconds;
    private long lastTime = Long.MIN_VALUE;

    public SalesGenerator(long seed, double shareOfA, LongSupplier seconds) {
        this.random = new Random(seed);
        this.shareOfA = shareOfA;
        this.seconds = seconds;
    }

    public synchronized String next() {
        lastTime = Math.max(lastTime, seconds.getAsLong());
        String item = random.nextDouble() < shareOfA ? "a" : "b";
        long amount = (long) Math.floor(Math.exp(2 + random.nextGaussian()));
        return "{\"item\":\"" + item + "\",\"amount\":" + amount + ",\"time\":" + lastTime + "}";
    }
}
