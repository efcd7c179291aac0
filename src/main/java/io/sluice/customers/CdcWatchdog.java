package io.sluice.customers;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.sluice.cluster.Leadership;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts the CDC route when its Debezium engine has died. Debezium stops its engine for good on an error it
 * does not count as retriable — e.g. the database going away during the snapshot ("Snapshot was not completed
 * successfully, it will be re-executed upon connector restart") — while the Camel route stays "started": without
 * this, CDC would stay silent until Sluice is restarted by hand (found by the fault suite's database outage).
 *
 * <p>Every {@code intervalMs} it asks {@link CdcProgress} whether the engine is snapshotting or connected to the
 * binlog; after {@code restartAfterMs} of neither, it restarts the route, which restarts the engine from its stored
 * offsets (a re-sent change carries the same key and value). A route that is stopped on purpose — disabled, or
 * this instance is not the CDC leader — is left alone, and a route is only started again while this instance leads.
 */
public final class CdcWatchdog extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(CdcWatchdog.class);

    private final CamelContext context;
    private final CdcProgress progress;
    private final Leadership leadership;
    private final String routeId;
    private final long intervalMs;
    private final long restartAfterMs;
    private ScheduledExecutorService timer;
    private long downSince;
    private int restarts;

    public CdcWatchdog(CamelContext context, CdcProgress progress, Leadership leadership, String routeId,
                       long intervalMs, long restartAfterMs) {
        this.context = context;
        this.progress = progress;
        this.leadership = leadership;
        this.routeId = routeId;
        this.intervalMs = intervalMs;
        this.restartAfterMs = restartAfterMs;
    }

    @Override
    protected void doStart() {
        timer = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "cdc-watchdog");
        timer.scheduleWithFixedDelay(this::check, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        if (timer != null) {
            context.getExecutorServiceManager().shutdownNow(timer);
            timer = null;
        }
    }

    void check() {
        try {
            ServiceStatus status = context.getRouteController().getRouteStatus(routeId);
            if (status == null || !status.isStarted() || !leadership.isLeader() || progress.engineRunning()) {
                downSince = 0;
                return;
            }
            long now = System.nanoTime();
            if (downSince == 0) {
                downSince = now;
            } else if (TimeUnit.NANOSECONDS.toMillis(now - downSince) >= restartAfterMs) {
                restarts++;
                LOG.warn("The Debezium engine of route {} has been neither snapshotting nor streaming changes for {} s: "
                        + "restarting the route (restart {})", routeId, restartAfterMs / 1000, restarts);
                downSince = 0;
                context.getRouteController().stopRoute(routeId);
                // leadership may have gone while stopping: then the cluster policy starts it wherever it leads
                if (leadership.isLeader()) {
                    context.getRouteController().startRoute(routeId);
                }
            }
        } catch (Exception e) {
            LOG.warn("Restarting route {} failed (will try again): {}", routeId, e.toString());
        }
    }
}
