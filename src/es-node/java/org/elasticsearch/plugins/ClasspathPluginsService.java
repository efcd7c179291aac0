package org.elasticsearch.plugins;

import org.elasticsearch.Build;
import org.elasticsearch.env.Environment;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link PluginsService} whose plugins are plain classes on the application classpath instead of
 * bundles under {@code <home>/plugins} and {@code <home>/modules}.
 * <p>
 * Why this lives in an Elasticsearch package: the hook that lets a subclass supply its own plugin list,
 * {@link #plugins()}, returns the package-private {@code LoadedPlugin} record, so only a class in
 * {@code org.elasticsearch.plugins} can build one. Our jars are on the classpath (unnamed module,
 * unsealed packages), so the split package is legal. This class is written for Sluice's dev stack; it
 * copies no Elasticsearch code.
 */
public final class ClasspathPluginsService extends PluginsService {

    private final List<LoadedPlugin> classpathPlugins;

    /**
     * @param environment the node's initial environment (only its settings and config dir are used)
     * @param plugins     already-constructed plugin instances, e.g. {@code new Netty4Plugin()}
     */
    public ClasspathPluginsService(Environment environment, List<Plugin> plugins) {
        // The parent constructor insists on a PluginsLoader; an empty one makes it load nothing from disk.
        // (Built with the package-private constructor: the public factory wires up module-layer exports
        // and fails with an NPE when the server runs from the classpath instead of the module path.)
        super(environment.settings(), environment.configDir(), new PluginsLoader(Set.of(), Set.of(), Map.of()));
        this.classpathPlugins = plugins.stream().map(ClasspathPluginsService::describe).toList();
    }

    /** Every plugin-facing method of PluginsService (map, filterPlugins, pluginMap, ...) reads this list. */
    @Override
    protected List<LoadedPlugin> plugins() {
        return classpathPlugins;
    }

    /**
     * A descriptor equivalent to what a "classic" (non-stable, non-modular) plugin bundle declares in its
     * plugin-descriptor.properties. The version check against the server is skipped for classpath plugins,
     * which is why transport-netty4 9.2.2 runs on server 9.2.3.
     */
    private static LoadedPlugin describe(Plugin plugin) {
        Class<?> type = plugin.getClass();
        PluginDescriptor descriptor = new PluginDescriptor(
            type.getSimpleName(),            // name (also the key of pluginMap())
            "classpath plugin of the Sluice embedded node",
            Build.current().version(),       // plugin version
            Build.current().version(),       // elasticsearch version
            Runtime.version().toString(),    // java version
            type.getName(),                  // classname
            null,                            // module name: not modular
            List.of(),                       // extended plugins: none
            false,                           // has native controller
            false,                           // licensed
            false,                           // modular
            false                            // stable
        );
        return new LoadedPlugin(descriptor, plugin, type.getClassLoader());
    }
}
