package io.sluice.db;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.apache.camel.component.sql.DefaultSqlPrepareStatementStrategy;

/**
 * camel-sql's statement strategy ({@code prepareStatementStrategy=#rowsByName}) for a batch of map rows into a
 * statement with plain named parameters ({@code :#event_id}): the statement's parameter names are found once, not once
 * per row. camel-sql's default runs its regular expression over the statement for every row and converts the row to a
 * map twice per parameter; after the sales batch was no longer split that was ~20% of sales-ingest's consumer thread,
 * and the driver's {@code setObject} type search another ~5% (issue 21 profile). The binding is the default's: a
 * parameter is the row's value of that name; a row without the name, a body that is not a map, or a statement with
 * other kinds of parameter ({@code :#${…}}, {@code :#in:…}) are left to the default, which also looks in the headers
 * and variables and names a key it cannot find. Strings and whole numbers are set with {@code setString}/
 * {@code setLong}/{@code setInt}, anything else (null included) the default's way (Spring's argument setter).
 */
public final class RowsByName extends DefaultSqlPrepareStatementStrategy {

    private static final Pattern NAME = Pattern.compile(":\\?(\\w+)");
    private static final List<String> NOT_PLAIN = List.of();
    private final Map<String, List<String>> names = new ConcurrentHashMap<>();

    @Override
    public Iterator<?> createPopulateIterator(String query, String preparedQuery, int expectedParams, Exchange exchange,
            Object value) throws SQLException {
        if (value instanceof Map<?, ?> row) {
            List<String> params = names.computeIfAbsent(query, RowsByName::plainNames);
            if (params != NOT_PLAIN && params.size() == expectedParams) {
                List<Object> values = new ArrayList<>(params.size());
                for (String name : params) {
                    Object v = row.get(name);
                    if (v == null && !row.containsKey(name)) {
                        return super.createPopulateIterator(query, preparedQuery, expectedParams, exchange, value);
                    }
                    values.add(v);
                }
                return values.iterator();
            }
        }
        return super.createPopulateIterator(query, preparedQuery, expectedParams, exchange, value);
    }

    @Override
    public void populateStatement(PreparedStatement ps, Iterator<?> iterator, int expectedParams) throws SQLException {
        List<Object> values = new ArrayList<>(Math.max(expectedParams, 0));
        boolean plain = true;
        while (iterator != null && iterator.hasNext()) {
            Object v = iterator.next();
            plain &= v instanceof String || v instanceof Long || v instanceof Integer;
            values.add(v);
        }
        if (!plain || values.size() != expectedParams) {
            super.populateStatement(ps, values.iterator(), expectedParams); // and its error for a wrong count
            return;
        }
        for (int i = 0; i < values.size(); i++) {
            switch (values.get(i)) {
                case String s -> ps.setString(i + 1, s);
                case Long l -> ps.setLong(i + 1, l);
                case Integer n -> ps.setInt(i + 1, n);
                default -> throw new IllegalStateException("unreachable");
            }
        }
    }

    /** The statement's parameter names in order, or {@link #NOT_PLAIN} if it has parameters of another kind. */
    static List<String> plainNames(String query) {
        if (query.contains(":?$") || query.contains(":?in:")) {
            return NOT_PLAIN;
        }
        List<String> found = new ArrayList<>();
        Matcher m = NAME.matcher(query);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found.isEmpty() ? NOT_PLAIN : List.copyOf(found);
    }
}
