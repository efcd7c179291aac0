package io.sluice.customers;

/** One row of the customer table, as much of it as enrichment needs. */
public record Customer(int id, String firstName, String lastName, String email, String clubStatus) {

    /** "first last", skipping a missing part rather than printing "null". */
    public String fullName() {
        if (firstName == null || firstName.isBlank()) {
            return lastName == null ? "" : lastName;
        }
        return lastName == null || lastName.isBlank() ? firstName : firstName + " " + lastName;
    }
}
