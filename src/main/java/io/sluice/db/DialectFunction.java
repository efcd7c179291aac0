package io.sluice.db;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesFunction;

/**
 * The placeholder function {@code {{dialect:<key>}}}: a route file names the statement it needs and gets the one of
 * the database {@code sluice.db.url} points at. Resolved when the route is created, so after properties are loaded.
 */
public final class DialectFunction implements PropertiesFunction {

    private final CamelContext context;

    public DialectFunction(CamelContext context) {
        this.context = context;
    }

    @Override
    public String getName() {
        return "dialect";
    }

    @Override
    public String apply(String remainder) {
        return SqlDialect.of(context).statement(remainder.trim());
    }
}
