package io.sluice.db;

import java.lang.reflect.Proxy;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.RuntimeExchangeException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sales sinks' camel-sql batch binding: a map row's values in the order the statement names them, the way
 * camel-sql's default binds them (a name the row lacks is looked up in the headers, a name found nowhere is an error
 * that names it); only the statement's names are found once instead of once per row.
 */
class RowsByNameTest {

    /** As camel-sql hands a statement to the strategy: its {@code :#} placeholders already turned into {@code :?}. */
    private static final String INSERT = "INSERT INTO sales (event_id, item, amount, time) VALUES (:?event_id, :?item, :?amount, :?time)"
            + " ON DUPLICATE KEY UPDATE event_id = event_id";
    private final CamelContext context = new DefaultCamelContext();
    private final Exchange exchange = new DefaultExchange(context);
    private final RowsByName strategy = new RowsByName();

    @AfterEach
    void stop() throws Exception {
        context.close();
    }

    @Test
    void aRowIsBoundInTheStatementsOrderOfNamesWhateverTheMapsOrder() throws Exception {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("time", 7L);
        row.put("amount", 20);
        row.put("item", "a");
        row.put("event_id", "sales-0@3");
        List<String> calls = new ArrayList<>();

        strategy.populateStatement(statement(calls), strategy.createPopulateIterator(INSERT, null, 4, exchange, row), 4);

        assertThat(calls).containsExactly("setString(1, sales-0@3)", "setString(2, a)", "setInt(3, 20)", "setLong(4, 7)");
    }

    @Test
    void aNameTheRowLacksIsLookedUpAsCamelSqlDoesInTheHeadersOrFailsNamingIt() throws Exception {
        exchange.getMessage().setHeader("time", 9L);
        Map<String, Object> row = Map.of("event_id", "e", "item", "b", "amount", 1L);
        List<Object> bound = new ArrayList<>();
        strategy.createPopulateIterator(INSERT, null, 4, exchange, row).forEachRemaining(bound::add);
        assertThat(bound).containsExactly("e", "b", 1L, 9L);

        exchange.getMessage().removeHeader("time");
        assertThatThrownBy(() -> strategy.createPopulateIterator(INSERT, null, 4, exchange, row).forEachRemaining(v -> { }))
                .isInstanceOf(RuntimeExchangeException.class).hasMessageContaining("[time]");
    }

    @Test
    void otherValuesAndCountsGoTheDefaultWay() throws Exception {
        List<String> calls = new ArrayList<>();
        java.sql.Timestamp at = new java.sql.Timestamp(0);
        strategy.populateStatement(statement(calls), List.of("x", at).iterator(), 2);
        // Spring's argument setter, as without this strategy
        assertThat(calls).containsExactly("setString(1, x)", "setObject(2, " + at + ")");

        assertThatThrownBy(() -> strategy.populateStatement(statement(new ArrayList<>()), List.of("x").iterator(), 2))
                .hasMessageContaining("Number of parameters mismatch. Expected: 2, was: 1");
    }

    @Test
    void onlyPlainNamesAreTakenOver() {
        assertThat(RowsByName.plainNames(INSERT)).containsExactly("event_id", "item", "amount", "time");
        assertThat(RowsByName.plainNames("SELECT * FROM t WHERE a = :?${header.a}")).isEmpty();
        assertThat(RowsByName.plainNames("SELECT * FROM t WHERE a IN (:?in:ids)")).isEmpty();
        assertThat(RowsByName.plainNames("INSERT INTO t VALUES (?, ?)")).isEmpty();
    }

    /** A statement that records each parameter set on it, as "setX(index, value)". */
    private static PreparedStatement statement(List<String> calls) {
        return (PreparedStatement) Proxy.newProxyInstance(RowsByNameTest.class.getClassLoader(), new Class<?>[] {PreparedStatement.class},
                (proxy, method, args) -> {
                    if (method.getName().startsWith("set") && args != null && args.length == 2) {
                        calls.add(method.getName() + "(" + args[0] + ", " + args[1] + ")");
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
