package io.sluice.search;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kafka.DeadLetters;
import io.sluice.ops.FlowMetrics;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.component.es.ElasticsearchComponent;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.ResourceHelper;
import org.apache.http.HttpHost;
import org.apache.http.auth.AuthScope;
import org.apache.http.auth.UsernamePasswordCredentials;
import org.apache.http.impl.client.BasicCredentialsProvider;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestClientBuilder;

/**
 * Points the search sinks' Elasticsearch client, and camel-elasticsearch, at {@code sluice.elasticsearch.url} (one
 * URL or several, comma-separated, with optional {@code sluice.elasticsearch.user}/{@code password}) and binds the
 * steps of routes/search-index.yaml: {@code searchIndex} and {@code searchRetries} (counts each retry of a failed
 * step on /observe/metrics; the bulk requests' own retries are counted by {@code searchIndex}).
 */
public final class SearchConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent pc = context.getPropertiesComponent();
        List<URI> urls = Arrays.stream(pc.resolveProperty("sluice.elasticsearch.url").orElse("http://localhost:9200")
                .split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(URI::create).toList();
        String user = pc.resolveProperty("sluice.elasticsearch.user").filter(s -> !s.isBlank()).orElse(null);
        String password = pc.resolveProperty("sluice.elasticsearch.password").filter(s -> !s.isBlank()).orElse(null);

        // the search sinks call Elasticsearch themselves (SearchIndex); camel-elasticsearch is pointed at the same
        // cluster for routes a user adds with elasticsearch: endpoints
        ElasticsearchComponent component = context.getComponent("elasticsearch", ElasticsearchComponent.class);
        component.setHostAddresses(urls.stream().map(u -> u.getHost() + ":" + u.getPort()).collect(Collectors.joining(",")));
        component.setEnableSSL(urls.stream().anyMatch(u -> "https".equals(u.getScheme())));
        component.setUser(user);
        component.setPassword(password);

        RestClientBuilder rest = RestClient.builder(urls.stream()
                .map(u -> new HttpHost(u.getHost(), u.getPort(), u.getScheme())).toArray(HttpHost[]::new));
        if (user != null && password != null) {
            BasicCredentialsProvider credentials = new BasicCredentialsProvider();
            credentials.setCredentials(AuthScope.ANY, new UsernamePasswordCredentials(user, password));
            rest.setHttpClientConfigCallback(http -> http.setDefaultCredentialsProvider(credentials));
        }
        String templateJson;
        try (InputStream in = ResourceHelper.resolveMandatoryResourceAsInputStream(context,
                pc.resolveProperty("sluice.search.index-template").orElse("classpath:search/ratings-index-template.json"))) {
            templateJson = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> indices = Arrays.stream(pc.resolveProperty("sluice.search.template-indices").orElse("")
                .split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        RestClient restClient = rest.build();
        IndexTemplate template = new IndexTemplate(restClient,
                pc.resolveProperty("sluice.search.template-name").orElse("sluice-ratings"), templateJson, indices,
                Integer.parseInt(pc.resolveProperty("sluice.search.replicas").orElse("1")));
        context.addService(template);

        FlowMetrics metrics = FlowMetrics.of(context);
        ObjectMapper json = new ObjectMapper();
        context.getRegistry().bind("searchIndex",
                new SearchIndex(json, context.getRegistry().lookupByNameAndType("deadLetters", DeadLetters.class),
                        metrics, template,
                        new ElasticsearchAsyncClient(new RestClientTransport(restClient, new JacksonJsonpMapper())),
                        "kafka:" + pc.resolveProperty("sluice.search.dlq-topic").orElse("search-dlq")
                                + "?requestRequiredAcks=all",
                        Long.parseLong(pc.resolveProperty("sluice.search.retry-delay-ms").orElse("500")),
                        Long.parseLong(pc.resolveProperty("sluice.search.max-retry-delay-ms").orElse("10000")),
                        Integer.parseInt(pc.resolveProperty("sluice.search.bulks-in-flight").orElse("2"))));
        context.getRegistry().bind("searchRetries", (Processor) exchange -> metrics.retried("elasticsearch"));
    }
}
