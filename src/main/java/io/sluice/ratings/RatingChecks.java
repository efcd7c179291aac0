package io.sluice.ratings;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Route step around {@link RatingValidator}: a valid rating becomes the body (a mutable map the later steps
 * enrich); an invalid one keeps its bytes and gets header {@code sluiceRejected} with the reason.
 */
public final class RatingChecks {

    public static final String REJECTED = io.sluice.kafka.DeadLetters.REASON;
    private final RatingValidator validator;

    public RatingChecks(RatingValidator validator) {
        this.validator = validator;
    }

    public void parse(Exchange exchange) {
        Message m = exchange.getMessage();
        switch (validator.validate(m.getBody(byte[].class))) {
            case RatingValidator.Valid v -> m.setBody(v.rating());
            case RatingValidator.Rejected r -> m.setHeader(REJECTED, r.reason());
        }
    }
}
