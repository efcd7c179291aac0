package io.sluice.loans;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InstallmentTest {

    private final Installment seed = new Installment(new BigDecimal("1.17"), 12);

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "1000, 98",      // 97.5 exactly: half rounds up
            "25000, 2438",   // 2437.5
            "12, 1",         // 1.17
            "100, 10",       // 9.75
            "1200, 117",     // exact
            "2147483647, 209379656"})
    void roundsHalfUp(long amount, int monthly) {
        assertThat(seed.monthly(amount)).isEqualTo(monthly);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, -25000})
    void refusesAmountsThatAreNotPositive(long amount) {
        assertThatThrownBy(() -> seed.monthly(amount)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loan_amount must be positive");
    }

    @Test
    void factorAndMonthsAreParameters() {
        assertThat(new Installment(new BigDecimal("1.10"), 24).monthly(2400)).isEqualTo(110);
        assertThatThrownBy(() -> new Installment(new BigDecimal("1.17"), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
