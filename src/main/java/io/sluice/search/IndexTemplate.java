package io.sluice.search;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index template that gives Sluice's indices their mapping (rating_time a date, keywords for the
 * fields Kibana groups by, text for the message) before the first document creates them. Put on the first
 * bulk request rather than at start-up, so a Sluice started while Elasticsearch is down starts anyway and
 * indexes nothing until the template is in place. The body comes from a file users can edit
 * ({@code sluice.search.index-template}); the index names are filled in from the properties.
 */
public final class IndexTemplate extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(IndexTemplate.class);
    private final RestClient client;
    private final String name;
    private final String body;
    private volatile boolean inPlace;

    IndexTemplate(RestClient client, String name, String templateJson, List<String> indices, int replicas)
            throws IOException {
        this.client = client;
        this.name = name;
        ObjectMapper json = new ObjectMapper();
        ObjectNode template = (ObjectNode) json.readTree(templateJson);
        ArrayNode patterns = template.putArray("index_patterns");
        indices.forEach(patterns::add);
        template.withObject("/template/settings").put("number_of_replicas", replicas);
        this.body = json.writeValueAsString(template);
    }

    /** Puts the template once per run (PUT is idempotent; a restart puts it again, picking up edits). */
    public void ensure() throws IOException {
        if (inPlace) {
            return;
        }
        synchronized (this) {
            if (!inPlace) {
                Request put = new Request("PUT", "/_index_template/" + name);
                put.setEntity(new NStringEntity(body, ContentType.APPLICATION_JSON));
                client.performRequest(put);
                inPlace = true;
                LOG.info("Elasticsearch index template '{}' in place", name);
            }
        }
    }

    @Override
    protected void doStop() throws Exception {
        client.close();
    }
}
