package io.sluice.alerts;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.ops.FlowMetrics;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.spi.PropertiesComponent;

/**
 * The beans of routes/vip-alerts.yaml: {@code alertText}, {@code alertLedger}, {@code slackFailures} and
 * {@code slackRetries} (counts each retried Slack call on /observe/metrics). A non-empty
 * {@code sluice.slack.token} selects the Web API (camel-slack, chat.postMessage to {@code sluice.slack.channel});
 * otherwise alerts go to the incoming webhook {@code sluice.slack.webhook.secret}.
 */
public final class AlertsConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        boolean token = pc.resolveProperty("sluice.slack.token").filter(s -> !s.isBlank()).isPresent();
        String template = pc.resolveProperty("sluice.slack.template").orElseThrow();
        AlertLedger ledger = new AlertLedger(() -> context.getRegistry().lookupByNameAndType("dataSource", DataSource.class),
                io.sluice.db.SqlDialect.of(context));
        long maxRetryAfterMs = Long.parseLong(pc.resolveProperty("sluice.slack.max-retry-after-ms").orElse("300000"));
        FlowMetrics metrics = FlowMetrics.of(context);
        context.getRegistry().bind("alertText", new AlertText(new ObjectMapper(), template, token,
                pc.resolveProperty("sluice.slack.webhook.secret").orElse("")));
        context.getRegistry().bind("alertLedger", ledger);
        context.getRegistry().bind("slackFailures", new SlackFailures(ledger, maxRetryAfterMs));
        context.getRegistry().bind("slackRetries", (Processor) exchange -> metrics.retried("slack"));
        // the console's VIP page and re-send (routes/console-api.yaml); also the hook that reopens a replayed alert
        context.getRegistry().bind("alertsConsole", new AlertsConsole(
                () -> context.getRegistry().lookupByNameAndType("dataSource", DataSource.class),
                () -> context.getRegistry().lookupByNameAndType("deadLetterConsole", io.sluice.kafka.DeadLetterConsole.class),
                () -> context.getRegistry().lookupByNameAndType("topicTail", io.sluice.kafka.TopicTail.class),
                pc.resolveProperty("sluice.vip.topic").orElseThrow(), pc.resolveProperty("sluice.slack.dlq-topic").orElseThrow(),
                new ObjectMapper()));
    }
}
