package io.sluice.esnode;

import org.elasticsearch.cluster.metadata.IndexMetadata;
import org.elasticsearch.cluster.metadata.ProjectMetadata;
import org.elasticsearch.common.compress.CompressedXContent;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.IndexMode;
import org.elasticsearch.index.IndexSettingProvider;
import org.elasticsearch.index.IndexVersion;
import org.elasticsearch.plugins.Plugin;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * Makes new indices default to {@code number_of_replicas: 0}.
 * <p>
 * Why: a replica can never be assigned on a one-node cluster, so with Elasticsearch's default of 1 every
 * index stays yellow and anything that waits for green health (tests, clients) would hang. Only the
 * default changes: a value given in the create-index request or an index template still wins, because
 * the provider does not overrule them and also steps aside when one is present.
 */
public final class SingleNodeDefaultsPlugin extends Plugin {

    @Override
    public Collection<IndexSettingProvider> getAdditionalIndexSettingProviders(IndexSettingProvider.Parameters parameters) {
        return List.of(SingleNodeDefaultsPlugin::noReplicasUnlessAsked);
    }

    private static void noReplicasUnlessAsked(
        String indexName,
        String dataStreamName,
        IndexMode templateIndexMode,
        ProjectMetadata projectMetadata,
        Instant resolvedAt,
        Settings indexTemplateAndCreateRequestSettings,
        List<CompressedXContent> combinedTemplateMappings,
        IndexVersion indexVersion,
        Settings.Builder additionalSettings
    ) {
        if (indexTemplateAndCreateRequestSettings.hasValue(IndexMetadata.SETTING_NUMBER_OF_REPLICAS) == false) {
            additionalSettings.put(IndexMetadata.SETTING_NUMBER_OF_REPLICAS, 0);
        }
    }
}
