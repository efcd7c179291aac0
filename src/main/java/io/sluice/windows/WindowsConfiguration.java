package io.sluice.windows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.DeadLetters;
import io.sluice.kafka.KafkaAdmin;
import io.sluice.ops.FlowMetrics;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/** Binds {@code windows}, which every window route-template bean registers with (routes/windows.yaml). */
public final class WindowsConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        ObjectMapper json = new ObjectMapper();
        FlowMetrics metrics = FlowMetrics.of(context);
        Windows windows = new Windows(json, metrics, new DeadLetters(json, metrics),
                context.getRegistry().lookupByNameAndType("kafkaAdmin", KafkaAdmin.class));
        context.getRegistry().bind("windows", windows);
        context.getRegistry().bind("windowsConsole", new WindowsConsole(windows,
                () -> context.getRegistry().lookupByNameAndType("topicTail", io.sluice.kafka.TopicTail.class), json));
        context.addService(new org.apache.camel.support.service.ServiceSupport() {
            @Override
            protected void doStop() {
                windows.close();
            }
        });
    }
}
