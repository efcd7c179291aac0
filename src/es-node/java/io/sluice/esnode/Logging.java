package io.sluice.esnode;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;

/**
 * Elasticsearch logs through log4j2 and expects its own setup (ES-specific log4j plugins, the
 * org.elasticsearch.logging bridge, the status logger) before any node class is touched.
 * After that we point the root logger at stderr at WARN: stdout is reserved for the single
 * {@code ES_NODE_READY} line that the parent process waits for, and INFO chatter is noise there.
 * Override the level with {@code -Desnode.log.level=INFO} when debugging.
 */
final class Logging {

    private Logging() {}

    /** Must run before log4j initialises itself, i.e. first thing in main. */
    static void preInit() {
        // Our shutdown hook closes the node and the node logs while closing; log4j's own hook would stop
        // logging first. Also keep log4j off JMX, as Elasticsearch does.
        System.setProperty("log4j2.shutdownHookEnabled", "false");
        System.setProperty("log4j2.disable.jmx", "true");
    }

    static void configure(Settings nodeSettings) {
        LogConfigurator.loadLog4jPlugins();
        LogConfigurator.configureWithoutConfig(nodeSettings);

        Level level = Level.toLevel(System.getProperty("esnode.log.level", "WARN"), Level.WARN);
        ConfigurationBuilder<BuiltConfiguration> config = ConfigurationBuilderFactory.newConfigurationBuilder();
        config.setConfigurationName("sluice-es-node");
        config.setStatusLevel(Level.ERROR);
        config.add(
            config.newAppender("stderr", "Console")
                .addAttribute("target", ConsoleAppender.Target.SYSTEM_ERR)
                .add(config.newLayout("PatternLayout").addAttribute("pattern", "[%d{ISO8601}][%-5p][%c{1.}] %m%n"))
        );
        config.add(config.newRootLogger(level).add(config.newAppenderRef("stderr")));
        Configurator.reconfigure(config.build());
    }
}
