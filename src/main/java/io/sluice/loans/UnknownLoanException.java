package io.sluice.loans;

/** An approval for a loan request that is not (yet) in the table. */
public class UnknownLoanException extends Exception {

    public UnknownLoanException(String message) {
        super(message);
    }
}
