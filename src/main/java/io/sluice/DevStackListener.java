package io.sluice;

import java.util.Optional;
import java.util.function.Function;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Brings the embedded dev stack up after properties are loaded and before any component or route is
 * configured, and takes it down after Camel has stopped (routes first, then the services they used).
 *
 * <p>The stack lives in {@code io.sluice.devstack}, which the lean production jar leaves out; it is looked up
 * by name so this class compiles without it.
 */
final class DevStackListener extends MainListenerSupport {

    static final String ENABLED = "sluice.devstack.enabled";
    private static final String STACK_CLASS = "io.sluice.devstack.DevStack";

    private AutoCloseable stack;

    @Override
    public synchronized void beforeConfigure(BaseMainSupport main) {
        PropertiesComponent pc = main.getCamelContext().getPropertiesComponent();
        if (!Boolean.parseBoolean(pc.resolveProperty(ENABLED).orElse("false"))) {
            return;
        }
        stack = start(pc::resolveProperty);
        // the dev profile's URL names the embedded MariaDB; with the embedded PostgreSQL, Sluice talks to that instead
        // (a URL that already names PostgreSQL, e.g. the test harness's, is left as it is)
        if ("postgres".equalsIgnoreCase(pc.resolveProperty("sluice.devstack.database").orElse("mariadb").trim())
                && !pc.resolveProperty("sluice.db.url").orElse("").startsWith("jdbc:postgresql:")) {
            String port = pc.resolveProperty("sluice.devstack.postgres.port").orElse("5433");
            // the port too: the CDC route connects to sluice.cdc.host:sluice.cdc.port, which follow sluice.db.* (found by
            // java -jar on PostgreSQL: Debezium went to the dev profile's MariaDB port and CDC never started)
            pc.addOverrideProperty("sluice.db.host", "localhost");
            pc.addOverrideProperty("sluice.db.port", port);
            pc.addOverrideProperty("sluice.db.url", "jdbc:postgresql://localhost:" + port + "/"
                    + pc.resolveProperty("sluice.db.name").orElse("demo"));
        }
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        stopStack();
    }

    /** Idempotent: called after Camel stops, and again (as a no-op) when the process ends. */
    synchronized void stopStack() {
        if (stack != null) {
            try {
                stack.close();
            } catch (Exception e) {
                throw new IllegalStateException("Embedded dev stack did not stop cleanly", e);
            }
            stack = null;
        }
    }

    private static AutoCloseable start(Function<String, Optional<String>> properties) {
        Class<?> type;
        try {
            type = Class.forName(STACK_CLASS);
        } catch (ClassNotFoundException e) {
            throw new StartupProblem("This jar is built without the embedded dev stack: set "
                    + ENABLED + "=false (e.g. CAMEL_MAIN_PROFILE=prod) and point Sluice at your services");
        }
        try {
            return (AutoCloseable) type.getMethod("start", Function.class).invoke(null, properties);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
