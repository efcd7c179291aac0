package org.elasticsearch.node;

import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.ClasspathPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;

import java.util.List;

/**
 * A real Elasticsearch {@link Node} whose plugins come from the classpath.
 * <p>
 * Why this lives in an Elasticsearch package: the only way to choose the PluginsService of a Node is
 * {@code NodeConstruction.prepareConstruction(..., NodeServiceProvider, ...)} plus the
 * {@code Node(NodeConstruction)} constructor, and all three are package-private in
 * {@code org.elasticsearch.node}. The public {@code Node(Environment, PluginsLoader)} constructor would
 * only find plugins as bundles under {@code <home>/plugins} and {@code <home>/modules}, which Maven
 * Central does not ship. Written for Sluice's dev stack; it copies no Elasticsearch code.
 */
public final class EmbeddedNode extends Node {

    public EmbeddedNode(Environment environment, List<Plugin> plugins) {
        super(NodeConstruction.prepareConstruction(
            environment,
            null, // PluginsLoader: only ever handed to newPluginService below, which ignores it
            new ClasspathServiceProvider(plugins),
            true  // forbidPrivateIndexSettings: behave like a production node
        ));
    }

    /** Swaps in the classpath PluginsService; every other service is the stock one. */
    private static final class ClasspathServiceProvider extends NodeServiceProvider {
        private final List<Plugin> plugins;

        ClasspathServiceProvider(List<Plugin> plugins) {
            this.plugins = List.copyOf(plugins);
        }

        @Override
        PluginsService newPluginService(Environment environment, PluginsLoader ignored) {
            return new ClasspathPluginsService(environment, plugins);
        }
    }
}
