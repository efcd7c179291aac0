package io.sluice.faults;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import io.sluice.harness.RunningSluice;
import io.sluice.sales.SalesGenerator;
import io.sluice.sales.SalesSequence;

/**
 * A mixed stream of everything Sluice consumes — ratings, customer changes, sales, loan requests and approvals,
 * optionally malformed records of many kinds — in a fixed order from a seed, and the ground truth of every sink,
 * computed here from the inputs alone (never from what Sluice produced).
 *
 * <p>Customers are this workload's own (inserted before the run, club status never changed), so which ratings are
 * enriched, unmatched or unhappy does not depend on timing. Rating times advance 1 ms per rating, so the ratings
 * windows are far inside their allowed lateness however partitions interleave.
 */
final class MixedWorkload {

    /** One input: a Kafka record, or an update of a customer row (a change CDC must carry). */
    sealed interface Event permits Record, CustomerUpdate {
    }

    record Record(String topic, String key, byte[] value) implements Event {
    }

    record CustomerUpdate(int customerId, String comments) implements Event {
    }

    record NewCustomer(String first, String last, String email, String clubStatus) {
    }

    record Sizes(int events, int malformed) {
    }

    static final String[] CLUBS = {"platinum", "gold", "silver", "bronze"};
    static final long SALES_WINDOW = 5;
    static final long MINUTE = 60_000;
    /** The example hopping window and sessions as the fault runs configure them (rating times are 1 ms apart). */
    static final long HOP_SIZE = 1_000;
    static final long HOP_ADVANCE = 200;
    static final long SESSION_GAP = 300;

    final List<Event> events = new ArrayList<>();
    final List<NewCustomer> customers = new ArrayList<>();

    // ground truth, keyed as the sinks key them
    final Set<String> enriched = new HashSet<>();
    final Set<String> test = new HashSet<>();
    final Set<String> unmatched = new HashSet<>();
    final Set<String> unhappy = new HashSet<>();
    final Map<String, Long> ratingsByClub = new TreeMap<>();      // "windowStart/club" -> count
    final Map<String, Long> ratingsByClubHopping = new TreeMap<>(); // "windowStart/club" -> count (HOP_SIZE every HOP_ADVANCE)
    final Map<Integer, List<Long>> enrichedTimes = new TreeMap<>(); // customer id -> rating times, in order
    final Map<String, SalesSequence.Totals> salesSummary = new TreeMap<>(); // "windowStart/item" -> totals
    int sales;
    final Set<String> loanRequests = new HashSet<>();              // "cust/loan"
    final Map<String, Long> disbursements = new HashMap<>();       // "cust/loan" -> monthly_inst
    final Map<String, Set<String>> malformedKeys = new LinkedHashMap<>(); // input topic -> keys of its bad records
    final Map<String, Integer> malformedKinds = new TreeMap<>();   // kind -> how many
    int customerUpdates;

    private final RunningSluice config;
    private final Random random;
    private final long ratingIdBase;
    private final long ratingTimeBase = 1_760_000_000_000L;
    private int ratings;

    private MixedWorkload(RunningSluice config, long seed) {
        this.config = config;
        this.random = new Random(seed);
        // rating ids are global in the alert ledger: unique per run
        this.ratingIdBase = System.currentTimeMillis() * 1_000;
    }

    /** The customers to insert first; then {@link #events(List, Sizes)} with the ids they got. */
    static MixedWorkload of(RunningSluice config, long seed, int customerCount) {
        MixedWorkload w = new MixedWorkload(config, seed);
        for (int i = 0; i < customerCount; i++) {
            String club = CLUBS[i % CLUBS.length];
            w.customers.add(new NewCustomer("Fay" + i, config.prefix(), "fay" + i + "@" + config.prefix() + ".example", club));
        }
        return w;
    }

    /**
     * The stream: of every 100 events about 50 ratings, 36 sales, 4 customer updates, 6 loan requests and 4
     * approvals (each approval at least 100 events after its request), with {@code malformed} bad records spread
     * evenly among them.
     */
    /** Who the workload's approvals name (approved_by, required on the approval topic): every disbursement records it. */
    static final String APPROVER = "fault-suite";

    private static String approval(String[] custAndLoan) {
        return "{\"cust_ids\":" + custAndLoan[0] + ",\"loan_id\":\"" + custAndLoan[1] + "\",\"approved_by\":\"" + APPROVER + "\"}";
    }

    MixedWorkload events(List<Integer> customerIds, Sizes sizes) {
        SalesGenerator salesGenerator = new SalesGenerator(random.nextLong(), 0.7, new java.util.concurrent.atomic.AtomicLong()::getAndIncrement);
        List<String> pendingApprovals = new ArrayList<>();
        List<Integer> approvalDue = new ArrayList<>();
        List<Event> valid = new ArrayList<>();
        for (int n = 0; valid.size() < sizes.events(); n++) {
            if (!approvalDue.isEmpty() && approvalDue.getFirst() <= valid.size()) {
                approvalDue.removeFirst();
                String loan = pendingApprovals.removeFirst();
                String[] parts = loan.split("/");
                valid.add(record("sluice.loans.approval-topic", parts[1], approval(parts)));
                continue;
            }
            int dice = random.nextInt(96);
            if (dice < 50) {
                valid.add(rating(customerIds));
            } else if (dice < 86) {
                valid.add(sale(salesGenerator));
            } else if (dice < 90) {
                int index = random.nextInt(customerIds.size());
                customerUpdates++;
                valid.add(new CustomerUpdate(customerIds.get(index), "update " + customerUpdates));
            } else {
                int cust = 1 + random.nextInt(99_999);
                String loanId = config.prefix() + "-L" + loanRequests.size();
                int amount = 1000 + random.nextInt(99_000);
                String loan = cust + "/" + loanId;
                loanRequests.add(loan);
                valid.add(record("sluice.loans.request-topic", loanId, "{\"cust_ids\":" + cust + ",\"loan_amount\":" + amount
                        + ",\"loan_id\":\"" + loanId + "\",\"first_name\":\"Lou\",\"last_name\":\"Fault\",\"country\":\"UK\",\"phone\":\"+44-0\"}"));
                if (random.nextInt(3) < 2) {     // two in three are approved
                    disbursements.put(loan, monthlyInstalment(amount));
                    pendingApprovals.add(loan);
                    approvalDue.add(valid.size() + 100 + random.nextInt(200));
                }
            }
        }
        // approvals still pending at the end follow the stream
        for (String loan : pendingApprovals) {
            String[] parts = loan.split("/");
            valid.add(record("sluice.loans.approval-topic", parts[1], approval(parts)));
        }
        List<Record> bad = MalformedInputs.make(config, sizes.malformed(), this);
        int step = bad.isEmpty() ? Integer.MAX_VALUE : Math.max(1, valid.size() / bad.size());
        for (int i = 0, b = 0; i < valid.size(); i++) {
            events.add(valid.get(i));
            if ((i + 1) % step == 0 && b < bad.size()) {
                events.add(bad.get(b++));
            }
            if (i == valid.size() - 1) {
                while (b < bad.size()) {
                    events.add(bad.get(b++));
                }
            }
        }
        return this;
    }

    private Record rating(List<Integer> customerIds) {
        long id = ratingIdBase + ratings;
        long time = ratingTimeBase + ratings;
        ratings++;
        int stars = 1 + random.nextInt(5);
        int kind = random.nextInt(100);
        String channel = kind < 8 ? "iOS-test" : new String[] {"web", "android", "iOS"}[random.nextInt(3)];
        int userId;
        String club = null;
        if (kind >= 8 && kind < 16) {
            userId = 2_000_000_000 - random.nextInt(1_000_000);  // nobody we know
        } else {
            int index = random.nextInt(customerIds.size());
            userId = customerIds.get(index);
            club = customers.get(index).clubStatus();
        }
        String key = Long.toString(id);
        if (kind < 8) {
            test.add(key);
        } else if (club == null) {
            unmatched.add(key);
        } else {
            enriched.add(key);
            ratingsByClub.merge(Math.floorDiv(time, MINUTE) * MINUTE + "/" + club, 1L, Long::sum);
            for (long s = Math.floorDiv(time - HOP_SIZE, HOP_ADVANCE) * HOP_ADVANCE + HOP_ADVANCE; s <= time; s += HOP_ADVANCE) {
                ratingsByClubHopping.merge(s + "/" + club, 1L, Long::sum);
            }
            enrichedTimes.computeIfAbsent(userId, k -> new ArrayList<>()).add(time);
            if (stars < 3 && club.equals("platinum")) {
                unhappy.add(key);
            }
        }
        String value = "{\"rating_id\":" + id + ",\"user_id\":" + userId + ",\"stars\":" + stars + ",\"route_id\":"
                + random.nextInt(5000) + ",\"rating_time\":" + time + ",\"channel\":\"" + channel
                + "\",\"message\":\"review " + id + " of run " + config.prefix() + "\"}";
        return record("sluice.ratings.topic", key, value);
    }

    /** Sessions per customer of the enriched ratings: "customer@first" -> "first..last count". */
    Map<String, String> sessions() {
        Map<String, String> out = new TreeMap<>();
        enrichedTimes.forEach((customer, times) -> {
            int from = 0;
            for (int i = 1; i <= times.size(); i++) {
                if (i == times.size() || times.get(i) - times.get(i - 1) > SESSION_GAP) {
                    out.put(customer + "@" + times.get(from), times.get(from) + ".." + times.get(i - 1) + " " + (i - from));
                    from = i;
                }
            }
        });
        return out;
    }

    private Record sale(SalesGenerator generator) {
        String sale = generator.next();
        SalesSequence.count(salesSummary, sale, SALES_WINDOW);
        sales++;
        return record("sluice.sales.topic", null, sale);
    }

    /** round_half_up(amount x 1.17 / 12), the default interest factor and months. */
    private static long monthlyInstalment(int amount) {
        return BigDecimal.valueOf(amount).multiply(new BigDecimal("1.17"))
                .divide(BigDecimal.valueOf(12), 0, RoundingMode.HALF_UP).longValueExact();
    }

    /** A record for the topic named by {@code topicProperty} in this run's configuration. */
    Record record(String topicProperty, String key, String value) {
        return new Record(config.property(topicProperty), key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }


    long kafkaRecords() {
        return events.stream().filter(e -> e instanceof Record).count();
    }
}
