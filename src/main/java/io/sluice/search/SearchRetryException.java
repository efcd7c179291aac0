package io.sluice.search;

/** Some documents of a bulk request were refused for now (429, 5xx): the route tries them again after a back-off. */
public final class SearchRetryException extends RuntimeException {

    public SearchRetryException(String message) {
        super(message, null, false, false);
    }
}
