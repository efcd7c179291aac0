package io.sluice.loans;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The monthly instalment of an approved loan: {@code round_half_up(amount x factor / months)}, computed in
 * decimal so 1000 x 1.17 / 12 = 97.5 rounds to 98 rather than whatever a double makes of it.
 */
public record Installment(BigDecimal factor, int months) {

    public Installment {
        if (factor.signum() <= 0 || months <= 0) {
            throw new IllegalArgumentException("factor and months must be positive, got " + factor + " and " + months);
        }
    }

    public int monthly(long loanAmount) {
        if (loanAmount <= 0) {
            throw new IllegalArgumentException("loan_amount must be positive, got " + loanAmount);
        }
        return BigDecimal.valueOf(loanAmount).multiply(factor)
                .divide(BigDecimal.valueOf(months), 0, RoundingMode.HALF_UP)
                .intValueExact();
    }
}
