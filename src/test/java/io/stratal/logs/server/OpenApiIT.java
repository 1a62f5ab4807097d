package io.stratal.logs.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stratal.logs.query.LogConditions;
import io.stratal.logs.testing.DatabaseExtension;
import io.stratal.logs.testing.TestDatabase;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Holds {@code /api/v1/openapi.json} to the server: the same routes both ways, every path parameter declared,
 * every documented parameter really read by its route (a value its schema forbids gets a 400 naming it), and
 * real answers shaped as the schemas say, with no field the schemas lack.
 */
@Timeout(60)
class OpenApiIT {

    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}]+)}");

    @RegisterExtension
    final DatabaseExtension database = new DatabaseExtension();
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private TestDatabase db;
    private LogServer server;
    private JsonNode document;
    private UUID job;
    private UUID task;

    @BeforeEach
    void setUp() throws Exception {
        db = database.get().migrated();
        job = (UUID) db.scalar("INSERT INTO job_runs (job_name) VALUES ('j') RETURNING id");
        task = (UUID) db.scalar("INSERT INTO task_runs (job_run_id, task_name) VALUES ('" + job + "', 't') RETURNING id");
        db.execute("INSERT INTO logs (type, message, metadata) VALUES ('system', 'Server started', '{\"port\": 8080}')",
                "INSERT INTO logs (type, job_run_id, message) VALUES ('job', '" + job + "', 'Job started')",
                "INSERT INTO logs (type, job_run_id, task_run_id, level, stream, message, metadata) VALUES ('task', '" + job
                        + "', '" + task + "', 'error', 'stderr', 'failed', '{\"status_code\": 500, \"tags\": [\"a\"]}')");
        server = LogServer.builder(db.dataSource()).port(0).metrics(true).start(); // as serve runs it: /metrics too
        HttpResponse<String> response = get("/api/v1/openapi.json");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        document = json.readTree(response.body());
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void itIsOpenApi31AndEveryReferenceResolves() {
        assertThat(document.get("openapi").asText()).isEqualTo("3.1.0");
        List<String> references = new ArrayList<>();
        collectReferences(document, references);
        assertThat(references).isNotEmpty();
        for (String reference : references) {
            assertThat(resolve(reference)).as(reference).isNotNull();
        }
        Set<String> operationIds = new TreeSet<>();
        document.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(operation -> {
            assertThat(operationIds.add(operation.getValue().get("operationId").asText())).as("operationId unique").isTrue();
            assertThat(operation.getValue().get("responses").has("200") || operation.getValue().get("responses").has("101"))
                    .as(path.getKey()).isTrue();
        }));
    }

    @Test
    void theDocumentHasEveryRouteOfTheServerAndNoOther() {
        Set<String> served = new TreeSet<>();
        for (String route : server.routes()) {
            String[] methodAndPath = route.split(" ", 2);
            // A WebSocket opens with a GET upgrade; OpenAPI describes it that way.
            String method = methodAndPath[0].equals("WEBSOCKET") ? "get" : methodAndPath[0].toLowerCase();
            served.add(method + " " + methodAndPath[1]);
        }
        Set<String> documented = new TreeSet<>();
        document.get("paths").fields().forEachRemaining(path ->
                path.getValue().fieldNames().forEachRemaining(method -> documented.add(method + " " + path.getKey())));

        assertThat(served).contains("get /api/v1/logs/system", "get /api/v1/logs/stream/ws", "get /api/v1/openapi.json");
        assertThat(documented).isEqualTo(served);
    }

    @Test
    void everyPathParameterIsDeclaredAndEveryDeclaredOneIsInThePath() {
        forEachOperation((path, operation) -> {
            Set<String> inTemplate = new TreeSet<>();
            Matcher matcher = PATH_PARAMETER.matcher(path);
            while (matcher.find()) {
                inTemplate.add(matcher.group(1));
            }
            Set<String> declared = new TreeSet<>();
            for (JsonNode parameter : parameters(operation)) {
                if (parameter.get("in").asText().equals("path")) {
                    assertThat(parameter.get("required").asBoolean()).as(path).isTrue();
                    declared.add(parameter.get("name").asText());
                }
            }
            assertThat(declared).as(path).isEqualTo(inTemplate);
        });
    }

    /**
     * A parameter the document lists but the route ignores would let a value its schema forbids through; each
     * one gets such a value here and must come back as a 400 that names it.
     */
    @Test
    void everyDocumentedParameterIsReadByItsRoute() throws Exception {
        List<String> checked = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : operations().entrySet()) {
            String path = entry.getKey();
            for (JsonNode parameter : parameters(entry.getValue())) {
                String name = parameter.get("name").asText();
                String in = parameter.get("in").asText();
                if (name.equals("access_token") || parameter.has("x-name-pattern")) {
                    continue; // the token has tests of its own; meta.<key> is a family, checked below
                }
                String wrong = forbiddenValue(name, resolve(parameter.get("schema")));
                String target = concrete(path);
                String query = "";
                String[] headers = {};
                if (in.equals("path")) {
                    target = target.replace(validValue(name), URLEncoder.encode(wrong, StandardCharsets.UTF_8));
                } else if (in.equals("query")) {
                    query = "?" + name + "=" + URLEncoder.encode(wrong, StandardCharsets.UTF_8);
                } else {
                    headers = new String[] {name, wrong};
                }
                JsonNode refusal = refusal(path, target + query, headers);
                assertThat(refusal.get("parameter").asText()).as(path + " " + name + "=" + wrong).isEqualTo(name);
                checked.add(path + " " + name);
            }
            boolean takesMeta = parameters(entry.getValue()).stream().anyMatch(p -> p.has("x-name-pattern"));
            if (takesMeta) {
                assertThat(refusal(path, concrete(path) + "?meta.=1").get("parameter").asText()).as(path).isEqualTo("meta.");
            }
        }
        assertThat(checked).contains("/api/v1/logs/stream/ws after_id", "/api/v1/logs/stream/sse Last-Event-ID",
                "/api/v1/logs/stats window", "/api/v1/logs/job-runs/{job_run_id}/download format");
    }

    /** The other way: what the list, download and stream routes read, each of them documents. */
    @Test
    void everyFilterTheRoutesReadIsDocumentedOnEachOfThem() {
        List<String> filters = new ArrayList<>(LogConditions.PARAMETERS);
        filters.add("meta.{key}");
        Map<String, List<String>> expected = new LinkedHashMap<>();
        for (String path : List.of("/api/v1/logs/job-runs/{job_run_id}", "/api/v1/logs/task-runs/{task_run_id}",
                "/api/v1/logs/system", "/api/v1/logs/type/{type}")) {
            expected.put(path, concat(filters, "order", "limit", "offset", "cursor", "access_token"));
        }
        for (String path : List.of("/api/v1/logs/job-runs/{job_run_id}/download", "/api/v1/logs/task-runs/{task_run_id}/download",
                "/api/v1/logs/system/download")) {
            expected.put(path, concat(filters, "order", "format", "access_token"));
        }
        for (String path : List.of("/api/v1/logs/stream/sse", "/api/v1/logs/stream/ws")) {
            expected.put(path, concat(filters, "job_run_id", "task_run_id", "type", "after_id", "access_token"));
        }
        expected.get("/api/v1/logs/job-runs/{job_run_id}").add("task_run_id");
        expected.get("/api/v1/logs/job-runs/{job_run_id}/download").add("task_run_id");
        for (Map.Entry<String, List<String>> route : expected.entrySet()) {
            Set<String> documented = new TreeSet<>();
            for (JsonNode parameter : parameters(operations().get(route.getKey()))) {
                if (parameter.get("in").asText().equals("query")) {
                    documented.add(parameter.get("name").asText());
                }
            }
            assertThat(documented).as(route.getKey()).containsAll(route.getValue());
        }
    }

    private static List<String> concat(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }

    /** The 400 of a request, made as a WebSocket upgrade for the WebSocket route. */
    private JsonNode refusal(String path, String pathAndQuery, String... headers) throws Exception {
        if (path.endsWith("/stream/ws")) {
            URI uri = URI.create("ws://127.0.0.1:" + server.port() + pathAndQuery);
            try {
                http.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS).abort();
                throw new AssertionError("the upgrade to " + pathAndQuery + " was taken");
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).as(pathAndQuery).isInstanceOf(WebSocketHandshakeException.class);
                HttpResponse<?> response = ((WebSocketHandshakeException) e.getCause()).getResponse();
                assertThat(response.statusCode()).as(pathAndQuery).isEqualTo(400);
                Object body = response.body();
                String text = body instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(body);
                return json.readTree(text);
            }
        }
        HttpResponse<String> response = get(pathAndQuery, headers.length > 0 ? headers
                : new String[] {"Accept", "text/event-stream"});
        assertThat(response.statusCode()).as(pathAndQuery + ": " + response.body()).isEqualTo(400);
        return json.readTree(response.body());
    }

    @Test
    void realAnswersHaveTheDocumentedShapeAndNoUndocumentedField() throws Exception {
        Map<String, String> requests = new LinkedHashMap<>();
        requests.put("/api/v1/logs/job-runs", "/api/v1/logs/job-runs?limit=5");
        requests.put("/api/v1/logs/job-runs/{job_run_id}", "/api/v1/logs/job-runs/" + job + "?limit=1");
        requests.put("/api/v1/logs/job-runs/{job_run_id}/summary", "/api/v1/logs/job-runs/" + job + "/summary");
        requests.put("/api/v1/logs/task-runs/{task_run_id}", "/api/v1/logs/task-runs/" + task);
        requests.put("/api/v1/logs/system", "/api/v1/logs/system");
        requests.put("/api/v1/logs/type/{type}", "/api/v1/logs/type/task");
        requests.put("/api/v1/logs/stats", "/api/v1/logs/stats?window=1d");
        requests.put("/api/v1/logs/stream/status", "/api/v1/logs/stream/status");
        for (Map.Entry<String, String> request : requests.entrySet()) {
            JsonNode schema = operations().get(request.getKey()).at("/responses/200");
            schema = resolve(schema).at("/content/application~1json/schema");
            HttpResponse<String> response = get(request.getValue());
            assertThat(response.statusCode()).as(request.getValue()).isEqualTo(200);
            List<String> problems = new ArrayList<>();
            validate(json.readTree(response.body()), schema, "$", problems);
            assertThat(problems).as(request.getValue() + " " + response.body()).isEmpty();
        }
        HttpResponse<String> download = get("/api/v1/logs/job-runs/" + job + "/download?format=ndjson");
        JsonNode log = document.at("/components/schemas/Log");
        String[] lines = download.body().split("\n");
        assertThat(lines).hasSize(2);
        for (String line : lines) {
            List<String> problems = new ArrayList<>();
            validate(json.readTree(line), log, "$", problems);
            assertThat(problems).as(line).isEmpty();
        }
    }

    @Test
    void aServerWithATokenShowsTheDocumentOnlyWithIt() throws Exception {
        server.close();
        server = LogServer.builder(db.dataSource()).port(0).token("s3cret-token").start();
        assertThat(get("/api/v1/openapi.json").statusCode()).isEqualTo(401);
        HttpResponse<String> shown = get("/api/v1/openapi.json", "Authorization", "Bearer s3cret-token");
        assertThat(shown.statusCode()).isEqualTo(200);
        assertThat(json.readTree(shown.body())).isEqualTo(document);
        assertThat(get("/api/v1/openapi.json?x=1", "Origin", "https://evil.example").statusCode()).isEqualTo(403);
    }

    // --- the document

    private Map<String, JsonNode> operations() {
        Map<String, JsonNode> operations = new LinkedHashMap<>();
        document.get("paths").fields().forEachRemaining(path -> operations.put(path.getKey(), path.getValue().get("get")));
        return operations;
    }

    private void forEachOperation(java.util.function.BiConsumer<String, JsonNode> action) {
        operations().forEach(action);
    }

    private List<JsonNode> parameters(JsonNode operation) {
        List<JsonNode> parameters = new ArrayList<>();
        for (JsonNode parameter : operation.path("parameters")) {
            parameters.add(resolve(parameter));
        }
        return parameters;
    }

    private JsonNode resolve(JsonNode node) {
        return node != null && node.has("$ref") ? resolve(node.get("$ref").asText()) : node;
    }

    private JsonNode resolve(String reference) {
        assertThat(reference).startsWith("#/");
        JsonNode target = document.at(reference.substring(1));
        return target.isMissingNode() ? null : resolve(target);
    }

    private static void collectReferences(JsonNode node, List<String> references) {
        if (node.isObject()) {
            if (node.has("$ref")) {
                references.add(node.get("$ref").asText());
            }
            node.elements().forEachRemaining(child -> collectReferences(child, references));
        } else if (node.isArray()) {
            node.elements().forEachRemaining(child -> collectReferences(child, references));
        }
    }

    /** The operation's path with real ids, for requests. */
    private String concrete(String path) {
        return path.replace("{job_run_id}", job.toString()).replace("{task_run_id}", task.toString()).replace("{type}", "task");
    }

    private String validValue(String pathParameter) {
        return switch (pathParameter) {
            case "job_run_id" -> job.toString();
            case "task_run_id" -> task.toString();
            case "type" -> "task";
            default -> throw new AssertionError("no value for path parameter " + pathParameter);
        };
    }

    /** A value the parameter's schema does not allow. */
    private static String forbiddenValue(String name, JsonNode schema) {
        if (schema.has("enum")) {
            return "not-one-of-them";
        }
        if (schema.has("pattern")) {
            return "!!";
        }
        if (schema.has("maxLength")) {
            return "x".repeat(schema.get("maxLength").asInt() + 1);
        }
        String type = schema.path("type").asText();
        String format = schema.path("format").asText();
        if (type.equals("integer")) {
            return "-7x";
        }
        if (format.equals("uuid")) {
            return "not-a-uuid";
        }
        if (format.equals("date-time")) {
            return "yesterday";
        }
        if (name.equals("cursor")) {
            return "not-a-cursor";
        }
        throw new AssertionError("no forbidden value for " + name + " " + schema);
    }

    /** A small JSON Schema check: types, nulls, enums, required and known properties, items. */
    private void validate(JsonNode node, JsonNode schema, String where, List<String> problems) {
        schema = resolve(schema);
        Set<String> types = new TreeSet<>();
        JsonNode type = schema.get("type");
        if (type != null && type.isArray()) {
            type.forEach(t -> types.add(t.asText()));
        } else if (type != null) {
            types.add(type.asText());
        }
        if (node.isNull()) {
            if (!types.contains("null")) {
                problems.add(where + " is null");
            }
            return;
        }
        if (schema.has("enum")) {
            boolean listed = false;
            for (JsonNode value : schema.get("enum")) {
                listed |= value.equals(node);
            }
            if (!listed) {
                problems.add(where + " = " + node + " is not in " + schema.get("enum"));
            }
        }
        String actual = node.isObject() ? "object" : node.isArray() ? "array" : node.isTextual() ? "string"
                : node.isIntegralNumber() ? "integer" : node.isNumber() ? "number" : node.isBoolean() ? "boolean" : "?";
        if (!types.isEmpty() && !types.contains(actual) && !(actual.equals("integer") && types.contains("number"))) {
            problems.add(where + " is " + actual + ", expected " + types);
            return;
        }
        if (node.isObject()) {
            for (JsonNode required : schema.path("required")) {
                if (!node.has(required.asText())) {
                    problems.add(where + " lacks " + required.asText());
                }
            }
            JsonNode properties = schema.path("properties");
            JsonNode additional = schema.get("additionalProperties");
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (properties.has(field.getKey())) {
                    validate(field.getValue(), properties.get(field.getKey()), where + "." + field.getKey(), problems);
                } else if (additional != null && additional.isObject()) {
                    validate(field.getValue(), additional, where + "." + field.getKey(), problems);
                } else if (properties.size() > 0) {
                    problems.add(where + "." + field.getKey() + " is not documented");
                }
            }
        } else if (node.isArray() && schema.has("items")) {
            int i = 0;
            for (JsonNode item : node) {
                validate(item, schema.get("items"), where + "[" + i++ + "]", problems);
            }
        }
    }
}
