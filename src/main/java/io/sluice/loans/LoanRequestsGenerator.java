package io.sluice.loans;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Demo loan requests: customers 1-20, amounts 1 000-50 000 in hundreds, made-up names, countries and phones. */
public final class LoanRequestsGenerator {

    private static final String[] FIRST = {"Amara", "Bjorn", "Chiara", "Dev", "Elif", "Femi", "Greer", "Hana", "Iker", "Jonas"};
    private static final String[] LAST = {"Okafor", "Lund", "Rossi", "Patel", "Yilmaz", "Adebayo", "Walsh", "Sato", "Etxeberria", "Berg"};
    private static final String[] COUNTRY = {"India", "Nigeria", "Italy", "Turkey", "Norway", "Japan", "Spain", "Ireland"};
    private static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private final Random random;
    private final ObjectMapper json = new ObjectMapper();
    private long dueAt;

    public LoanRequestsGenerator(long seed) {
        this.random = new Random(seed);
    }

    /**
     * A request when the pause drawn after the previous one (uniform in [minDelayMs, maxDelayMs]) is over,
     * else null; called by a frequent timer, so requests come at random gaps without a thread sleeping.
     */
    public synchronized String nextIfDue(long minDelayMs, long maxDelayMs) throws JsonProcessingException {
        long now = System.currentTimeMillis();
        if (now < dueAt) {
            return null;
        }
        dueAt = now + minDelayMs + (long) (random.nextDouble() * (maxDelayMs - minDelayMs));
        return next();
    }

    public synchronized String next() throws JsonProcessingException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("cust_ids", 1 + random.nextInt(20));
        request.put("loan_amount", 100 * (10 + random.nextInt(491)));
        StringBuilder loanId = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            loanId.append(LETTERS.charAt(random.nextInt(LETTERS.length())));
        }
        request.put("loan_id", loanId.toString());
        request.put("first_name", FIRST[random.nextInt(FIRST.length)]);
        request.put("last_name", LAST[random.nextInt(LAST.length)]);
        request.put("country", COUNTRY[random.nextInt(COUNTRY.length)]);
        request.put("phone", String.format("+%d-%03d-%04d", 1 + random.nextInt(98), random.nextInt(1000), random.nextInt(10_000)));
        return json.writeValueAsString(request);
    }
}
